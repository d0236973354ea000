"""Estimation happens inside the engine: the dbt Python models of the DID, factor regression
and event study read only per-fit, per-term and per-cluster tables (moments computed in SQL),
never a per-observation panel (checked on the REAL build)."""

from __future__ import annotations

import json

import duckdb
import pytest

pytestmark = pytest.mark.e2e

ESTIMATE_MODELS = ("int_est_params", "int_est_estimates")
ALLOWED_INPUTS = {
    "int_regression_fits", "int_regression_terms", "int_regression_moments",
    "int_regression_residual_moments", "int_est_params", "est_run_metadata", "specs",
}


@pytest.fixture(scope="module")
def manifest(built_warehouse):
    return json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    """The build's full dbt database (the published file holds only the public tables)."""
    build_file = built_warehouse.with_name(built_warehouse.stem + ".build.duckdb")
    connection = duckdb.connect(str(build_file), read_only=True)
    yield connection
    connection.close()


def test_python_estimate_models_read_only_moment_tables(manifest):
    nodes = {node["name"]: node for node in manifest["nodes"].values()}
    for name in ESTIMATE_MODELS:
        parents = {
            manifest["nodes"][parent]["name"] for parent in nodes[name]["depends_on"]["nodes"]
        }
        assert parents <= ALLOWED_INPUTS, (name, parents - ALLOWED_INPUTS)


def test_moment_rows_are_per_cluster_not_per_observation(warehouse):
    rows = warehouse.execute(
        """
        with terms as (
            select fit_id, count(*) as k from intermediate.int_regression_terms group by fit_id
        ),
        moments as (
            select fit_id, count(*) as n_rows, count(distinct cluster_id) as n_clusters
            from intermediate.int_regression_moments group by fit_id
        )
        select fits.fit_id, fits.n_obs, fits.n_clusters, moments.n_rows,
               moments.n_clusters as moment_clusters, terms.k
        from intermediate.int_regression_fits as fits
        inner join moments on fits.fit_id = moments.fit_id
        inner join terms on fits.fit_id = terms.fit_id
        """
    ).fetchall()
    assert rows
    for fit_id, _n_obs, n_clusters, n_rows, moment_clusters, k in rows:
        assert moment_clusters == n_clusters, fit_id
        # at most k(k+1)/2 'xx' + k 'xy' + 'yy' + 'n' rows per cluster, whatever the rows
        assert n_rows <= n_clusters * (k * (k + 1) // 2 + k + 2), fit_id
    paper = [row for row in rows if row[0].startswith("did|paper|")]
    assert paper and all(n_rows < n_obs for _, n_obs, _, n_rows, _, _ in paper)
    total_obs = sum(row[1] for row in rows)
    total_moment_rows = sum(row[3] for row in rows)
    print(f"{len(rows)} fits: {total_obs:,} observations, {total_moment_rows:,} moment rows")
