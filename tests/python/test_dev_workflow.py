"""A data engineer's loop on a temporary copy of the project, with the REAL data: a plain
``dbt build --select +fct_state_outcome_year`` (no CLUSTER_WAREHOUSE_PATH) on a fresh file builds
and tests exactly its selection and writes warehouse/dev.duckdb, never the published file;
publishing that partial build is refused with the reason; with --allow-partial it is published
through the same door, audit and change report, and a first publish says it has nothing to roll
back to
(and --refuse-changes refuses a first publish, which it cannot compare).

The full-build version of this loop (plain ``dbt build`` + ``--publish-from`` while a reader
holds the published file, offline) is in test_faults.py."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from bad_inputs.cases import copy_project  # noqa: E402

pytestmark = pytest.mark.e2e

PUBLISHED = "warehouse/cluster_resilience.duckdb"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plain_environment() -> dict[str, str]:
    """The shell of a data engineer who ran `export DBT_PROFILES_DIR=.`: none of the build's
    variables."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("CLUSTER_", "DBT_"))}
    environment.update(DBT_PROFILES_DIR=".", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    return environment


@pytest.fixture(scope="module")
def project(built_warehouse, tmp_path_factory) -> Path:
    project = copy_project(ROOT, tmp_path_factory.mktemp("dev_workflow") / "project")
    (project / PUBLISHED).parent.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.copyfile(built_warehouse, project / PUBLISHED)
    return project


@pytest.fixture(scope="module")
def selected_build(project) -> dict:
    before = sha256(project / PUBLISHED)
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--select",
         "+fct_state_outcome_year"],
        cwd=project, env=plain_environment(), capture_output=True, text=True, timeout=1800,
        check=False)
    return {"completed": completed, "before": before,
            "run_results": json.loads((project / "target" / "run_results.json").read_text())}


def publish_cli(project: Path, built_warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    environment = plain_environment()
    environment["CLUSTER_GX_CACHE_DIR"] = str(built_warehouse.parent / "target" / "gx_cache")
    return subprocess.run(
        [sys.executable, "-m", "cluster_resilience.warehouse.build", *args],
        cwd=project, env=environment, capture_output=True, text=True, timeout=1800, check=False)


def test_a_selected_build_on_a_fresh_file_builds_and_tests_only_its_selection(
    selected_build, project
):
    completed = selected_build["completed"]
    assert completed.returncode == 0, completed.stdout[-5000:]
    results = selected_build["run_results"]["results"]
    statuses = {r["status"] for r in results}
    assert statuses <= {"success", "pass"}, statuses
    tests = [r["unique_id"] for r in results if r["unique_id"].startswith("test.")]
    assert len(tests) > 50
    # A relationships test whose `to` model is outside the selection is left out (it would read
    # a table that does not exist in a fresh file); tests inside the selection all run.
    # dim_state is not upstream of fct_state_outcome_year; the seed outcomes is.
    assert not any("relationships_fct_state_outcome_year_state_fips" in t for t in tests)
    assert any("relationships_fct_state_outcome_year_outcome" in t for t in tests)
    dev = project / "warehouse" / "dev.duckdb"
    assert dev.exists(), "a plain dbt build writes warehouse/dev.duckdb"
    connection = duckdb.connect(str(dev), read_only=True)
    try:
        count = connection.execute("select count(*) from fct_state_outcome_year").fetchone()[0]
        assert count > 1000
    finally:
        connection.close()
    assert sha256(project / PUBLISHED) == selected_build["before"], "published file changed"


def test_publishing_a_partial_dev_build_is_refused_with_the_reason(
    selected_build, project, built_warehouse
):
    completed = publish_cli(project, built_warehouse, "--publish-from", "warehouse/dev.duckdb")
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert ("the last dbt build selected part of the project "
            "({'select': ['+fct_state_outcome_year']})") \
        in completed.stderr
    assert "BUILD FAILED, published warehouse unchanged" in completed.stderr
    assert sha256(project / PUBLISHED) == selected_build["before"]


def test_a_first_publish_says_so_and_cannot_be_checked_for_changes(
    selected_build, project, built_warehouse
):
    first = "warehouse/first.duckdb"
    refused = publish_cli(project, built_warehouse, "--warehouse", first, "--publish-from",
                          "warehouse/dev.duckdb", "--allow-partial", "--refuse-changes")
    assert refused.returncode == 1, refused.stdout[-3000:]
    assert "there is no published warehouse to compare with" in refused.stderr
    assert not (project / first).exists()
    published = publish_cli(project, built_warehouse, "--warehouse", first, "--publish-from",
                            "warehouse/dev.duckdb", "--allow-partial")
    assert published.returncode == 0, published.stderr[-3000:]
    assert "first publish: no previous version to roll back to" in published.stdout
    assert ".prev" not in published.stdout
    assert "change report: first publish, nothing to compare with" in published.stdout
    assert not (project / f"{first}.prev").exists()
    assert (project / "warehouse" / "dev.duckdb").exists(), "publishing keeps the dev file"
    connection = duckdb.connect(str(project / first), read_only=True)
    try:
        tables = {t for (t,) in connection.execute(
            "select table_name from duckdb_tables()").fetchall()}
    finally:
        connection.close()
    assert "fct_state_outcome_year" in tables and "est_did_coefficients" not in tables
