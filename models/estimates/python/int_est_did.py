"""The paper's DID (Equation 1) for every spec x layout x estimable window x outcome: coefficient
and fit rows stacked (result_table), split into est_did_coefficients and est_did_fit.

Thin wrapper: reads mart_did_panel, mart_data_coverage and est_run_metadata and calls
cluster_resilience.runs.pipeline.run_did_estimates (python/cluster_resilience/).
"""

from cluster_resilience.runs.pipeline import (
    run_did_estimates,
    settings_from_run_metadata,
    stack_result_tables,
)


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_did_panel").df()
    coverage = dbt.ref("mart_data_coverage").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    coefficients, fit = run_did_estimates(
        panel, coverage, spec_names=settings["spec_names"], bootstrap=settings["bootstrap"]
    )
    return stack_result_tables(run_metadata, coefficients=coefficients, fit=fit)
