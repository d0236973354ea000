"""Read what the report shows from the published warehouse (read-only), and nothing else.

Presentation reads contracted tables: every read is ``select * from <table>``, optionally with a
``where`` / ``order by`` on the table's own columns (:meth:`Warehouse.table`). Whatever needs a
join or a computed layout (the paper's tables beside its printed numbers, the treatment map, the
estimates beside the paper's) is a contracted mart or estimate table built by dbt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# The paper's tables, in the paper's order: Table 2 is mart_paper_descriptives, Tables 3-6 are
# the rows of est_paper_tables with that paper_table.
PAPER_TABLES = ("Table 2", "Table 3", "Table 4", "Table 5", "Table 6")


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

    def table(
        self,
        table: str,
        where: str = "",
        order_by: str = "",
        params: list[Any] | None = None,
    ) -> pd.DataFrame:
        """``select * from table [where ...] [order by ...]``: the only query the report runs.
        ``where`` and ``order_by`` name the table's own columns; values go in ``params``."""
        sql = f"select * from {self.relation(table)}"
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {order_by}"
        return self.con.execute(sql, params or []).df()

    # ------------------------------------------------------------------- run metadata --

    def run_metadata(self) -> dict[str, Any]:
        if not self.has("est_run_metadata"):
            return {}
        frame = self.table("est_run_metadata", order_by="run_started_at desc")
        if frame.empty:
            return {}
        return {key: _plain(value) for key, value in frame.iloc[0].items()}

    def registry(self, seed: str, key: str) -> list[str]:
        """The members of a registry seed (schema reference) in display order; [] when the
        warehouse has no such seed."""
        if not self.has(seed):
            return []
        frame = self.table(seed)
        order = [column for column in ("display_order", key) if column in frame.columns]
        return [str(value) for value in frame.sort_values(order)[key]]

    def compared_rules(self) -> dict[str, str]:
        """The treatment rule the paper comparison uses at each rule level (seed
        treatment_rules, compared_with_paper): {'state_cluster': ..., 'state': ...}."""
        if not self.has("treatment_rules"):
            return {}
        frame = self.table("treatment_rules")
        if "compared_with_paper" not in frame.columns:
            return {}
        chosen = frame[frame["compared_with_paper"].fillna(False).astype(bool)]
        return dict(zip(chosen["rule_level"], chosen["treatment_rule"], strict=True))

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
