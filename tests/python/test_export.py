"""Exports of the REAL built warehouse: every public table as Parquet and CSV, and a manifest
whose row counts, types and checksums match the files and the warehouse."""

from __future__ import annotations

import hashlib
import json
import os

import duckdb
import pytest
from cluster_resilience.warehouse.export import MANIFEST_NAME, PARQUET_CASTS, export_warehouse, main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exported(built_warehouse, tmp_path_factory):
    before = os.stat(built_warehouse).st_mtime_ns
    out = tmp_path_factory.mktemp("exports") / "exports"
    result = export_warehouse(built_warehouse, out)
    assert os.stat(built_warehouse).st_mtime_ns == before, "the export wrote to the warehouse"
    print(f"exported {len(result.manifest['tables'])} tables in {result.seconds:.1f} s")
    return result


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def _public_tables(warehouse) -> set[str]:
    rows = warehouse.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {name for (name,) in rows if name.startswith(("dim_", "fct_", "mart_", "est_"))}


def test_manifest_lists_every_public_table_and_no_other(exported, warehouse):
    listed = {entry["table"] for entry in exported.manifest["tables"]}
    assert listed == _public_tables(warehouse)
    assert {"est_did_coefficients", "mart_data_coverage", "dim_state"} <= listed
    on_disk = json.loads((exported.out_dir / MANIFEST_NAME).read_text())
    assert on_disk["tables"] == exported.manifest["tables"]


def test_manifest_rows_equal_table_counts(exported, warehouse):
    for entry in exported.manifest["tables"]:
        (count,) = warehouse.execute(f'select count(*) from main."{entry["table"]}"').fetchone()
        assert entry["rows"] == count, entry["table"]


def test_manifest_carries_build_and_vintages(exported, warehouse):
    run_id, vintages = warehouse.execute(
        "select run_id, data_vintages from main.est_run_metadata"
    ).fetchone()
    manifest = exported.manifest
    assert manifest["build"]["run_id"] == run_id
    assert manifest["data_vintages"] and all(v in vintages for v in manifest["data_vintages"])
    coefficients = next(e for e in manifest["tables"] if e["table"] == "est_did_coefficients")
    assert coefficients["data_vintages"] == [vintages]
    assert any(c["name"] == "estimate" and c["type"] == "DOUBLE" for c in coefficients["columns"])


def test_files_match_their_checksums(exported):
    for entry in exported.manifest["tables"]:
        assert {f["format"] for f in entry["files"]} == {"parquet", "csv"}
        for file in entry["files"]:
            path = exported.out_dir / file["path"]
            assert path.stat().st_size == file["bytes"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == file["sha256"]


def test_parquet_round_trips_values_and_types(exported, warehouse):
    for entry in exported.manifest["tables"]:
        table = entry["table"]
        parquet = str(exported.out_dir / f"{table}.parquet")
        source = f'main."{table}"'
        copy = f"read_parquet('{parquet}')"
        for left, right in ((source, copy), (copy, source)):
            (extra,) = warehouse.execute(
                f"select count(*) from (select * from {left} except all select * from {right})"
            ).fetchone()
            assert extra == 0, f"{table}: {extra} rows of {left} not in {right}"
        types = warehouse.execute(
            f"select column_name, column_type from (describe select * from {copy})"
        )
        parquet_types = dict(types.fetchall())
        for column in entry["columns"]:
            expected = PARQUET_CASTS.get(column["type"], column["type"])
            assert parquet_types[column["name"]] == expected == column["parquet_type"], (
                table,
                column,
            )


def test_csv_has_every_row(exported, warehouse):
    for entry in exported.manifest["tables"]:
        csv = exported.out_dir / f"{entry['table']}.csv"
        (count,) = warehouse.execute(
            f"select count(*) from read_csv('{csv}', header = true)"
        ).fetchone()
        assert count == entry["rows"], entry["table"]


def test_cli_replaces_the_previous_export_and_fails_cleanly(built_warehouse, tmp_path, capsys):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "stale_table.parquet").write_text("left over from an older export")
    assert main(["--warehouse", str(built_warehouse), "--out", str(out)]) == 0
    assert not (out / "stale_table.parquet").exists()
    assert (out / MANIFEST_NAME).exists()
    assert main(["--warehouse", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    assert "EXPORT FAILED" in capsys.readouterr().err
    assert (out / MANIFEST_NAME).exists()  # the previous export is untouched
