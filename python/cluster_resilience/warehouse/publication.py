"""The published file: what BI tools and analysts open, and nothing else.

dbt builds into a full DuckDB database (sources, staging and intermediate views that read
``data/raw/...`` by relative path, Python model results, marts, estimates, seeds), written by the
project's DuckDB (2.x). ``write_publication`` copies from it only what readers should see, into a
new file that every DuckDB client can open:

- **Public relations only.** The tables of schema ``main`` (marts, estimates, ``dim_raw_file``)
  and ``reference`` (seeds), as tables; a view there would be materialised. Source, staging and
  intermediate views stay behind, so nothing in the file reads a file outside it (a view over
  ``read_csv('data/raw/...')`` breaks for every client not started in the repo root).
- **Storage version 1.1.** The copy is written with ``ATTACH ... (STORAGE_VERSION 'v1.1.0')``:
  DuckDB 1.1 and every later release read it (a file in DuckDB 2.0's own format opens in no 1.x
  reader). Writing DuckDB stays at the project's pinned version.
- **Comments.** Every table and column keeps the comment dbt's ``persist_docs`` gave it (its YAML
  description); a column named after an outcome (a wide pivot's ``gdp``) also gets that outcome's
  unit from ``reference.outcomes`` when its description does not already say it.

``audit_publication`` then proves the copy before it is published: the file header's storage
version, no schema but ``main``/``reference``, no view reading a file, a non-empty comment on
every table and column, and every table equal to its source (row count and a hash of every
column).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLIC_SCHEMAS = ("main", "reference")
STORAGE_VERSION = "v1.1.0"
# The storage version number DuckDB 0.10 to 1.1 write in the file header (at byte 12); a DuckDB
# 2.0 file carries 999 there, which no 1.x release opens.
STORAGE_VERSION_NUMBER = 64
# Table functions and literals that make a view depend on files outside the database.
FILE_READERS = re.compile(
    r"\b(read_\w+|\w+_scan|glob|sniff_csv|parquet_metadata|parquet_schema)\s*\("
    r"|'[^']*\.(csv|tsv|txt|parquet|json|ndjson|jsonl|gz|zst|zip|xlsx|duckdb|db)'"
    r"|'(~|\.{1,2})?/[^']*'|'[a-z][a-z0-9+.-]*://[^']*'",
    re.IGNORECASE,
)


class PublicationError(RuntimeError):
    """The publication copy is not fit to publish; the message says what is wrong."""


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int
    columns: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def storage_version_number(path: Path) -> int:
    """The storage version number in a DuckDB file's main header."""
    with Path(path).open("rb") as handle:
        header = handle.read(20)
    if len(header) < 20 or header[8:12] != b"DUCK":
        raise PublicationError(f"{path} is not a DuckDB database file")
    return struct.unpack("<Q", header[12:20])[0]


def outcome_units(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str]:
    """outcome -> unit from the outcomes registry seed (empty when it has no such columns)."""
    columns = {
        name for (name,) in connection.execute(
            "select column_name from duckdb_columns() where database_name = ? and "
            "schema_name = 'reference' and table_name = 'outcomes'", [catalog]).fetchall()
    }
    if not {"outcome", "unit"} <= columns:
        return {}
    rows = connection.execute(
        f"select outcome, unit from {catalog}.reference.outcomes where unit is not null"
    ).fetchall()
    return {str(outcome): str(unit) for outcome, unit in rows}


def column_comment(description: str | None, column: str, units: dict[str, str]) -> str:
    """The published comment of a column: its description, plus its outcome's unit when the
    column is named after an outcome and the description does not state that unit."""
    text = " ".join((description or "").split())
    unit = units.get(column)
    if unit and unit.lower() not in text.lower():
        text = f"{text} Unit: {unit}.".strip()
    return text


def _relations(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, str]]:
    """(schema, name, kind) of the user tables and views of ``catalog`` in the public schemas."""
    return connection.execute(
        """
        select schema_name, table_name, 'table' from duckdb_tables()
        where database_name = $1 and not internal and list_contains($2, schema_name)
        union all
        select schema_name, view_name, 'view' from duckdb_views()
        where database_name = $1 and not internal and list_contains($2, schema_name)
        order by 1, 2
        """,
        [catalog, list(PUBLIC_SCHEMAS)],
    ).fetchall()


def write_publication(
    build_file: Path, destination: Path, project_dir: Path, progress=print
) -> list[PublishedTable]:
    """Copy the public tables of ``build_file`` (with their comments) into a new
    storage-version-1.1 file at ``destination``; return what was copied."""
    build_file, destination = Path(build_file), Path(destination)
    for leftover in (destination, Path(f"{destination}.wal")):
        leftover.unlink(missing_ok=True)
    connection = duckdb.connect()
    try:
        # A view in a public schema is materialised; resolve any relative path it reads
        # against the project, as dbt does.
        connection.execute(f"set file_search_path = {sql_string(str(Path(project_dir).resolve()))}")
        connection.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
        connection.execute(
            f"attach {sql_string(str(destination))} as publication "
            f"(storage_version {sql_string(STORAGE_VERSION)})"
        )
        units = outcome_units(connection, "build")
        relations = _relations(connection, "build")
        copied = []
        for number, (schema, name, kind) in enumerate(relations, start=1):
            copied.append(_copy_relation(connection, schema, name, kind, units))
            if progress is not None and (number % 10 == 0 or number == len(relations)):
                progress(f"  publication copy: {number}/{len(relations)} tables")
        connection.execute("checkpoint publication")
        connection.execute("detach publication")
    finally:
        connection.close()
    Path(f"{destination}.wal").unlink(missing_ok=True)  # empty after the checkpoint
    return copied


def _copy_relation(
    connection: duckdb.DuckDBPyConnection, schema: str, name: str, kind: str,
    units: dict[str, str],
) -> PublishedTable:
    source = f"build.{quote(schema)}.{quote(name)}"
    target = f"publication.{quote(schema)}.{quote(name)}"
    connection.execute(f"create schema if not exists publication.{quote(schema)}")
    if kind == "table":
        # The table's own DDL keeps its types and any constraints (dbt contracts).
        (ddl,) = connection.execute(
            "select sql from duckdb_tables() where database_name = 'build' and schema_name = ? "
            "and table_name = ?", [schema, name]).fetchone()
        connection.execute(f"use publication.{quote(schema)}")
        connection.execute(ddl)
        connection.execute("use memory")
        connection.execute(f"insert into {target} select * from {source}")
        comment = connection.execute(
            "select comment from duckdb_tables() where database_name = 'build' and "
            "schema_name = ? and table_name = ?", [schema, name]).fetchone()[0]
    else:
        connection.execute(f"create table {target} as select * from {source}")
        comment = connection.execute(
            "select comment from duckdb_views() where database_name = 'build' and "
            "schema_name = ? and view_name = ?", [schema, name]).fetchone()[0]
    if comment and comment.strip():
        connection.execute(f"comment on table {target} is {sql_string(' '.join(comment.split()))}")
    columns = connection.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' and "
        "schema_name = ? and table_name = ? order by column_index", [schema, name]).fetchall()
    for column, description in columns:
        text = column_comment(description, column, units)
        if text:
            connection.execute(
                f"comment on column {target}.{quote(column)} is {sql_string(text)}")
    (rows,) = connection.execute(f"select count(*) from {target}").fetchone()
    return PublishedTable(schema, name, int(rows), len(columns))


def _column_fingerprints(
    connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str,
    columns: list[str],
) -> tuple:
    """Row count and an order-independent hash of every column: equal tables give equal ones."""
    parts = ", ".join(f"sum(hash({quote(c)}))::hugeint" for c in columns)
    return connection.execute(
        f"select count(*){', ' + parts if parts else ''} "
        f"from {catalog}.{quote(schema)}.{quote(name)}").fetchone()


def audit_publication(
    publication: Path, build_file: Path, copied: list[PublishedTable]
) -> str:
    """Prove the publication copy fit to publish; raise PublicationError naming every problem."""
    problems: list[str] = []
    version = storage_version_number(publication)
    if version != STORAGE_VERSION_NUMBER:
        problems.append(f"storage version number {version} in the header, expected "
                        f"{STORAGE_VERSION_NUMBER} (readable by DuckDB 1.1 and later)")
    connection = duckdb.connect()
    try:
        connection.execute(f"attach {sql_string(str(publication))} as publication (read_only)")
        connection.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
        schemas = {
            schema for (schema,) in connection.execute(
                "select schema_name from duckdb_tables() where database_name = 'publication' "
                "union select schema_name from duckdb_views() "
                "where database_name = 'publication' and not internal").fetchall()
        }
        if schemas - set(PUBLIC_SCHEMAS):
            problems.append(f"relations outside {PUBLIC_SCHEMAS}: schemas {sorted(schemas)}")
        for schema, view, sql in connection.execute(
            "select schema_name, view_name, sql from duckdb_views() "
            "where database_name = 'publication' and not internal").fetchall():
            match = FILE_READERS.search(sql or "")
            if match:
                problems.append(f"view {schema}.{view} reads a file ({match.group(0)!r}): "
                                "a reader started elsewhere could not open it")
        for schema, table, comment in connection.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = 'publication' order by 1, 2").fetchall():
            if not (comment or "").strip():
                problems.append(f"table {schema}.{table} has no comment (YAML description)")
        uncommented = [
            f"{schema}.{table}.{column}" for schema, table, column in connection.execute(
                "select schema_name, table_name, column_name from duckdb_columns() "
                "where database_name = 'publication' and coalesce(trim(comment), '') = '' "
                "order by 1, 2, column_index").fetchall()
        ]
        if uncommented:
            problems.append(f"{len(uncommented)} columns without a comment (YAML description): "
                            f"{', '.join(uncommented[:20])}")
        published = {
            (schema, table) for schema, table in connection.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = 'publication'").fetchall()
        }
        expected = {(t.schema, t.name) for t in copied}
        if published != expected:
            problems.append(f"tables differ from the copy list: missing "
                            f"{sorted(expected - published)}, unexpected "
                            f"{sorted(published - expected)}")
        rows = 0
        for table in copied:
            if (table.schema, table.name) not in published:
                continue
            columns = [c for (c,) in connection.execute(
                "select column_name from duckdb_columns() where database_name = 'publication' "
                "and schema_name = ? and table_name = ? order by column_index",
                [table.schema, table.name]).fetchall()]
            ours = _column_fingerprints(connection, "publication", table.schema, table.name,
                                        columns)
            theirs = _column_fingerprints(connection, "build", table.schema, table.name, columns)
            if ours != theirs:
                problems.append(f"{table.qualified} differs from the built table "
                                f"({ours[0]} vs {theirs[0]} rows, or a column's values)")
            rows += ours[0]
    finally:
        connection.close()
    if problems:
        raise PublicationError("the publication copy failed its audit:\n"
                               + "\n".join(f"  - {problem}" for problem in problems))
    columns = sum(t.columns for t in copied)
    return (f"publication audit: {len(copied)} tables, {columns} columns, {rows:,} rows; "
            f"every table and column commented; no view reads a file; storage version "
            f"{STORAGE_VERSION} (DuckDB 1.1+)")
