"""Coefficients of every fit of the run grid, solved from the per-cluster moments computed in
SQL (int_regression_moments): the input of the SQL residual pass
(int_regression_residual_moments). A fit the data cannot identify gets one 'skipped' row with
the reason.

Thin wrapper over cluster_resilience.runs.grid.fit_params (python/cluster_resilience/).
"""

from cluster_resilience.runs.grid import fit_params


def model(dbt, session):
    dbt.config(materialized="table")
    fits = dbt.ref("int_regression_fits").df()
    terms = dbt.ref("int_regression_terms").df()
    moments = dbt.ref("int_regression_moments").df()
    return fit_params(fits, terms, moments)
