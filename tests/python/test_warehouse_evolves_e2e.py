"""Issue 9 acceptance: the warehouse follows its data and its registries, not the shipped files.

ONE temporary copy of the project (config, models, macros, seeds, dbt tests; raw files
hard-linked, as the bad-input catalogue copies it) goes through what a maintainer does between
releases, then ONE full build (the production entry point: GX door, every model incl. the
estimates, every data and unit test, audit, publish; 199 bootstrap draws to keep it short):

1. ``make refresh`` replayed from full cassettes (tests/cassettes/make_cassettes.py: responses
   SYNTHESISED from the shipped files in each endpoint's documented format): every source is
   re-downloaded into data/raw/ with its manifest entry;
2. two SYNTHETIC newer releases (tests/bad_inputs/synthetic_vintages.py): BLS rows for 2021 and
   2022 EXTRAPOLATED from the shipped 2020 rows, saved under BLS's naming scheme for the longer
   range; BEA SAGDP2N with one more year column, 2023 (the 2022 value x 1.05);
3. registry additions, each exactly what README says it takes: an outcome from a source already
   staged (one row in seeds/outcomes.csv: construction GDP, SAGDP2N line 11) and a treatment rule
   (one row in seeds/treatment_rules.csv plus one SQL expression, a column of
   int_treatment__state_cluster_rules: USCM's published `significant_b` flag).

No other file, YAML or var is edited. The build must then publish a warehouse in which
employment has recovery-window DID estimates, est_skipped no longer lists (recovery,
employment), dim_source_vintage and est_run_metadata.data_vintages name 2022 as BLS's and 2023
as BEA's last year, and the new outcome and the new rule reach every estimate table. The
numbers are invented; only the plumbing is under test.
"""

from __future__ import annotations

import importlib.util
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

NEW_OUTCOME = (
    "gdp_construction,gdp_construction,nominal,Construction GDP,millions of current dollars,"
    "bea.sagdp2n,11,true,true,,13,\"BEA SAGDP2N line 11, construction (added by a test)\""
)
NEW_RULE_ROW = (
    "uscm_significant_b,state_cluster,binary,false,USCM published significant_b,"
    "USCM significant cluster,7,\"USCM's significant_b flag (added by a test)\""
)
NEW_RULE_SQL = (
    "    case when state_cluster.is_significant then 1.0 else 0.0 end as uscm_significant_b,\n"
)
RULES_MODEL = "models/intermediate/treatment/int_treatment__state_cluster_rules.sql"
SOURCES = ("bea", "bls", "census_trade", "cbp", "uscm")


def _append_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.unlink()  # never write through a hard link to the repo's file
    path.write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")


def add_registry_members(project: Path) -> None:
    """One outcome row; one rule row plus its SQL expression (README, 'One registry per
    concept')."""
    _append_line(project / "seeds" / "outcomes.csv", NEW_OUTCOME)
    _append_line(project / "seeds" / "treatment_rules.csv", NEW_RULE_ROW)
    model = project / RULES_MODEL
    text = model.read_text(encoding="utf-8")
    anchor = "    ---------- rules (one column per row-level rule of seeds/treatment_rules.csv)\n"
    assert anchor in text
    model.unlink()
    model.write_text(text.replace(anchor, anchor + NEW_RULE_SQL), encoding="utf-8")


def refresh_from_cassettes(project: Path, scratch: Path) -> dict:
    """Every source refreshed from full cassettes made from the shipped files; the manifest."""
    import vcr
    from cluster_resilience.warehouse.refresh import REDACTED, RetryPolicy, run_refresh
    from cluster_resilience.warehouse.refresh.manifest import MANIFEST_NAME

    spec = importlib.util.spec_from_file_location(
        "make_cassettes", ROOT / "tests" / "cassettes" / "make_cassettes.py")
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator
    spec.loader.exec_module(generator)
    cassettes = scratch / "cassettes"
    generator.make_cassettes(cassettes, generator.FULL, project)
    recorder = vcr.VCR(record_mode="none", filter_query_parameters=[("key", REDACTED)])
    environ = {"CENSUS_API_KEY": "test-key-0000", "CLUSTER_REFRESH_CONTACT": "tests@example.org"}
    for source in SOURCES:
        with recorder.use_cassette(str(cassettes / f"{source}.yaml")) as cassette:
            report = run_refresh(
                project_dir=project, sources=[source], environ=environ,
                policy=RetryPolicy(attempts=3, initial_wait=0, max_wait=0),
                min_interval=0, echo=lambda line: None)
            assert report.ok and report.written, (source, report.failed, report.skipped)
            assert cassette.all_played, source
    import json

    return json.loads((project / "data" / "raw" / MANIFEST_NAME).read_text())


@pytest.fixture(scope="module")
def newer_warehouse(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Refresh, newer releases and registry additions in one project copy, built once; return
    the published warehouse, the project copy and the newer files written."""
    from cluster_resilience.warehouse.build import build_warehouse

    scratch = tmp_path_factory.mktemp("evolves")
    project = copy_project(ROOT, scratch / "project")
    manifest = refresh_from_cassettes(project, scratch)
    written = [extend_bls(project), extend_bea(project)]
    add_registry_members(project)
    published = scratch / "cluster_resilience.duckdb"
    environment = {
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        build_warehouse(project_dir=project, published=published, echo_dbt=False,
                        dbt_args=["--vars", "{bootstrap_reps: 199}"])
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert manifest["files"]
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


def test_every_source_was_refreshed_with_a_manifest_entry(newer_warehouse):
    import json

    from cluster_resilience.warehouse.refresh.manifest import MANIFEST_NAME

    _, project, _ = newer_warehouse
    files = json.loads((project / "data" / "raw" / MANIFEST_NAME).read_text())["files"]
    assert {item["dbt_source"] for item in files.values()} >= {
        "bea.sagdp2n", "bls.ces_state_annual", "census_trade.state_exports", "cbp.state_total",
        "uscm.state_cluster_2016"}
    assert all(item["sha256"] and item["bytes"] > 0 and item["requests"] for item in files.values())


def test_a_registered_outcome_reaches_every_estimate_table(newer_warehouse):
    published, _, _ = newer_warehouse
    counts = dict(_query(published, """
        select 'did', count(*) from est_did_coefficients where outcome = 'gdp_construction'
        union all
        select 'factor', count(*) from est_factor_coefficients where outcome = 'gdp_construction'
        union all
        select 'event_study', count(*) from est_event_study where outcome = 'gdp_construction'
        union all
        select 'spec_curve', count(*) from est_spec_curve where outcome = 'gdp_construction'"""))
    assert all(count > 0 for count in counts.values()), counts


def test_a_registered_rule_reaches_every_estimate_table(newer_warehouse):
    published, _, _ = newer_warehouse
    layouts = {layout for (layout,) in _query(published, """
        select distinct layout from est_did_coefficients
        where treatment_rule = 'uscm_significant_b'""")}
    assert layouts == {"paper", "paper_traded"}  # a row-level rule: not in the state layout
    (n_curve,), = _query(published, """
        select count(*) from est_spec_curve where treatment_rule = 'uscm_significant_b'""")
    assert n_curve > 0
