"""Event study around the COVID shock: state and year fixed effects, treated x year dummies.

    log(y_st) = a_s + g_t + sum_{k != ref} b_k 1[t = k] treated_s + e_st

Every coefficient b_k is the treated-minus-control difference in log levels in year k relative to
the same difference in the reference year (default 2019, the last year before COVID). Because the
outcome is a log LEVEL, b_k reads as an approximate percent gap (100 * b_k %; exactly
exp(b_k) - 1) that opened between treated and control states since the reference year. Years
before the reference year give the pre-trend test (all pre-reference b_k = 0); years after it the
dynamic effect of the shock.

The state effects are absorbed exactly (within sums, as the warehouse computes them in SQL; they
count as parameters, so k includes them and CRV1's G/(G-1) (n-1)/(n-k) equals statsmodels' on
the dummy regression, and pyfixest's with ``ssc(k_fixef="full")``); the year effects are explicit
dummies (all years but the reference year), beside one treated x year dummy per year but the
reference year. With states nested in the clusters, leaving a state out of the within sums is
exactly the within regression without it (CRV3), and the wild cluster bootstrap of the within
regression equals the dummy regression's; it is run for the event coefficients only.

``relative_year`` is event time, year - ``shock_year`` (2020): the default reference year 2019
is relative year -1, the usual event-study normalisation. When an outcome's data stop before the
preferred reference year (Census trade ends in 2018), :func:`resolve_reference_year` picks the
last year before the shock that the data have; the reference year used is reported on every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.ols import EstimationError, OlsResult, fit_ols

EVENT_COEFFICIENT_COLUMNS = [
    "reference_year", "year", "relative_year", "term", "estimate", "std_error", "statistic",
    "p_value", "conf_low", "conf_high", "n_obs", "n_clusters",
]
PRETREND_KEYS = [
    "statistic", "df", "df_denominator", "p_value", "n_pre_years", "n_obs", "n_clusters",
]


@dataclass(frozen=True)
class EventStudyEstimate:
    """Event coefficients (one row per year but the reference year), the joint pre-trend test
    and the underlying OLS fit.

    ``pretrend``: the joint Wald test that every pre-reference coefficient is 0, with the same
    vcov as the standard errors, in F form: statistic = W / q with numerator df q (n_pre_years)
    and denominator df the inference df (G - 1 when clustered, n - k otherwise). All NaN when the
    data have no year before the reference year.
    """

    coefficients: pd.DataFrame
    pretrend: dict
    reference_year: int
    result: OlsResult


def event_term(year: int) -> str:
    """Name of the treated x year dummy of ``year``."""
    return f"treated_x_{year}"


def resolve_reference_year(
    years: pd.Series | np.ndarray | list[int], preferred: int = 2019, shock_year: int = 2020
) -> int:
    """``preferred`` when the data have it; else the last year before ``shock_year`` they have.

    Census trade ends in 2018, so its event study is normalised on 2018 instead of 2019. Raises
    EstimationError when no year before the shock is available.
    """
    available = sorted({int(year) for year in pd.unique(pd.Series(years).dropna())})
    if preferred in available:
        return preferred
    before = [year for year in available if year < shock_year]
    if not before:
        raise EstimationError(
            f"no year before the shock year {shock_year} to serve as the reference year; "
            f"the data cover {available}"
        )
    return before[-1]


def _require_columns(panel: pd.DataFrame, columns: list[str]) -> None:
    missing = [column for column in columns if column not in panel.columns]
    if missing:
        raise EstimationError(f"panel lacks column(s) {missing}; it has {list(panel.columns)}")


def _dummies(codes: np.ndarray, labels: list, drop) -> tuple[np.ndarray, list]:
    keep = [label for label in labels if label != drop]
    matrix = (codes[:, None] == np.asarray(keep, dtype=object)[None, :]).astype(float)
    return matrix, keep


def _check_panel(
    rows: pd.DataFrame, *, unit: str, time: str, treated: str, reference_year: int,
    check_binary: bool = True,
):
    treated_values = rows[treated].to_numpy(dtype=float)
    if check_binary and not np.isin(treated_values, (0.0, 1.0)).all():
        raise EstimationError(f"column {treated!r} must be 0/1 (check_binary=False for a "
                              "continuous treatment)")
    varying = rows.groupby(unit)[treated].nunique()
    if (varying > 1).any():
        changing = list(varying[varying > 1].index)
        raise EstimationError(f"{treated!r} must be constant within {unit!r}; varies in {changing}")
    years = sorted(int(year) for year in rows[time].unique())
    if reference_year not in years:
        raise EstimationError(
            f"reference year {reference_year} has no rows with the outcome; years present: {years}"
        )
    if len(years) < 2:
        raise EstimationError(f"an event study needs at least two years; found {years}")
    if not check_binary:
        return years
    groups = rows.groupby(time)[treated].agg(["min", "max"])
    one_sided = [int(year) for year, row in groups.iterrows() if row["min"] == row["max"]]
    if one_sided:
        raise EstimationError(
            f"year(s) {one_sided} have only treated or only control rows: the treated x year "
            "difference is not identified"
        )
    return years


def estimate_event_study(
    panel: pd.DataFrame,
    *,
    outcome: str = "log_value",
    unit: str = "state_fips",
    time: str = "year",
    treated: str = "treated",
    reference_year: int = 2019,
    shock_year: int = 2020,
    vcov: str = "CRV1",
    cluster: str | None = "state_fips",
    level: float = 0.95,
    bootstrap: WildBootstrapOptions | None = None,
    check_binary: bool = True,
) -> EventStudyEstimate:
    """Estimate the event study on a unit x year ``panel`` (one treatment rule, one outcome).

    Rows with a missing outcome are dropped (unpublished or non-positive levels). Raises
    EstimationError when the reference year has no rows, a year has only treated or only control
    rows, or treatment varies within a unit. ``cluster`` is ignored by iid and HC1.
    """
    clustered = vcov in ("CRV1", "CRV3", "wild_bootstrap")
    if clustered and cluster is None:
        raise ValueError(f"vcov={vcov!r} needs a cluster column")
    _require_columns(panel, [outcome, unit, time, treated] + ([cluster] if clustered else []))
    rows = panel.dropna(subset=[outcome]).reset_index(drop=True)
    if rows.empty:
        raise EstimationError(f"no rows with a non-missing {outcome!r}")
    years = _check_panel(
        rows, unit=unit, time=time, treated=treated, reference_year=reference_year,
        check_binary=check_binary,
    )
    event_years = [year for year in years if year != reference_year]
    pre_years = [year for year in event_years if year < reference_year]

    year_values = rows[time].astype(int).to_numpy()
    unit_values = rows[unit].to_numpy()
    treated_values = rows[treated].to_numpy(dtype=float)
    year_dummies, _ = _dummies(year_values.astype(object), years, reference_year)
    year_names = [f"year_{year}" for year in event_years]
    events = year_dummies * treated_values[:, None]
    event_names = [event_term(year) for year in event_years]
    response = rows[outcome].to_numpy(dtype=float)
    cluster_ids = rows[cluster].to_numpy() if clustered else None
    if clustered:
        unit_codes = np.unique(unit_values, return_inverse=True)[1].reshape(-1)
        if pd.Series(cluster_ids).groupby(unit_codes).nunique().max() > 1:
            raise EstimationError(
                f"vcov={vcov!r} absorbs the {unit!r} effects and needs {unit!r} nested in "
                f"{cluster!r}"
            )
    # The unit effects are absorbed exactly (within sums; they count in the degrees of freedom),
    # as the warehouse computes them in SQL; the year effects stay explicit dummies.
    result = fit_ols(
        response, np.column_stack([year_dummies, events]), vcov=vcov, cluster=cluster_ids,
        terms=year_names + event_names, level=level, absorb=unit_values, bootstrap=bootstrap,
        bootstrap_terms=event_names,
    )
    table = result.tidy().set_index("term").loc[event_names].reset_index()
    table.insert(0, "relative_year", [year - shock_year for year in event_years])
    table.insert(0, "year", event_years)
    table.insert(0, "reference_year", reference_year)
    table["n_obs"] = result.n_obs
    table["n_clusters"] = pd.array([result.n_clusters] * len(table), dtype="Int64")

    if pre_years:
        statistic, df, p_value = result.wald_test([event_term(year) for year in pre_years])
    else:
        statistic, df, p_value = float("nan"), 0, float("nan")
    pretrend = {
        "statistic": statistic,
        "df": df,
        "df_denominator": result.df_inference,
        "p_value": p_value,
        "n_pre_years": len(pre_years),
        "n_obs": result.n_obs,
        "n_clusters": result.n_clusters,
    }
    return EventStudyEstimate(
        coefficients=table[EVENT_COEFFICIENT_COLUMNS],
        pretrend=pretrend,
        reference_year=reference_year,
        result=result,
    )
