"""Export the public tables of the published warehouse as Parquet and CSV, with a manifest.

``python -m cluster_resilience.warehouse.export --warehouse W --out exports`` (``make export``)
writes, for every public mart (``dim_*``, ``fct_*``, ``mart_*``) and estimate table (``est_*``) in
the warehouse's ``main`` schema, ``<table>.parquet`` (typed, for BI tools without a DuckDB driver)
and ``<table>.csv`` (header row, for spreadsheets), and the same for every reference seed
(schema ``reference``: states, outcome units and labels, treatment rules, the paper's numbers) as
``reference.<seed>.parquet`` / ``.csv``; plus ``manifest.json``: per table its description, rows,
columns (DuckDB type, description, unit, the pandas dtype to read the CSV with), the data vintages
it carries and each file's size and sha256; and for the whole export the build (estimate run id,
dbt version, git revision, run time) and the data vintages of the run (``est_run_metadata``).

CSV keeps text as text: every text column is quoted (FIPS ``"01"``, NAICS codes), and
``read_table(out, table, "csv")`` reads it with the manifest's dtypes, so no reader turns
``"01"`` into ``1``. Parquet carries its types itself (``pd.read_parquet`` needs pyarrow, a
runtime dependency).

The warehouse is opened read-only. The files are written into a fresh sibling directory that
replaces ``--out`` only when every table has been written, so a failed export leaves the previous
export as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_resilience.warehouse.publication import outcome_units

PUBLIC_PREFIXES = ("dim_", "fct_", "mart_", "est_")
REFERENCE_SCHEMA = "reference"
FORMATS = ("parquet", "csv")
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 2
# How pandas reads each DuckDB type back from the CSV (read_table); text stays text.
PANDAS_DTYPES = {
    "BOOLEAN": "boolean", "TINYINT": "Int64", "SMALLINT": "Int64", "INTEGER": "Int64",
    "BIGINT": "Int64", "HUGEINT": "Int64", "UTINYINT": "Int64", "USMALLINT": "Int64",
    "UINTEGER": "Int64", "UBIGINT": "Int64", "UHUGEINT": "Int64", "FLOAT": "float64",
    "DOUBLE": "float64", "DATE": "datetime64[s]", "TIMESTAMP": "datetime64[us]",
}
# Parquet has no 128-bit integer (DuckDB would write DOUBLE): export those exactly as decimals.
PARQUET_CASTS = {"HUGEINT": "DECIMAL(38,0)", "UHUGEINT": "DECIMAL(38,0)"}
# Columns that record which data vintages produced a row (tables without one carry none).
VINTAGE_COLUMNS = ("data_vintages", "vintage", "data_vintage")


@dataclass(frozen=True)
class ExportResult:
    out_dir: Path
    manifest: dict[str, Any]
    seconds: float


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def public_tables(con: duckdb.DuckDBPyConnection, schema: str = "main") -> list[str]:
    """Names of the public marts and estimate tables (tables and views) in ``schema``, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [schema],
    ).fetchall()
    return [name for (name,) in rows if name.startswith(PUBLIC_PREFIXES)]


def reference_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the reference seeds (schema ``reference``), sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [REFERENCE_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def pandas_dtype(duckdb_type: str) -> str:
    """The dtype ``read_table`` gives a column of ``duckdb_type`` read from the CSV."""
    if duckdb_type.startswith("DECIMAL"):
        return "float64"
    return PANDAS_DTYPES.get(duckdb_type, "string")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, units: dict[str, str]
) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        select column_name, data_type, is_nullable, comment
        from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, table],
    ).fetchall()
    return [
        {
            "name": name,
            "type": data_type,
            "nullable": bool(nullable),
            "description": (comment or "").strip(),
            # From the outcomes registry (reference.outcomes) for a column named after an
            # outcome; otherwise the description states the unit in words, if it has one.
            "unit": units.get(name),
            "csv_pandas_dtype": pandas_dtype(data_type),
        }
        for name, data_type, nullable, comment in rows
    ]


def _file_stem(schema: str, table: str) -> str:
    return table if schema == "main" else f"{schema}.{table}"


def _table_vintages(
    con: duckdb.DuckDBPyConnection, relation: str, column_names: list[str]
) -> list[str]:
    """Distinct data vintages recorded on the table's rows (empty if it records none)."""
    vintages: set[str] = set()
    for column in VINTAGE_COLUMNS:
        if column in column_names:
            rows = con.execute(
                f"select distinct {_quote(column)}::varchar from {relation} "
                f"where {_quote(column)} is not null"
            ).fetchall()
            vintages.update(value for (value,) in rows)
    return sorted(vintages)


def _build_info(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, Any]:
    """The estimate run that produced the warehouse (est_run_metadata), if the table exists."""
    if "est_run_metadata" not in public_tables(con, schema):
        return {}
    cursor = con.execute(
        f"select * from {_quote(schema)}.est_run_metadata order by run_started_at desc limit 1"
    )
    names = [description[0] for description in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return {}
    record = dict(zip(names, row, strict=True))
    keep = ("run_id", "run_started_at", "git_revision", "dbt_version", "data_vintages")
    return {key: _jsonable(record[key]) for key in keep if key in record}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _export_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, out_dir: Path,
    units: dict[str, str],
) -> dict[str, Any]:
    relation = f"{_quote(schema)}.{_quote(table)}"
    columns = _columns(con, schema, table, units)
    (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
    (description,) = con.execute(
        "select coalesce(comment, '') from duckdb_tables() where database_name = "
        "current_database() and schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    text_columns = [c["name"] for c in columns if c["type"] == "VARCHAR"]
    files = []
    parquet_select = ", ".join(
        f"{_quote(c['name'])}::{PARQUET_CASTS[c['type']]} as {_quote(c['name'])}"
        if c["type"] in PARQUET_CASTS
        else _quote(c["name"])
        for c in columns
    )
    for fmt in FORMATS:
        path = out_dir / f"{_file_stem(schema, table)}.{fmt}"
        if fmt == "parquet":
            query = f"select {parquet_select} from {relation}"
            options = "format parquet, compression zstd"
        else:
            query = f"select * from {relation}"
            # Quoted text tells spreadsheets and sniffers that "01" is a code, not a number.
            quoted = ", ".join(_quote(name) for name in text_columns)
            options = "format csv, header" + (f", force_quote ({quoted})" if quoted else "")
        con.execute(f"copy ({query}) to {_sql_string(str(path))} ({options})")
        files.append(
            {
                "format": fmt,
                "path": path.name,
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
            }
        )
    parquet_path = out_dir / f"{_file_stem(schema, table)}.parquet"
    parquet_types = dict(
        con.execute(
            f"select column_name, column_type from (describe select * from "
            f"read_parquet({_sql_string(str(parquet_path))}))"
        ).fetchall()
    )
    for column in columns:
        column["parquet_type"] = parquet_types.get(column["name"])
    return {
        "table": table,
        "schema": schema,
        "description": " ".join(description.split()),
        "rows": int(rows),
        "columns": columns,
        "data_vintages": _table_vintages(con, relation, [c["name"] for c in columns]),
        "files": files,
    }


def _replace_dir(staging: Path, out_dir: Path) -> None:
    """Swap the freshly written directory in for ``out_dir`` (the old one is removed)."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export_warehouse(
    warehouse: Path, out_dir: Path, schema: str = "main", progress=None
) -> ExportResult:
    """Write every public table and reference seed of ``warehouse`` to ``out_dir`` as Parquet
    and CSV + manifest; ``progress`` (optional) gets one line per table."""
    started = time.perf_counter()
    warehouse = Path(warehouse)
    out_dir = Path(out_dir)
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist: run `make build` first")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; an export is for other readers
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            tables = [(schema, table) for table in public_tables(con, schema)]
            if not tables:
                raise RuntimeError(f"{warehouse} has no public tables (dim_/fct_/mart_/est_)")
            tables += [(REFERENCE_SCHEMA, table) for table in reference_tables(con)]
            units = outcome_units(con, con.execute("select current_database()").fetchone()[0])
            entries = []
            for number, (table_schema, table) in enumerate(tables, start=1):
                table_started = time.perf_counter()
                entries.append(_export_table(con, table_schema, table, staging, units))
                if progress is not None:
                    progress(f"  [{number:>2}/{len(tables)}] {_file_stem(table_schema, table)}: "
                             f"{entries[-1]['rows']:,} rows "
                             f"({time.perf_counter() - table_started:.1f} s)")
            build = _build_info(con, schema)
        finally:
            con.close()
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "warehouse": {
                "path": str(warehouse),
                "bytes": warehouse.stat().st_size,
                "modified_at": dt.datetime.fromtimestamp(
                    warehouse.stat().st_mtime, dt.UTC
                ).isoformat(timespec="seconds"),
            },
            "duckdb_version": duckdb.__version__,
            "build": {key: value for key, value in build.items() if key != "data_vintages"},
            "data_vintages": [
                part.strip()
                for part in str(build.get("data_vintages") or "").split(";")
                if part.strip()
            ],
            "tables": entries,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(out_dir=out_dir, manifest=manifest, seconds=time.perf_counter() - started)


def read_table(out_dir: Path, table: str, fmt: str = "csv") -> pd.DataFrame:
    """Read an exported table back with pandas: Parquet as typed, CSV with the manifest's
    dtypes (text stays text: FIPS "01" stays "01"). ``table`` is ``name`` for a public table or
    ``reference.<seed>``."""
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = next(
        (e for e in manifest["tables"] if _file_stem(e["schema"], e["table"]) == table), None
    )
    if entry is None:
        raise KeyError(f"{table} is not in {out_dir / MANIFEST_NAME}")
    path = out_dir / f"{table}.{fmt}"
    if fmt == "parquet":
        return pd.read_parquet(path)
    dtypes = {c["name"]: c["csv_pandas_dtype"] for c in entry["columns"]}
    dates = [name for name, dtype in dtypes.items() if dtype.startswith("datetime")]
    frame = pd.read_csv(
        path,
        dtype={n: d for n, d in dtypes.items() if n not in dates},
        parse_dates=dates,
        # An empty field is NULL (DuckDB writes NULL so); "NA" or "null" are values.
        keep_default_na=False,
        na_values=[""],
    )
    for name in dates:
        frame[name] = frame[name].astype(dtypes[name])
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(
            os.environ.get("CLUSTER_PUBLISHED_PATH", "warehouse/cluster_resilience.duckdb")
        ),
        help="published DuckDB file, opened read-only (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=Path("exports"), help="output directory")
    parser.add_argument("--schema", default="main", help="schema holding the public tables")
    args = parser.parse_args(argv)
    print(f"exporting the public tables of {args.warehouse} to {args.out}/", flush=True)
    try:
        result = export_warehouse(
            args.warehouse, args.out, args.schema, progress=lambda line: print(line, flush=True)
        )
    except (FileNotFoundError, RuntimeError, duckdb.Error) as error:
        print(f"EXPORT FAILED: {error}", file=sys.stderr)
        return 1
    tables = result.manifest["tables"]
    total = sum(f["bytes"] for entry in tables for f in entry["files"])
    print(
        f"exported {len(tables)} tables ({sum(e['rows'] for e in tables):,} rows, "
        f"{total / 1e6:.1f} MB) to {result.out_dir}/ in {result.seconds:.1f} s; "
        f"manifest: {result.out_dir / MANIFEST_NAME}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
