"""Shared fixtures. Every dataset here is SYNTHETIC (seeded simulations), except the end-to-end
tests, which build the warehouse from the real shipped files in data/raw/."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def simulate_did_panel(
    rng: np.random.Generator,
    *,
    n_states: int = 50,
    rows_per_state: int = 1,
    effect: float = 0.0,
    state_shock_sd: float = 0.02,
    noise_sd: float = 0.01,
) -> pd.DataFrame:
    """SYNTHETIC two-period DID panel: half the states treated, a state x period shock shared
    by all of a state's rows (as in the paper's repeated-row layout), plus row noise."""
    states = np.arange(n_states)
    treated_states = rng.permutation(states)[: n_states // 2]
    rows = []
    for period in (0, 1):
        shock = rng.normal(0, state_shock_sd, n_states)
        for state in states:
            treated = int(state in treated_states)
            base = 0.03 - 0.04 * period - 0.01 * treated + effect * period * treated
            y = base + shock[state] + rng.normal(0, noise_sd, rows_per_state)
            for value in y:
                rows.append((f"{state:02d}", period, treated, value))
    return pd.DataFrame(rows, columns=["state_fips", "period", "treated", "growth_rate"])


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20200311)


@pytest.fixture
def did_panel(rng) -> pd.DataFrame:
    return simulate_did_panel(rng, rows_per_state=5, effect=0.02)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """The REAL warehouse, built once per test session from the shipped data/raw/ files through
    the production entry point (cluster_resilience.warehouse.build: dbt build with every data
    and unit test, then publish). Read it with duckdb.connect(path, read_only=True)."""
    from cluster_resilience.warehouse.build import build_warehouse

    reuse = os.environ.get("CLUSTER_TEST_WAREHOUSE_DIR")
    if reuse:  # development only: a directory with a built cluster_resilience.duckdb and target/
        return Path(reuse) / "cluster_resilience.duckdb"
    scratch = tmp_path_factory.mktemp("warehouse")
    published = scratch / "cluster_resilience.duckdb"
    environment = {
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        seconds = build_warehouse(project_dir=ROOT, published=published)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    print(f"built the test warehouse in {seconds:.1f} s")
    return published
