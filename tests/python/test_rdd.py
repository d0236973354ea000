"""Tests of cluster_resilience.estimators.rdd: agreement with rdrobust/rddensity, recovery,
bad inputs."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from cluster_resilience.estimators.rdd import (
    DensityTestResult,
    RddResult,
    binned_means,
    density_test,
    estimate_rdd,
    fitted_line,
)

rdrobust = pytest.importorskip("rdrobust")
rddensity = pytest.importorskip("rddensity")

REL_TOL = 1e-6  # point estimates and bandwidths
CI_TOL = 1e-4  # robust confidence bounds, density statistic and p-value


def simulate(
    n: int,
    seed: int,
    *,
    ties: bool = False,
    fuzzy: bool = False,
    jump: float = 2.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Seeded RD sample: uniform running variable on [-1, 1], quadratic trend, planted jump."""
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


def reference(y: np.ndarray, x: np.ndarray, t: np.ndarray | None, **kwargs):
    """rdrobust's result (it prints a note on mass points; keep the test output clean)."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rdrobust.rdrobust(y, x, fuzzy=t, **kwargs)


def assert_agrees(ours: RddResult, ref) -> None:
    assert ours.estimate == pytest.approx(ref.coef.iloc[0, 0], rel=REL_TOL)
    assert ours.estimate_bc == pytest.approx(ref.coef.iloc[1, 0], rel=REL_TOL)
    assert ours.std_error == pytest.approx(ref.se.iloc[0, 0], rel=REL_TOL)
    assert ours.std_error_robust == pytest.approx(ref.se.iloc[2, 0], rel=REL_TOL)
    assert ours.h_left == pytest.approx(ref.bws.iloc[0, 0], rel=REL_TOL)
    assert ours.h_right == pytest.approx(ref.bws.iloc[0, 1], rel=REL_TOL)
    assert ours.b_left == pytest.approx(ref.bws.iloc[1, 0], rel=REL_TOL)
    assert ours.b_right == pytest.approx(ref.bws.iloc[1, 1], rel=REL_TOL)
    assert ours.conf_low_robust == pytest.approx(ref.ci.iloc[2, 0], abs=CI_TOL)
    assert ours.conf_high_robust == pytest.approx(ref.ci.iloc[2, 1], abs=CI_TOL)
    assert ours.p_value_robust == pytest.approx(ref.pv.iloc[2, 0], abs=CI_TOL)
    assert (ours.n_left, ours.n_right) == (int(ref.N_h[0]), int(ref.N_h[1]))
    assert (ours.n_total_left, ours.n_total_right) == (int(ref.N[0]), int(ref.N[1]))
    if ref.tau_T is None:
        assert ours.design == "sharp" and ours.first_stage_estimate is None
    else:
        assert ours.design == "fuzzy"
        assert ours.first_stage_estimate == pytest.approx(ref.tau_T.iloc[0, 0], rel=REL_TOL)
        assert ours.first_stage_estimate_bc == pytest.approx(ref.tau_T.iloc[2, 0], rel=REL_TOL)
        assert ours.first_stage_std_error_robust == pytest.approx(ref.se_T.iloc[2, 0], rel=REL_TOL)
        assert ours.first_stage_conf_low_robust == pytest.approx(ref.ci_T.iloc[2, 0], abs=CI_TOL)
        assert ours.first_stage_conf_high_robust == pytest.approx(ref.ci_T.iloc[2, 1], abs=CI_TOL)


# ------------------------------------------------------------------ agreement: rdrobust --


@pytest.mark.parametrize("fuzzy", [False, True], ids=["sharp", "fuzzy"])
@pytest.mark.parametrize("ties", [False, True], ids=["continuous", "ties"])
@pytest.mark.parametrize("n,seed", [(1000, 1), (300, 2)], ids=["n1000", "n300"])
@pytest.mark.parametrize("vce", ["nn", "hc1"])
def test_agrees_with_rdrobust(n: int, seed: int, ties: bool, fuzzy: bool, vce: str) -> None:
    y, x, t = simulate(n, seed, ties=ties, fuzzy=fuzzy)
    ours = estimate_rdd(y, x, fuzzy=t, vce=vce)
    assert_agrees(ours, reference(y, x, t, vce=vce))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel": "uniform"},
        {"kernel": "uniform", "vce": "hc1"},
        {"kernel": "epanechnikov"},
        {"vce": "hc0"},
        {"vce": "hc2"},
        {"vce": "hc3"},
        {"p": 2, "q": 3},
        {"nnmatch": 5, "level": 90},
        {"h": 0.4},
        {"h": 0.3, "b": 0.6},
    ],
    ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()),
)
@pytest.mark.parametrize("fuzzy", [False, True], ids=["sharp", "fuzzy"])
def test_agrees_with_rdrobust_options(kwargs: dict, fuzzy: bool) -> None:
    y, x, t = simulate(600, 11, fuzzy=fuzzy)
    assert_agrees(estimate_rdd(y, x, fuzzy=t, **kwargs), reference(y, x, t, **kwargs))


@pytest.mark.parametrize(
    "bwselect",
    ["msetwo", "msesum", "msecomb1", "msecomb2", "cerrd", "certwo", "cersum", "cercomb2"],
)
def test_agrees_with_rdrobust_bandwidth_selectors(bwselect: str) -> None:
    y, x, t = simulate(800, 5)
    assert_agrees(estimate_rdd(y, x, bwselect=bwselect), reference(y, x, t, bwselect=bwselect))


def test_agrees_with_rdrobust_nonzero_cutoff_and_scale() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(50, 15, 700)  # e.g. a score with cutoff 55
    y = 0.02 * x + 3.0 * (x >= 55) + rng.normal(0, 2, 700)
    ours = estimate_rdd(y, x, cutoff=55)
    assert_agrees(ours, reference(y, x, None, c=55))


def test_one_sided_compliance_uses_sharp_bandwidths() -> None:
    y, x, _ = simulate(800, 9)
    rng = np.random.default_rng(9)
    t = np.where(x >= 0, (rng.uniform(size=x.size) < 0.7).astype(float), 0.0)
    y = y + t
    assert_agrees(estimate_rdd(y, x, fuzzy=t), reference(y, x, t))


def test_small_sample_uses_full_range_bandwidth() -> None:
    y, x, _ = simulate(15, 4)
    ours = estimate_rdd(y, x)
    assert ours.bwselect == "manual"
    assert ours.h_left == pytest.approx(max(-x.min(), x.max()))
    assert_agrees(ours, reference(y, x, None))


# ----------------------------------------------------------------- agreement: rddensity --


def _density_samples() -> list[tuple[str, np.ndarray, float, dict]]:
    rng = np.random.default_rng(3)
    bunched = np.r_[rng.uniform(-1, 0, 400), rng.uniform(0, 1, 600)]
    return [
        ("normal", rng.normal(0, 1, 1000), 0.0, {}),
        ("uniform-offset-cutoff", rng.uniform(-1, 1, 500), 0.1, {}),
        ("bunching", bunched, 0.0, {}),
        ("mass-points", np.round(rng.normal(0, 1, 800), 1), 0.05, {}),
        ("p1-each", rng.normal(0.2, 1, 700), 0.0, {"p": 1, "bwselect": "each"}),
        ("uniform-diff", rng.normal(0, 1, 700), 0.0, {"kernel": "uniform", "bwselect": "diff"}),
        ("epa-sum", rng.normal(0, 1, 700), 0.0, {"kernel": "epanechnikov", "bwselect": "sum"}),
    ]


@pytest.mark.parametrize(
    "name,x,cutoff,kwargs", _density_samples(), ids=[s[0] for s in _density_samples()]
)
def test_density_agrees_with_rddensity(name: str, x: np.ndarray, cutoff: float, kwargs) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rddensity.rddensity(x, c=cutoff, **kwargs)
    ours = density_test(x, cutoff=cutoff, **kwargs)
    assert isinstance(ours, DensityTestResult)
    assert ours.statistic == pytest.approx(ref.test["t_jk"], abs=CI_TOL)
    assert ours.p_value == pytest.approx(ref.test["p_jk"], abs=CI_TOL)
    assert ours.h_left == pytest.approx(ref.h["left"], rel=REL_TOL)
    assert ours.h_right == pytest.approx(ref.h["right"], rel=REL_TOL)
    assert ours.density_left == pytest.approx(ref.hat["left"], rel=REL_TOL)
    assert ours.density_right == pytest.approx(ref.hat["right"], rel=REL_TOL)
    assert (ours.n_eff_left, ours.n_eff_right) == (ref.n["eff_left"], ref.n["eff_right"])


def test_density_test_detects_bunching() -> None:
    rng = np.random.default_rng(21)
    x = np.r_[rng.uniform(-1, 0, 1000), rng.uniform(0, 1, 2000)]
    assert density_test(x).p_value < 0.01
    assert density_test(rng.uniform(-1, 1, 3000)).p_value > 0.05


# -------------------------------------------------------------------------- recovery --


def test_recovers_planted_jump() -> None:
    y, x, _ = simulate(2000, 123)
    res = estimate_rdd(y, x)
    assert res.conf_low_robust < 2.0 < res.conf_high_robust
    assert res.p_value_robust < 1e-6


def test_no_jump_ci_covers_zero() -> None:
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


def test_tidy_is_one_row() -> None:
    y, x, t = simulate(500, 3, fuzzy=True)
    tidy = estimate_rdd(y, x, fuzzy=t).tidy()
    assert isinstance(tidy, pd.DataFrame) and len(tidy) == 1
    assert {"estimate", "conf_low_robust", "h_left", "first_stage_estimate"} <= set(tidy.columns)
    assert len(density_test(x).tidy()) == 1


# ---------------------------------------------------------------------------- RD plot --


def test_binned_means() -> None:
    y, x, _ = simulate(1000, 6)
    bins = binned_means(y, x, n_bins=10)
    assert list(bins.columns) == ["side", "bin_mid", "mean_y", "n"]
    assert bins["n"].sum() == 1000
    assert (bins.loc[bins.side == "left", "bin_mid"] < 0).all()
    assert (bins.loc[bins.side == "right", "bin_mid"] > 0).all()
    assert len(bins) == 20


def test_fitted_line_gap_equals_estimate() -> None:
    y, x, _ = simulate(1000, 7)
    res = estimate_rdd(y, x)
    line = fitted_line(y, x, h=(res.h_left, res.h_right), n_points=25)
    left = line[line.side == "left"]
    right = line[line.side == "right"]
    assert len(left) == len(right) == 25
    assert left["x"].iloc[-1] == 0.0 and right["x"].iloc[0] == 0.0
    gap = right["fitted"].iloc[0] - left["fitted"].iloc[-1]
    assert gap == pytest.approx(res.estimate, rel=1e-9)


# ------------------------------------------------------------------------- bad inputs --


def test_length_mismatch() -> None:
    with pytest.raises(ValueError, match="y and x must have equal length"):
        estimate_rdd(np.zeros(10), np.linspace(-1, 1, 11))
    with pytest.raises(ValueError, match="fuzzy and x"):
        estimate_rdd(np.zeros(11), np.linspace(-1, 1, 11), fuzzy=np.zeros(3))


def test_nan_in_x() -> None:
    y, x, _ = simulate(100, 1)
    x[5] = np.nan
    with pytest.raises(ValueError, match=r"^x contains 1 NaN"):
        estimate_rdd(y, x)
    with pytest.raises(ValueError, match=r"^x contains"):
        density_test(x)


def test_all_observations_on_one_side() -> None:
    y, x, _ = simulate(100, 1)
    with pytest.raises(ValueError, match="cutoff=.*one side"):
        estimate_rdd(y, np.abs(x) + 0.1)
    with pytest.raises(ValueError, match="cutoff=.*both sides"):
        density_test(np.abs(x) + 0.1)


def test_unknown_options() -> None:
    y, x, _ = simulate(100, 1)
    with pytest.raises(ValueError, match="kernel must be one of 'triangular'"):
        estimate_rdd(y, x, kernel="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="vce must be one of 'nn', 'hc0'"):
        estimate_rdd(y, x, vce="cr1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bwselect must be one of 'mserd'"):
        estimate_rdd(y, x, bwselect="ik")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kernel must be one of"):
        density_test(x, kernel="tri")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="q must be greater than p"):
        estimate_rdd(y, x, p=2, q=2)
    with pytest.raises(ValueError, match="level"):
        estimate_rdd(y, x, level=100)


def test_too_few_distinct_values_on_a_side() -> None:
    x = np.r_[np.full(30, -0.5), np.linspace(0, 1, 30)]
    with pytest.raises(ValueError, match="left side"):
        estimate_rdd(np.arange(60.0), x)


def test_cluster_not_ported() -> None:
    y, x, _ = simulate(100, 1)
    with pytest.raises(NotImplementedError, match="cluster"):
        estimate_rdd(y, x, cluster=np.arange(100) % 10)
