"""Coefficients of every fit of the run grid, solved from the per-cluster moments computed in
SQL (int_regression_moments): the input of the SQL residual pass
(int_regression_residual_moments). A fit the data cannot identify gets one 'skipped' row with
the reason.

Thin wrapper over cluster_resilience.runs.grid.fit_params (python/cluster_resilience/).
"""

from cluster_resilience.runs.grid import fit_params
from cluster_resilience.runs.relations import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    fits = to_pandas(dbt.ref("int_regression_fits"))
    terms = to_pandas(dbt.ref("int_regression_terms"))
    moments = to_pandas(dbt.ref("int_regression_moments"))
    return fit_params(fits, terms, moments)
