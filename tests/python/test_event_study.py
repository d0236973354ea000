"""Event study: agreement with statsmodels and pyfixest, planted effects and pre-trends, the
reference-year fallback, the wild bootstrap, and the real warehouse (e2e: the in-engine
estimates equal this module's array path on the warehouse's own panel).

Every panel here is SYNTHETIC (seeded simulations), except the e2e tests, which read the
warehouse built from the real shipped files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from cluster_resilience.estimators.event_study import (
    estimate_event_study,
    resolve_reference_year,
)
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.inference.wild_bootstrap import wild_cluster_bootstrap
from cluster_resilience.estimators.ols import EstimationError

YEARS = list(range(2008, 2023))


def simulate_event_panel(
    rng: np.random.Generator,
    *,
    n_states: int = 50,
    years: list[int] = YEARS,
    effects: dict[int, float] | None = None,
    pre_trend: float = 0.0,
    noise_sd: float = 0.02,
) -> pd.DataFrame:
    """SYNTHETIC state x year panel of log levels: state effects, common year effects, a
    state-specific random walk (serially correlated errors, hence clustering), half the states
    treated. ``effects`` plants a treated x year effect; ``pre_trend`` a linear treated-only trend
    pre_trend * (year - 2019) in the years before 2019 (zero from 2019 on)."""
    effects = effects or {}
    treated = (rng.permutation(n_states) < n_states // 2).astype(int)
    state_effect = rng.normal(10, 1, n_states)
    year_effect = dict(zip(years, rng.normal(0, 0.05, len(years)).cumsum(), strict=True))
    rows = []
    for state in range(n_states):
        walk = rng.normal(0, noise_sd, len(years)).cumsum() * 0.5 + rng.normal(
            0, noise_sd, len(years)
        )
        for position, year in enumerate(years):
            planted = effects.get(year, 0.0) + pre_trend * min(year - 2019, 0)
            value = state_effect[state] + year_effect[year] + treated[state] * planted
            rows.append((f"{state + 1:02d}", year, treated[state], value + walk[position]))
    return pd.DataFrame(rows, columns=["state_fips", "year", "treated", "log_value"])


@pytest.fixture
def panel(rng) -> pd.DataFrame:
    frame = simulate_event_panel(rng, effects={2020: -0.04, 2021: -0.02})
    frame.loc[[3, 40, 41, 300], "log_value"] = np.nan  # unpublished cells are dropped
    return frame


def _statsmodels_fit(panel: pd.DataFrame, **fit_kwargs):
    rows = panel.dropna(subset=["log_value"])
    dummies = [year for year in sorted(rows["year"].unique()) if year != 2019]
    events = {f"ev{year}": (rows["year"] == year) * rows["treated"] for year in dummies}
    data = rows.assign(**events)
    formula = "log_value ~ C(state_fips) + C(year, Treatment(2019)) + " + " + ".join(
        f"ev{year}" for year in dummies
    )
    groups = {"groups": data["state_fips"].astype(int)}
    if fit_kwargs.pop("clustered", False):
        fit_kwargs.update(cov_type="cluster", cov_kwds=groups)
    return smf.ols(formula, data=data).fit(use_t=True, **fit_kwargs), dummies


@pytest.mark.parametrize(
    ("vcov", "fit_kwargs"),
    [("CRV1", {"clustered": True}), ("iid", {}), ("HC1", {"cov_type": "HC1"})],
)
def test_matches_statsmodels_dummy_regression(panel, vcov, fit_kwargs):
    """Same numbers as statsmodels' OLS on C(state) + C(year) + treated x year dummies, with
    cluster-robust (use_t=True), classical or HC1 errors: coefficients, standard errors,
    p-values, CIs and the joint pre-trend Wald test (F form) to 1e-8."""
    reference, years = _statsmodels_fit(panel, **fit_kwargs)
    names = [f"ev{year}" for year in years]
    ours = estimate_event_study(panel, vcov=vcov, cluster="state_fips")
    table = ours.coefficients
    assert list(table["year"]) == years and 2019 not in set(table["year"])
    np.testing.assert_allclose(table["estimate"], reference.params[names], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(table["std_error"], reference.bse[names], rtol=1e-8)
    np.testing.assert_allclose(table["p_value"], reference.pvalues[names], rtol=1e-8, atol=1e-14)
    interval = reference.conf_int().loc[names]
    np.testing.assert_allclose(table["conf_low"], interval[0], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(table["conf_high"], interval[1], rtol=1e-8, atol=1e-12)

    pre = [name for name, year in zip(names, years, strict=True) if year < 2019]
    restrictions = np.zeros((len(pre), len(reference.params)))
    for row, name in enumerate(pre):
        restrictions[row, list(reference.params.index).index(name)] = 1.0
    wald = reference.wald_test(restrictions, use_f=True, scalar=True)
    assert ours.pretrend["statistic"] == pytest.approx(float(wald.statistic), rel=1e-8)
    assert ours.pretrend["p_value"] == pytest.approx(float(wald.pvalue), rel=1e-8)
    assert ours.pretrend["df"] == ours.pretrend["n_pre_years"] == len(pre) == 11
    assert ours.pretrend["df_denominator"] == pytest.approx(float(wald.df_denom))
    assert table["n_obs"].iloc[0] == len(panel) - 4


def test_matches_pyfixest_feols_with_full_fixed_effect_count(panel):
    """pyfixest's `i(year, treated, ref=2019) | state + year` with CRV1 by state agrees to 1e-6
    once its small-sample factor counts every fixed effect, ssc(k_fixef="full"): our dummy
    regression has k = 1 + (S-1) + (T-1) + (T-1). pyfixest's default, k_fixef="nonnested",
    leaves the state effects (nested in the state clusters) out of k and gives larger-n-k,
    hence smaller, standard errors. CRV3 equals pyfixest's with its factors off, times
    sqrt((G-1)/G) (our CV3 convention, tests/python/test_ols.py)."""
    pyfixest = pytest.importorskip("pyfixest")
    data = panel.dropna(subset=["log_value"])
    formula = "log_value ~ i(year, treated, ref=2019) | state_fips + year"
    ours = estimate_event_study(panel, vcov="CRV1").coefficients
    full = pyfixest.feols(formula, data=data, vcov={"CRV1": "state_fips"},
                          ssc=pyfixest.ssc(k_fixef="full"))
    np.testing.assert_allclose(ours["estimate"], full.coef().to_numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(ours["std_error"], full.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours["p_value"], full.pvalue().to_numpy(), rtol=1e-6, atol=1e-12)
    default = pyfixest.feols(formula, data=data, vcov={"CRV1": "state_fips"})
    assert np.all(default.se().to_numpy() < ours["std_error"].to_numpy())

    n_clusters = data["state_fips"].nunique()
    crv3 = pyfixest.feols(formula, data=data, vcov={"CRV3": "state_fips"},
                          ssc=pyfixest.ssc(k_adj=False, G_adj=False))
    ours3 = estimate_event_study(panel, vcov="CRV3").coefficients
    np.testing.assert_allclose(ours3["estimate"], crv3.coef().to_numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(
        ours3["std_error"], crv3.se().to_numpy() * np.sqrt((n_clusters - 1) / n_clusters),
        rtol=1e-6,
    )


def test_planted_post_shock_effect_is_recovered_without_a_false_pretrend(rng):
    effects = {2020: -0.08, 2021: -0.05, 2022: -0.03}
    panel = simulate_event_panel(rng, effects=effects)
    for vcov in ("CRV1", "CRV3"):
        estimate = estimate_event_study(panel, vcov=vcov)
        table = estimate.coefficients.set_index("year")
        for year, effect in effects.items():
            assert table.loc[year, "conf_low"] < effect < table.loc[year, "conf_high"]
        assert table.loc[2020, "p_value"] < 0.01
        pre = table.loc[table.index < 2019]
        assert ((pre["conf_low"] < 0) & (pre["conf_high"] > 0)).mean() >= 0.8
        assert estimate.pretrend["p_value"] > 0.05
        assert estimate.pretrend["n_pre_years"] == 11
        assert table["n_clusters"].iloc[0] == 50
        assert list(table["relative_year"]) == [year - 2020 for year in table.index]


def test_planted_pretrend_is_detected(rng):
    panel = simulate_event_panel(rng, pre_trend=0.01, effects={2020: -0.05})
    estimate = estimate_event_study(panel, vcov="CRV1")
    assert estimate.pretrend["p_value"] < 1e-3
    table = estimate.coefficients.set_index("year")
    assert table.loc[2008, "estimate"] == pytest.approx(-0.11, abs=0.04)


def test_reference_year_falls_back_to_the_last_pre_shock_year():
    assert resolve_reference_year([2013, 2014, 2018, 2019, 2020]) == 2019
    assert resolve_reference_year([2013, 2014, 2015, 2016, 2017, 2018]) == 2018
    assert resolve_reference_year(pd.Series([2017.0, 2018.0, 2020.0, None])) == 2018
    with pytest.raises(EstimationError, match="no year before the shock"):
        resolve_reference_year([2020, 2021])


def test_bad_panels_are_errors_not_estimates(panel):
    with pytest.raises(EstimationError, match="reference year 2019 has no rows"):
        estimate_event_study(panel[panel["year"] != 2019])
    one_sided = panel[~((panel["year"] == 2015) & (panel["treated"] == 1))]
    with pytest.raises(EstimationError, match=r"\[2015\] have only treated or only control"):
        estimate_event_study(one_sided)
    switching = panel.copy()
    switching.loc[switching["state_fips"] == "01", "treated"] = [0, 1] * 7 + [0]
    with pytest.raises(EstimationError, match="constant within"):
        estimate_event_study(switching)
    with pytest.raises(EstimationError, match="log_value"):
        estimate_event_study(panel.drop(columns="log_value"))


def test_bootstrap_on_the_demeaned_design_equals_the_dummy_design(rng):
    """The wild bootstrap runs on the state-demeaned design; with states as clusters it must
    give the dummy regression's bootstrap p-values and CIs (up to the CI bisection tolerance)."""
    panel = simulate_event_panel(rng, n_states=16, years=list(range(2016, 2023)))
    options = WildBootstrapOptions(reps=199, seed=7)
    ours = estimate_event_study(panel, vcov="wild_bootstrap", bootstrap=options)
    crv1 = estimate_event_study(panel, vcov="CRV1")
    np.testing.assert_allclose(ours.coefficients["std_error"], crv1.coefficients["std_error"])
    design = pd.concat(
        [pd.Series(1.0, index=panel.index, name="intercept"),
         pd.get_dummies(panel["state_fips"], drop_first=True, dtype=float),
         pd.get_dummies(panel["year"], dtype=float).drop(columns=2019),
         pd.get_dummies(panel["year"], dtype=float).drop(columns=2019).mul(panel["treated"],
                                                                             axis=0)],
        axis=1,
    ).to_numpy()
    codes = np.unique(panel["state_fips"], return_inverse=True)[1]
    n_states, event_years = panel["state_fips"].nunique(), [2016, 2017, 2018, 2020, 2021, 2022]
    for position, year in enumerate((2016, 2021)):
        # intercept, state dummies, year dummies, then the treated x year dummies
        index = 1 + (n_states - 1) + len(event_years) + event_years.index(year)
        reference = wild_cluster_bootstrap(
            panel["log_value"].to_numpy(), design, codes, index, options=options
        )
        row = ours.coefficients.set_index("year").loc[year]
        assert row["p_value"] == pytest.approx(reference.p_value, abs=1e-12), position
        assert row["conf_low"] == pytest.approx(reference.conf_low, abs=1e-5 * row["std_error"])
        assert row["conf_high"] == pytest.approx(reference.conf_high, abs=1e-5 * row["std_error"])


@pytest.mark.e2e
def test_warehouse_event_study_tables(built_warehouse):
    import duckdb

    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        counts = dict(
            connection.execute(
                """
                select outcome, count(*) from est_event_study
                where spec = 'state_clustered' and outcome in ('gdp', 'cbp_employment')
                    and treatment_rule = 'strong_share_above_median'
                group by outcome
                """
            ).fetchall()
        )
        assert counts == {"gdp": 25, "cbp_employment": 20}  # 1997-2022 and 2001-2021 minus 2019
        assert connection.execute(
            "select count(*) from est_event_study where year = reference_year"
        ).fetchone() == (0,)
        assert connection.execute(
            "select distinct reference_year from est_event_study where outcome = 'exports'"
        ).fetchall() == [(2018,)]
        bad = connection.execute(
            """
            select count(*) filter (where p_value is null or p_value < 0 or p_value > 1),
                   count(*) filter (where outcome in ('gdp', 'employment', 'cbp_employment')),
                   count(*)
            from est_event_study_pretrend
            """
        ).fetchone()
        assert bad[0] == 0 and bad[1] >= 3 and bad[2] > 0

        # The in-engine estimates (SQL moments, state effects absorbed in SQL) equal this
        # module's array path and statsmodels' dummy regression on the warehouse's own panel,
        # for every spec, a binary and a continuous rule and two outcomes.
        for rule, outcome in (("strong_share_above_median", "gdp"),
                              ("strong_share", "cbp_employment")):
            mart = connection.execute(
                "select * from mart_event_study_panel where outcome = ? and treatment_rule = ?",
                [outcome, rule],
            ).df().rename(columns={"treatment_value": "treated"})
            if rule == "strong_share_above_median":
                reference, _ = _statsmodels_fit(mart, clustered=True)
                stored = connection.execute(
                    """
                    select estimate, std_error from est_event_study
                    where outcome = ? and spec = 'state_clustered' and year = 2020
                      and treatment_rule = ?
                    """, [outcome, rule],
                ).fetchone()
                assert stored[0] == pytest.approx(reference.params["ev2020"], rel=1e-8)
                assert stored[1] == pytest.approx(reference.bse["ev2020"], rel=1e-8)
            for spec, vcov in (("paper", "iid"), ("state_hc1", "HC1"),
                               ("state_clustered", "CRV1"), ("state_crv3", "CRV3")):
                ours = estimate_event_study(
                    mart.assign(treated=mart["treated"]), vcov=vcov,
                    reference_year=int(mart["reference_year"].iloc[0]), check_binary=False,
                ).coefficients.set_index("year")
                stored = connection.execute(
                    "select year, estimate, std_error, p_value from est_event_study "
                    "where outcome = ? and treatment_rule = ? and spec = ? order by year",
                    [outcome, rule, spec],
                ).df().set_index("year")
                for column in ("estimate", "std_error", "p_value"):
                    np.testing.assert_allclose(
                        stored[column], ours.loc[stored.index, column], rtol=1e-8, atol=1e-12,
                        err_msg=f"{rule} {outcome} {spec} {column}",
                    )
        bootstrap = connection.execute(
            "select count(*), count(distinct spec) from est_event_study "
            "where vcov_type = 'wild_bootstrap'"
        ).fetchone()
        assert bootstrap[0] > 0 and bootstrap[1] == 2  # Rademacher and Webb
    finally:
        connection.close()
