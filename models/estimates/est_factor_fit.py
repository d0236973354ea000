"""Cluster-factor regression fit statistics (R2, adjusted R2, F; paper Tables 4 and 6) for
every spec x layout x estimable window x outcome.

Thin wrapper: reads mart_factor_panel, mart_data_coverage and est_run_metadata, calls
cluster_resilience.pipeline.run_factor_estimates (python/cluster_resilience/), returns the rows.
"""

from cluster_resilience.pipeline import (
    attach_run_metadata,
    run_factor_estimates,
    settings_from_run_metadata,
)


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_factor_panel").df()
    coverage = dbt.ref("mart_data_coverage").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    _, fit = run_factor_estimates(
        panel,
        coverage,
        spec_names=settings["spec_names"],
        factors=settings["factors"],
        bootstrap=settings["bootstrap"],
    )
    return attach_run_metadata(fit, run_metadata)
