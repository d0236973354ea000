"""The warehouse built on Apache Spark equals the DuckDB build, table by table.

Both builds read the REAL shipped files in data/raw/. The DuckDB side is the session's
``built_warehouse`` (the production write-audit-publish build); the Spark side is built once per
session with ``dbt build --target spark`` (local[2], 2 shuffle partitions, 2 dbt threads, every
model and unit test), into a temporary directory. The data tests are left out here to keep
``make test`` short: they are functions of the tables, which must equal the DuckDB build's, where
every data test ran; ``make build TARGET=spark`` runs them all on Spark. Every public table
(schema main: marts, dims, facts, est_*) must exist on both with the same columns, the same
rows (matched by their non-float columns) and every number equal to 1e-9 relative / 1e-12
absolute; run metadata (run id, start time, git revision, dbt version) is not compared.

The Spark tables are Parquet files in the Spark warehouse directory; DuckDB reads them here, so
no second Spark JVM is started. Needs the ``spark`` extra and Java 17: ``make test`` installs the
extra and sets CLUSTER_REQUIRE_SPARK=1, which turns a missing Spark into a failure, not a skip.
"""

from __future__ import annotations

import math
import os
import shutil
from collections import defaultdict
from importlib.util import find_spec
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RELATIVE, ABSOLUTE = 1e-9, 1e-12
RUN_METADATA = {"run_id", "run_started_at", "git_revision", "dbt_version"}
SPARK_ENV = {
    "CLUSTER_SPARK_MASTER": "local[2]",
    "CLUSTER_SPARK_SHUFFLE_PARTITIONS": "2",
    "CLUSTER_SPARK_THREADS": "2",
}


def _require_spark() -> None:
    requirements = [
        ("the spark extra (make install-spark)", find_spec("dbt.adapters.spark")),
        ("java on PATH (Java 17)", shutil.which("java")),
    ]
    missing = [what for what, present in requirements if not present]
    if missing:
        message = "Spark build not possible: missing " + "; ".join(missing)
        if os.environ.get("CLUSTER_REQUIRE_SPARK") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def spark_tables(tmp_path_factory) -> Path:
    """The Spark build's table directory of schema main (one Parquet directory per table)."""
    _require_spark()
    from cluster_resilience.warehouse.spark_build import build_spark_warehouse

    scratch = tmp_path_factory.mktemp("spark")
    env = {
        **SPARK_ENV,
        "CLUSTER_SPARK_DIR": str(scratch / "spark"),
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    # The raw-file door already ran in the DuckDB build of this session (same files).
    seconds = build_spark_warehouse(ROOT, env=env, validate=False,
                                    dbt_args=["--exclude", "resource_type:test"])
    print(f"built the Spark warehouse in {seconds:.1f} s")
    return scratch / "spark" / "tables" / "main.db"


@pytest.fixture(scope="module")
def duckdb_warehouse(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def _public_tables(connection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def _read(connection, relation: str) -> tuple[list[str], list[str], list[tuple]]:
    cursor = connection.execute(f"select * from {relation}")
    names = [column[0] for column in cursor.description]
    types = [str(column[1]) for column in cursor.description]
    return names, types, cursor.fetchall()


def _is_float(value) -> bool:
    return isinstance(value, float)


def _equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_float(a) or _is_float(b):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=ABSOLUTE)
    return a == b


def _row_key(row: tuple, exact: list[int]) -> tuple:
    """Sort/match key: the non-float values (None first), as comparable tuples."""
    return tuple((row[i] is not None, str(row[i]) if row[i] is not None else "") for i in exact)


def _float_order(row: tuple, floats: list[int]) -> tuple:
    return tuple((row[i] is not None, round(row[i], 6) if row[i] is not None else 0.0)
                 for i in floats)


def _differences(table: str, names: list[str], duck_rows: list[tuple],
                 spark_rows: list[tuple]) -> list[str]:
    compared = [i for i, name in enumerate(names) if name not in RUN_METADATA]
    sample = duck_rows + spark_rows
    floats = [i for i in compared if any(_is_float(row[i]) for row in sample)]
    exact = [i for i in compared if i not in floats]
    if len(duck_rows) != len(spark_rows):
        return [f"{table}: {len(duck_rows)} rows in DuckDB, {len(spark_rows)} on Spark"]
    groups: dict[tuple, list[list[tuple]]] = defaultdict(lambda: [[], []])
    for side, rows in enumerate([duck_rows, spark_rows]):
        for row in rows:
            groups[_row_key(row, exact)][side].append(row)
    problems = []
    for key, (duck_group, spark_group) in groups.items():
        label = {names[i]: row_value for i, (_, row_value) in zip(exact, key, strict=True)}
        if len(duck_group) != len(spark_group):
            problems.append(f"{table}: key {label}: {len(duck_group)} DuckDB rows, "
                            f"{len(spark_group)} Spark rows")
            continue
        duck_group.sort(key=lambda row: _float_order(row, floats))
        spark_group.sort(key=lambda row: _float_order(row, floats))
        for duck_row, spark_row in zip(duck_group, spark_group, strict=True):
            for i in floats:
                if not _equal(duck_row[i], spark_row[i]):
                    problems.append(f"{table}.{names[i]} at {label}: DuckDB {duck_row[i]!r}, "
                                    f"Spark {spark_row[i]!r}")
    return problems


def test_spark_build_has_every_public_table(duckdb_warehouse, spark_tables):
    tables = _public_tables(duckdb_warehouse)
    assert any(name.startswith("est_") for name in tables) and "mart_did_panel" in tables
    missing = [name for name in tables if not (spark_tables / name).is_dir()]
    assert missing == [], f"tables of the DuckDB build missing on Spark: {missing}"


def test_every_public_table_equals_the_duckdb_build(duckdb_warehouse, spark_tables):
    """Same columns, same rows, numbers to 1e-9 relative; estimates and marts alike."""
    problems: list[str] = []
    n_rows = 0
    for table in _public_tables(duckdb_warehouse):
        names, duck_types, duck_rows = _read(duckdb_warehouse, f"main.{table}")
        spark_names, spark_types, spark_rows = _read(
            duckdb_warehouse, f"read_parquet('{spark_tables / table}/*.parquet')")
        if spark_names != names:
            problems.append(f"{table}: columns differ: DuckDB {names}, Spark {spark_names}")
            continue
        type_changes = [
            f"{name} {duck_type} vs {spark_type}"
            for name, duck_type, spark_type in zip(names, duck_types, spark_types, strict=True)
            if duck_type != spark_type and name not in RUN_METADATA
        ]
        if type_changes:
            problems.append(f"{table}: column types differ: {type_changes}")
        problems += _differences(table, names, duck_rows, spark_rows)[:20]
        n_rows += len(duck_rows)
    assert n_rows > 100_000  # the whole warehouse was compared, not empty tables
    assert problems == [], "\n".join(problems[:200])
