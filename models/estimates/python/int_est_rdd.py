"""Regression discontinuity at the USCM strong-cluster cutoff: estimate rows (fuzzy and
intention-to-treat), check rows (density test, placebos, donut, bandwidths) and RD plot data
stacked (result_table), split into est_rdd, est_rdd_checks and est_rdd_plot_data.

Thin wrapper: reads mart_rdd_panel and est_run_metadata and calls
cluster_resilience.runs.rdd.run_rdd_estimates (python/cluster_resilience/), which estimates with
rdrobust and rddensity.
"""

from cluster_resilience.runs.rdd import run_rdd_estimates
from cluster_resilience.runs.relations import to_pandas
from cluster_resilience.runs.results import stack_result_tables


def model(dbt, session):
    dbt.config(materialized="table")
    panel = to_pandas(dbt.ref("mart_rdd_panel"))
    run_metadata = to_pandas(dbt.ref("est_run_metadata"))
    rdd, checks, plot_data = run_rdd_estimates(panel)
    return stack_result_tables(run_metadata, rdd=rdd, checks=checks, plot_data=plot_data)
