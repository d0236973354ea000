"""Run the selected sources: fetch and validate each, write its files atomically, record them.

Sources are independent: one that fails (or is skipped for a missing key or contact) leaves its
files as they were, and the others still run. A source's files are all validated before the
first is written. The manifest and the PROVENANCE.md section are updated after each source.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import httpx

from . import manifest
from .base import CENSUS_KEY_ENV, CONTACT_ENV, RefreshContext, Source
from .bea import BeaGdpByState
from .bls import BlsStateEmployment
from .cbp import CountyBusinessPatterns
from .census_trade import CensusStateTrade
from .client import AgencyClient, HttpError, Redactor, RetryPolicy, user_agent
from .files import Output, RefreshError, Targets, atomic_write
from .uscm import ClusterMapping

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (BeaGdpByState(), BlsStateEmployment(), CensusStateTrade(),
                   CountyBusinessPatterns(), ClusterMapping())
}
# seconds between two requests: well inside every agency's published limit (BEA's API allows
# 100 requests a minute; the bulk servers publish none)
POLITE_INTERVAL = 0.5


@dataclass
class RefreshReport:
    written: list[tuple[Output, str, int]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    planned: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def _version() -> str:
    try:
        return metadata.version("cluster-resilience")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def run_refresh(
    project_dir: Path = Path("."),
    out_dir: Path | None = None,
    sources: Sequence[str] | None = None,
    *,
    years: tuple[int, ...] | None = None,
    environ: Mapping[str, str] | None = None,
    dry_run: bool = False,
    policy: RetryPolicy | None = None,
    min_interval: float = POLITE_INTERVAL,
    this_year: int | None = None,
    transport: httpx.BaseTransport | None = None,
    echo: Callable[[str], None] = print,
) -> RefreshReport:
    """Refresh ``sources`` (default: all) from the agencies into ``out_dir`` (default
    ``<project>/data/raw``). Never raises for an agency's failure: see the report."""
    project_dir = Path(project_dir).resolve()
    out_dir = Path(out_dir).resolve() if out_dir else project_dir / "data" / "raw"
    environ = os.environ if environ is None else environ
    names = list(sources or SOURCES)
    unknown = [name for name in names if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; choose from {list(SOURCES)}")
    redact = Redactor(secrets=tuple(value for value in (environ.get(CENSUS_KEY_ENV, "").strip(),)
                                    if value))
    targets = Targets(project_dir=project_dir, out_dir=out_dir)
    report = RefreshReport()
    year = this_year or datetime.now(UTC).year
    client = None
    if not dry_run:
        client = AgencyClient(
            user_agent=user_agent(environ.get(CONTACT_ENV, "").strip() or None, _version()),
            redact=redact, policy=policy or RetryPolicy(), min_interval=min_interval,
            transport=transport,
        )
    try:
        for name in names:
            source = SOURCES[name]
            with tempfile.TemporaryDirectory(prefix=f"refresh-{name}-") as scratch:
                context = RefreshContext(targets=targets, years=years, environ=environ,
                                         this_year=year, workdir=Path(scratch))
                if dry_run:
                    lines = source.plan(context)
                    reason = source.missing_requirement(environ)
                    if reason:
                        lines.append(f"  (would be skipped now: {reason})")
                    report.planned[name] = lines
                    echo(f"[{name}] {source.title}")
                    for line in lines:
                        echo(f"  {line}")
                    continue
                reason = source.missing_requirement(environ)
                if reason:
                    report.skipped[name] = reason
                    echo(f"[{name}] skipped: {reason}")
                    continue
                echo(f"[{name}] {source.title}")
                try:
                    outputs = source.fetch(context, client)
                except (RefreshError, HttpError) as error:
                    report.failed[name] = redact(str(error))
                    echo(f"[{name}] FAILED, its files are unchanged: {report.failed[name]}")
                    continue
            recorded = manifest.load_manifest(out_dir)
            for output in outputs:
                sha256, size = atomic_write(output.path, output.data)
                manifest.record(recorded, out_dir, output, sha256, size, redact)
                report.written.append((output, sha256, size))
                echo(f"[{name}] wrote {output.path.relative_to(out_dir)}: {output.rows} rows, "
                     f"years {manifest.year_ranges(output.years)}"
                     + (f", release {output.release}" if output.release else ""))
            manifest.save(recorded, out_dir)
    finally:
        if client is not None:
            client.close()
    return report
