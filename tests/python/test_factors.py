"""estimate_factors agrees with statsmodels (SYNTHETIC data)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from cluster_resilience.estimators.factors import estimate_factors
from cluster_resilience.estimators.ols import EstimationError

with open(Path(__file__).resolve().parents[2] / "seeds" / "factors.csv", newline="") as _handle:
    PAPER_FACTORS = [row["factor"] for row in csv.DictReader(_handle)]


@pytest.fixture
def factor_panel(rng):
    n_obs = 600
    frame = pd.DataFrame(
        {
            "state_fips": rng.integers(1, 51, n_obs).astype(str),
            "qp": rng.gamma(2, 5e4, n_obs),
            "est": rng.gamma(2, 300, n_obs),
            "ap": rng.gamma(2, 2e5, n_obs),
            "wage": rng.normal(55_000, 9_000, n_obs),
            "lq": rng.gamma(2, 0.5, n_obs),
        }
    )
    frame["outcome_value"] = (
        2e5 - 0.1 * frame["qp"] + 40 * frame["est"] + 0.07 * frame["ap"] + 4 * frame["wage"]
        - 15_000 * frame["lq"] + rng.normal(0, 5e4, n_obs)
    )
    return frame


@pytest.mark.parametrize("vcov", ["iid", "HC1", "CRV1"])
def test_factors_match_statsmodels(factor_panel, vcov):
    formula = "outcome_value ~ " + " + ".join(PAPER_FACTORS)
    kwargs = {"iid": {}, "HC1": {"cov_type": "HC1"}, "CRV1": {
        "cov_type": "cluster", "cov_kwds": {"groups": factor_panel["state_fips"].astype(int)}}}
    reference = smf.ols(formula, data=factor_panel).fit(use_t=True, **kwargs[vcov])
    ours = estimate_factors(
        factor_panel, factors=PAPER_FACTORS, vcov=vcov,
        cluster="state_fips" if vcov == "CRV1" else None,
    )
    table = ours.coefficients.set_index("term")
    names = ["Intercept", *PAPER_FACTORS]
    np.testing.assert_allclose(table["estimate"], reference.params[names], rtol=1e-8)
    np.testing.assert_allclose(table["std_error"], reference.bse[names], rtol=1e-8)
    np.testing.assert_allclose(table["p_value"], reference.pvalues[names], rtol=1e-8, atol=1e-15)
    assert list(table.index) == ["intercept", *PAPER_FACTORS]
    assert ours.fit["adj_r2"] == pytest.approx(reference.rsquared_adj, rel=1e-8)


def test_rows_missing_a_factor_are_dropped(factor_panel):
    panel = factor_panel.copy()
    panel.loc[panel.index[:5], "wage"] = np.nan
    assert estimate_factors(panel, factors=PAPER_FACTORS).fit["n_obs"] == len(panel) - 5


def test_unknown_factor_is_named(factor_panel):
    with pytest.raises(EstimationError, match="employment_density"):
        estimate_factors(factor_panel, factors=["qp", "employment_density"])
