"""Exports of the REAL built warehouse: every public table and reference seed as Parquet and CSV,
and a manifest whose row counts, types, descriptions, units and checksums match the files and the
warehouse; read back with pandas, text (FIPS codes) stays text."""

from __future__ import annotations

import hashlib
import json
import os

import duckdb
import pandas as pd
import pytest
from cluster_resilience.warehouse.export import (
    MANIFEST_NAME,
    PARQUET_CASTS,
    export_warehouse,
    main,
    read_table,
)

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


def _public_tables(warehouse) -> set[tuple[str, str]]:
    rows = warehouse.execute(
        "select table_schema, table_name from information_schema.tables"
    ).fetchall()
    return {(schema, name) for schema, name in rows
            if schema == "reference"
            or (schema == "main" and name.startswith(("dim_", "fct_", "mart_", "est_")))}


def _file(exported, entry, fmt: str):
    return exported.out_dir / next(f["path"] for f in entry["files"] if f["format"] == fmt)


def test_manifest_lists_every_public_table_and_seed_and_no_other(exported, warehouse):
    listed = {(entry["schema"], entry["table"]) for entry in exported.manifest["tables"]}
    assert listed == _public_tables(warehouse)
    assert {("main", "est_did_coefficients"), ("main", "mart_data_coverage"),
            ("main", "dim_state"), ("reference", "outcomes"), ("reference", "states")} <= listed
    on_disk = json.loads((exported.out_dir / MANIFEST_NAME).read_text())
    assert on_disk["tables"] == exported.manifest["tables"]


def test_manifest_rows_equal_table_counts(exported, warehouse):
    for entry in exported.manifest["tables"]:
        (count,) = warehouse.execute(
            f'select count(*) from "{entry["schema"]}"."{entry["table"]}"').fetchone()
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
        parquet = str(_file(exported, entry, "parquet"))
        source = f'"{entry["schema"]}"."{table}"'
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
        csv = _file(exported, entry, "csv")
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


def test_pandas_reads_both_formats_back_with_text_kept_as_text(exported, warehouse):
    for entry in exported.manifest["tables"]:
        name = _file(exported, entry, "csv").stem
        from_csv = read_table(exported.out_dir, name, "csv")
        from_parquet = read_table(exported.out_dir, name, "parquet")
        assert len(from_csv) == len(from_parquet) == entry["rows"], name
        assert list(from_csv.columns) == [c["name"] for c in entry["columns"]], name
        for column in entry["columns"]:
            if column["type"] == "VARCHAR":
                assert str(from_csv[column["name"]].dtype) in ("string", "str"), (name, column)
                assert from_csv[column["name"]].fillna("<NULL>").tolist() == \
                    from_parquet[column["name"]].fillna("<NULL>").tolist(), (name, column)
            elif column["type"] == "DOUBLE":
                pd.testing.assert_series_equal(
                    from_csv[column["name"]], from_parquet[column["name"]].astype("float64"),
                    check_names=False, rtol=1e-15, atol=0)
    states = read_table(exported.out_dir, "dim_state", "csv")
    assert "01" in set(states["state_fips"]) and states["state_fips"].str.len().eq(2).all()
    assert (exported.out_dir / "dim_state.csv").read_text().splitlines()[1].startswith('"')


def test_manifest_carries_descriptions_units_and_the_reference_seeds(exported, warehouse):
    tables = {(e["schema"], e["table"]): e for e in exported.manifest["tables"]}
    for entry in tables.values():
        assert entry["description"], entry["table"]
        assert all(column["description"] for column in entry["columns"]), entry["table"]
    units = dict(warehouse.execute("select outcome, unit from reference.outcomes").fetchall())
    levels = {c["name"]: c for c in tables[("main", "fct_state_outcome_year")]["columns"]}
    assert "unit" in levels["value"]["description"].lower() and levels["unit"]["description"]
    assert levels["state_fips"]["unit"] is None
    outcomes = read_table(exported.out_dir, "reference.outcomes")
    assert {"outcome", "unit", "label"} <= set(outcomes.columns)
    assert dict(zip(outcomes["outcome"], outcomes["unit"], strict=True)) == units
