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
import rddensity
import rdrobust
from cluster_resilience.runs.rdd import (
    CHECK_COLUMNS,
    PLOT_COLUMNS,
    RDD_COLUMNS,
    RUNNING_VARIABLES,
    RddSettings,
    run_rdd_estimates,
)

EFFECT = 0.10  # planted effect of strong_b on the outcome (log points)
TAKE_UP = 0.8  # P(strong | above the cutoff): the size tests pass
REL_TOL = 1e-6
CI_TOL = 1e-4  # p-values and the density statistic (absolute)
# the outcomes of the synthetic panel, named as mart_rdd_panel names them from the default vars
OUTCOME = "outcome_emp_change_2019_2021"
OUTCOME_VS_STATE = "outcome_emp_change_2019_2021_vs_state"
OUTCOMES = (OUTCOME, OUTCOME_VS_STATE)
PLACEBO_WINDOWS = ((2014, 2016, 2015), (2015, 2016, None), (2018, 2019, None))  # + break year


def simulate_panel(
    seed: int,
    *,
    n_states: int = 50,
    n_clusters: int = 51,
    effect: float = EFFECT,
    take_up: float = TAKE_UP,
    outcome_years: tuple[int, int] = (2019, 2021),
    placebo_windows: tuple[tuple[int, int, int | None], ...] = PLACEBO_WINDOWS,
) -> pd.DataFrame:
    """SYNTHETIC mart_rdd_panel (long: one row per state x cluster x outcome): log running
    variable with the cutoff at 0, fuzzy take-up above it, an outcome with a smooth trend, a state
    shock and a planted jump of ``effect`` for strong rows; placebo outcomes and placebo running
    variables with no jump at all."""
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
    units = pd.DataFrame(
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
        }
    )
    # like the mart: some outcomes are not comparable across years and are NULL
    missing = rng.uniform(size=n) < 0.05
    span = f"{outcome_years[0]}_{outcome_years[1]}"
    outcomes = [
        (f"outcome_emp_change_{span}", "outcome", *outcome_years, None,
         np.where(missing, np.nan, y)),
        (f"outcome_emp_change_{span}_vs_state", "outcome_net_of_state", *outcome_years, None,
         np.where(missing, np.nan, y - state_shock)),
    ] + [
        (f"placebo_emp_change_{pre}_{post}", "placebo_outcome", pre, post, break_year,
         0.03 + 0.04 * x + rng.normal(0, 0.1, n))
        for pre, post, break_year in placebo_windows
    ]  # fmt: skip
    return pd.concat(
        [
            units.assign(outcome=name, outcome_role=role, pre_year=pre, post_year=post,
                         coverage_break_year=break_year, emp_log_change=values)  # fmt: skip
            for name, role, pre, post, break_year, values in outcomes
        ],
        ignore_index=True,
    )


def wide(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per state x cluster, one column per outcome (what the estimator samples)."""
    values = panel.pivot(index=["state_fips", "cluster_code"], columns="outcome",
                         values="emp_log_change")  # fmt: skip
    units = panel[panel["outcome_role"] == "outcome"].drop(columns=["emp_log_change"])
    return units.join(values, on=["state_fips", "cluster_code"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(20200311)


@pytest.fixture(scope="module")
def units(panel) -> pd.DataFrame:
    return wide(panel)


@pytest.fixture(scope="module")
def tables(panel) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return run_rdd_estimates(panel)


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = np.logical_and.reduce([frame[key] == value for key, value in keys.items()])
    matches = frame[mask]
    assert len(matches) == 1, keys
    return matches.iloc[0]


MAIN = {"outcome": OUTCOME, "running_variable": RUNNING_VARIABLES[0]}


# ----------------------------------------------------------------------- shape --


def test_tables_have_one_row_per_spec_outcome_running_variable_and_check(tables) -> None:
    rdd, checks, plot = tables
    assert list(rdd.columns) == RDD_COLUMNS
    assert list(checks.columns) == CHECK_COLUMNS
    assert list(plot.columns) == PLOT_COLUMNS
    assert len(rdd) == 2 * len(OUTCOMES) * len(RUNNING_VARIABLES)
    assert set(rdd["spec"]) == {"rdd_fuzzy_mserd_triangular", "rdd_sharp_itt_mserd_triangular"}
    assert set(rdd["outcome"]) == set(OUTCOMES)
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


def test_names_and_notes_follow_the_years_of_the_panel() -> None:
    """Outcome and check names come from the mart's rows (its vars), not from this module."""
    panel = simulate_panel(5, n_states=20, outcome_years=(2018, 2020),
                           placebo_windows=((2012, 2016, 2015), (2016, 2017, None)))  # fmt: skip
    rdd, checks, _ = run_rdd_estimates(panel)
    assert set(rdd["outcome"]) == {"outcome_emp_change_2018_2020",
                                   "outcome_emp_change_2018_2020_vs_state"}  # fmt: skip
    assert [c for c in checks["check_name"] if c.startswith("placebo_outcome")] == [
        "placebo_outcome_2012_2016",
        "placebo_outcome_2016_2017",
    ]
    crossing = row(checks, check_name="placebo_outcome_2012_2016")["interpretation"]
    assert crossing.endswith(
        " Caution: the CBP state x NAICS-3 extract changes coverage between 2014 and 2015, so "
        "this change is partly a data artefact; prefer 2016-2017."
    )
    assert "Caution" not in row(checks, check_name="placebo_outcome_2016_2017")["interpretation"]
    net = rdd[rdd["outcome"].str.endswith("_vs_state")]["assessment"]
    assert net.str.contains("outcome net of the state's total CBP change").all()


def test_default_placebo_caution_reads_as_in_release_0_1(tables) -> None:
    _, checks, _ = tables
    assert row(checks, check_name="placebo_outcome_2014_2016")["interpretation"].endswith(
        " Caution: the CBP state x NAICS-3 extract changes coverage between 2014 and 2015, so "
        "this change is partly a data artefact; prefer 2015-2016 and 2018-2019."
    )


# -------------------------------------------------------------------- recovery --


def test_fuzzy_rdd_recovers_the_planted_effect_and_first_stage(tables) -> None:
    rdd, _, _ = tables
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


def test_rows_without_outcome_are_dropped_and_counted(units, tables) -> None:
    rdd, _, _ = tables
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    n_missing = int(units[OUTCOME].isna().sum())
    assert fuzzy["n_dropped"] == n_missing
    assert fuzzy["n_obs"] == len(units) - n_missing
    assert fuzzy["n_total_left"] + fuzzy["n_total_right"] == fuzzy["n_obs"]
    complete = units[units[OUTCOME].notna()]
    near = complete["running_variable"].abs() < 0.1
    assert fuzzy["n_within_0_1"] == int(near.sum())
    assert fuzzy["n_within_0_1_above"] == int((near & (complete["running_variable"] >= 0)).sum())


def test_checks_find_no_jump_where_none_was_planted(units, tables) -> None:
    _, checks, _ = tables
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
    complete = units[units[OUTCOME].notna()]
    below = int((complete["running_variable"] < 0).sum())
    assert row(checks, check_name="placebo_cutoff_p65")["n_obs"] == below
    assert row(checks, check_name="placebo_cutoff_p85")["n_obs"] == len(complete) - below
    donut = row(checks, check_name="donut")
    assert donut["n_obs"] == int((complete["running_variable"].abs() >= 0.02).sum())
    half = row(checks, check_name="bandwidth_half")
    double = row(checks, check_name="bandwidth_double")
    assert double["h_left"] == pytest.approx(4 * half["h_left"])


# -------------------------------------------------------------------- plot data --


def test_plot_data_draws_every_estimated_row_and_its_first_stage(units, tables) -> None:
    rdd, _, plot = tables
    assert not plot.duplicated(
        ["spec", "outcome", "running_variable", "plotted", "element", "side", "point"]
    ).any()
    plots = plot.groupby(["spec", "outcome", "running_variable", "plotted"])
    expected = {(r.spec, r.outcome, r.running_variable, "outcome") for r in rdd.itertuples()} | {
        (r.spec, r.outcome, r.running_variable, "first_stage")
        for r in rdd.itertuples()
        if r.design == "fuzzy"
    }
    assert set(plots.groups) == expected
    for (spec, outcome, running, plotted), points in plots:
        estimate = row(rdd, spec=spec, outcome=outcome, running_variable=running)
        fit = points[points["element"] == "fit"].set_index(["side", "point"])["y"]
        gap = fit[("right", 1)] - fit[("left", 50)]
        expected_gap = (
            estimate["first_stage_estimate"]
            if plotted == "first_stage"
            else estimate["estimate"] * (estimate["first_stage_estimate"]
                                         if estimate["design"] == "fuzzy" else 1.0)
        )  # fmt: skip
        assert gap == pytest.approx(expected_gap, rel=1e-9), (spec, outcome, running, plotted)
        bins = points[points["element"] == "bin"]
        # dots: the rows within 3 bandwidths of the cutoff, all of them binned once
        x = units.loc[units[outcome].notna(), running]
        window = (x >= -3 * estimate["h_left"]) & (x <= 3 * estimate["h_right"])
        assert bins["n_in_bin"].sum() == window.sum()
        assert (bins["x"].between(bins["bin_low"], bins["bin_high"])).all()
        if plotted == "first_stage":
            assert bins["y"].between(0, 1).all()
            assert (bins.loc[bins["side"] == "left", "y"] == 0).all()  # one-sided compliance


# ------------------------------------------------------------ agreement: rdrobust --


def reference_rdd(y: np.ndarray, x: np.ndarray, t: np.ndarray | None):
    with contextlib.redirect_stdout(io.StringIO()):
        return rdrobust.rdrobust(y, x, c=0, fuzzy=t, kernel="triangular", bwselect="mserd")


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("running", RUNNING_VARIABLES)
@pytest.mark.parametrize("design", ["fuzzy", "sharp"])
def test_rows_equal_a_direct_rdrobust_call(units, tables, outcome, running, design) -> None:
    rdd, _, _ = tables
    ours = row(rdd, outcome=outcome, running_variable=running, design=design)
    complete = units[units[outcome].notna() & units[running].notna()]
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


def test_placebo_cutoff_row_equals_a_direct_rdrobust_call(units, tables) -> None:
    _, checks, _ = tables
    ours = row(checks, check_name="placebo_cutoff_p85")
    side = units[units["running_variable"] >= 0]
    side = side[side[OUTCOME].notna()]
    y = side[OUTCOME].to_numpy(float)
    ref = reference_rdd(y, side["running_variable_placebo_high"].to_numpy(float), None)
    assert ours["estimate"] == pytest.approx(ref.coef.iloc[0, 0], rel=REL_TOL)
    assert ours["h_left"] == pytest.approx(ref.bws.iloc[0, 0], rel=REL_TOL)
    assert ours["conf_low"] == pytest.approx(ref.ci.iloc[2, 0], rel=REL_TOL)
    assert ours["conf_high"] == pytest.approx(ref.ci.iloc[2, 1], rel=REL_TOL)


def test_density_row_equals_a_direct_rddensity_call(units, tables) -> None:
    _, checks, _ = tables
    ours = row(checks, check_name="density_test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rddensity.rddensity(units["running_variable"].to_numpy(float), c=0)
    assert ours["statistic"] == pytest.approx(ref.test["t_jk"], abs=CI_TOL)
    assert ours["p_value"] == pytest.approx(ref.test["p_jk"], abs=CI_TOL)
    assert ours["h_left"] == pytest.approx(ref.h["left"], rel=REL_TOL)
    assert ours["h_right"] == pytest.approx(ref.h["right"], rel=REL_TOL)
    assert (ours["n_left"], ours["n_right"]) == (ref.n["eff_left"], ref.n["eff_right"])


# ------------------------------------------------------------ weak designs: honest rows --


def test_weak_first_stage_is_reported_not_skipped() -> None:
    weak_panel = simulate_panel(7, take_up=0.05)
    rdd, checks, _ = run_rdd_estimates(weak_panel)
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    assert fuzzy["design_strength"] == "weak"
    assert "weak because" in fuzzy["assessment"]
    assert math.isfinite(fuzzy["estimate"]) and math.isfinite(fuzzy["h_left"])
    assert len(checks) == 9


def test_few_rows_near_the_cutoff_are_flagged() -> None:
    small = simulate_panel(11, n_states=6, n_clusters=10)
    rdd, _, _ = run_rdd_estimates(small, RddSettings(min_effective_n=40))
    fuzzy = row(rdd, spec="rdd_fuzzy_mserd_triangular", **MAIN)
    assert fuzzy["design_strength"] == "weak"
    assert "rows within the bandwidth" in fuzzy["assessment"]


def test_unestimable_design_still_gets_rows_with_the_reason() -> None:
    one_sided = simulate_panel(3)
    for column in RUNNING_VARIABLES:
        one_sided[column] = -one_sided[column].abs() - 0.01  # every row below the cutoff
    one_sided["is_strong"] = False
    rdd, checks, plot = run_rdd_estimates(one_sided)
    assert len(rdd) == 8 and len(checks) == 9 and plot.empty
    assert (rdd["design_strength"] == "not_estimable").all()
    assert rdd["estimate"].isna().all()
    assert rdd["assessment"].str.startswith("NOT ESTIMABLE").all()
    assert rdd["assessment"].str.contains("must lie strictly inside the range of x").all()
    assert checks.loc[checks["estimate"].isna(), "interpretation"].str.startswith(
        "NOT ESTIMABLE"
    ).all()


def test_bad_panels_and_settings_fail_with_their_names(panel) -> None:
    with pytest.raises(ValueError, match="missing column.*running_variable_placebo_low"):
        run_rdd_estimates(panel.drop(columns=["running_variable_placebo_low"]))
    with pytest.raises(ValueError, match=r"duplicate \(state_fips, cluster_code, outcome\)"):
        run_rdd_estimates(pd.concat([panel, panel.iloc[:1]]))
    with pytest.raises(ValueError, match="outcome_role must be one of outcome, "):
        run_rdd_estimates(panel.replace({"outcome_role": {"placebo_outcome": "placebo"}}))
    with pytest.raises(ValueError, match="exactly one outcome_role 'outcome'"):
        run_rdd_estimates(panel[panel["outcome_role"] != "outcome"])
    with pytest.raises(ValueError, match="kernel"):
        RddSettings(kernel="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_effective_n"):
        RddSettings(min_effective_n=0)
    with pytest.raises(ValueError, match="plot_points must be an integer >= 2"):
        RddSettings(plot_points=1)


# -------------------------------------------------------------------- end to end --


@pytest.mark.e2e
def test_real_warehouse_has_the_rdd_tables(built_warehouse) -> None:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        rdd = connection.execute("select * from est_rdd").df()
        checks = connection.execute("select * from est_rdd_checks").df()
        plot = connection.execute("select * from est_rdd_plot_data").df()
        n_units = connection.execute(
            "select count(*) from mart_rdd_panel where outcome_role = 'outcome'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert n_units == 2550
    assert len(rdd) == 8
    assert set(zip(rdd["spec"], rdd["outcome"], rdd["running_variable"], strict=True)) == {
        (spec, outcome, running)
        for spec in ("rdd_fuzzy_mserd_triangular", "rdd_sharp_itt_mserd_triangular")
        for outcome in OUTCOMES  # the names the default vars give
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
    # one outcome plot per est_rdd row and one first-stage plot per fuzzy row, with dots and lines
    plots = plot.groupby(["spec", "outcome", "running_variable", "plotted"])["element"]
    assert len(plots) == len(rdd) + len(fuzzy)
    assert (plots.nunique() == 2).all()
