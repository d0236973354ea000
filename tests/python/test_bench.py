"""The county benchmark's path on a small SYNTHETIC panel (models/bench, `make bench`): the
project's SQL (rendered by dbt) and estimators agree with pyfixest and recover a planted effect.

20,000 rows: 300 counties in 20 states, 10 years; the planted DID effect is 0.5."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cluster_resilience.bench.did import CLUSTER, DID_TERM, PYFIXEST_FORMULA, pyfixest_did
from cluster_resilience.bench.render import BenchRenderer, default_panel, duckdb_path
from cluster_resilience.bench.steps import (
    PULL_QUERY,
    duckdb_generate,
    duckdb_moments,
    duckdb_solve,
)

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000
REPS = 999
SEED = 20200311


@pytest.fixture(scope="module")
def panel_shape() -> dict:
    return {**default_panel(ROOT), "counties": 300, "states": 20, "years": 10, "first_year": 2015,
            "post_year": 2020, "effect": 0.5}


@pytest.fixture(scope="module")
def bench(panel_shape):
    """The bench models rendered by dbt and built in a scratch DuckDB file, then solved: the
    benchmark's own steps, run in this process. The scratch directory is kept under target/ so
    that dbt parses the project partially on the next run (a full parse is most of the time)."""
    work_dir = ROOT / "target" / "bench_test"
    work_dir.mkdir(parents=True, exist_ok=True)
    for stale in (duckdb_path(work_dir), duckdb_path(work_dir).with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    sql = BenchRenderer(ROOT, work_dir, "duckdb").render(ROWS, panel=panel_shape)
    config = {
        "duckdb_path": str(duckdb_path(work_dir)), "threads": 2, "reps": REPS, "seed": SEED,
        "work_dir": str(work_dir), "sql": sql.to_json(),
    }
    generated = duckdb_generate(config)
    moments = duckdb_moments(config)
    solved = duckdb_solve(config)
    import duckdb

    connection = duckdb.connect(config["duckdb_path"], read_only=True)
    data = connection.execute(
        PULL_QUERY.format(relation=sql.relations["bench_panel"])
    ).df()
    connection.close()
    return {"generated": generated, "moments": moments, "solved": solved, "data": data}


def test_the_panel_is_generated_in_the_engine_at_the_requested_size(bench, panel_shape):
    data = bench["data"]
    assert bench["generated"]["rows"] == ROWS == len(data)
    assert data["county_id"].nunique() == panel_shape["counties"]
    assert data["state_id"].nunique() == panel_shape["states"]
    assert data["year"].nunique() == panel_shape["years"]
    # counties nest in states; cells are county x year
    assert data.groupby("county_id")["state_id"].nunique().max() == 1
    assert bench["moments"]["cells"] == panel_shape["counties"] * panel_shape["years"]
    treated_share = data.groupby("county_id")["treated_x_post"].max().mean()
    assert 0.2 < treated_share < 0.4


def test_moments_path_equals_pyfixest_feols_with_county_and_year_effects(bench, panel_shape):
    """Coefficient and CRV1 SE by state (every fixed-effect level counted, as ours) to 1e-8."""
    ours = bench["solved"]
    reference = pyfixest_did(
        bench["data"], reps=REPS, seed=SEED, planted_effect=panel_shape["effect"]
    )
    assert ours["n_obs"] == reference["n_obs"] == ROWS
    assert ours["estimate"] == pytest.approx(reference["estimate"], rel=1e-8, abs=1e-10)
    assert ours["crv1_se"] == pytest.approx(reference["crv1_se"], rel=1e-8)
    assert ours["crv1_p"] == pytest.approx(reference["crv1_p"], rel=1e-6)
    # the within (Frisch-Waugh-Lovell) data the benchmark bootstraps pyfixest on: the same
    # coefficient, and the same bootstrap up to the year effects (not nested in the clusters)
    assert reference["within_estimate"] == pytest.approx(reference["estimate"], rel=1e-8)
    assert reference["boot_p_planted"] == pytest.approx(ours["boot_p_planted"], abs=5 / REPS)


def test_wild_bootstrap_equals_pyfixest_wildboottest_on_the_full_dummy_model(bench, panel_shape):
    """pyfixest's own Feols.wildboottest (every effect a dummy: feasible at this size) with the
    same seed draws the same Rademacher weights, so the p-values agree (up to a draw tied with
    |t|): of H0: effect = 0 (at the bound here) and of H0: effect = the planted effect (the
    same test of y - planted x treated_x_post, wildboottest testing zero only)."""
    pyfixest = pytest.importorskip("pyfixest")
    ours = bench["solved"]
    data = bench["data"]
    fit = pyfixest.feols(PYFIXEST_FORMULA, data=data, vcov={"CRV1": CLUSTER})
    reference = fit.wildboottest(param=DID_TERM, reps=REPS, seed=SEED)
    assert ours["boot_p"] == pytest.approx(float(reference["Pr(>|t|)"]), abs=1.5 / REPS)
    shifted = data.assign(y=data["y"] - panel_shape["effect"] * data[DID_TERM])
    fit = pyfixest.feols(PYFIXEST_FORMULA, data=shifted, vcov={"CRV1": CLUSTER})
    reference = fit.wildboottest(param=DID_TERM, reps=REPS, seed=SEED)
    assert 0.05 < ours["boot_p_planted"] < 0.95
    assert ours["boot_p_planted"] == pytest.approx(float(reference["Pr(>|t|)"]), abs=1.5 / REPS)


def test_planted_effect_is_recovered(bench, panel_shape):
    ours = bench["solved"]
    effect = panel_shape["effect"]
    assert abs(ours["estimate"] - effect) < 3 * ours["crv1_se"]
    low, high = ours["boot_ci"]
    assert low < effect < high
    assert ours["boot_p"] < 0.01 and ours["crv1_p"] < 0.01
    assert ours["n_clusters"] == panel_shape["states"]
    # year effects: a 0.02 trend per year and a -0.1 dip in the post year (bench_panel.sql)
    years = ours["year_effects"]
    dip = years[f"year_{panel_shape['post_year']}"] - years[f"year_{panel_shape['post_year'] - 1}"]
    assert dip == pytest.approx(0.02 - 0.1, abs=0.08)
    assert np.isfinite(list(years.values())).all()
