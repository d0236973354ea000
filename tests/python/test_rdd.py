"""Tests of cluster_resilience.estimators.rdd, the adapter over rdrobust and rddensity: it returns
the packages' numbers under our names, recovers planted jumps, draws RD plot layers whose gap is
the estimate, and rejects bad input with messages that name it. Data here are SYNTHETIC."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pytest
import rddensity
import rdrobust
from cluster_resilience.estimators.rdd import (
    RddError,
    binned_means,
    density_test,
    estimate_rdd,
    fitted_line,
)


def simulate(
    n: int,
    seed: int,
    *,
    ties: bool = False,
    fuzzy: bool = False,
    jump: float = 2.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """SYNTHETIC RD sample: uniform running variable on [-1, 1], quadratic trend, planted jump."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    if ties:
        x = np.round(x * 20) / 20  # 41 distinct values: mass points on both sides
    trend = 1 + x + 0.5 * x**2
    if fuzzy:
        take_up = np.where(x >= 0, 0.8, 0.2)
        t = (rng.uniform(size=n) < take_up).astype(float)
        return trend + jump * t + rng.normal(0, 1, n), x, t
    return trend + jump * (x >= 0) + rng.normal(0, 1, n), x, None


def direct(y, x, t, **kwargs):
    """rdrobust called directly (it prints a note on mass points; keep the output clean)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return rdrobust.rdrobust(y, x, fuzzy=t, **kwargs)


# ------------------------------------------------------- the adapter returns rdrobust's numbers --


@pytest.mark.parametrize("fuzzy", [False, True], ids=["sharp", "fuzzy"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"vce": "hc1"}, {"kernel": "uniform", "p": 2, "q": 3}, {"h": (0.3, 0.5), "b": 0.6}],
    ids=["default", "hc1", "uniform-p2", "manual-h"],
)
def test_fields_are_rdrobusts_rows(fuzzy: bool, kwargs: dict) -> None:
    y, x, t = simulate(600, 11, ties=True, fuzzy=fuzzy)
    ours = estimate_rdd(y, x, fuzzy=t, **kwargs)
    ref = direct(y, x, t, **kwargs)
    expected = {
        "estimate": ref.coef.iloc[0, 0],
        "estimate_bc": ref.coef.iloc[1, 0],
        "std_error": ref.se.iloc[0, 0],
        "std_error_robust": ref.se.iloc[2, 0],
        "conf_low": ref.ci.iloc[0, 0],
        "conf_high": ref.ci.iloc[0, 1],
        "p_value": ref.pv.iloc[0, 0],
        "conf_low_robust": ref.ci.iloc[2, 0],
        "conf_high_robust": ref.ci.iloc[2, 1],
        "p_value_robust": ref.pv.iloc[2, 0],
        "h_left": ref.bws.iloc[0, 0],
        "h_right": ref.bws.iloc[0, 1],
        "b_left": ref.bws.iloc[1, 0],
        "b_right": ref.bws.iloc[1, 1],
        "n_left": ref.N_h[0],
        "n_right": ref.N_h[1],
        "n_total_left": ref.N[0],
        "n_total_right": ref.N[1],
    }
    if fuzzy:
        expected |= {
            "first_stage_estimate": ref.tau_T.iloc[0, 0],
            "first_stage_estimate_bc": ref.tau_T.iloc[1, 0],
            "first_stage_std_error": ref.se_T.iloc[0, 0],
            "first_stage_std_error_robust": ref.se_T.iloc[2, 0],
            "first_stage_conf_low_robust": ref.ci_T.iloc[2, 0],
            "first_stage_conf_high_robust": ref.ci_T.iloc[2, 1],
            "first_stage_p_value_robust": ref.pv_T.iloc[2, 0],
        }
    else:
        assert ours.first_stage_estimate is None and ours.first_stage_coef_left is None
    assert {name: getattr(ours, name) for name in expected} == pytest.approx(expected, rel=1e-12)
    assert ours.bwselect == ("manual" if "h" in kwargs else "mserd")
    assert "Mass points detected" in ours.notes  # rdrobust's printed note is kept, not printed


def test_density_fields_are_rddensitys_robust_row() -> None:
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(0, 1, 800), 1)  # mass points
    ours = density_test(x, cutoff=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rddensity.rddensity(x, c=0.05)
    assert (ours.statistic, ours.p_value) == pytest.approx(
        (ref.test["t_jk"], ref.test["p_jk"]), rel=1e-12
    )
    assert (ours.difference, ours.std_error) == pytest.approx(
        (ref.hat["diff"], ref.sd_jk["diff"]), rel=1e-12
    )
    assert (ours.h_left, ours.h_right) == pytest.approx((ref.h["left"], ref.h["right"]))
    assert (ours.n_eff_left, ours.n_eff_right) == (ref.n["eff_left"], ref.n["eff_right"])
    assert ours.statistic == pytest.approx(ours.difference / ours.std_error)


# ---------------------------------------------------------------------------- recovery --


def test_recovers_planted_jump_and_covers_zero_without_one() -> None:
    y, x, _ = simulate(2000, 123)
    res = estimate_rdd(y, x)
    assert res.conf_low_robust < 2.0 < res.conf_high_robust
    assert res.p_value_robust < 1e-6
    y, x, _ = simulate(2000, 124, jump=0.0)
    res = estimate_rdd(y, x)
    assert res.conf_low_robust < 0.0 < res.conf_high_robust


def test_fuzzy_recovers_effect_and_first_stage() -> None:
    y, x, t = simulate(3000, 125, fuzzy=True)
    res = estimate_rdd(y, x, fuzzy=t)
    assert res.conf_low_robust < 2.0 < res.conf_high_robust
    assert res.first_stage_conf_low_robust < 0.6 < res.first_stage_conf_high_robust
    # The Wald ratio is the ratio of the two conventional jumps at the same h.
    sharp_y = estimate_rdd(y, x, h=(res.h_left, res.h_right), b=(res.b_left, res.b_right))
    assert res.estimate == pytest.approx(sharp_y.estimate / res.first_stage_estimate)


def test_density_test_detects_bunching() -> None:
    rng = np.random.default_rng(21)
    assert density_test(np.r_[rng.uniform(-1, 0, 1000), rng.uniform(0, 1, 2000)]).p_value < 0.01
    assert density_test(rng.uniform(-1, 1, 3000)).p_value > 0.05


# ----------------------------------------------------------------------------- RD plot --


def test_binned_means_are_rdplots_dots() -> None:
    y, x, _ = simulate(1000, 6)
    bins = binned_means(y, x)
    ref = rdrobust.rdplot(y, x, hide=True).vars_bins
    assert list(bins.columns) == ["side", "bin_low", "bin_high", "x", "x_mean", "y", "n"]
    assert bins["n"].sum() == 1000 and len(bins) == len(ref)
    np.testing.assert_array_equal(bins["y"], ref["rdplot_mean_y"])
    assert (bins.loc[bins.side == "left", "bin_high"] <= 0).all()
    assert (bins.loc[bins.side == "right", "bin_low"] >= 0).all()
    assert ((bins["bin_low"] <= bins["x_mean"]) & (bins["x_mean"] <= bins["bin_high"])).all()
    # every bin mean is the mean of y over the rows in the bin
    first = bins.iloc[0]
    rows = (x >= first["bin_low"]) & (x < first["bin_high"])
    assert first["y"] == pytest.approx(y[rows].mean()) and first["n"] == rows.sum()


def test_fitted_lines_meet_the_estimate_at_the_cutoff() -> None:
    y, x, t = simulate(1500, 7, fuzzy=True)
    res = estimate_rdd(y, x, fuzzy=t)
    outcome = fitted_line(res, n_points=25)
    treatment = fitted_line(res, first_stage=True, n_points=25)
    for line in (outcome, treatment):
        left, right = line[line.side == "left"], line[line.side == "right"]
        assert len(left) == len(right) == 25
        assert left["x"].iloc[-1] == 0.0 and right["x"].iloc[0] == 0.0
        assert left["x"].iloc[0] == pytest.approx(max(-res.h_left, x.min()))
    gap = outcome.loc[outcome.side == "right", "y"].iloc[0] - outcome.loc[
        outcome.side == "left", "y"
    ].iloc[-1]
    jump = treatment.loc[treatment.side == "right", "y"].iloc[0] - treatment.loc[
        treatment.side == "left", "y"
    ].iloc[-1]
    assert jump == pytest.approx(res.first_stage_estimate, rel=1e-12)
    assert gap / jump == pytest.approx(res.estimate, rel=1e-12)
    # the lines are the local fits rdplot draws with the same order, kernel and bandwidth
    with contextlib.redirect_stdout(io.StringIO()):
        plot = rdrobust.rdplot(y, x, p=1, h=[res.h_left, res.h_right], kernel="triangular",
                               hide=True)  # fmt: skip
    assert plot.coef["Left"].tolist() == pytest.approx(res.coef_left, rel=1e-9)
    assert plot.coef["Right"].tolist() == pytest.approx(res.coef_right, rel=1e-9)


def test_fitted_line_of_a_sharp_result_has_no_first_stage() -> None:
    y, x, _ = simulate(500, 8)
    with pytest.raises(ValueError, match="first_stage=True needs a fuzzy result"):
        fitted_line(estimate_rdd(y, x), first_stage=True)


# -------------------------------------------------------------------------- bad inputs --


def test_length_mismatch_and_nan_name_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^y and x must have equal length; got y=10, x=11"):
        estimate_rdd(np.zeros(10), np.linspace(-1, 1, 11))
    with pytest.raises(ValueError, match="^fuzzy and x must have equal length"):
        estimate_rdd(np.zeros(11), np.linspace(-1, 1, 11), fuzzy=np.zeros(3))
    y, x, _ = simulate(100, 1)
    x[5] = np.nan
    with pytest.raises(ValueError, match=r"^x contains 1 NaN"):
        estimate_rdd(y, x)
    with pytest.raises(ValueError, match=r"^x contains 1 NaN"):
        density_test(x)


def test_all_observations_on_one_side() -> None:
    y, x, _ = simulate(100, 1)
    for call in (
        lambda: estimate_rdd(y, np.abs(x) + 0.1),
        lambda: density_test(np.abs(x) + 0.1),
        lambda: binned_means(y, np.abs(x) + 0.1),
    ):
        with pytest.raises(ValueError, match=r"cutoff=0.0 must lie strictly inside.*one side"):
            call()


def test_unknown_options_list_the_allowed_values() -> None:
    y, x, _ = simulate(100, 1)
    with pytest.raises(ValueError, match="kernel must be one of 'triangular'"):
        estimate_rdd(y, x, kernel="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="vce must be one of 'nn', 'hc0'"):
        estimate_rdd(y, x, vce="cr1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bwselect must be one of 'mserd'"):
        estimate_rdd(y, x, bwselect="ik")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bwselect must be one of 'comb'"):
        density_test(x, bwselect="mserd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="p and q must be integers with 0 <= p < q"):
        estimate_rdd(y, x, p=2, q=2)


def test_package_failures_are_rdd_errors_with_the_packages_reason() -> None:
    x = np.r_[np.full(30, -0.5), np.linspace(0, 1, 30)]  # one distinct value left of 0
    with pytest.raises(RddError, match="^rdrobust: Not enough distinct running-variable values"):
        estimate_rdd(np.arange(60.0), x)
    with pytest.raises(RddError, match="^rdrobust: .*level"):
        estimate_rdd(*simulate(100, 1)[:2], level=100)
    with pytest.raises(RddError, match="^rdplot: Not enough observations"):
        binned_means(np.arange(10.0), np.linspace(-1, 1, 10))
