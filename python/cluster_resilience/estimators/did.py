"""The paper's difference-in-differences (its Equation 1) as a plain function.

    growth_it = b0 + b1 period_t + b2 treated_i + b3 (period_t x treated_i) + e_it

``interaction`` (b3) is the DID effect. The panel comes from the ``mart_did_panel`` mart: one
window (pre year period = 0, post year period = 1) of one outcome in one layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.ols import EstimationError, OlsResult, fit_ols

DID_TERMS = ["intercept", "period", "treatment", "interaction"]


@dataclass(frozen=True)
class ModelEstimate:
    """A fitted model: tidy coefficients (one row per term) and one row of fit statistics."""

    coefficients: pd.DataFrame
    fit: dict
    result: OlsResult


def tidy_estimate(result: OlsResult) -> ModelEstimate:
    """Coefficient rows with n_obs and n_clusters attached, and the fit statistics."""
    coefficients = result.tidy()
    coefficients["n_obs"] = result.n_obs
    coefficients["n_clusters"] = result.n_clusters
    return ModelEstimate(coefficients=coefficients, fit=result.fit_statistics(), result=result)


def _require_columns(panel: pd.DataFrame, columns: list[str]) -> None:
    missing = [column for column in columns if column not in panel.columns]
    if missing:
        raise EstimationError(f"panel lacks column(s) {missing}; it has {list(panel.columns)}")


def did_design(
    panel: pd.DataFrame, *, treated: str, period: str, check_binary: bool = True
) -> pd.DataFrame:
    """Design matrix of Equation 1 with the paper's term names. ``check_binary=False`` admits a
    continuous treatment (the interaction is then the effect per unit of it)."""
    period_values = panel[period].to_numpy(dtype=float)
    treated_values = panel[treated].to_numpy(dtype=float)
    checked = ((period, period_values), (treated, treated_values))
    for name, values in checked if check_binary else checked[:1]:
        if not np.isin(values, (0.0, 1.0)).all():
            raise EstimationError(f"column {name!r} must be 0/1")
    return pd.DataFrame(
        {
            "intercept": 1.0,
            "period": period_values,
            "treatment": treated_values,
            "interaction": period_values * treated_values,
        },
        index=panel.index,
    )


def estimate_did(
    panel: pd.DataFrame,
    *,
    outcome: str = "growth_rate",
    treated: str = "treated",
    period: str = "period",
    vcov: str = "iid",
    cluster: str | None = None,
    level: float = 0.95,
    bootstrap: WildBootstrapOptions | None = None,
    check_binary: bool = True,
) -> ModelEstimate:
    """Estimate the DID on ``panel``; rows with a missing outcome are dropped (unpublished).

    Raises EstimationError when a period x treatment cell is empty (nothing to compare).
    """
    columns = [outcome, treated, period] + ([cluster] if cluster else [])
    _require_columns(panel, columns)
    rows = panel.dropna(subset=[outcome])
    if check_binary:
        cells = rows.groupby([period, treated]).size()
        if len(cells) < 4:
            raise EstimationError(
                f"the DID needs rows in all four period x treatment cells; found "
                f"{cells.to_dict()}"
            )
    design = did_design(rows, treated=treated, period=period, check_binary=check_binary)
    result = fit_ols(
        rows[outcome].to_numpy(dtype=float),
        design,
        vcov=vcov,
        cluster=rows[cluster].to_numpy() if cluster else None,
        level=level,
        bootstrap=bootstrap,
    )
    return tidy_estimate(result)
