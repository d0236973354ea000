"""estimate_did: statsmodels agreement, planted-effect recovery and CI coverage (SYNTHETIC)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.formula.api as smf
from cluster_resilience.estimators.did import DID_TERMS, estimate_did
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.inference.wild_bootstrap import wild_cluster_bootstrap
from cluster_resilience.estimators.ols import EstimationError
from conftest import simulate_did_panel


def test_did_matches_statsmodels_formula(did_panel):
    reference = smf.ols("growth_rate ~ period * treated", data=did_panel).fit(use_t=True)
    names = ["Intercept", "period", "treated", "period:treated"]
    for vcov, fitted in (
        ("iid", reference),
        ("CRV1", smf.ols("growth_rate ~ period * treated", data=did_panel).fit(
            cov_type="cluster", cov_kwds={"groups": did_panel["state_fips"].astype(int)},
            use_t=True,
        )),
    ):
        ours = estimate_did(did_panel, vcov=vcov, cluster="state_fips" if vcov == "CRV1" else None)
        table = ours.coefficients.set_index("term").loc[DID_TERMS]
        np.testing.assert_allclose(table["estimate"], fitted.params[names], rtol=1e-8)
        np.testing.assert_allclose(table["std_error"], fitted.bse[names], rtol=1e-8)
        np.testing.assert_allclose(table["p_value"], fitted.pvalues[names], rtol=1e-8, atol=1e-15)
        assert ours.fit["r2"] == pytest.approx(reference.rsquared, rel=1e-8)
        assert ours.fit["f_stat"] == pytest.approx(reference.fvalue, rel=1e-8)
        assert table["n_obs"].iloc[0] == len(did_panel)


def test_planted_effect_is_recovered_within_its_ci(rng):
    panel = simulate_did_panel(rng, rows_per_state=20, effect=0.05)
    for vcov in ("CRV1", "CRV3"):
        row = estimate_did(panel, vcov=vcov, cluster="state_fips").coefficients
        interaction = row.set_index("term").loc["interaction"]
        assert interaction["conf_low"] < 0.05 < interaction["conf_high"]
        assert interaction["p_value"] < 0.05
        assert interaction["n_clusters"] == 50


def test_missing_outcomes_are_dropped_not_zeroed(did_panel):
    panel = did_panel.copy()
    panel.loc[panel.index[:7], "growth_rate"] = np.nan
    estimate = estimate_did(panel)
    assert estimate.fit["n_obs"] == len(panel) - 7
    reference = estimate_did(panel.dropna())
    np.testing.assert_allclose(
        estimate.coefficients["estimate"], reference.coefficients["estimate"], rtol=1e-12
    )


def test_an_empty_cell_is_an_error_not_an_estimate(did_panel):
    panel = did_panel[~((did_panel["treated"] == 1) & (did_panel["period"] == 1))]
    with pytest.raises(EstimationError, match="four period x treatment cells"):
        estimate_did(panel)


def test_missing_column_is_named(did_panel):
    with pytest.raises(EstimationError, match="growth"):
        estimate_did(did_panel.drop(columns="growth_rate"))


@pytest.mark.slow
def test_coverage_of_the_95_ci_by_vcov():
    """1,000 seeded panels of 50 states x 20 repeated rows, with state x period shocks.

    Cluster-robust intervals must cover the planted effect 93-97 % of the time (the bootstrap
    92-98 %); iid and HC1 on the repeated-row layout (the paper's) must under-cover.
    """
    rng = np.random.default_rng(2024)
    effect, n_panels = 0.01, 1000
    covered = {"iid": 0, "HC1": 0, "CRV1": 0, "CRV3": 0, "wild_bootstrap": 0}
    options = WildBootstrapOptions(reps=399, seed=11)
    for _ in range(n_panels):
        panel = simulate_did_panel(rng, rows_per_state=20, effect=effect)
        for vcov in ("iid", "HC1", "CRV1", "CRV3"):
            cluster = "state_fips" if vcov.startswith("CRV") else None
            row = estimate_did(panel, vcov=vcov, cluster=cluster).coefficients.iloc[3]
            covered[vcov] += row["conf_low"] <= effect <= row["conf_high"]
        design = np.column_stack([
            np.ones(len(panel)), panel["period"], panel["treated"],
            panel["period"] * panel["treated"],
        ])
        codes = np.unique(panel["state_fips"], return_inverse=True)[1]
        p_value = wild_cluster_bootstrap(
            panel["growth_rate"].to_numpy(), design, codes, 3,
            options=options, null_value=effect, with_ci=False,
        ).p_value
        covered["wild_bootstrap"] += p_value > 0.05  # the inverted CI covers the truth
    coverage = {vcov: hits / n_panels for vcov, hits in covered.items()}
    print("coverage of the 95% CI:", coverage)
    assert 0.93 <= coverage["CRV1"] <= 0.97
    assert 0.93 <= coverage["CRV3"] <= 0.97
    assert 0.92 <= coverage["wild_bootstrap"] <= 0.98
    assert coverage["iid"] < 0.80
    assert coverage["HC1"] < 0.80
