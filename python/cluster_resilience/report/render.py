"""Render the report: sections from the warehouse -> one self-contained HTML file (jinja2)."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from cluster_resilience.report.data import Warehouse
from cluster_resilience.report.sections import all_sections

DEFAULT_OUT = Path("target/report/cluster_resilience_report.html")
TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class ReportResult:
    path: Path
    bytes: int
    seconds: float
    section_ids: list[str]


def format_value(value: Any, kind: str = "num") -> str:
    """How a cell is shown: 'num' 4 significant digits (thousands separated when large),
    'p' p-values (< 0.001 as such), 'int' integers, 'pct' percentages, 'text' as is."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if kind == "text":
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if kind == "int":
        return f"{number:,.0f}"
    if kind == "pct":
        return f"{100 * number:.2f} %"
    if kind == "p":
        return "< 0.001" if number < 0.001 else f"{number:.3f}"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.4g}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cluster_resilience.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = format_value
    return env


def render_html(
    warehouse_path: Path, project_dir: Path = Path("."), progress=None
) -> tuple[str, list[dict]]:
    with Warehouse(warehouse_path, project_dir) as warehouse:
        sections = all_sections(warehouse, progress)
        metadata = warehouse.run_metadata()
    html = (
        environment()
        .get_template(TEMPLATE)
        .render(
            sections=sections,
            metadata=metadata,
            warehouse=str(warehouse_path),
            generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
    )
    return html, sections


def render_report(
    warehouse_path: Path, out: Path = DEFAULT_OUT, project_dir: Path = Path("."), progress=None
) -> ReportResult:
    """Render the report of ``warehouse_path`` to ``out``; return its size and render time.
    ``progress`` (optional) gets one line per section as it is built."""
    started = time.perf_counter()
    html, sections = render_html(Path(warehouse_path), Path(project_dir), progress)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return ReportResult(
        path=out,
        bytes=out.stat().st_size,
        seconds=time.perf_counter() - started,
        section_ids=[s["id"] for s in sections],
    )
