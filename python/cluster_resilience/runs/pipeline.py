"""Loops the estimators over specs x layouts x estimable windows x outcomes.

The dbt Python models in models/estimates/ call these functions with the marts they read and
return the frames; all the logic (which groups are estimable, how a spec maps to a vcov) is here,
as plain functions the tests call directly.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cluster_resilience.estimators.did import ModelEstimate, estimate_did
from cluster_resilience.estimators.factors import estimate_factors
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.ols import EstimationError
from cluster_resilience.runs.specs import get_spec

COEFFICIENT_COLUMNS = [
    "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
    "n_obs", "n_clusters",
]
FIT_COLUMNS = [
    "r2", "adj_r2", "f_stat", "f_p_value", "df_model", "df_resid", "n_obs", "n_clusters",
]

Estimator = Callable[..., ModelEstimate]


def estimable_windows(coverage: pd.DataFrame, flag: str) -> set[tuple[str, str]]:
    """(window_name, outcome) pairs that ``mart_data_coverage`` marks estimable by ``flag``."""
    windows = coverage[coverage["coverage_level"] == "window"]
    estimable = windows[windows[flag].fillna(False).astype(bool)]
    return set(zip(estimable["window_name"], estimable["outcome"], strict=True))


def run_grid(
    panel: pd.DataFrame,
    *,
    group_keys: list[str],
    estimable: set[tuple[str, str]],
    spec_names: list[str],
    estimator: Estimator,
    bootstrap: WildBootstrapOptions,
    **estimator_kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Estimate every spec on every estimable group of ``panel``.

    Returns (coefficients, fit): one row per group x spec x term, and per group x spec.
    """
    specs = [get_spec(name) for name in spec_names]
    coefficient_frames, fit_rows = [], []
    for group, rows in panel.groupby(group_keys, sort=True, dropna=False):
        labels = dict(zip(group_keys, group, strict=True))
        if (labels["window_name"], labels["outcome"]) not in estimable:
            continue
        for spec in specs:
            options = WildBootstrapOptions(
                reps=bootstrap.reps, weights=spec.weights, seed=bootstrap.seed
            )
            try:
                estimate = estimator(
                    rows, vcov=spec.vcov, cluster=spec.cluster, bootstrap=options,
                    **estimator_kwargs,
                )
            except EstimationError as error:
                raise EstimationError(f"{labels} spec {spec.name!r}: {error}") from error
            header = {"spec": spec.name, **labels, "vcov_type": spec.vcov}
            coefficients = estimate.coefficients[COEFFICIENT_COLUMNS].assign(**header)
            coefficient_frames.append(coefficients)
            fit = {key: estimate.fit[key] for key in FIT_COLUMNS}
            fit_rows.append({**header, **fit})
    key_columns = ["spec", *group_keys, "vcov_type"]
    if coefficient_frames:
        coefficients = pd.concat(coefficient_frames, ignore_index=True)
    else:
        coefficients = pd.DataFrame(columns=COEFFICIENT_COLUMNS + key_columns)
    coefficients = coefficients[key_columns + COEFFICIENT_COLUMNS]
    fit = pd.DataFrame(fit_rows, columns=key_columns + FIT_COLUMNS)
    return coefficients, fit


def run_did_estimates(
    panel: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    spec_names: list[str],
    bootstrap: WildBootstrapOptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DID estimates from ``mart_did_panel`` for every estimable window x outcome and layout."""
    return run_grid(
        panel,
        group_keys=["layout", "treatment_rule", "window_name", "outcome"],
        estimable=estimable_windows(coverage, "is_estimable_did"),
        spec_names=spec_names,
        estimator=estimate_did,
        bootstrap=bootstrap,
    )


def run_factor_estimates(
    panel: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    spec_names: list[str],
    factors: list[str],
    bootstrap: WildBootstrapOptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Factor-regression estimates from ``mart_factor_panel`` (both years of each window)."""
    return run_grid(
        panel,
        group_keys=["layout", "window_name", "outcome"],
        estimable=estimable_windows(coverage, "is_estimable_factor"),
        spec_names=spec_names,
        estimator=estimate_factors,
        bootstrap=bootstrap,
        factors=factors,
    )


RUN_METADATA_COLUMNS = ["run_id", "run_started_at", "git_revision", "data_vintages"]


def settings_from_run_metadata(run_metadata: pd.DataFrame) -> dict:
    """Specs, factors and bootstrap options from the one-row ``est_run_metadata`` table."""
    if len(run_metadata) != 1:
        raise ValueError(f"est_run_metadata must have exactly one row, found {len(run_metadata)}")
    row = run_metadata.iloc[0]
    return {
        "spec_names": [str(name) for name in row["specs"]],
        "factors": [str(name) for name in row["factors"]],
        "bootstrap": WildBootstrapOptions(
            reps=int(row["bootstrap_reps"]), seed=int(row["bootstrap_seed"])
        ),
    }


def attach_run_metadata(frame: pd.DataFrame, run_metadata: pd.DataFrame) -> pd.DataFrame:
    """Append the run's id, start time, git revision and data vintages to every row."""
    row = run_metadata.iloc[0]
    return frame.assign(**{column: row[column] for column in RUN_METADATA_COLUMNS})


def stack_result_tables(run_metadata: pd.DataFrame, **tables: pd.DataFrame) -> pd.DataFrame:
    """One frame holding several result tables of one estimation pass, told apart by a
    ``result_table`` column, each row with the run metadata attached.

    A dbt Python model returns one frame; estimating once and splitting afterwards (the public
    SQL models select their ``result_table`` with typed columns, see
    macros/select_result_table.sql) halves the work of estimating coefficients and fit apart.
    """
    frames = [
        attach_run_metadata(frame, run_metadata).assign(result_table=name)
        for name, frame in tables.items()
    ]
    stacked = pd.concat(frames, ignore_index=True, sort=False)
    # Columns that exist in only some tables are NULL elsewhere; keep booleans and strings as
    # objects with None (not float NaN) so the warehouse types them cleanly.
    for column in stacked.columns:
        if stacked[column].dtype == object:
            stacked[column] = stacked[column].astype(object).where(stacked[column].notna(), None)
    return stacked
