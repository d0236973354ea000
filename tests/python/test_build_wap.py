"""Write-audit-publish pieces, quickly: publish/rollback, the writer guard, the partial-build
guard, how dbt failures are explained, that every dbt source has a GX suite, compressed and
non-UTF-8 files named at the door, the publication copy and its audit, table keys for the
change report, and the full-disk message."""

from __future__ import annotations

import bz2
import errno
import gzip
import json
import lzma
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from cluster_resilience.warehouse.build import (
    BuildError,
    WarehousePaths,
    _assert_no_writer,
    build_warehouse,
    check_dev_build,
    disk_full_message,
    explain_dbt_failure,
    is_disk_full,
    publish,
    rollback,
)
from cluster_resilience.warehouse.change_report import (
    RawFileChange,
    _compare_raw_file,
    table_keys,
)
from cluster_resilience.warehouse.publication import (
    STORAGE_VERSION_NUMBER,
    PublicationError,
    audit_publication,
    storage_version_number,
    write_publication,
)
from cluster_resilience.warehouse.raw_checks.sources import (
    RawFileError,
    check_file_format,
    discover_sources,
)
from cluster_resilience.warehouse.raw_checks.suites import (
    build_suites,
    load_reference,
    suppression_codes_from_macro,
)

ROOT = Path(__file__).resolve().parents[2]


def _database(path: Path, value: int) -> Path:
    connection = duckdb.connect(str(path))
    connection.execute(f"create table t as select {value} as v")
    connection.close()
    return path


def _value(path: Path) -> int:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute("select v from t").fetchone()[0]
    finally:
        connection.close()


def test_publish_keeps_one_previous_version_and_rollback_restores_it(tmp_path):
    paths = WarehousePaths(tmp_path / "w.duckdb")
    publish(paths, _database(tmp_path / "w1.staging.duckdb", 1))
    assert _value(paths.published) == 1 and not paths.previous.exists()
    publish(paths, _database(tmp_path / "w2.staging.duckdb", 2))
    assert (_value(paths.published), _value(paths.previous)) == (2, 1)
    rollback(paths)
    assert _value(paths.published) == 1 and not paths.previous.exists()
    with pytest.raises(BuildError, match="nothing to roll back to"):
        rollback(paths)


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("open", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_readers_do_not_block_publishing_but_a_writer_does(mode, tmp_path):
    published = _database(tmp_path / "w.duckdb", 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(published), mode],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        if mode == "ro":
            _assert_no_writer(published)
            publish(WarehousePaths(published), _database(tmp_path / "w.staging.duckdb", 2))
            assert _value(published) == 2
        else:
            with pytest.raises(BuildError, match="open for writing by another process"):
                _assert_no_writer(published)
    finally:
        holder.kill()
        holder.wait()


def test_a_partial_selection_is_not_published_by_accident(tmp_path):
    started = time.perf_counter()
    with pytest.raises(BuildError, match="select part of the project"):
        build_warehouse(ROOT, tmp_path / "w.duckdb", ["--select", "dim_state"])
    assert time.perf_counter() - started < 5  # refused before GX and dbt


def test_dbt_failures_name_the_model_and_the_raw_file_and_line(tmp_path):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "t.csv").write_text("id,employment\n1,10\n2,x9\n")
    target = tmp_path / "target"
    target.mkdir()
    manifest = {
        "nodes": {
            "model.p.stg_t": {"resource_type": "model", "name": "stg_t",
                              "original_file_path": "models/stg_t.sql",
                              "depends_on": {"nodes": ["source.p.s.t"]}},
            "model.p.fct": {"resource_type": "model", "name": "fct",
                            "depends_on": {"nodes": ["model.p.stg_t"]}},
            "test.p.not_null_fct_employment": {
                "resource_type": "test", "name": "not_null_fct_employment",
                "attached_node": "model.p.fct", "column_name": "employment",
                "test_metadata": {"name": "not_null", "kwargs": {"column_name": "employment"}},
                "depends_on": {"nodes": ["model.p.fct"]}},
        },
        "sources": {"source.p.s.t": {
            "meta": {"external_location": "read_csv('data/t.csv', all_varchar = true)"}}},
    }
    run_results = {"results": [
        {"unique_id": "model.p.fct", "status": "error", "failures": None,
         "message": "Conversion Error: Could not convert string 'x9' to INT64"},
        {"unique_id": "test.p.not_null_fct_employment", "status": "fail", "failures": 3,
         "message": "Got 3 results, configured to fail if != 0"},
        {"unique_id": "model.p.other", "status": "skipped", "message": None},
    ]}
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(run_results))
    text = explain_dbt_failure(project, target, [])
    assert "model fct" in text and "Could not convert string 'x9'" in text
    assert "raw files upstream: data/t.csv" in text
    assert "value 'x9' found at: data/t.csv line 3, column employment" in text
    assert "test not_null_fct_employment on model fct, column employment: fail (3 failing rows)"\
        in text
    assert "(1 downstream nodes skipped)" in text


def test_dbt_errors_before_any_node_quote_the_log(tmp_path):
    log = [
        "20:18:33  Running with dbt=1.11.16",
        "20:18:33  Encountered an error:",
        "Compilation Error in operation cluster_resilience-on-run-start-0 (./dbt_project.yml)",
        "  Invalid dbt var 'bootstrap_reps': got \"many\". Allowed: an integer between 99 and"
        " 99999.",
        "  > called by macro validate_vars (macros/validate_vars.sql)",
    ]
    text = explain_dbt_failure(tmp_path, tmp_path, log)
    assert "Invalid dbt var 'bootstrap_reps'" in text and "called by" not in text


def test_every_dbt_source_has_a_gx_suite():
    sources = {source.name for source in discover_sources(ROOT)}
    suites = build_suites(load_reference(ROOT, frozenset()))
    assert sources == set(suites)
    for source in discover_sources(ROOT):
        assert (ROOT / source.relative_path).is_file(), source


def test_gx_allows_exactly_the_codes_the_staging_macro_decodes():
    assert suppression_codes_from_macro(ROOT) == ("(D)", "(NA)", "(L)", "(X)", "(S)")


@pytest.mark.e2e
def test_the_build_wrote_gx_data_docs_for_every_raw_file(built_warehouse):
    docs = built_warehouse.parent / "target" / "gx_data_docs"
    index = (docs / "index.html").read_text(encoding="utf-8")
    for source in discover_sources(ROOT):
        assert source.name in index, source.name
    assert not list(built_warehouse.parent.glob("*.staging*"))


# ------------------------------------------------------------------------------ the door
@pytest.mark.parametrize(
    "data, kind",
    [
        (gzip.compress(b"a,b\n1,2\n"), "gzip-compressed (first bytes 1f 8b)"),
        (b"PK\x03\x04" + b"\x00" * 20, "a zip archive (first bytes 50 4b 03 04)"),
        (bz2.compress(b"a,b\n1,2\n"), "bzip2-compressed (first bytes 42 5a 68)"),
        (lzma.compress(b"a,b\n1,2\n"), "xz-compressed (first bytes fd 37 7a 58 5a 00)"),
        ("a,b\n1,2\n".encode("utf-16"), "UTF-16 (little-endian) encoded"),
    ],
)
def test_compressed_and_binary_files_are_named_by_their_first_bytes(data, kind, tmp_path):
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    with pytest.raises(RawFileError, match=re.escape(f"data/file.csv: the file is {kind}")):
        check_file_format(path, "data/file.csv")


def test_a_non_utf8_file_is_named_with_the_line_and_column_of_its_first_bad_byte(tmp_path):
    path = tmp_path / "file.csv"
    path.write_bytes("code,name\n1,Aircraft\n2,Aéronefs\n".encode("latin-1"))
    with pytest.raises(RawFileError, match=r"not utf-8 encoded: byte 0xE9 at line 3, column 4 "
                                           r".*'2,Aéronefs'"):
        check_file_format(path, "file.csv")
    path.write_bytes("\ufeffcode,name\n1,Aéronefs\n".encode())  # UTF-8 with a BOM is fine
    check_file_format(path, "file.csv")


# ------------------------------------------------------------------------------ publication
def _built_file(path: Path) -> Path:
    """A tiny stand-in for dbt's database: a seed, a mart, and a staging view over a CSV."""
    (path.parent / "x.csv").write_text("a\n1\n")
    connection = duckdb.connect(str(path))
    connection.execute("create schema reference")
    connection.execute("create schema staging")
    connection.execute("create table reference.outcomes (outcome varchar, unit varchar)")
    connection.execute("insert into reference.outcomes values ('gdp', 'millions of dollars')")
    connection.execute("comment on table reference.outcomes is 'Outcomes.'")
    connection.execute("comment on column reference.outcomes.outcome is 'Name.'")
    connection.execute("comment on column reference.outcomes.unit is 'Unit.'")
    connection.execute("create table fct (state_fips varchar, gdp double)")
    connection.execute("insert into fct values ('01', 1.5), ('02', null)")
    connection.execute("comment on table fct is 'One row per state.'")
    connection.execute("comment on column fct.state_fips is 'State.'")
    connection.execute("comment on column fct.gdp is 'GDP.'")
    connection.execute(f"create view staging.raw as select * from read_csv('{path.parent}/x.csv')")
    connection.close()
    return path


def test_the_publication_copy_keeps_public_tables_and_comments_in_storage_v1_1(tmp_path):
    built = _built_file(tmp_path / "built.duckdb")
    copy = tmp_path / "publication.duckdb"
    copied = write_publication(built, copy, tmp_path, progress=None)
    assert {t.qualified for t in copied} == {"main.fct", "reference.outcomes"}
    assert storage_version_number(copy) == STORAGE_VERSION_NUMBER == 64
    assert "storage version v1.1.0" in audit_publication(copy, built, copied)
    connection = duckdb.connect(str(copy), read_only=True)
    comments = dict(connection.execute(
        "select column_name, comment from duckdb_columns() where table_name = 'fct'").fetchall())
    assert comments == {"state_fips": "State.", "gdp": "GDP. Unit: millions of dollars."}
    assert connection.execute("select count(*) from duckdb_views() where not internal"
                              ).fetchone() == (0,)
    connection.close()


def test_the_publication_audit_refuses_file_views_and_undocumented_columns(tmp_path):
    built = _built_file(tmp_path / "built.duckdb")
    copy = tmp_path / "publication.duckdb"
    copied = write_publication(built, copy, tmp_path, progress=None)
    connection = duckdb.connect(str(copy))
    connection.execute(f"create view main.v as select * from read_csv('{tmp_path}/x.csv')")
    connection.execute("comment on column main.fct.gdp is ''")
    connection.close()
    with pytest.raises(PublicationError) as raised:
        audit_publication(copy, built, copied)
    message = str(raised.value)
    assert "view main.v reads a file ('read_csv(')" in message
    assert re.search(r"columns without a comment \(YAML description\): main\.fct\.gdp\b", message)


def test_table_keys_come_from_the_uniqueness_tests_in_the_manifest(tmp_path):
    manifest = {"nodes": {
        "model.p.fct": {"resource_type": "model", "name": "fct", "schema": "main",
                        "columns": {"state_fips": {}, "year": {}}},
        "seed.p.states": {"resource_type": "seed", "name": "states", "schema": "reference",
                          "columns": {"state_fips": {}, "state_name": {}}},
        "test.p.a": {"resource_type": "test", "attached_node": "model.p.fct", "config": {},
                     "test_metadata": {"name": "unique_combination_of_columns", "kwargs": {
                         "combination_of_columns": ["state_fips", "year"]}}},
        "test.p.b": {"resource_type": "test", "attached_node": "seed.p.states", "config": {},
                     "test_metadata": {"name": "unique", "kwargs": {"column_name": "state_name"}}},
        "test.p.c": {"resource_type": "test", "attached_node": "seed.p.states", "config": {},
                     "test_metadata": {"name": "unique", "kwargs": {"column_name": "state_fips"}}},
        "test.p.d": {"resource_type": "test", "attached_node": "model.p.fct",
                     "config": {"where": "year > 2000"},
                     "test_metadata": {"name": "unique", "kwargs": {"column_name": "year"}}},
    }}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    assert table_keys(path) == {("main", "fct"): ("state_fips", "year"),
                                ("reference", "states"): ("state_fips",)}


def test_a_full_disk_is_said_as_such_with_the_directory(tmp_path):
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    message = disk_full_message(
        'IO Error: Could not write file "/w/x.staging.duckdb.wal": No space left on device',
        [tmp_path])
    assert message.startswith("DISK FULL: no space left on device while writing "
                              "/w/x.staging.duckdb.wal.")
    assert f"{tmp_path.resolve()}: " in message and "MB free" in message


def test_raw_cells_are_compared_by_key_and_footer_lines_as_lines():
    def frame(rows):
        return pd.DataFrame(rows, columns=["GeoFIPS", "LineCode", "2019", "2020"], dtype=object)

    old = frame([["01000", "1", "10.0", "11.0"], ["02000", "1", "20.0", None],
                 ["03000", "1", "30.0", "31.0"], [None, None, "Last updated: 2023", None]])
    new = frame([["01000", "1", "10.0", "11.5"], ["02000", "1", "20.0", None],
                 ["04000", "1", "40.0", "41.0"], [None, None, "Last updated: 2024", None]])
    change = RawFileChange("bea.sagdp2n", "data/raw/bea/x.csv", "changed")
    _compare_raw_file(change, old, new, ("GeoFIPS", "LineCode"))
    assert (change.cells_changed, change.rows_added, change.rows_removed) == (1, 1, 1)
    assert change.columns_changed == {"2020": 1}
    assert change.examples[0] == ("line 2 (GeoFIPS='01000', LineCode='1'), column 2020: "
                                  "'11.0' -> '11.5'")
    assert "row added: line 4 (GeoFIPS='04000', LineCode='1')" in change.examples
    assert "row removed: line 4 (GeoFIPS='03000', LineCode='1')" in change.examples
    assert any("lines without a key (e.g. footer) differ" in note for note in change.notes)


def test_publish_from_refuses_a_file_the_last_dbt_command_did_not_build(tmp_path):
    built = tmp_path / "dev.duckdb"
    connection = duckdb.connect(str(built))
    connection.execute("create table dim_raw_file as select 'run-1' as run_id")
    connection.close()
    target = tmp_path / "target"
    target.mkdir()

    def last_command(invocation: str, which: str = "build", status: str = "success", **args):
        (target / "run_results.json").write_text(json.dumps({
            "metadata": {"invocation_id": invocation, "generated_at": "2026-11-30T00:00:00Z"},
            "args": {"which": which, **args},
            "results": [{"unique_id": "model.p.m", "status": status},
                        {"unique_id": "exposure.p.e", "status": "no-op"}]}))

    last_command("run-1")
    assert "built and tested by `dbt build` (invocation run-1" in check_dev_build(built, target)
    # a later `dbt run -s ...`
    last_command("run-2", which="run", select=["fct_state_outcome_year"])
    with pytest.raises(BuildError) as raised:
        check_dev_build(built, target)
    message = str(raised.value)
    assert "the last dbt command was `dbt run`, not `dbt build`" in message
    assert "selected part of the project ({'select': ['fct_state_outcome_year']})" in message
    assert "was built by dbt invocation run-1, but the last dbt command (invocation run-2)" \
        in message
    last_command("run-1", status="fail")
    with pytest.raises(BuildError, match=r"1 nodes did not pass: model\.p\.m \(fail\)"):
        check_dev_build(built, target)
