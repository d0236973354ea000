"""The run grid (python/cluster_resilience/runs/grid.py) on SYNTHETIC moment tables shaped as
the SQL models write them: fitted once and re-inferred per spec, it equals the array path of each
estimator, and a fit the data cannot identify is skipped with its reason, not estimated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cluster_resilience.estimators.did import did_design, estimate_did
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.moments import (
    moments_from_arrays,
    residual_moments_from_arrays,
)
from cluster_resilience.estimators.ols import solve_moments
from cluster_resilience.runs.grid import estimate_grid, fit_params
from cluster_resilience.runs.specs import specs_from_registry
from conftest import simulate_did_panel

ROOT = Path(__file__).resolve().parents[2]
TERMS = ["intercept", "period", "treatment", "interaction"]


def moments_to_long(moments, fit_id: str) -> pd.DataFrame:
    """The long rows int_regression_moments holds for one fit (each term pair once)."""
    rows = []
    k = len(moments.terms)
    for g, cluster in enumerate(moments.clusters):
        for i in range(k):
            for j in range(i, k):
                a, b = sorted((moments.terms[i], moments.terms[j]))
                rows.append((fit_id, cluster, "xx", a, b, moments.xtx[g, i, j]))
            rows.append((fit_id, cluster, "xy", moments.terms[i], None, moments.xty[g, i]))
        rows.append((fit_id, cluster, "yy", None, None, moments.yty[g]))
        rows.append((fit_id, cluster, "n", None, None, float(moments.n_obs[g])))
    return pd.DataFrame(
        rows, columns=["fit_id", "cluster_id", "moment", "term_a", "term_b", "value"]
    )


def residuals_to_long(residuals, terms, fit_id: str) -> pd.DataFrame:
    rows = [(fit_id, "rss", None, None, residuals.rss)]
    for i in range(len(terms)):
        for j in range(i, len(terms)):
            a, b = sorted((terms[i], terms[j]))
            rows.append((fit_id, "meat", a, b, residuals.hc1_meat[i, j]))
    return pd.DataFrame(rows, columns=["fit_id", "moment", "term_a", "term_b", "value"])


def _grid_inputs(panels: dict[str, pd.DataFrame]):
    fits, terms, moments, residuals = [], [], [], []
    for fit_id, panel in panels.items():
        design = did_design(panel, treated="treated", period="period").to_numpy()
        y = panel["growth_rate"].to_numpy()
        m = moments_from_arrays(y, design, terms=TERMS, cluster=panel["state_fips"])
        moments.append(moments_to_long(m, fit_id))
        fits.append({"fit_id": fit_id, "model": "did", "layout": "state",
                     "treatment_rule": "synthetic", "window_name": "shock", "outcome": fit_id,
                     "reference_year": None, "absorbed_effect": None, "has_intercept": True,
                     "n_absorbed": 0})
        terms += [{"fit_id": fit_id, "term": term, "term_order": order, "is_reported": True}
                  for order, term in enumerate(TERMS, start=1)]
        try:
            b, _ = solve_moments(m)
        except ValueError:
            continue
        residuals.append(residuals_to_long(residual_moments_from_arrays(y, design, b), TERMS,
                                           fit_id))
    return (pd.DataFrame(fits), pd.DataFrame(terms), pd.concat(moments, ignore_index=True),
            pd.concat(residuals, ignore_index=True))


def test_grid_equals_the_array_path_for_every_spec_and_skips_what_is_not_identified(rng):
    """SYNTHETIC panels: one with a planted effect, one where no state is treated."""
    estimable = simulate_did_panel(rng, n_states=12, rows_per_state=3, effect=0.02)
    untreated = estimable.assign(treated=0)
    fits, terms, moments, residuals = _grid_inputs({"planted": estimable, "none": untreated})
    params = fit_params(fits, terms, moments)
    assert params.loc[params["fit_id"] == "none", "status"].tolist() == ["skipped"]
    assert "treatment" in params.loc[params["fit_id"] == "none", "reason"].iloc[0]
    specs = specs_from_registry(pd.read_csv(ROOT / "seeds" / "specs.csv"))
    bootstrap = WildBootstrapOptions(reps=999, seed=3)
    tables = estimate_grid(fits, terms, moments, residuals, params, specs,
                           bootstrap=bootstrap, shock_year=2020)
    assert tables["skipped"]["outcome"].tolist() == ["none"]
    coefficients = tables["did_coefficients"].set_index(["spec", "term"])
    assert set(coefficients.index.get_level_values("spec")) == {spec.name for spec in specs}
    for spec in specs:
        options = WildBootstrapOptions(reps=999, seed=3, weights=spec.weights)
        reference = estimate_did(
            estimable, outcome="growth_rate", vcov=spec.inference, cluster=spec.cluster_by,
            bootstrap=options,
        ).coefficients.set_index("term")
        ours = coefficients.loc[spec.name]
        for column in ("estimate", "std_error", "p_value", "conf_low", "conf_high"):
            np.testing.assert_allclose(ours.loc[TERMS, column], reference.loc[TERMS, column],
                                       rtol=1e-10, atol=1e-12, err_msg=f"{spec.name} {column}")
    fit = tables["did_fit"].set_index("spec").loc["paper"]
    assert fit["r2"] == pytest.approx(
        estimate_did(estimable).fit["r2"], rel=1e-10
    )
