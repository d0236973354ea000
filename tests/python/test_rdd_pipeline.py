"""Tests of cluster_resilience.runs.rdd: the RDD at the USCM cutoff, from panel to tables.

The panels here are SYNTHETIC (seeded simulations shaped like mart_rdd_panel), except the
end-to-end test, which reads the warehouse built from the real shipped files.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
from cluster_resilience.runs.rdd import (
    CHECK_COLUMNS,
    OUTCOMES,
    RDD_COLUMNS,
    RUNNING_VARIABLES,
    RddSettings,
    run_rdd_estimates,
)

EFFECT = 0.10  # planted effect of strong_b on the outcome (log points)
TAKE_UP = 0.8  # P(strong | above the cutoff): the size tests pass
REL_TOL = 1e-6
CI_TOL = 1e-4  # p-values and the density statistic (absolute)


def simulate_panel(
    seed: int,
    *,
    n_states: int = 50,
    n_clusters: int = 51,
    effect: float = EFFECT,
    take_up: float = TAKE_UP,
) -> pd.DataFrame:
    """SYNTHETIC mart_rdd_panel: log running variable with the cutoff at 0, fuzzy take-up above
    it, an outcome with a smooth trend, a state shock and a planted jump of ``effect`` for strong
    rows; placebo outcomes and placebo running variables with no jump at all."""
    rng = np.random.default_rng(seed)
    n = n_states * n_clusters
    state = np.repeat(np.arange(1, n_states + 1), n_clusters)
    cluster = np.tile(np.arange(1, n_clusters + 1), n_states)
    x = rng.normal(-0.5, 0.8, n)  # ln(lq) - ln(cutoff); about 27 % above the cutoff
    lq_cutoff = rng.uniform(1.0, 1.6, n_clusters)[cluster - 1]
    lq = lq_cutoff * np.exp(x)
    above = x >= 0
    passes_size = rng.uniform(size=n) < take_up
    strong = above & passes_size
    state_shock = rng.normal(0, 0.03, n_states)[state - 1]
    trend = 0.02 + 0.05 * x - 0.01 * x**2
    y = trend + effect * strong + state_shock + rng.normal(0, 0.1, n)
    panel = pd.DataFrame(
        {
            "state_fips": [f"{s:02d}" for s in state],
            "cluster_code": cluster,
            "lq": lq,
            "lq_cutoff": lq_cutoff,
            "running_variable": x,
            "running_variable_linear": lq - lq_cutoff,
            "is_above_cutoff": above,
            "is_strong": strong,
            "passes_size_tests": passes_size,
            "placebo_low_percentile": 0.65,
            "placebo_high_percentile": 0.85,
            # placebo cutoffs 25 % below and 25 % above the real one: no jump at either
            "running_variable_placebo_low": x + math.log(1.25),
            "running_variable_placebo_high": x - math.log(1.25),
            "outcome_emp_change_2019_2021": y,
            "outcome_emp_change_2019_2021_vs_state": y - state_shock,
        }
    )
    for column in (
        "placebo_emp_change_2014_2016",
        "placebo_emp_change_2015_2016",
        "placebo_emp_change_2018_2019",
    ):
        panel[column] = 0.03 + 0.04 * x + rng.normal(0, 0.1, n)
    # like the mart: some outcomes are not comparable across years and are NULL
    missing = rng.uniform(size=n) < 0.05
    panel.loc[missing, "outcome_emp_change_2019_2021"] = np.nan
    panel.loc[missing, "outcome_emp_change_2019_2021_vs_state"] = np.nan
    return panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(20200311)


@pytest.fixture(scope="module")
def tables(panel) -> tuple[pd.DataFrame, pd.DataFrame]:
    return run_rdd_estimates(panel)


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = np.logical_and.reduce([frame[key] == value for key, value in keys.items()])
    matches = frame[mask]
    assert len(matches) == 1, keys
    return matches.iloc[0]


MAIN = {"outcome": OUTCOMES[0], "running_variable": RUNNING_VARIABLES[0]}


# ----------------------------------------------------------------------- shape --


def test_tables_have_one_row_per_spec_outcome_running_variable_and_check(tables) -> None:
    rdd, checks = tables
    assert list(rdd.columns) == RDD_COLUMNS
    assert list(checks.columns) == CHECK_COLUMNS
    assert len(rdd) == 2 * len(OUTCOMES) * len(RUNNING_VARIABLES)
    assert set(rdd["spec"]) == {"rdd_fuzzy_mserd_triangular", "rdd_sharp_itt_mserd_triangular"}
    assert not rdd.duplicated(["spec", "outcome", "running_variable"]).any()
    assert list(checks["check_name"]) == [
        "density_test",
        "placebo_cutoff_p65",
        "placebo_cutoff_p85",
        "placebo_outcome_2014_2016",
        "placebo_outcome_2015_2016",
        "placebo_outcome_2018_2019",
        "donut",
        "bandwidth_half",
        "bandwidth_double",
    ]
    assert rdd["assessment"].str.len().min() > 0
    assert checks["interpretation"].str.len().min() > 0


# -------------------------------------------------------------------- recovery --


def test_fuzzy_rdd_recovers_the_planted_effect_and_first_stage(tables) -> None:
    rdd, _ = tables
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    assert fuzzy["conf_low_robust"] < EFFECT < fuzzy["conf_high_robust"]
    assert fuzzy["estimate"] == pytest.approx(EFFECT, abs=0.05)
    assert fuzzy["first_stage_conf_low"] < TAKE_UP < fuzzy["first_stage_conf_high"]
    assert fuzzy["first_stage_f"] > 10
    assert fuzzy["design_strength"] == "adequate"
    assert fuzzy["treatment"] == "is_strong"
    # the reduced form is the effect scaled by the first stage
    itt = row(rdd, spec="rdd_sharp_itt_mserd_triangular", **MAIN)
    assert itt["conf_low_robust"] < EFFECT * TAKE_UP < itt["conf_high_robust"]
    assert pd.isna(itt["first_stage_estimate"]) and pd.isna(itt["treatment"])
    # one-sided non-compliance: fuzzy and reduced form share the (sharp) bandwidth
    assert fuzzy["h_left"] == pytest.approx(itt["h_left"], rel=1e-12)
    assert fuzzy["estimate"] == pytest.approx(itt["estimate"] / fuzzy["first_stage_estimate"])


def test_rows_without_outcome_are_dropped_and_counted(panel, tables) -> None:
    rdd, _ = tables
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    n_missing = int(panel[OUTCOMES[0]].isna().sum())
    assert fuzzy["n_dropped"] == n_missing
    assert fuzzy["n_obs"] == len(panel) - n_missing
    assert fuzzy["n_total_left"] + fuzzy["n_total_right"] == fuzzy["n_obs"]
    complete = panel[panel[OUTCOMES[0]].notna()]
    near = complete["running_variable"].abs() < 0.1
    assert fuzzy["n_within_0_1"] == int(near.sum())
    assert fuzzy["n_within_0_1_above"] == int((near & (complete["running_variable"] >= 0)).sum())


def test_checks_find_no_jump_where_none_was_planted(panel, tables) -> None:
    _, checks = tables
    for name in (
        "density_test",
        "placebo_cutoff_p65",
        "placebo_cutoff_p85",
        "placebo_outcome_2015_2016",
        "placebo_outcome_2018_2019",
    ):
        check = row(checks, check_name=name)
        assert check["p_value"] > 0.05, name
        assert not check["rejects_at_5pct"]
        assert math.isfinite(check["h_left"]) and check["h_left"] > 0
    # each placebo cutoff uses only the rows on its side of the real cutoff
    complete = panel[panel[OUTCOMES[0]].notna()]
    below = int((complete["running_variable"] < 0).sum())
    assert row(checks, check_name="placebo_cutoff_p65")["n_obs"] == below
    assert row(checks, check_name="placebo_cutoff_p85")["n_obs"] == len(complete) - below
    donut = row(checks, check_name="donut")
    assert donut["n_obs"] == int((complete["running_variable"].abs() >= 0.02).sum())
    half = row(checks, check_name="bandwidth_half")
    double = row(checks, check_name="bandwidth_double")
    assert double["h_left"] == pytest.approx(4 * half["h_left"])


# ------------------------------------------------------------ agreement: rdrobust --


rdrobust = pytest.importorskip("rdrobust")
rddensity = pytest.importorskip("rddensity")


def reference_rdd(y: np.ndarray, x: np.ndarray, t: np.ndarray | None):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rdrobust.rdrobust(y, x, c=0, fuzzy=t, kernel="triangular", bwselect="mserd")


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("running", RUNNING_VARIABLES)
@pytest.mark.parametrize("design", ["fuzzy", "sharp"])
def test_rows_equal_a_direct_rdrobust_call(panel, tables, outcome, running, design) -> None:
    rdd, _ = tables
    ours = row(rdd, outcome=outcome, running_variable=running, design=design)
    complete = panel[panel[outcome].notna() & panel[running].notna()]
    y = complete[outcome].to_numpy(float)
    x = complete[running].to_numpy(float)
    t = complete["is_strong"].to_numpy(float) if design == "fuzzy" else None
    ref = reference_rdd(y, x, t)
    assert ours["estimate"] == pytest.approx(ref.coef.iloc[0, 0], rel=REL_TOL)
    assert ours["estimate_bc"] == pytest.approx(ref.coef.iloc[1, 0], rel=REL_TOL)
    assert ours["std_error"] == pytest.approx(ref.se.iloc[0, 0], rel=REL_TOL)
    assert ours["std_error_robust"] == pytest.approx(ref.se.iloc[2, 0], rel=REL_TOL)
    assert ours["h_left"] == pytest.approx(ref.bws.iloc[0, 0], rel=REL_TOL)
    assert ours["h_right"] == pytest.approx(ref.bws.iloc[0, 1], rel=REL_TOL)
    assert ours["b_left"] == pytest.approx(ref.bws.iloc[1, 0], rel=REL_TOL)
    assert ours["b_right"] == pytest.approx(ref.bws.iloc[1, 1], rel=REL_TOL)
    assert ours["conf_low_robust"] == pytest.approx(ref.ci.iloc[2, 0], rel=REL_TOL)
    assert ours["conf_high_robust"] == pytest.approx(ref.ci.iloc[2, 1], rel=REL_TOL)
    assert ours["p_value_robust"] == pytest.approx(ref.pv.iloc[2, 0], abs=CI_TOL)
    assert (ours["n_left"], ours["n_right"]) == (int(ref.N_h[0]), int(ref.N_h[1]))
    if design == "fuzzy":
        assert ours["first_stage_estimate"] == pytest.approx(ref.tau_T.iloc[0, 0], rel=REL_TOL)
        assert ours["first_stage_conf_low"] == pytest.approx(ref.ci_T.iloc[2, 0], abs=CI_TOL)
        assert ours["first_stage_conf_high"] == pytest.approx(ref.ci_T.iloc[2, 1], abs=CI_TOL)


def test_placebo_cutoff_row_equals_a_direct_rdrobust_call(panel, tables) -> None:
    _, checks = tables
    ours = row(checks, check_name="placebo_cutoff_p85")
    side = panel[panel["running_variable"] >= 0]
    side = side[side[OUTCOMES[0]].notna()]
    y = side[OUTCOMES[0]].to_numpy(float)
    ref = reference_rdd(y, side["running_variable_placebo_high"].to_numpy(float), None)
    assert ours["estimate"] == pytest.approx(ref.coef.iloc[0, 0], rel=REL_TOL)
    assert ours["h_left"] == pytest.approx(ref.bws.iloc[0, 0], rel=REL_TOL)
    assert ours["conf_low"] == pytest.approx(ref.ci.iloc[2, 0], rel=REL_TOL)
    assert ours["conf_high"] == pytest.approx(ref.ci.iloc[2, 1], rel=REL_TOL)


def test_density_row_equals_a_direct_rddensity_call(panel, tables) -> None:
    _, checks = tables
    ours = row(checks, check_name="density_test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rddensity.rddensity(panel["running_variable"].to_numpy(float), c=0)
    assert ours["statistic"] == pytest.approx(ref.test["t_jk"], abs=CI_TOL)
    assert ours["p_value"] == pytest.approx(ref.test["p_jk"], abs=CI_TOL)
    assert ours["h_left"] == pytest.approx(ref.h["left"], rel=REL_TOL)
    assert ours["h_right"] == pytest.approx(ref.h["right"], rel=REL_TOL)
    assert (ours["n_left"], ours["n_right"]) == (ref.n["eff_left"], ref.n["eff_right"])


# ------------------------------------------------------------ weak designs: honest rows --


def test_weak_first_stage_is_reported_not_skipped() -> None:
    weak_panel = simulate_panel(7, take_up=0.05)
    rdd, checks = run_rdd_estimates(weak_panel)
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    assert fuzzy["design_strength"] == "weak"
    assert "weak because" in fuzzy["assessment"]
    assert math.isfinite(fuzzy["estimate"]) and math.isfinite(fuzzy["h_left"])
    assert len(checks) == 9


def test_few_rows_near_the_cutoff_are_flagged() -> None:
    small = simulate_panel(11, n_states=6, n_clusters=10)
    rdd, _ = run_rdd_estimates(small, RddSettings(min_effective_n=40))
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    assert fuzzy["design_strength"] == "weak"
    assert "rows within the bandwidth" in fuzzy["assessment"]


def test_unestimable_design_still_gets_rows_with_the_reason() -> None:
    one_sided = simulate_panel(3)
    for column in RUNNING_VARIABLES:
        one_sided[column] = -one_sided[column].abs() - 0.01  # every row below the cutoff
    one_sided["is_strong"] = False
    rdd, checks = run_rdd_estimates(one_sided)
    assert len(rdd) == 8 and len(checks) == 9
    assert (rdd["design_strength"] == "not_estimable").all()
    assert rdd["estimate"].isna().all()
    assert rdd["assessment"].str.startswith("NOT ESTIMABLE").all()
    assert checks.loc[checks["estimate"].isna(), "interpretation"].str.startswith(
        "NOT ESTIMABLE"
    ).all()


def test_missing_columns_and_bad_settings_fail_with_their_names(panel) -> None:
    with pytest.raises(ValueError, match="running_variable_placebo_low"):
        run_rdd_estimates(panel.drop(columns=["running_variable_placebo_low"]))
    with pytest.raises(ValueError, match="kernel"):
        RddSettings(kernel="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_effective_n"):
        RddSettings(min_effective_n=0)


# -------------------------------------------------------------------- end to end --


@pytest.mark.e2e
def test_real_warehouse_has_the_rdd_tables(built_warehouse) -> None:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        rdd = connection.execute("select * from est_rdd").df()
        checks = connection.execute("select * from est_rdd_checks").df()
        n_panel = connection.execute("select count(*) from mart_rdd_panel").fetchone()[0]
    finally:
        connection.close()
    assert n_panel == 2550
    assert len(rdd) == 8
    assert set(zip(rdd["spec"], rdd["outcome"], rdd["running_variable"], strict=True)) == {
        (spec, outcome, running)
        for spec in ("rdd_fuzzy_mserd_triangular", "rdd_sharp_itt_mserd_triangular")
        for outcome in OUTCOMES
        for running in RUNNING_VARIABLES
    }
    for frame in (rdd, checks):
        for column in ("h_left", "h_right"):
            values = frame[column].to_numpy(float)
            assert np.all(np.isfinite(values) & (values > 0)), column
    assert rdd["run_id"].notna().all() and rdd["assessment"].notna().all()
    fuzzy = rdd[rdd["design"] == "fuzzy"]
    assert (fuzzy["first_stage_estimate"] > 0).all()
    assert set(checks["check_name"]) == {
        "density_test",
        "placebo_cutoff_p65",
        "placebo_cutoff_p85",
        "placebo_outcome_2014_2016",
        "placebo_outcome_2015_2016",
        "placebo_outcome_2018_2019",
        "donut",
        "bandwidth_half",
        "bandwidth_double",
    }
    assert checks["p_value"].between(0, 1).all()
