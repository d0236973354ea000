"""Regression discontinuity at the USCM strong-cluster cutoff: estimate rows (fuzzy and
intention-to-treat) and check rows (density test, placebos, donut, bandwidths) stacked
(result_table), split into est_rdd and est_rdd_checks.

Thin wrapper: reads mart_rdd_panel and est_run_metadata and calls
cluster_resilience.runs.rdd.run_rdd_estimates (python/cluster_resilience/).
"""

from cluster_resilience.runs.rdd import run_rdd_estimates
from cluster_resilience.runs.relations import to_pandas
from cluster_resilience.runs.results import stack_result_tables


def model(dbt, session):
    dbt.config(materialized="table")
    panel = to_pandas(dbt.ref("mart_rdd_panel"))
    run_metadata = to_pandas(dbt.ref("est_run_metadata"))
    rdd, checks = run_rdd_estimates(panel)
    return stack_result_tables(run_metadata, rdd=rdd, checks=checks)
