"""The published file of the REAL build, as its readers see it:

- an older DuckDB (1.1.3, the oldest release the file promises to open), in its own venv
  (``.venv-compat``, made by ``make install`` from requirements-compat.txt: the tests need no
  network), started in ANOTHER directory, opens it read-only, reads every table and view, and
  finds a comment on every table and column;
- a BI tool's view through SQLAlchemy + duckdb-engine (what Superset uses): schemas, tables,
  columns with their types and comments;
- self-contained: only schemas main and reference, no views reading files; the outcome columns
  carry their unit.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import warnings
from pathlib import Path

import duckdb
import pytest
from cluster_resilience.warehouse.publication import (
    FILE_READERS,
    STORAGE_VERSION_NUMBER,
    storage_version_number,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COMPAT_PYTHON = ROOT / ".venv-compat" / "bin" / "python"
COMPAT_VERSION = next(
    line.split("==")[1].strip()
    for line in (ROOT / "requirements-compat.txt").read_text().splitlines()
    if line.startswith("duckdb==")
)

READ_EVERYTHING = textwrap.dedent(
    """
    import json, sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    relations = connection.execute(
        "select schema_name, table_name, 'table', comment from duckdb_tables() where not internal "
        "union all select schema_name, view_name, 'view', comment from duckdb_views() "
        "where not internal order by 1, 2").fetchall()
    rows = {}
    for schema, name, kind, comment in relations:
        # every column of every row: a hash per column forces reading them all
        columns = [c for (c,) in connection.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
            "and not internal", [schema, name]).fetchall()]
        hashes = ", ".join(f'sum(hash("{c}"))' for c in columns)
        rows[f"{schema}.{name}"] = connection.execute(
            f'select count(*), {hashes} from "{schema}"."{name}"').fetchone()[0]
    uncommented = connection.execute(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
        "where not internal and coalesce(trim(comment), '') = ''").fetchall()
    print(json.dumps({
        "version": duckdb.__version__,
        "relations": [[s, n, k, c] for s, n, k, c in relations],
        "rows": rows,
        "uncommented_columns": [c for (c,) in uncommented],
        "columns": connection.execute(
            "select count(*) from duckdb_columns() where not internal").fetchone()[0],
    }))
    """
)


@pytest.fixture(scope="module")
def published(built_warehouse) -> Path:
    return built_warehouse


def test_the_file_header_says_storage_version_1_1(published):
    assert storage_version_number(published) == STORAGE_VERSION_NUMBER


def test_an_older_duckdb_in_another_directory_reads_every_table_and_comment(published, tmp_path):
    assert COMPAT_PYTHON.exists(), (
        f"{COMPAT_PYTHON} is missing: `make install` creates it (duckdb {COMPAT_VERSION} from "
        "requirements-compat.txt)")
    elsewhere = tmp_path / "somewhere_else"
    elsewhere.mkdir()
    completed = subprocess.run(
        [str(COMPAT_PYTHON), "-c", READ_EVERYTHING, str(published.resolve())],
        cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout)
    assert seen["version"] == COMPAT_VERSION
    connection = duckdb.connect(str(published), read_only=True)
    try:
        expected = {
            f"{schema}.{name}": rows for schema, name, rows in connection.execute(
                "select schema_name, table_name, estimated_size from duckdb_tables()").fetchall()
        }
        counts = {name: connection.execute(f"select count(*) from {name}").fetchone()[0]
                  for name in expected}
    finally:
        connection.close()
    assert set(seen["rows"]) == set(expected), "the old reader sees other relations"
    assert seen["rows"] == counts
    assert {"main.est_did_coefficients", "main.fct_state_outcome_year", "reference.outcomes",
            "main.dim_raw_file"} <= set(seen["rows"])
    assert seen["uncommented_columns"] == []
    assert seen["columns"] > 300
    assert all(comment and comment.strip() for *_, comment in seen["relations"])


def test_a_bi_tool_inspects_schemas_tables_typed_columns_and_comments(published):
    import sqlalchemy

    engine = sqlalchemy.create_engine(f"duckdb:///{published}",
                                      connect_args={"read_only": True})
    try:
        inspector = sqlalchemy.inspect(engine)
        schemas = [s for s in inspector.get_schema_names()
                   if s.startswith(f"{published.stem}.")]
        assert sorted(schemas) == [f"{published.stem}.main", f"{published.stem}.reference"]
        seen, untyped = {}, set()
        for schema in schemas:
            assert inspector.get_view_names(schema=schema) == []
            for table in inspector.get_table_names(schema=schema):
                assert inspector.get_table_comment(table, schema=schema)["text"], table
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # "Did not recognize type 'list'"
                    columns = inspector.get_columns(table, schema=schema)
                for column in columns:
                    seen[(schema.split(".")[-1], table, column["name"])] = column["comment"]
                    if isinstance(column["type"], sqlalchemy.types.NullType):
                        untyped.add((table, column["name"]))
    finally:
        engine.dispose()
    assert len(seen) > 300
    assert [key for key, comment in seen.items() if not comment] == []
    connection = duckdb.connect(str(published), read_only=True)
    try:
        # Only LIST columns lack a SQLAlchemy type (duckdb-engine has none for them).
        lists = set(connection.execute(
            "select table_name, column_name from duckdb_columns() "
            "where not internal and data_type like '%[]'").fetchall())
    finally:
        connection.close()
    assert untyped == lists


def test_nothing_in_the_file_reads_outside_it(published):
    connection = duckdb.connect(str(published), read_only=True)
    try:
        schemas = {s for (s,) in connection.execute(
            "select distinct schema_name from duckdb_tables() union "
            "select distinct schema_name from duckdb_views() where not internal").fetchall()}
        views = connection.execute(
            "select schema_name, view_name, sql from duckdb_views() where not internal"
        ).fetchall()
    finally:
        connection.close()
    assert schemas == {"main", "reference"}
    assert [(s, v) for s, v, sql in views if FILE_READERS.search(sql)] == []


def test_outcome_values_carry_their_unit(published):
    """Every level in fct_state_outcome_year names its unit (from the outcome registry), and the
    column comments say so."""
    connection = duckdb.connect(str(published), read_only=True)
    try:
        mismatched = connection.execute(
            "select count(*) from main.fct_state_outcome_year as levels "
            "inner join reference.outcomes as outcomes on levels.outcome = outcomes.outcome "
            "where levels.unit is distinct from outcomes.unit").fetchone()[0]
        comments = dict(connection.execute(
            "select column_name, comment from duckdb_columns() "
            "where table_name = 'fct_state_outcome_year'").fetchall())
    finally:
        connection.close()
    assert mismatched == 0
    assert "unit" in comments["value"].lower() and comments["unit"]
