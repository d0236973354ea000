"""Sharp and fuzzy regression discontinuity in plain numpy, ported from ``rdrobust``/``rddensity``.

``estimate_rdd`` is a port of the no-covariate paths of ``rdrobust.rdrobust`` (Python package
2.1.1, Calonico, Cattaneo, Farrell and Titiunik): local polynomial estimation on each side of the
cutoff, the MSE/CER-optimal bandwidth selectors of ``rdbwselect`` (pilot bandwidth ``c_bw``,
the ``d`` pilot, the regularization term, the bias bandwidth ``b`` and the main bandwidth ``h``,
computed on standardized ``x`` and ``y`` as rdrobust does), the bias-corrected estimate and the
robust bias-corrected standard error and confidence interval (rdrobust's "Robust" row), with the
nearest-neighbour (``vce="nn"``, rdrobust's default) or ``hc0``..``hc3`` variance. Fuzzy designs
return the Wald ratio and the first stage (rdrobust's ``tau_T``/``se_T``/``ci_T``).

``density_test`` ports the default path of ``rddensity.rddensity`` (Cattaneo, Jansson and Ma):
unrestricted local polynomial density estimation with jackknife variance and the ``comb``
bandwidth of ``rdbwdensity``.

``binned_means`` and ``fitted_line`` give the two layers of an RD plot.

No function here imports ``rdrobust`` or ``rddensity``: they are reference implementations used
only by the agreement tests (``tests/python/test_rdd.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermeval
from scipy import stats
from scipy.linalg import cho_factor, cho_solve

__all__ = [
    "DensityTestResult",
    "RddResult",
    "binned_means",
    "density_test",
    "estimate_rdd",
    "fitted_line",
]

Kernel = Literal["triangular", "uniform", "epanechnikov"]
BwSelect = Literal[
    "mserd",
    "msetwo",
    "msesum",
    "msecomb1",
    "msecomb2",
    "cerrd",
    "certwo",
    "cersum",
    "cercomb1",
    "cercomb2",
]
Vce = Literal["nn", "hc0", "hc1", "hc2", "hc3"]
DensityBwSelect = Literal["comb", "each", "diff", "sum"]

_SQRT_EPS = math.sqrt(np.finfo(float).eps)
# Pilot-bandwidth constants of rdbwselect (rule-of-thumb constant of each kernel).
_C_C = {"triangular": 2.576, "uniform": 1.843, "epanechnikov": 2.34}


# --------------------------------------------------------------------------- validation --


def _check_option(name: str, value: object, literal: Any) -> str:
    """Return ``value`` if it is one of the Literal's values, else raise a ValueError naming it."""
    allowed = get_args(literal)
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def _as_1d(name: str, values: Any) -> np.ndarray:
    """Convert to a 1-D float array; raise a ValueError naming ``name`` on NaN/inf or bad shape."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); drop incomplete rows first"
        )
    return arr


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


# ------------------------------------------------------------------ numerical building blocks --


def _kweight(x: np.ndarray, c: float, h: float, kernel: str) -> np.ndarray:
    """Kernel weights K((x - c)/h)/h (rdrobust_kweight)."""
    u = (x - c) / h
    if kernel == "epanechnikov":
        return (0.75 * (1 - u**2) * (np.abs(u) <= 1)) / h
    if kernel == "uniform":
        return (0.5 * (np.abs(u) <= 1)) / h
    return ((1 - np.abs(u)) * (np.abs(u) <= 1)) / h


def _vander(u: np.ndarray, p: int) -> np.ndarray:
    """Columns 1, u, ..., u^p built by successive multiplication (as rdrobust's ``_vander``)."""
    out = np.empty((u.size, p + 1))
    out[:, 0] = 1.0
    for j in range(1, p + 1):
        out[:, j] = out[:, j - 1] * u
    return out


def _inv_chol(g: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix through its Cholesky factor."""
    factor = cho_factor(g, lower=True)
    return cho_solve(factor, np.eye(g.shape[0]))


def _inv_chol_or_pinv(g: np.ndarray) -> np.ndarray:
    try:
        return _inv_chol(g)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(g)


def _quantile_type2(x: np.ndarray, prob: float) -> float:
    """Hyndman-Fan type 2 quantile (R's ``quantile(type = 2)``), as rdrobust uses for the IQR."""
    xs = np.sort(x)
    n = xs.size
    hn = n * prob
    j = int(math.floor(hn))
    if hn == j:
        return float(0.5 * (xs[j - 1] + xs[j]))
    return float(xs[j])


def _tie_groups(x_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) index of each run of equal values in sorted x."""
    n = x_sorted.size
    if n == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    new = np.r_[True, x_sorted[1:] != x_sorted[:-1]]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], n]
    return starts, ends


def _nn_residuals(x: np.ndarray, d: np.ndarray, nnmatch: int) -> np.ndarray:
    """Nearest-neighbour residuals of rdrobust (``rdrobust_res`` with ``vce="nn"``).

    ``x`` is sorted; ``d`` holds the outcome (and treatment) columns. Each observation is compared
    with the mean of at least ``nnmatch`` nearest neighbours, tied values always entering as a
    block. The window depends only on the tie group, so it is computed once per distinct value.
    """
    n = x.size
    res = np.empty_like(d)
    starts, ends = _tie_groups(x)
    group_of_end = {int(e): int(s) for s, e in zip(starts, ends, strict=True)}
    size_at_start = dict(zip(starts.tolist(), (ends - starts).tolist(), strict=True))
    cap = min(nnmatch, n - 1)
    for s0, e0 in zip(starts.tolist(), ends.tolist(), strict=True):
        lo, hi = s0, e0
        xp = x[s0]
        while hi - lo - 1 < cap:
            if lo - 1 < 0:
                hi += size_at_start[hi]
            elif hi >= n:
                lo = group_of_end[lo]
            else:
                dleft = xp - x[lo - 1]
                dright = x[hi] - xp
                tol = max(dleft, dright) * _SQRT_EPS
                if dleft - dright > tol:
                    hi += size_at_start[hi]
                elif dright - dleft > tol:
                    lo = group_of_end[lo]
                else:
                    hi += size_at_start[hi]
                    lo = group_of_end[lo]
        ji = hi - lo - 1
        sf = math.sqrt(ji / (ji + 1))
        window = d[lo:hi].sum(axis=0)
        own = d[s0:e0]
        res[s0:e0] = sf * (own - (window - own) / ji)
    return res


def _residuals(
    x: np.ndarray,
    d: np.ndarray,
    r: np.ndarray,
    beta: np.ndarray,
    rw: np.ndarray,
    inv_g: np.ndarray,
    vce: str,
    nnmatch: int,
) -> np.ndarray:
    """Residual columns entering the sandwich (rdrobust_res): NN or HC0..HC3-weighted."""
    if vce == "nn":
        return _nn_residuals(x, d, nnmatch)
    n, k = r.shape
    fitted = r @ beta
    if vce == "hc0":
        w: float | np.ndarray = 1.0
    elif vce == "hc1":
        w = math.sqrt(n / (n - k))
    else:
        hii = np.sum((r @ inv_g) * rw, axis=1)
        if vce == "hc2":
            w = np.sqrt(1 / np.maximum(1 - hii, 1e-8))
        else:
            w = 1 / np.maximum(1 - hii, 1e-8)
        w = np.asarray(w).reshape(-1, 1)
    return w * (d - fitted)


def _meat(s: np.ndarray, rx: np.ndarray, res: np.ndarray) -> np.ndarray:
    """Heteroskedasticity-robust meat sum_i (s'res_i)^2 rx_i rx_i' (rdrobust_vce, no cluster)."""
    scored = rx * (res @ s).reshape(-1, 1)
    return scored.T @ scored


# ------------------------------------------------------------------- bandwidth selection --


@dataclass
class _Side:
    """One side of the cutoff: sorted running variable, outcome columns (y[, t])."""

    x: np.ndarray
    d: np.ndarray  # (n, 1) sharp or (n, 2) fuzzy; for the bandwidth, t may be dropped


def _bw_pilot(
    side: _Side,
    c: float,
    o: int,
    nu: int,
    o_b: int,
    h_v: float,
    h_b: float,
    scale: float,
    vce: str,
    nnmatch: int,
    kernel: str,
) -> tuple[float, float, float, float]:
    """Variance, bias and regularization constants of one pilot fit (rdrobust_bw)."""
    nan_out = (math.nan, math.nan, math.nan, 1 / (2 * o + 3))
    # V-fit: order-o polynomial at the pilot bandwidth h_v.
    w = _kweight(side.x, c, h_v, kernel)
    ind = w > 0
    ex, ew, ed = side.x[ind], w[ind], side.d[ind]
    if np.unique(ex).size < o + 1:
        return nan_out
    r_v = _vander(ex - c, o)
    rw_v = r_v * ew.reshape(-1, 1)
    sq = r_v * np.sqrt(ew).reshape(-1, 1)
    inv_g_v = _inv_chol_or_pinv(sq.T @ sq)
    beta_v = inv_g_v @ (rw_v.T @ ed)
    if ed.shape[1] == 2:
        tau_y = math.factorial(nu) * beta_v[nu, 0]
        tau_t = math.factorial(nu) * beta_v[nu, 1]
        s = np.array([1 / tau_t, -(tau_y / tau_t**2)])
    else:
        s = np.array([1.0])
    res_v = _residuals(ex, ed, r_v, beta_v, rw_v, inv_g_v, vce, nnmatch)
    v_v = (inv_g_v @ _meat(s, rw_v, res_v) @ inv_g_v)[nu, nu]
    v = rw_v.T @ (((ex - c) / h_v) ** (o + 1))
    hp = h_v ** np.arange(o + 1, dtype=float)
    b_const = (hp * (inv_g_v @ v))[nu]
    if not np.isfinite(v_v):
        return nan_out
    # B-fit: order-o_b polynomial at bandwidth h_b, whose top coefficient estimates the bias.
    if not (np.isfinite(h_b) and h_b > 0):
        return nan_out
    w = _kweight(side.x, c, h_b, kernel)
    ind = w > 0
    ex, ew, ed = side.x[ind], w[ind], side.d[ind]
    if np.unique(ex).size < o_b + 1:
        return nan_out
    r_b = _vander(ex - c, o_b)
    rw_b = r_b * ew.reshape(-1, 1)
    sq = r_b * np.sqrt(ew).reshape(-1, 1)
    inv_g_b = _inv_chol_or_pinv(sq.T @ sq)
    beta_b = inv_g_b @ (rw_b.T @ ed)
    bw_reg = 0.0
    if scale > 0:
        res_b = _residuals(ex, ed, r_b, beta_b, rw_b, inv_g_b, vce, nnmatch)
        v_b = (inv_g_b @ _meat(s, rw_b, res_b) @ inv_g_b)[-1, -1]
        bw_reg = 3 * b_const**2 * v_b
    bias = math.sqrt(2 * (o + 1 - nu)) * b_const * float(np.dot(s, beta_b[-1, :]))
    var = (2 * nu + 1) * h_v ** (2 * nu + 1) * v_v
    reg = scale * (2 * (o + 1 - nu)) * bw_reg
    return float(var), float(bias), float(reg), 1 / (2 * o + 3)


def _select_bandwidths(
    left: _Side,
    right: _Side,
    c: float,
    *,
    p: int,
    q: int,
    kernel: str,
    bwselect: str,
    vce: str,
    nnmatch: int,
    n_total: int,
    n_unique: int,
    x_min: float,
    x_max: float,
    range_l: float,
    range_r: float,
    x_sd: float,
    bwp: float,
    bwcheck: int | None,
    scaleregul: float = 1.0,
) -> tuple[float, float, float, float]:
    """rdbwselect's cascade on (standardized) data: c_bw -> d -> b -> h, for each selector."""
    deriv = 0
    c_bw = _C_C[kernel] * bwp * n_unique ** (-1 / 5)
    bw_max_l = abs(c - x_min)
    bw_max_r = abs(c - x_max)
    bw_max = max(bw_max_l, bw_max_r)
    c_bw = min(c_bw, bw_max)
    bw_min_l = bw_min_r = 0.0
    if bwcheck is not None:
        uniq_l = np.sort(np.unique(left.x))[::-1]
        uniq_r = np.unique(right.x)
        bw_min_l = np.abs(uniq_l - c)[min(bwcheck, uniq_l.size) - 1] * (1 + _SQRT_EPS)
        bw_min_r = np.abs(uniq_r - c)[min(bwcheck, uniq_r.size) - 1] * (1 + _SQRT_EPS)
        c_bw = max(c_bw, bw_min_l, bw_min_r)

    def pilot(
        side: _Side, o: int, nu: int, o_b: int, h_b: float, scale: float
    ) -> tuple[float, float, float, float]:
        return _bw_pilot(side, c, o, nu, o_b, c_bw, h_b, scale, vce, nnmatch, kernel)

    reg = scaleregul
    cd_l = pilot(left, q + 1, q + 1, q + 2, range_l * (1 + _SQRT_EPS), 0.0)
    cd_r = pilot(right, q + 1, q + 1, q + 2, range_r * (1 + _SQRT_EPS), 0.0)
    out: dict[str, tuple[float, float, float, float]] = {}
    base = bwselect[3:]  # "rd", "two", "sum", "comb1", "comb2"

    if base in ("two", "comb2"):
        d_l = min((cd_l[0] / cd_l[1] ** 2) ** cd_l[3], bw_max_l)
        d_r = min((cd_r[0] / cd_r[1] ** 2) ** cd_r[3], bw_max_r)
        if bwcheck is not None:
            d_l, d_r = max(d_l, bw_min_l), max(d_r, bw_min_r)
        cb_l = pilot(left, q, p + 1, q + 1, d_l, reg)
        cb_r = pilot(right, q, p + 1, q + 1, d_r, reg)
        b_l = min((cb_l[0] / (cb_l[1] ** 2 + reg * cb_l[2])) ** cb_l[3], bw_max_l)
        b_r = min((cb_r[0] / (cb_r[1] ** 2 + reg * cb_r[2])) ** cb_r[3], bw_max_r)
        ch_l = pilot(left, p, deriv, q, b_l, reg)
        ch_r = pilot(right, p, deriv, q, b_r, reg)
        h_l = min((ch_l[0] / (ch_l[1] ** 2 + reg * ch_l[2])) ** ch_l[3], bw_max_l)
        h_r = min((ch_r[0] / (ch_r[1] ** 2 + reg * ch_r[2])) ** ch_r[3], bw_max_r)
        out["two"] = (x_sd * h_l, x_sd * h_r, x_sd * b_l, x_sd * b_r)

    for kind, sign in (("sum", 1.0), ("rd", -1.0)):
        needed = {"sum": ("sum", "comb1", "comb2"), "rd": ("rd", "comb1", "comb2")}[kind]
        if base not in needed:
            continue
        d_s = ((cd_l[0] + cd_r[0]) / (cd_r[1] + sign * cd_l[1]) ** 2) ** cd_l[3]
        d_s = min(d_s, bw_max)
        if bwcheck is not None:
            d_s = max(d_s, bw_min_l, bw_min_r)
        cb_l = pilot(left, q, p + 1, q + 1, d_s, reg)
        cb_r = pilot(right, q, p + 1, q + 1, d_s, reg)
        b_s = (
            (cb_l[0] + cb_r[0]) / ((cb_r[1] + sign * cb_l[1]) ** 2 + reg * (cb_r[2] + cb_l[2]))
        ) ** cb_l[3]
        b_s = min(b_s, bw_max)
        ch_l = pilot(left, p, deriv, q, b_s, reg)
        ch_r = pilot(right, p, deriv, q, b_s, reg)
        h_s = (
            (ch_l[0] + ch_r[0]) / ((ch_r[1] + sign * ch_l[1]) ** 2 + reg * (ch_r[2] + ch_l[2]))
        ) ** ch_l[3]
        h_s = min(h_s, bw_max)
        out[kind] = (x_sd * h_s, x_sd * h_s, x_sd * b_s, x_sd * b_s)

    if base == "comb1":
        h = float(np.min([out["rd"][0], out["sum"][0]]))
        b = float(np.min([out["rd"][2], out["sum"][2]]))
        bws = (h, h, b, b)
    elif base == "comb2":
        bws = tuple(  # type: ignore[assignment]
            float(np.median([out["rd"][i], out["sum"][i], out["two"][i]])) for i in range(4)
        )
    else:
        bws = out[base]
    if bwselect.startswith("cer"):
        cer_h = n_total ** (-(p / ((3 + p) * (3 + 2 * p))))
        bws = (bws[0] * cer_h, bws[1] * cer_h, bws[2], bws[3])
    arr = np.asarray(bws, dtype=float)
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise ValueError(
            "not enough variability in the running variable x to compute the bandwidth "
            "(too few distinct values near the cutoff?)"
        )
    return float(arr[0]), float(arr[1]), float(arr[2]), float(arr[3])


# ------------------------------------------------------------------------ local fits --


@dataclass
class _SideFit:
    beta_p: np.ndarray  # (p+1, k) conventional coefficients
    beta_bc: np.ndarray  # (p+1, k) bias-corrected coefficients
    inv_g_p: np.ndarray
    rw_p: np.ndarray
    q_q: np.ndarray
    res_h: np.ndarray
    res_b: np.ndarray
    n_h: int


def _fit_side(
    side: _Side,
    c: float,
    h: float,
    b: float,
    p: int,
    q: int,
    kernel: str,
    vce: str,
    nnmatch: int,
) -> _SideFit:
    """Local polynomial fit of order p (bandwidth h) and its bias correction (order q, b)."""
    w_h = _kweight(side.x, c, h, kernel)
    w_b = _kweight(side.x, c, b, kernel)
    ind_h, ind_b = w_h > 0, w_b > 0
    if np.unique(side.x[ind_h]).size < p + 1 or np.unique(side.x[ind_b]).size < q + 1:
        raise ValueError(
            "not enough distinct values of x with positive kernel weight to fit the "
            "requested polynomials on each side of the cutoff"
        )
    ind = ind_h if h > b else ind_b
    ex, ed = side.x[ind], side.d[ind]
    ww_h = w_h[ind].reshape(-1, 1)
    ww_b = w_b[ind].reshape(-1, 1)
    u = (ex - c) / h
    r_q = _vander(ex - c, q)
    r_p = r_q[:, : p + 1]
    rw_p = r_p * ww_h
    rw_q = r_q * ww_b
    big_l = rw_p.T @ (u ** (p + 1))
    sq_q = np.sqrt(ww_b) * r_q
    inv_g_q = _inv_chol(sq_q.T @ sq_q)
    sq_p = np.sqrt(ww_h) * r_p
    inv_g_p = _inv_chol(sq_p.T @ sq_p)
    m = (r_q @ inv_g_q[p + 1, :]).reshape(-1, 1) * ww_b
    q_q = rw_p - h ** (p + 1) * m * big_l.reshape(1, -1)
    beta_p = inv_g_p @ (rw_p.T @ ed)
    beta_q = inv_g_q @ (rw_q.T @ ed)
    beta_bc = inv_g_p @ (q_q.T @ ed)
    res_h = _residuals(ex, ed, r_p, beta_p, rw_p, inv_g_p, vce, nnmatch)
    if vce == "nn":
        res_b = res_h
    else:
        res_b = _residuals(ex, ed, r_q, beta_q, rw_q, inv_g_q, vce, nnmatch)
    return _SideFit(beta_p, beta_bc, inv_g_p, rw_p, q_q, res_h, res_b, int(np.sum(ind_h)))


def _side_variances(fit: _SideFit, s: np.ndarray) -> tuple[float, float]:
    """Conventional and robust variance of the intercept for the score weights s."""
    v_cl = fit.inv_g_p @ _meat(s, fit.rw_p, fit.res_h) @ fit.inv_g_p
    v_rb = fit.inv_g_p @ _meat(s, fit.q_q, fit.res_b) @ fit.inv_g_p
    return float(v_cl[0, 0]), float(v_rb[0, 0])


# ------------------------------------------------------------------------- results --


@dataclass(frozen=True)
class RddResult:
    """Local polynomial RD estimate (rdrobust's Conventional and Robust rows).

    ``estimate`` and ``std_error`` are conventional; ``estimate_bc`` is bias-corrected and the
    ``*_robust`` fields are robust bias-corrected inference (centred on ``estimate_bc``).
    ``n_left``/``n_right`` count observations within h; ``n_total_*`` all observations per side.
    For fuzzy designs ``estimate`` is the Wald ratio and the ``first_stage_*`` fields report the
    jump in the treatment at the cutoff; they are None for sharp designs.
    """

    estimate: float
    estimate_bc: float
    std_error: float
    std_error_robust: float
    conf_low: float
    conf_high: float
    p_value: float
    conf_low_robust: float
    conf_high_robust: float
    p_value_robust: float
    h_left: float
    h_right: float
    b_left: float
    b_right: float
    n_left: int
    n_right: int
    n_total_left: int
    n_total_right: int
    cutoff: float
    kernel: str
    p: int
    q: int
    bwselect: str
    vce: str
    nnmatch: int
    level: float
    design: str
    first_stage_estimate: float | None = None
    first_stage_estimate_bc: float | None = None
    first_stage_std_error: float | None = None
    first_stage_std_error_robust: float | None = None
    first_stage_conf_low_robust: float | None = None
    first_stage_conf_high_robust: float | None = None
    first_stage_p_value_robust: float | None = None

    def tidy(self) -> pd.DataFrame:
        """All fields as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class DensityTestResult:
    """Cattaneo-Jansson-Ma manipulation test (rddensity's robust jackknife row).

    ``statistic`` is the bias-corrected difference of the densities at the cutoff divided by its
    jackknife standard error; ``p_value`` is two-sided normal.
    """

    statistic: float
    p_value: float
    density_left: float
    density_right: float
    difference: float
    std_error: float
    h_left: float
    h_right: float
    n_left: int
    n_right: int
    n_eff_left: int
    n_eff_right: int
    cutoff: float
    p: int
    q: int
    kernel: str
    bwselect: str
    mass_points_adjusted: bool

    def tidy(self) -> pd.DataFrame:
        """All fields as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


# ------------------------------------------------------------------------ estimator --


def estimate_rdd(
    y: Sequence[float] | np.ndarray | pd.Series,
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    cutoff: float = 0.0,
    fuzzy: Sequence[float] | np.ndarray | pd.Series | None = None,
    kernel: Kernel = "triangular",
    bwselect: BwSelect = "mserd",
    p: int = 1,
    q: int = 2,
    vce: Vce = "nn",
    nnmatch: int = 3,
    level: float = 95,
    cluster: Sequence[Any] | np.ndarray | None = None,
    h: float | tuple[float, float] | None = None,
    b: float | tuple[float, float] | None = None,
) -> RddResult:
    """Local polynomial sharp or fuzzy RD estimate with robust bias-corrected inference.

    A port of ``rdrobust.rdrobust`` (2.1.1) without covariates, weights or clustering, with its
    defaults: ``deriv=0``, ``masspoints="adjust"`` (with >= 20% repeated x on a side the pilot
    bandwidths are enlarged to hold at least 10 distinct values), ``stdvars=True``,
    ``bwrestrict=True``, ``scaleregul=1``, ``scalepar=1``.

    Args:
        y: outcome.
        x: running variable (score); treated side is ``x >= cutoff``.
        cutoff: the threshold; must lie strictly inside the range of ``x``.
        fuzzy: treatment take-up for a fuzzy design (the estimate is then the Wald ratio of the
            outcome jump to the treatment jump); None for a sharp design. If the treatment does
            not vary on one side (one-sided compliance), the bandwidths are selected for the
            sharp (outcome) problem, as rdrobust does.
        kernel: "triangular" (default), "uniform" or "epanechnikov".
        bwselect: bandwidth selector of rdbwselect; default "mserd" (one common MSE-optimal h).
        p: order of the local polynomial of the point estimate (1 = local linear).
        q: order of the bias-correction polynomial (> p).
        vce: "nn" (nearest-neighbour, default), "hc0", "hc1", "hc2" or "hc3".
        nnmatch: minimum number of neighbours of the NN variance.
        level: confidence level in percent.
        cluster: not ported; anything but None raises NotImplementedError.
        h: manual main bandwidth (one value or (left, right)); skips the selector.
        b: manual bias bandwidth; defaults to ``h`` when ``h`` is given.

    Returns:
        RddResult with conventional and robust bias-corrected inference.

    Raises:
        ValueError: bad option, length mismatch, NaN/inf input, cutoff outside the range of x,
            or too few distinct values of x on a side.
        NotImplementedError: ``cluster`` was given.
    """
    _check_option("kernel", kernel, Kernel)
    _check_option("bwselect", bwselect, BwSelect)
    _check_option("vce", vce, Vce)
    p = _check_int("p", p, 0)
    q = _check_int("q", q, 0)
    if q <= p:
        raise ValueError(f"q must be greater than p; got p={p}, q={q}")
    nnmatch = _check_int("nnmatch", nnmatch, 1)
    if isinstance(level, bool) or not (np.isscalar(level) and 0 < float(level) < 100):
        raise ValueError(f"level must be a number in (0, 100); got {level!r}")
    if cluster is not None:
        raise NotImplementedError(
            "cluster-robust variance (rdrobust's cr1/cr2/cr3) is not ported; pass cluster=None"
        )
    if not (np.isscalar(cutoff) and np.isfinite(float(cutoff))):
        raise ValueError(f"cutoff must be a finite number; got {cutoff!r}")
    c = float(cutoff)
    y_arr = _as_1d("y", y)
    x_arr = _as_1d("x", x)
    if y_arr.size != x_arr.size:
        raise ValueError(f"y and x must have equal length; got y={y_arr.size}, x={x_arr.size}")
    t_arr = None
    if fuzzy is not None:
        t_arr = _as_1d("fuzzy", fuzzy)
        if t_arr.size != x_arr.size:
            raise ValueError(
                f"fuzzy and x must have equal length; got fuzzy={t_arr.size}, x={x_arr.size}"
            )
    h_manual = _manual_bw("h", h)
    b_manual = _manual_bw("b", b)
    if b_manual is not None and h_manual is None:
        raise ValueError("b can only be given together with h")

    order = np.argsort(x_arr)
    x_arr, y_arr = x_arr[order], y_arr[order]
    if t_arr is not None:
        t_arr = t_arr[order]
    x_min, x_max = float(x_arr[0]), float(x_arr[-1])
    if not (x_min < c < x_max):
        raise ValueError(
            f"cutoff={c} must lie strictly inside the range of x [{x_min}, {x_max}]: "
            "all observations are on one side of the cutoff"
        )
    is_l = x_arr < c
    x_l, x_r = x_arr[is_l], x_arr[~is_l]
    n_l, n_r = x_l.size, x_r.size
    m_l, m_r = np.unique(x_l).size, np.unique(x_r).size
    if min(m_l, m_r) < q + 1:
        side = "left" if m_l < q + 1 else "right"
        raise ValueError(
            f"not enough distinct values of x on the {side} side of the cutoff "
            f"({min(m_l, m_r)}) to fit a polynomial of order q={q}"
        )
    d_l = y_arr[is_l].reshape(-1, 1)
    d_r = y_arr[~is_l].reshape(-1, 1)
    if t_arr is not None:
        t_l, t_r = t_arr[is_l], t_arr[~is_l]
        if np.var(t_l) == 0 and np.var(t_r) == 0 and abs(np.mean(t_l) - np.mean(t_r)) < _SQRT_EPS:
            raise ValueError(
                "fuzzy: the treatment neither varies nor jumps at the cutoff; "
                "the fuzzy RD is not identified"
            )
        d_l = np.column_stack([d_l, t_l])
        d_r = np.column_stack([d_r, t_r])
    quant = -stats.norm.ppf(abs((1 - level / 100) / 2))
    range_l, range_r = abs(c - x_min), abs(x_max - c)
    n = n_l + n_r

    bwselect_used: str = bwselect
    if h_manual is not None:
        h_l, h_r = h_manual
        b_l, b_r = b_manual if b_manual is not None else h_manual
        bwselect_used = "manual"
    elif n < 20:
        h_l = h_r = b_l = b_r = max(range_l, range_r)
        bwselect_used = "manual"
    else:
        h_l, h_r, b_l, b_r = _rdrobust_bandwidths(
            x_arr,
            y_arr,
            d_l,
            d_r,
            x_l,
            x_r,
            c,
            p=p,
            q=q,
            kernel=kernel,
            bwselect=bwselect,
            vce=vce,
            nnmatch=nnmatch,
            m_l=m_l,
            m_r=m_r,
        )

    left, right = _Side(x_l, d_l), _Side(x_r, d_r)
    fit_l = _fit_side(left, c, h_l, b_l, p, q, kernel, vce, nnmatch)
    fit_r = _fit_side(right, c, h_r, b_r, p, q, kernel, vce, nnmatch)
    beta_p = fit_r.beta_p - fit_l.beta_p
    beta_bc = fit_r.beta_bc - fit_l.beta_bc
    tau_cl = float(beta_p[0, 0])
    tau_bc = float(beta_bc[0, 0])
    first: dict[str, float] = {}
    if t_arr is None:
        s_y = np.array([1.0])
    else:
        tau_y_cl, tau_y_bc = tau_cl, tau_bc
        tau_t_cl, tau_t_bc = float(beta_p[0, 1]), float(beta_bc[0, 1])
        tau_cl = tau_y_cl / tau_t_cl
        s_y = np.array([1 / tau_t_cl, -(tau_y_cl / tau_t_cl**2)])
        tau_bc = tau_cl - float(s_y @ np.array([tau_y_cl - tau_y_bc, tau_t_cl - tau_t_bc]))
        s_t = np.array([0.0, 1.0])
        vt_cl_l, vt_rb_l = _side_variances(fit_l, s_t)
        vt_cl_r, vt_rb_r = _side_variances(fit_r, s_t)
        se_t_cl = math.sqrt(vt_cl_l + vt_cl_r)
        se_t_rb = math.sqrt(vt_rb_l + vt_rb_r)
        first = {
            "first_stage_estimate": tau_t_cl,
            "first_stage_estimate_bc": tau_t_bc,
            "first_stage_std_error": se_t_cl,
            "first_stage_std_error_robust": se_t_rb,
            "first_stage_conf_low_robust": tau_t_bc - quant * se_t_rb,
            "first_stage_conf_high_robust": tau_t_bc + quant * se_t_rb,
            "first_stage_p_value_robust": float(2 * stats.norm.cdf(-abs(tau_t_bc / se_t_rb))),
        }
    v_cl_l, v_rb_l = _side_variances(fit_l, s_y)
    v_cl_r, v_rb_r = _side_variances(fit_r, s_y)
    se_cl = math.sqrt(v_cl_l + v_cl_r)
    se_rb = math.sqrt(v_rb_l + v_rb_r)
    return RddResult(
        estimate=tau_cl,
        estimate_bc=tau_bc,
        std_error=se_cl,
        std_error_robust=se_rb,
        conf_low=tau_cl - quant * se_cl,
        conf_high=tau_cl + quant * se_cl,
        p_value=float(2 * stats.norm.cdf(-abs(tau_cl / se_cl))),
        conf_low_robust=tau_bc - quant * se_rb,
        conf_high_robust=tau_bc + quant * se_rb,
        p_value_robust=float(2 * stats.norm.cdf(-abs(tau_bc / se_rb))),
        h_left=float(h_l),
        h_right=float(h_r),
        b_left=float(b_l),
        b_right=float(b_r),
        n_left=fit_l.n_h,
        n_right=fit_r.n_h,
        n_total_left=int(n_l),
        n_total_right=int(n_r),
        cutoff=c,
        kernel=kernel,
        p=p,
        q=q,
        bwselect=bwselect_used,
        vce=vce,
        nnmatch=nnmatch,
        level=float(level),
        design="sharp" if t_arr is None else "fuzzy",
        **first,
    )


def _manual_bw(name: str, value: float | tuple[float, float] | None) -> tuple[float, float] | None:
    if value is None:
        return None
    arr = np.asarray(value, dtype=float).reshape(-1)
    if arr.size not in (1, 2) or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be one or two positive finite numbers; got {value!r}")
    return (float(arr[0]), float(arr[-1]))


def _rdrobust_bandwidths(
    x: np.ndarray,
    y: np.ndarray,
    d_l: np.ndarray,
    d_r: np.ndarray,
    x_l: np.ndarray,
    x_r: np.ndarray,
    c: float,
    *,
    p: int,
    q: int,
    kernel: str,
    bwselect: str,
    vce: str,
    nnmatch: int,
    m_l: int,
    m_r: int,
) -> tuple[float, float, float, float]:
    """Standardize x and y, then run the rdbwselect cascade (rdrobust's inline selector)."""
    n_l, n_r = x_l.size, x_r.size
    x_sd = float(np.std(x, ddof=1))
    y_sd = float(np.std(y, ddof=1))
    iqr = _quantile_type2(x, 0.75) - _quantile_type2(x, 0.25)
    bwp = min(1.0, (iqr / x_sd) / 1.349)
    bwcheck = None
    if 1 - m_l / n_l >= 0.2 or 1 - m_r / n_r >= 0.2:
        bwcheck = 10
    # The treatment is not standardized; with one-sided compliance it is dropped (sharp bw).
    dl_bw = d_l / np.r_[y_sd, np.ones(d_l.shape[1] - 1)]
    dr_bw = d_r / np.r_[y_sd, np.ones(d_r.shape[1] - 1)]
    if d_l.shape[1] == 2 and (np.var(d_l[:, 1]) == 0 or np.var(d_r[:, 1]) == 0):
        dl_bw, dr_bw = dl_bw[:, :1], dr_bw[:, :1]
    left = _Side(x_l / x_sd, dl_bw)
    right = _Side(x_r / x_sd, dr_bw)
    return _select_bandwidths(
        left,
        right,
        c / x_sd,
        p=p,
        q=q,
        kernel=kernel,
        bwselect=bwselect,
        vce=vce,
        nnmatch=nnmatch,
        n_total=n_l + n_r,
        n_unique=m_l + m_r,
        x_min=float(x[0]) / x_sd,
        x_max=float(x[-1]) / x_sd,
        range_l=abs(c - float(x_l[0])) / x_sd,
        range_r=abs(c - float(x_r[-1])) / x_sd,
        x_sd=x_sd,
        bwp=bwp,
        bwcheck=bwcheck,
    )


# --------------------------------------------------------------------- density test --

# rdbwdensity's pilot constants, indexed by p - 1.
_CB = [
    25884.444444494150957,
    3430865.4551236177795,
    845007948.04262602329,
    330631733667.03808594,
    187774809656037.3125,
    145729502641999264,
    146013502974449876992,
]
_CC = [
    4.8000000000000246914,
    548.57142857155463389,
    100800.00000020420703,
    29558225.458100609481,
    12896196859.612621307,
    7890871468221.609375,
    6467911284037581,
]


def _kernel_moment(k: int, kernel: str) -> float:
    """Integral over [0, 1] of K(u) u^k (closed form of rddensity's quadrature)."""
    if kernel == "uniform":
        return 0.5 / (k + 1)
    if kernel == "epanechnikov":
        return 0.75 * (1 / (k + 1) - 1 / (k + 3))
    return 1 / (k + 1) - 1 / (k + 2)


def _density_fit(
    y: np.ndarray,
    x: np.ndarray,
    n: int,
    hl: float,
    hr: float,
    p: int,
    s: int,
    kernel: str,
    mass_points: bool,
) -> np.ndarray:
    """Unrestricted local polynomial CDF fit with jackknife variance (rddensity_fv).

    Returns a (4, 3) array, rows left/right/diff/sum, columns estimate/jackknife variance/
    s-th derivative.
    """
    out = np.full((4, 3), np.nan)
    nlh = int(np.sum(x < 0))
    nh = x.size
    xl, xr = x[:nlh], x[nlh:]
    if kernel == "uniform":
        w = np.r_[np.full(nlh, 1 / (2 * hl)), np.full(nh - nlh, 1 / (2 * hr))]
    elif kernel == "triangular":
        w = np.r_[(1 + xl / hl) / hl, (1 - xr / hr) / hr]
    else:
        w = np.r_[0.75 * (1 - (xl / hl) ** 2) / hl, 0.75 * (1 - (xr / hr) ** 2) / hr]
    xp = np.zeros((nh, 2 * p + 2))
    hp = np.zeros(2 * p + 2)
    for k in range(p + 1):
        xp[:nlh, 2 * k] = (xl / hl) ** k
        xp[nlh:, 2 * k + 1] = (xr / hr) ** k
        hp[2 * k] = hl**k
        hp[2 * k + 1] = hr**k
    hp_inv = np.diag(1 / hp)
    xpw = xp * w[:, None]
    try:
        s_inv = np.linalg.inv(xpw.T @ xp)
    except np.linalg.LinAlgError:
        return out
    beta = (xpw.T @ y) @ s_inv @ hp_inv
    out[:, 0] = [beta[2], beta[3], beta[3] - beta[2], beta[3] + beta[2]]
    out[:2, 2] = [beta[2 * s], beta[2 * s + 1]]
    out[2, 2] = out[1, 2] - out[0, 2]
    out[3, 2] = out[1, 2] + out[0, 2]
    # Jackknife: each row's influence is the (scaled) sum of the weighted design rows above it.
    tail = np.cumsum(np.vstack([np.zeros((1, xpw.shape[1])), xpw[::-1]]), axis=0) / (n - 1)
    lmat = tail[nh - 1 :: -1] if nh > 0 else tail[:0]
    if mass_points:
        starts, ends = _tie_groups(x)
        lmat = np.repeat(lmat[starts], ends - starts, axis=0)
    v = hp_inv @ s_inv @ (lmat.T @ lmat) @ s_inv @ hp_inv
    out[:, 1] = [
        v[2, 2],
        v[3, 3],
        v[2, 2] + v[3, 3] - 2 * v[2, 3],
        v[2, 2] + v[3, 3] + 2 * v[2, 3],
    ]
    out[:, 1] = np.where(out[:, 1] < 0, np.nan, out[:, 1])
    return out


def _density_bandwidths(
    xc: np.ndarray,
    y: np.ndarray,
    uniq: np.ndarray,
    p: int,
    kernel: str,
    mass_points: bool,
    regularize: bool,
    n_local_min: int,
    n_unique_min: int,
) -> np.ndarray:
    """rdbwdensity: bandwidths for the left, right, difference and sum of the densities."""
    n = xc.size
    nl = int(np.sum(xc < 0))
    nr = n - nl
    nl_u = int(np.sum(uniq < 0))
    nr_u = uniq.size - nl_u
    mu = float(np.mean(xc))
    sd = float(np.std(xc, ddof=1))
    z = mu / sd
    phi = stats.norm.pdf(z)
    fhatb = 1 / (hermeval(z, [0] * (p + 2) + [1]) ** 2 * phi)
    fhatc = 1 / (hermeval(z, [0] * p + [1]) ** 2 * phi)
    bn = ((2 * p + 1) / 4 * fhatb * _CB[p - 1] / n) ** (1 / (2 * p + 5)) * sd
    cn = (1 / (2 * p) * fhatc * _CC[p - 1] / n) ** (1 / (2 * p + 1)) * sd
    abs_l = np.sort(np.abs(xc[xc < 0]))
    pos_r = xc[xc >= 0]
    uabs_l = np.sort(np.abs(uniq[uniq < 0]))
    upos_r = uniq[uniq >= 0]
    if regularize:
        bn = min(bn, float(np.max(np.abs(uniq))))
        cn = min(cn, float(np.max(np.abs(uniq))))
        if n_local_min > 0:
            bn = max(bn, abs_l[min(20 + p + 3, nl) - 1], pos_r[min(20 + p + 3, nr) - 1])
            cn = max(cn, abs_l[min(20 + p + 1, nl) - 1], pos_r[min(20 + p + 1, nr) - 1])
        if n_unique_min > 0:
            bn = max(bn, uabs_l[min(20 + p + 3, nl_u) - 1], upos_r[min(20 + p + 3, nr_u) - 1])
            cn = max(cn, uabs_l[min(20 + p + 1, nl_u) - 1], upos_r[min(20 + p + 1, nr_u) - 1])
    mb = np.abs(xc) <= bn
    mc = np.abs(xc) <= cn
    fv_b = _density_fit(y[mb], xc[mb], n, bn, bn, p + 2, p + 1, kernel, mass_points)
    fv_c = _density_fit(y[mc], xc[mc], n, cn, cn, p, 1, kernel, mass_points)
    variance = n * cn * fv_c[:, 1]
    s_mat = np.array([[_kernel_moment(i + j, kernel) for j in range(p + 1)] for i in range(p + 1)])
    c_vec = np.array([_kernel_moment(i + p + 1, kernel) for i in range(p + 1)])
    bias_constant = float(np.linalg.solve(s_mat, c_vec)[1])
    bias = np.empty(4)
    bias[0] = fv_b[0, 2] * bias_constant * (-1) ** p
    bias[1] = fv_b[1, 2] * bias_constant
    bias[2] = bias[1] - bias[0]
    bias[3] = bias[1] + bias[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        bw = (1 / (2 * p) * variance / bias**2 / n) ** (1 / (2 * p + 1))
    bw = np.where(np.isnan(bw) | (variance < 0), 0.0, bw)
    if regularize:
        left_range, right_range = abs(uniq[0]), uniq[-1]
        bw[0] = min(bw[0], left_range)
        bw[1] = min(bw[1], right_range)
        bw[2] = min(bw[2], max(left_range, right_range))
        bw[3] = min(bw[3], max(left_range, right_range))
        mins = []
        if n_local_min > 0:
            mins.append((abs_l[min(nl, n_local_min) - 1], pos_r[min(nr, n_local_min) - 1]))
        if n_unique_min > 0:
            mins.append((uabs_l[min(nl_u, n_unique_min) - 1], upos_r[min(nr_u, n_unique_min) - 1]))
        for hlmin, hrmin in mins:
            bw[0] = max(bw[0], hlmin)
            bw[1] = max(bw[1], hrmin)
            bw[2] = max(bw[2], hlmin, hrmin)
            bw[3] = max(bw[3], hlmin, hrmin)
    return bw


def density_test(
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    cutoff: float = 0.0,
    p: int = 2,
    kernel: Kernel = "triangular",
    bwselect: DensityBwSelect = "comb",
    h: float | tuple[float, float] | None = None,
    mass_points: bool = True,
    regularize: bool = True,
    n_local_min: int | None = None,
    n_unique_min: int | None = None,
) -> DensityTestResult:
    """Manipulation test of Cattaneo, Jansson and Ma: is the density of x continuous at cutoff?

    A port of ``rddensity.rddensity`` (3.0) on its default path: ``fitselect="unrestricted"``,
    ``vce="jackknife"``, ``q = p + 1`` (the robust bias-corrected statistic), bandwidths from
    ``rdbwdensity`` with ``bwselect="comb"`` (median of each/diff/sum per side), regularization
    and the mass-point adjustment. Not ported: ``fitselect="restricted"``, ``vce="plugin"``,
    ``useall`` (the conventional statistic) and the binomial tests.

    Args:
        x: running variable.
        cutoff: threshold; left side is ``x < cutoff``.
        p: order of the local polynomial of the density estimate (1..7; default 2).
        kernel: "triangular" (default), "uniform" or "epanechnikov".
        bwselect: "comb" (default), "each", "diff" or "sum".
        h: manual bandwidth (one value or (left, right)); skips the selector.
        mass_points: adjust for repeated values of x (rddensity's ``massPoints``).
        regularize: enforce the minimum local sample sizes of rdbwdensity.
        n_local_min: minimum observations per side within h (default 20 + p + 1).
        n_unique_min: minimum distinct values per side within h (default 20 + p + 1).

    Returns:
        DensityTestResult with the T statistic, its p-value, densities and bandwidths.
    """
    _check_option("kernel", kernel, Kernel)
    _check_option("bwselect", bwselect, DensityBwSelect)
    p = _check_int("p", p, 1)
    if p > 7:
        raise ValueError(f"p must be an integer between 1 and 7; got {p}")
    n_local_min = 20 + p + 1 if n_local_min is None else _check_int("n_local_min", n_local_min, 0)
    n_unique_min = (
        20 + p + 1 if n_unique_min is None else _check_int("n_unique_min", n_unique_min, 0)
    )
    if not (np.isscalar(cutoff) and np.isfinite(float(cutoff))):
        raise ValueError(f"cutoff must be a finite number; got {cutoff!r}")
    c = float(cutoff)
    xs = np.sort(_as_1d("x", x))
    n = xs.size
    nl = int(np.searchsorted(xs, c, side="left"))
    nr = n - nl
    if nl < 2 or nr < 2:
        raise ValueError(
            f"cutoff={c} leaves {nl} observation(s) of x on the left and {nr} on the right; "
            "the density test needs observations on both sides"
        )
    starts, ends = _tie_groups(xs)
    uniq = xs[starts]
    adjust = bool(mass_points) and uniq.size != n
    q = p + 1
    xc = xs - c
    yv = np.arange(n) / (n - 1)
    if adjust:
        yv = np.repeat(yv[ends - 1], ends - starts)
    manual = _manual_bw("h", h)
    if manual is not None:
        hl, hr = manual
        bw_label = "manual"
    else:
        bw = _density_bandwidths(
            xc, yv, uniq - c, p, kernel, adjust, regularize, n_local_min, n_unique_min
        )
        bw_label = bwselect
        if bwselect == "each":
            hl, hr = bw[0], bw[1]
        elif bwselect == "diff":
            hl = hr = bw[2]
        elif bwselect == "sum":
            hl = hr = bw[3]
        else:
            hl = float(np.median([bw[0], bw[2], bw[3]]))
            hr = float(np.median([bw[1], bw[2], bw[3]]))
    mask = (xc >= -hl) & (xc <= hr)
    fv = _density_fit(yv[mask], xc[mask], n, hl, hr, q, 1, kernel, adjust)
    se = math.sqrt(fv[2, 1]) if np.isfinite(fv[2, 1]) else math.nan
    stat = fv[2, 0] / se
    n_eff_l = int(np.sum(xc[mask] < 0))
    return DensityTestResult(
        statistic=float(stat),
        p_value=float(2 * (1 - stats.norm.cdf(abs(stat)))),
        density_left=float(fv[0, 0]),
        density_right=float(fv[1, 0]),
        difference=float(fv[2, 0]),
        std_error=float(se),
        h_left=float(hl),
        h_right=float(hr),
        n_left=nl,
        n_right=nr,
        n_eff_left=n_eff_l,
        n_eff_right=int(np.sum(mask)) - n_eff_l,
        cutoff=c,
        p=p,
        q=q,
        kernel=kernel,
        bwselect=bw_label,
        mass_points_adjusted=adjust,
    )


# ------------------------------------------------------------------------- RD plot --


def binned_means(
    y: Sequence[float] | np.ndarray | pd.Series,
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    cutoff: float = 0.0,
    n_bins: int = 20,
) -> pd.DataFrame:
    """Mean of y in evenly spaced bins of x on each side of the cutoff (the dots of an RD plot).

    The left side [min(x), cutoff) and the right side [cutoff, max(x)] are each cut into
    ``n_bins`` bins of equal width; empty bins are dropped.

    Returns:
        DataFrame with columns side ("left"/"right"), bin_mid, mean_y, n.
    """
    n_bins = _check_int("n_bins", n_bins, 1)
    y_arr, x_arr = _as_1d("y", y), _as_1d("x", x)
    if y_arr.size != x_arr.size:
        raise ValueError(f"y and x must have equal length; got y={y_arr.size}, x={x_arr.size}")
    c = float(cutoff)
    frames = []
    for side, mask, lo, hi in (
        ("left", x_arr < c, float(np.min(x_arr)), c),
        ("right", x_arr >= c, c, float(np.max(x_arr))),
    ):
        if not mask.any():
            continue
        edges = np.linspace(lo, hi, n_bins + 1)
        idx = np.clip(np.searchsorted(edges, x_arr[mask], side="right") - 1, 0, n_bins - 1)
        counts = np.bincount(idx, minlength=n_bins)
        sums = np.bincount(idx, weights=y_arr[mask], minlength=n_bins)
        keep = counts > 0
        frames.append(
            pd.DataFrame(
                {
                    "side": side,
                    "bin_mid": ((edges[:-1] + edges[1:]) / 2)[keep],
                    "mean_y": sums[keep] / counts[keep],
                    "n": counts[keep].astype(int),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def fitted_line(
    y: Sequence[float] | np.ndarray | pd.Series,
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    h: float | tuple[float, float],
    cutoff: float = 0.0,
    kernel: Kernel = "triangular",
    p: int = 1,
    n_points: int = 50,
) -> pd.DataFrame:
    """Kernel-weighted local polynomial fit on each side within h (the lines of an RD plot).

    These are the fits whose intercepts ``estimate_rdd`` differences, so the gap between the two
    lines at the cutoff equals the conventional sharp estimate at the same h (e.g. pass
    ``(result.h_left, result.h_right)``).

    Returns:
        DataFrame with columns side ("left"/"right"), x, fitted; ``n_points`` per side.
    """
    _check_option("kernel", kernel, Kernel)
    p = _check_int("p", p, 0)
    n_points = _check_int("n_points", n_points, 2)
    bws = _manual_bw("h", h)
    if bws is None:
        raise ValueError("h must be given (one value or (left, right))")
    y_arr, x_arr = _as_1d("y", y), _as_1d("x", x)
    if y_arr.size != x_arr.size:
        raise ValueError(f"y and x must have equal length; got y={y_arr.size}, x={x_arr.size}")
    c = float(cutoff)
    frames = []
    for side, mask, bw, sign in (
        ("left", x_arr < c, bws[0], -1.0),
        ("right", x_arr >= c, bws[1], 1.0),
    ):
        w = _kweight(x_arr[mask], c, bw, kernel)
        keep = w > 0
        ex, ey, ew = x_arr[mask][keep], y_arr[mask][keep], w[keep]
        if np.unique(ex).size < p + 1:
            raise ValueError(f"not enough distinct values of x within h on the {side} side")
        r = _vander(ex - c, p)
        sw = np.sqrt(ew).reshape(-1, 1)
        beta = np.linalg.lstsq(r * sw, ey * sw[:, 0], rcond=None)[0]
        far = float(np.min(ex)) if sign < 0 else float(np.max(ex))
        grid = np.linspace(far, c, n_points) if sign < 0 else np.linspace(c, far, n_points)
        frames.append(
            pd.DataFrame({"side": side, "x": grid, "fitted": _vander(grid - c, p) @ beta})
        )
    return pd.concat(frames, ignore_index=True)
