"""The paper's cluster-factor regression (Tables 4 and 6) for every spec x layout x estimable
window x outcome: coefficient and fit rows stacked (result_table), split into
est_factor_coefficients and est_factor_fit.

Thin wrapper: reads mart_factor_panel, mart_data_coverage and est_run_metadata and calls
cluster_resilience.runs.pipeline.run_factor_estimates (python/cluster_resilience/).
"""

from cluster_resilience.runs.pipeline import (
    run_factor_estimates,
    settings_from_run_metadata,
    stack_result_tables,
)


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_factor_panel").df()
    coverage = dbt.ref("mart_data_coverage").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    coefficients, fit = run_factor_estimates(
        panel,
        coverage,
        spec_names=settings["spec_names"],
        factors=settings["factors"],
        bootstrap=settings["bootstrap"],
    )
    return stack_result_tables(run_metadata, coefficients=coefficients, fit=fit)
