"""Read what the report shows from the published warehouse (read-only), and nothing else.

The paper's Tables 2 to 6 come from the dbt analyses in ``analyses/paper_table_*.sql``: their
Jinja is rendered here with plain ``jinja2`` (``ref()`` resolves to the warehouse table,
``var()`` to the value the estimate run recorded in ``est_run_metadata``, else the project's
default in ``dbt_project.yml``), so the report runs exactly the SQL an analyst runs after
``dbt compile``, without needing dbt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
import yaml

# Analyses that lay out the paper's tables, in the paper's order.
PAPER_TABLE_ANALYSES: dict[str, str] = {
    "Table 2": "paper_table_2_descriptives",
    "Table 3": "paper_table_3_did_shock",
    "Table 4": "paper_table_4_factors_shock",
    "Table 5": "paper_table_5_did_recovery",
    "Table 6": "paper_table_6_factors_recovery",
}


class MissingTable(LookupError):
    """A table the report needs is not (yet) in the warehouse."""

    def __init__(self, table: str):
        super().__init__(f"{table} is not in the warehouse yet")
        self.table = table


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class Warehouse:
    """A read-only connection to the published warehouse plus the project's analyses."""

    path: Path
    project_dir: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.project_dir = Path(self.project_dir)
        if not self.path.exists():
            raise FileNotFoundError(f"warehouse {self.path} does not exist: run `make build`")
        self.con = duckdb.connect(str(self.path), read_only=True)
        rows = self.con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        self._schemas: dict[str, list[str]] = {}
        for schema, name in rows:
            self._schemas.setdefault(name, []).append(schema)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------- tables --

    def has(self, table: str) -> bool:
        return table in self._schemas

    def relation(self, table: str) -> str:
        """Quoted schema.table of a model or seed (``main`` first, then any other schema)."""
        schemas = self._schemas.get(table)
        if not schemas:
            raise MissingTable(table)
        schema = "main" if "main" in schemas else sorted(schemas)[0]
        return f"{_quote(schema)}.{_quote(table)}"

    def columns(self, table: str) -> list[str]:
        return [row[0] for row in self.con.execute(f"describe {self.relation(table)}").fetchall()]

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def table(self, table: str, where: str = "", order_by: str = "") -> pd.DataFrame:
        sql = f"select * from {self.relation(table)}"
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {order_by}"
        return self.df(sql)

    # ------------------------------------------------------------------- run metadata --

    def run_metadata(self) -> dict[str, Any]:
        if not self.has("est_run_metadata"):
            return {}
        frame = self.table("est_run_metadata", order_by="run_started_at desc")
        if frame.empty:
            return {}
        return {key: _plain(value) for key, value in frame.iloc[0].items()}

    def project_vars(self) -> dict[str, Any]:
        """dbt vars: the project's defaults, overridden by what the estimate run recorded."""
        values: dict[str, Any] = {}
        project_file = self.project_dir / "dbt_project.yml"
        if project_file.exists():
            values.update((yaml.safe_load(project_file.read_text()) or {}).get("vars") or {})
        metadata = self.run_metadata()
        for key in ("did_treatment_rule", "state_treatment_rule", "specs", "factors"):
            if metadata.get(key) is not None:
                values[key] = metadata[key]
        return values

    # ----------------------------------------------------------------------- analyses --

    def analysis_sql(self, name: str) -> str:
        """The analysis ``analyses/<name>.sql`` compiled against this warehouse."""
        path = self.project_dir / "analyses" / f"{name}.sql"
        if not path.exists():
            raise FileNotFoundError(f"analysis {path} not found (is --project-dir the repo root?)")
        variables = self.project_vars()

        def var(key: str, default: Any = None) -> Any:
            if key in variables:
                return variables[key]
            if default is not None:
                return default
            raise KeyError(f"var {key!r} is not set (dbt_project.yml vars)")

        environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        template = environment.from_string(path.read_text())
        return template.render(ref=self.relation, var=var, source=_no_source)

    def analysis(self, name: str) -> pd.DataFrame:
        return self.df(self.analysis_sql(name))


def _no_source(*args: str) -> str:
    raise NotImplementedError(f"source({', '.join(args)}): analyses read marts only")


def _plain(value: Any) -> Any:
    """numpy / pandas scalars and arrays to plain Python for templates and JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts of plain values (NaN/NA -> None), for the templates."""
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def first_present(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` that is a column, else None."""
    for candidate in candidates:
        if candidate in columns:
            return candidate
    return None


Loader = Callable[[Warehouse], Any]
