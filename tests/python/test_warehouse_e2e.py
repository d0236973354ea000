"""End to end: build the warehouse from the REAL shipped files and check the estimate tables."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def test_every_estimable_window_has_paper_and_clustered_rows(warehouse):
    missing = warehouse.execute(
        """
        with estimable as (
            select coverage.window_name, coverage.outcome
            from mart_data_coverage as coverage
            inner join reference.outcomes as outcomes on coverage.outcome = outcomes.outcome
            where coverage.coverage_level = 'window' and coverage.is_estimable_did
                and outcomes.is_estimated
        ),
        specs as (select spec from reference.specs where spec in ('paper', 'state_clustered')),
        layouts as (select layout from reference.layouts where used_by_did)
        select estimable.*, specs.spec, layouts.layout
        from estimable cross join specs cross join layouts
        where not exists (
            select 1 from est_did_coefficients as est
            where est.window_name = estimable.window_name and est.outcome = estimable.outcome
              and est.spec = specs.spec and est.layout = layouts.layout
              and est.term = 'interaction'
        )
        """
    ).fetchall()
    assert missing == []


def test_unestimable_windows_are_skipped_with_a_reason_and_no_estimate(warehouse):
    rows = warehouse.execute(
        """
        select skipped.window_name, skipped.outcome, skipped.reason,
               count(est.estimate) as n_estimates
        from est_skipped as skipped
        left join est_did_coefficients as est using (window_name, outcome)
        where skipped.model = 'did'
        group by all
        """
    ).fetchall()
    skipped = {(window, outcome) for window, outcome, _, _ in rows}
    assert ("recovery", "employment") in skipped  # BLS ends in 2020
    assert ("shock", "exports") in skipped  # Census trade ends in 2018
    assert all(reason and n_estimates == 0 for _, _, reason, n_estimates in rows)


def test_shock_gdp_interaction_is_sane_and_clustered_errors_are_wider(warehouse):
    rows = dict(
        warehouse.execute(
            """
            select spec, std_error from est_did_coefficients
            where layout = 'paper' and window_name = 'shock' and outcome = 'gdp'
              and term = 'interaction'
            """
        ).fetchall()
    )
    assert rows["state_clustered"] > rows["paper"] > 0


def test_estimates_carry_run_metadata(warehouse):
    row = warehouse.execute(
        """
        select count(*) filter (where run_id is null or data_vintages is null
                                or run_started_at is null),
               count(distinct run_id)
        from est_did_coefficients
        """
    ).fetchone()
    assert row == (0, 1)


@pytest.mark.parametrize(
    ("layout", "rule"),
    [("state", "strong_share_above_median"), ("state", "strong_share"),
     ("paper", "uscm_strong_b"), ("paper_traded", "rule_p75_sql")],
)
def test_in_engine_estimates_equal_the_array_path_and_statsmodels_on_the_mart(
    warehouse, layout, rule
):
    """The DID computed in SQL (cells, moments) and Python (solve, inference) equals the array
    path (estimate_did on the mart's rows, itself checked against statsmodels, pyfixest and
    wildboottest) for every spec, and statsmodels directly for CRV1."""
    import statsmodels.formula.api as smf
    from cluster_resilience.estimators.did import estimate_did
    from cluster_resilience.estimators.inference import WildBootstrapOptions

    panel = warehouse.execute(
        """
        select * from mart_did_panel
        where layout = ? and treatment_rule = ? and window_name = 'shock' and outcome = 'gdp'
          and growth_rate is not null
        """, [layout, rule],
    ).df().assign(treated=lambda frame: frame["treatment_value"])
    reference = smf.ols("growth_rate ~ period * treated", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": panel["state_fips"].astype(int)}, use_t=True
    )
    stored = warehouse.execute(
        """
        select spec, vcov_type, estimate, std_error, p_value, conf_low, conf_high
        from est_did_coefficients
        where layout = ? and treatment_rule = ? and window_name = 'shock' and outcome = 'gdp'
          and term = 'interaction'
        """, [layout, rule],
    ).df().set_index("spec")
    clustered = stored.loc["state_clustered"]
    assert clustered["estimate"] == pytest.approx(reference.params["period:treated"], rel=1e-8)
    assert clustered["std_error"] == pytest.approx(reference.bse["period:treated"], rel=1e-8)
    reps, seed = warehouse.execute(
        "select bootstrap_reps, bootstrap_seed from est_run_metadata").fetchone()
    weights = dict(
        warehouse.execute("select spec, bootstrap_weights from reference.specs").fetchall()
    )
    for spec, row in stored.iterrows():
        cluster = None if row["vcov_type"] in ("iid", "HC1") else "state_fips"
        ours = estimate_did(
            panel, vcov=row["vcov_type"], cluster=cluster, check_binary=False,
            bootstrap=WildBootstrapOptions(reps=int(reps), seed=int(seed),
                                           weights=weights[spec] or "rademacher"),
        ).coefficients.set_index("term").loc["interaction"]
        for column in ("estimate", "std_error", "p_value", "conf_low", "conf_high"):
            expected = pytest.approx(ours[column], rel=1e-8, abs=1e-12)
            assert row[column] == expected, (spec, column)
