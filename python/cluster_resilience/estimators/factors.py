"""The paper's cluster-factor regression (its Tables 4 and 6, which it calls "RDD").

    outcome_level_it = b0 + b1 qp_i + b2 est_i + b3 ap_i + b4 wage_i + b5 lq_i + e_it

It has no cutoff and no running variable, so it is not a regression discontinuity: it is an OLS
of outcome levels on USCM 2016 cluster quality factors (QP = first-quarter payroll, $1,000).
The real RDD at the USCM strong-cluster cutoff lives in :mod:`cluster_resilience.estimators.rdd`.
"""

from __future__ import annotations

import pandas as pd

from cluster_resilience.estimators.did import ModelEstimate, _require_columns, tidy_estimate
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.ols import EstimationError, fit_ols


def estimate_factors(
    panel: pd.DataFrame,
    *,
    outcome: str = "outcome_value",
    factors: list[str],
    vcov: str = "iid",
    cluster: str | None = None,
    level: float = 0.95,
    bootstrap: WildBootstrapOptions | None = None,
) -> ModelEstimate:
    """OLS of ``outcome`` on an intercept and ``factors`` (the warehouse's are seeds/factors.csv);
    rows missing any of them are dropped."""
    factors = list(factors)
    if not factors:
        raise EstimationError("the factor regression needs at least one factor")
    _require_columns(panel, [outcome, *factors] + ([cluster] if cluster else []))
    rows = panel.dropna(subset=[outcome, *factors])
    if rows.empty:
        raise EstimationError(f"no rows with {outcome} and all of {factors}")
    design = pd.concat(
        [pd.Series(1.0, index=rows.index, name="intercept"), rows[factors].astype(float)], axis=1
    )
    result = fit_ols(
        rows[outcome].to_numpy(dtype=float),
        design,
        vcov=vcov,
        cluster=rows[cluster].to_numpy() if cluster else None,
        level=level,
        bootstrap=bootstrap,
    )
    return tidy_estimate(result)
