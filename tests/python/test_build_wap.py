"""Write-audit-publish pieces, quickly: publish/rollback, the writer guard, the partial-build
guard, how dbt failures are explained, and that every dbt source has a GX suite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from cluster_resilience.warehouse.build import (
    BuildError,
    WarehousePaths,
    _assert_no_writer,
    build_warehouse,
    explain_dbt_failure,
    publish,
    rollback,
)
from cluster_resilience.warehouse.raw_checks.sources import discover_sources
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
