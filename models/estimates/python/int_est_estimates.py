"""Every spec of seeds/specs.csv on every fit of the run grid (DID, factor regression, event
study), from the per-cluster moments and the residual pass computed in SQL: the result tables
stacked (result_table), split by the contracted SQL models est_did_coefficients, est_did_fit,
est_factor_coefficients, est_factor_fit, est_event_study, est_event_study_pretrend and the fits
est_skipped lists.

Thin wrapper over cluster_resilience.runs.grid.estimate_grid (python/cluster_resilience/).
"""

from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.runs.grid import estimate_grid
from cluster_resilience.runs.relations import to_pandas
from cluster_resilience.runs.results import stack_result_tables
from cluster_resilience.runs.specs import specs_from_registry


def model(dbt, session):
    dbt.config(materialized="table")
    run_metadata = to_pandas(dbt.ref("est_run_metadata"))
    settings = run_metadata.iloc[0]
    tables = estimate_grid(
        fits=to_pandas(dbt.ref("int_regression_fits")),
        terms=to_pandas(dbt.ref("int_regression_terms")),
        moments=to_pandas(dbt.ref("int_regression_moments")),
        residual_moments=to_pandas(dbt.ref("int_regression_residual_moments")),
        params=to_pandas(dbt.ref("int_est_params")),
        specs=specs_from_registry(to_pandas(dbt.ref("specs"))),
        bootstrap=WildBootstrapOptions(
            reps=int(settings["bootstrap_reps"]), seed=int(settings["bootstrap_seed"])
        ),
        shock_year=int(settings["shock_year"]),
    )
    return stack_result_tables(run_metadata, **tables)
