"""The run grid: every fit of the estimate tables, fitted once, re-inferred per spec.

One grid serves the DID, the factor regression and the event study. The warehouse lists the
fits (``int_regression_fits``: model, layout, treatment rule, window, outcome), their terms
(``int_regression_terms``) and their per-cluster moments (``int_regression_moments``, computed in
SQL); the dbt Python models call

1. :func:`fit_params`: solve every fit from its moments (coefficients for the SQL residual pass;
   a fit the data cannot identify gets a 'skipped' row with the reason);
2. :func:`estimate_grid`: with the residual moments back from SQL, build each fit once
   (:class:`~cluster_resilience.estimators.ols.OlsFit`) and apply every spec of
   ``seeds/specs.csv`` to it, returning the tidy result tables.

Nothing here reads a row of a panel: only tables with one row per fit, term or cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cluster_resilience.estimators.inference import InferenceOptions, WildBootstrapOptions
from cluster_resilience.estimators.moments import (
    EstimationError,
    moments_from_long,
    residual_moments_from_long,
)
from cluster_resilience.estimators.ols import OlsFit, solve_moments
from cluster_resilience.runs.specs import Spec

FIT_KEYS = ["model", "layout", "treatment_rule", "window_name", "outcome"]
CLUSTER_COLUMN = "state_fips"  # the moments are per state: the only cluster a spec can name

COEFFICIENT_COLUMNS = [
    "term", "estimate", "std_error", "statistic", "p_value", "p_value_is_bound", "conf_low",
    "conf_high", "n_obs", "n_clusters",
]
FIT_COLUMNS = [
    "r2", "adj_r2", "f_stat", "f_p_value", "df_model", "df_resid", "n_obs", "n_clusters",
]
PRETREND_COLUMNS = [
    "reference_year", "statistic", "df", "df_denominator", "p_value", "n_pre_years", "n_obs",
    "n_clusters",
]
PARAM_COLUMNS = ["fit_id", "term", "estimate", "status", "reason"]


@dataclass(frozen=True)
class GridFit:
    """One fit of the grid: its keys, terms and moments."""

    fit_id: str
    keys: dict
    terms: list[str]
    reported: list[str]
    reference_year: int | None
    n_absorbed: int
    has_intercept: bool


def _grid_fits(fits: pd.DataFrame, terms: pd.DataFrame) -> list[GridFit]:
    ordered = terms.sort_values(["fit_id", "term_order", "term"])
    by_fit = {fit_id: rows for fit_id, rows in ordered.groupby("fit_id", sort=False)}
    grid = []
    for row in fits.sort_values("fit_id").itertuples(index=False):
        rows = by_fit.get(row.fit_id)
        if rows is None:
            raise EstimationError(f"fit {row.fit_id!r} has no terms in int_regression_terms")
        reference_year = getattr(row, "reference_year", None)
        grid.append(
            GridFit(
                fit_id=row.fit_id,
                keys={key: getattr(row, key) for key in FIT_KEYS},
                terms=list(rows["term"]),
                reported=list(rows.loc[rows["is_reported"].astype(bool), "term"]),
                reference_year=None if pd.isna(reference_year) else int(reference_year),
                n_absorbed=int(row.n_absorbed) if row.absorbed_effect else 0,
                has_intercept=bool(row.has_intercept),
            )
        )
    return grid


def _moments(fit: GridFit, rows: pd.DataFrame):
    return moments_from_long(
        rows, terms=fit.terms, n_absorbed=fit.n_absorbed,
        has_intercept=fit.has_intercept or fit.n_absorbed > 0,
    )


def _progress(label: str, total: int) -> Callable[[int, str], None]:
    """Prints 'label: i/N fits (...)' about every 10 % and at the end, with elapsed time."""
    start = time.monotonic()
    step = max(1, total // 10)

    def report(done: int, what: str) -> None:
        if done % step == 0 or done == total:
            print(f"  {label}: {done}/{total} fits ({what}), {time.monotonic() - start:.1f} s",
                  flush=True)

    return report


def fit_params(fits: pd.DataFrame, terms: pd.DataFrame, moments: pd.DataFrame) -> pd.DataFrame:
    """Coefficients of every fit (fit_id, term, estimate, status 'ok'), or one row with status
    'skipped' and the reason when the data cannot identify the fit (a rank-deficient design:
    for example a treatment rule with no treated state among the states with data)."""
    rows_by_fit = dict(tuple(moments.groupby("fit_id", sort=False)))
    output = []
    for fit in _grid_fits(fits, terms):
        try:
            params, _ = solve_moments(_moments(fit, rows_by_fit[fit.fit_id]))
        except EstimationError as error:
            output.append((fit.fit_id, None, np.nan, "skipped", str(error)))
            continue
        output.extend(
            (fit.fit_id, term, float(value), "ok", None)
            for term, value in zip(fit.terms, params, strict=True)
        )
    return pd.DataFrame(output, columns=PARAM_COLUMNS)


def _coefficient_rows(fit: GridFit, ols: OlsFit, inference, spec: Spec) -> pd.DataFrame:
    clustered = spec.cluster_by is not None
    frame = pd.DataFrame(
        {
            "term": list(ols.terms),
            "estimate": ols.params,
            "std_error": inference.std_errors,
            "statistic": inference.statistics,
            "p_value": inference.p_values,
            "p_value_is_bound": inference.p_value_is_bound,
            "conf_low": inference.conf_low,
            "conf_high": inference.conf_high,
        }
    )
    frame = frame[frame["term"].isin(fit.reported)].reset_index(drop=True)
    frame["n_obs"] = ols.n_obs
    frame["n_clusters"] = pd.array([ols.n_clusters if clustered else None] * len(frame),
                                   dtype="Int64")
    return frame


def _event_study_rows(fit: GridFit, coefficients: pd.DataFrame, shock_year: int) -> pd.DataFrame:
    years = coefficients["term"].str.removeprefix("treated_x_").astype(int)
    coefficients.insert(0, "relative_year", years - shock_year)
    coefficients.insert(0, "year", years)
    coefficients.insert(0, "reference_year", fit.reference_year)
    return coefficients


def _pretrend_row(fit: GridFit, ols: OlsFit, inference, spec: Spec) -> dict | None:
    pre_terms = [
        term for term in fit.reported
        if int(term.removeprefix("treated_x_")) < (fit.reference_year or 0)
    ]
    if not pre_terms:
        return None
    statistic, df, p_value = inference.wald_test(pre_terms)
    return {
        "reference_year": fit.reference_year,
        "statistic": statistic,
        "df": df,
        "df_denominator": inference.df_inference,
        "p_value": p_value,
        "n_pre_years": len(pre_terms),
        "n_obs": ols.n_obs,
        "n_clusters": ols.n_clusters if spec.cluster_by is not None else None,
    }


def estimate_grid(
    fits: pd.DataFrame,
    terms: pd.DataFrame,
    moments: pd.DataFrame,
    residual_moments: pd.DataFrame,
    params: pd.DataFrame,
    specs: list[Spec],
    *,
    bootstrap: WildBootstrapOptions,
    shock_year: int,
    level: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """Every spec on every fit. Returns the result tables: did_coefficients, did_fit,
    factor_coefficients, factor_fit, event_study, event_study_pretrend, skipped."""
    for spec in specs:
        if spec.cluster_by not in (None, CLUSTER_COLUMN):
            raise ValueError(
                f"seeds/specs.csv, spec {spec.name!r}: cluster_by {spec.cluster_by!r}; the "
                f"moment tables are per {CLUSTER_COLUMN}, the only cluster a spec can name"
            )
    rows_by_fit = dict(tuple(moments.groupby("fit_id", sort=False)))
    residuals_by_fit = dict(tuple(residual_moments.groupby("fit_id", sort=False)))
    skipped = params[params["status"] == "skipped"].set_index("fit_id")["reason"].to_dict()
    tables: dict[str, list] = {name: [] for name in (
        "did_coefficients", "did_fit", "factor_coefficients", "factor_fit", "event_study",
        "event_study_pretrend", "skipped",
    )}
    grid = _grid_fits(fits, terms)
    progress = _progress("estimates", len(grid))
    for done, fit in enumerate(grid, start=1):
        model = fit.keys["model"]
        if fit.fit_id in skipped:
            tables["skipped"].append({**fit.keys, "reason": skipped[fit.fit_id]})
            progress(done, fit.fit_id)
            continue
        moments_fit = _moments(fit, rows_by_fit[fit.fit_id])
        ols = OlsFit.from_moments(
            moments_fit, residual_moments_from_long(residuals_by_fit[fit.fit_id], fit.terms)
        )
        keys = {key: fit.keys[key] for key in FIT_KEYS if key != "model"}
        for spec in specs:
            options = InferenceOptions(
                bootstrap=WildBootstrapOptions(
                    reps=bootstrap.reps, weights=spec.weights, seed=bootstrap.seed
                ),
                bootstrap_terms=tuple(fit.reported),
            )
            try:
                inference = ols.infer(spec.inference, level=level, options=options)
            except EstimationError as error:
                raise EstimationError(f"fit {fit.fit_id!r} spec {spec.name!r}: {error}") from error
            header = {"spec": spec.name, **keys, "vcov_type": spec.inference}
            coefficients = _coefficient_rows(fit, ols, inference, spec)
            if model == "event_study":
                coefficients = _event_study_rows(fit, coefficients, shock_year)
                tables["event_study"].append(coefficients.assign(**header))
                pretrend = _pretrend_row(fit, ols, inference, spec)
                if pretrend is not None and spec.inference != "wild_bootstrap":
                    tables["event_study_pretrend"].append({**header, **pretrend})
                continue
            tables[f"{model}_coefficients"].append(coefficients.assign(**header))
            statistics = ols.fit_statistics()
            statistics["n_clusters"] = ols.n_clusters if spec.cluster_by is not None else None
            tables[f"{model}_fit"].append({**header, **statistics})
        progress(done, fit.fit_id)
    return {name: _frame(rows, TABLE_COLUMNS[name]) for name, rows in tables.items()}


HEADER = ["spec", "layout", "treatment_rule", "window_name", "outcome", "vcov_type"]
TABLE_COLUMNS = {
    "did_coefficients": HEADER + COEFFICIENT_COLUMNS,
    "did_fit": HEADER + FIT_COLUMNS,
    "factor_coefficients": HEADER + COEFFICIENT_COLUMNS,
    "factor_fit": HEADER + FIT_COLUMNS,
    "event_study": HEADER + ["reference_year", "year", "relative_year"] + COEFFICIENT_COLUMNS,
    "event_study_pretrend": HEADER + PRETREND_COLUMNS,
    "skipped": FIT_KEYS + ["reason"],
}


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """The rows as a frame with every column of its table, even when there are no rows (the
    stacked result then still has the column for the SQL model that selects it)."""
    if rows and isinstance(rows[0], pd.DataFrame):
        frame = pd.concat(rows, ignore_index=True)
    else:
        frame = pd.DataFrame(rows)
    return frame.reindex(columns=list(dict.fromkeys([*columns, *frame.columns])))
