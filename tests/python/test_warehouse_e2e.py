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
            select window_name, outcome from mart_data_coverage
            where coverage_level = 'window' and is_estimable_did
        ),
        specs as (select unnest(['paper', 'state_clustered']) as spec),
        layouts as (select unnest(['paper', 'state']) as layout)
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


def test_estimates_equal_a_fresh_statsmodels_fit_on_the_mart(warehouse):
    import statsmodels.formula.api as smf

    panel = warehouse.execute(
        """
        select * from mart_did_panel
        where layout = 'state' and window_name = 'shock' and outcome = 'gdp'
          and growth_rate is not null
        """
    ).df()
    reference = smf.ols("growth_rate ~ period * treated", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": panel["state_fips"].astype(int)}, use_t=True
    )
    ours = warehouse.execute(
        """
        select estimate, std_error from est_did_coefficients
        where layout = 'state' and window_name = 'shock' and outcome = 'gdp'
          and spec = 'state_clustered' and term = 'interaction'
        """
    ).fetchone()
    assert ours[0] == pytest.approx(reference.params["period:treated"], rel=1e-8)
    assert ours[1] == pytest.approx(reference.bse["period:treated"], rel=1e-8)
