"""Compare the tables of two warehouse files (used by the catalogue's success cases and by the
determinism test in tests/python/test_faults.py).

Text, integer, boolean and date columns must be equal exactly. Floating-point columns must be
equal to 1e-9 relative (1e-12 absolute): DuckDB sums doubles in parallel, in an order that varies
between runs, so a model that aggregates doubles (mart_rdd_panel does) can differ in the last
bits (~1e-16 relative) from one build to the next. Bitwise differences are counted and reported
so that noise stays visible; a real change (a different number, row, or NULL) fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

RTOL, ATOL = 1e-9, 1e-12


@dataclass
class TableDiff:
    table: str
    problems: list[str] = field(default_factory=list)
    bitwise_float_differences: int = 0


def _frame(connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str,
           columns: list[str]) -> pd.DataFrame:
    select = ", ".join(f'"{column}"' for column in columns)
    return connection.execute(f'select {select} from {catalog}."{schema}"."{table}"').df()


def _sorted(frame: pd.DataFrame, floats: list[str]) -> pd.DataFrame:
    keys = frame.copy()
    for column in keys.columns:
        if column in floats:
            keys[column] = keys[column].round(6)
        keys[column] = keys[column].astype(str)
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)


def compare_table(connection: duckdb.DuckDBPyConnection, left: str, right: str, schema: str,
                  table: str, exclude: tuple[str, ...] = ()) -> TableDiff:
    diff = TableDiff(table)
    described = connection.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = ? "
        "and table_schema = ? and table_name = ? order by ordinal_position",
        [left, schema, table]).fetchall()
    columns = [name for name, _ in described if name not in exclude]
    floats = [name for name, kind in described
              if name in columns and kind in ("DOUBLE", "FLOAT", "REAL")]
    a = _sorted(_frame(connection, left, schema, table, columns), floats)
    b = _sorted(_frame(connection, right, schema, table, columns), floats)
    if len(a) != len(b):
        diff.problems.append(f"{len(a)} rows vs {len(b)}")
        return diff
    for column in columns:
        x, y = a[column], b[column]
        if column in floats:
            xs, ys = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            close = np.isclose(xs, ys, rtol=RTOL, atol=ATOL, equal_nan=True)
            same_bits = (xs == ys) | (np.isnan(xs) & np.isnan(ys))
            diff.bitwise_float_differences += int((~same_bits).sum())
            if not close.all():
                where = int(np.flatnonzero(~close)[0])
                diff.problems.append(f"{column}: {int((~close).sum())} values differ beyond "
                                     f"{RTOL:g} (e.g. {xs[where]!r} vs {ys[where]!r})")
        else:
            equal = (x.astype(str) == y.astype(str)) | (x.isna() & y.isna())
            if not equal.all():
                where = int(np.flatnonzero(~equal.to_numpy())[0])
                diff.problems.append(f"{column}: {int((~equal).sum())} values differ "
                                     f"(e.g. {x.iloc[where]!r} vs {y.iloc[where]!r})")
    return diff


def compare_warehouses(left: Path, right: Path, tables: list[tuple[str, str]] | None = None,
                       exclude: tuple[str, ...] = ()) -> list[TableDiff]:
    """Compare ``tables`` ((schema, name); default: every base table of ``left``)."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{left}' as lhs (read_only)")
        connection.execute(f"attach '{right}' as rhs (read_only)")
        if tables is None:
            tables = connection.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = 'lhs' and table_type = 'BASE TABLE' order by 1, 2"
            ).fetchall()
        return [compare_table(connection, "lhs", "rhs", schema, table, exclude)
                for schema, table in tables]
    finally:
        connection.close()
