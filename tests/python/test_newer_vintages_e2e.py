"""Issue 9 acceptance: the warehouse follows its data, not the shipped files.

One temporary copy of the project (config, models, macros, seeds, dbt tests; raw files
hard-linked, as the bad-input catalogue copies it) gets two SYNTHETIC newer releases
(tests/bad_inputs/synthetic_vintages.py):

- BLS: rows for 2021 and 2022 EXTRAPOLATED from the shipped 2020 rows (made-up state growth of
  1-4 % a year), saved under BLS's naming scheme for the longer range (..._2010_2022.csv) in
  place of the shipped file;
- BEA SAGDP2N: one more year column, 2023 (the 2022 value x 1.05), saved as
  SAGDP2N__ALL_AREAS_1997_2023.csv in place of the shipped file.

No file, YAML or var is edited. ONE full build (the production entry point: GX door, every model
incl. the estimates, every data and unit test, audit, publish) must then publish a warehouse in
which employment has recovery-window DID estimates, est_skipped no longer lists (recovery,
employment), and dim_source_vintage and est_run_metadata.data_vintages name 2022 as BLS's and
2023 as BEA's last year. The numbers are invented; only the plumbing is under test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from bad_inputs.cases import copy_project  # noqa: E402
from bad_inputs.synthetic_vintages import extend_bea, extend_bls  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def newer_warehouse(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Build the project copy holding both SYNTHETIC newer releases; return the published
    warehouse, the project copy and the files written."""
    from cluster_resilience.warehouse.build import build_warehouse

    scratch = tmp_path_factory.mktemp("newer_vintages")
    project = copy_project(ROOT, scratch / "project")
    written = [extend_bls(project), extend_bea(project)]
    published = scratch / "cluster_resilience.duckdb"
    environment = {
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        build_warehouse(project_dir=project, published=published, echo_dbt=False)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return published, project, [str(path.relative_to(project)) for path in written]


def _query(published: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    connection = duckdb.connect(str(published), read_only=True)
    try:
        return connection.execute(sql, parameters or []).fetchall()
    finally:
        connection.close()


def test_the_synthetic_releases_replace_the_shipped_files(newer_warehouse):
    _, project, written = newer_warehouse
    assert written == ["data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_2010_2022.csv",
                       "data/raw/bea/SAGDP2N__ALL_AREAS_1997_2023.csv"]
    assert not (project / "data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv"
                ).exists()


def test_dim_source_vintage_follows_the_files(newer_warehouse):
    published, _, written = newer_warehouse
    rows = {name: rest for name, *rest in _query(published, """
        select source_name, raw_file_path, first_year, last_year, n_years, vintage
        from dim_source_vintage where source_name in ('bls.ces_state_annual', 'bea.sagdp2n')""")}
    assert rows["bls.ces_state_annual"] == [written[0], 2010, 2022, 13,
                                            "BLS CES State and Area 2010-2022"]
    assert rows["bea.sagdp2n"][:4] == [written[1], 1997, 2023, 27]
    assert rows["bea.sagdp2n"][4].startswith("BEA SAGDP2N 1997-2023, last updated ")


def test_data_vintages_name_the_new_last_years(newer_warehouse):
    published, _, _ = newer_warehouse
    (vintages,), = _query(published, "select data_vintages from est_run_metadata")
    assert "bls.ces_state_annual: BLS CES State and Area 2010-2022" in vintages
    assert "bea.sagdp2n: BEA SAGDP2N 1997-2023, last updated " in vintages
    coefficient_vintages = _query(published, "select distinct data_vintages from "
                                             "est_did_coefficients")
    assert coefficient_vintages == [(vintages,)]


def test_employment_is_estimated_in_the_recovery_window(newer_warehouse):
    published, _, _ = newer_warehouse
    (n_rows,), = _query(published, """
        select count(*) from est_did_coefficients
        where window_name = 'recovery' and outcome = 'employment'
            and term = 'interaction' and estimate is not null""")
    assert n_rows > 0
    skipped = _query(published, """
        select model from est_skipped where window_name = 'recovery' and outcome = 'employment'""")
    assert skipped == []


def test_the_new_years_reach_the_state_year_mart(newer_warehouse):
    published, _, _ = newer_warehouse
    counts = dict(_query(published, """
        select year, count(value) from fct_state_outcome_year
        where outcome = 'employment' and year in (2021, 2022)
        group by year"""))
    assert counts == {2021: 51, 2022: 51}
    (states_with_gdp_2023,), = _query(
        published,
        "select count(value) from fct_state_outcome_year where outcome = 'gdp' and year = 2023")
    assert states_with_gdp_2023 == 51


def test_the_door_reports_the_newer_releases_against_the_shipped_ones(newer_warehouse):
    """Validating the copy against the shipped releases' years (as the published warehouse of
    the shipped files records them) names both files as newer releases, and passes."""
    from cluster_resilience.warehouse.raw_checks import PreviousVintage, validate_raw_inputs

    _, project, _ = newer_warehouse
    shipped = {
        "bls.ces_state_annual": PreviousVintage(
            2010, 2020, "data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv",
            "BLS CES State and Area 2010-2020"),
        "bea.sagdp2n": PreviousVintage(
            1997, 2022, "data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022.csv",
            "BEA SAGDP2N 1997-2022"),
    }
    cache = project.parent / "target" / "gx_cache"  # the build's passing results
    report = validate_raw_inputs(project, None, cache_dir=cache, previous=shipped)
    assert report.success, report.format()
    assert len(report.cached) == len(report.sources)  # nothing re-validated
    newer = "\n".join(report.newer)
    assert "bls.ces_state_annual: data/raw/bls/" in newer and "holds 2010-2022" in newer
    assert "bea.sagdp2n: data/raw/bea/SAGDP2N__ALL_AREAS_1997_2023.csv holds 1997-2023" in newer
