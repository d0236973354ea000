"""Checks of the regression discontinuity: density test, placebo cutoffs and outcomes, donut,
bandwidth sensitivity.

Thin wrapper: reads mart_rdd_panel and est_run_metadata, calls
cluster_resilience.rdd_pipeline.run_rdd_estimates (python/cluster_resilience/), returns the
est_rdd_checks rows with the run metadata attached.
"""

from cluster_resilience.pipeline import attach_run_metadata
from cluster_resilience.rdd_pipeline import run_rdd_estimates


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_rdd_panel").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    _, checks = run_rdd_estimates(panel)
    return attach_run_metadata(checks, run_metadata)
