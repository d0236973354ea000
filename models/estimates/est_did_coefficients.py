"""DID coefficients (paper Equation 1) for every spec x layout x estimable window x outcome.

Thin wrapper: reads mart_did_panel, mart_data_coverage and est_run_metadata, calls
cluster_resilience.pipeline.run_did_estimates (python/cluster_resilience/), returns the rows.
"""

from cluster_resilience.pipeline import (
    attach_run_metadata,
    run_did_estimates,
    settings_from_run_metadata,
)


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_did_panel").df()
    coverage = dbt.ref("mart_data_coverage").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    coefficients, _ = run_did_estimates(
        panel,
        coverage,
        spec_names=settings["spec_names"],
        bootstrap=settings["bootstrap"],
    )
    return attach_run_metadata(coefficients, run_metadata)
