"""Regression discontinuity through the field's packages: ``rdrobust`` and ``rddensity``.

A thin adapter (both packages are GPL-3.0-only, see LICENSE): it checks the inputs with messages
that name the bad argument, calls the package, and returns small frozen results with the numbers
``cluster_resilience.runs.rdd`` publishes.

- ``estimate_rdd``: ``rdrobust.rdrobust`` (Calonico, Cattaneo, Farrell and Titiunik): local
  polynomial sharp or fuzzy RD, MSE/CER-optimal bandwidths, conventional and robust
  bias-corrected inference; fuzzy designs also return the first stage.
- ``density_test``: ``rddensity.rddensity`` (Cattaneo, Jansson and Ma), its robust jackknife test.
- ``binned_means``: the dots of ``rdrobust.rdplot`` (evenly spaced bins, number chosen by its
  default mimicking-variance rule ``esmv``); ``fitted_line``: the local polynomials of an
  ``estimate_rdd`` result on a grid (the lines whose gap at the cutoff is the estimate).

The packages print notes (e.g. "Mass points detected") to stdout; they are captured and kept in
``RddResult.notes`` instead. Any failure of a package is raised as ``RddError`` with its message.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import rddensity as _rddensity
import rdrobust as _rdrobust

__all__ = [
    "DensityTestResult",
    "RddError",
    "RddResult",
    "binned_means",
    "density_test",
    "estimate_rdd",
    "fitted_line",
]

Kernel = Literal["triangular", "uniform", "epanechnikov"]
BwSelect = Literal[
    "mserd", "msetwo", "msesum", "msecomb1", "msecomb2",
    "cerrd", "certwo", "cersum", "cercomb1", "cercomb2",
]  # fmt: skip
Vce = Literal["nn", "hc0", "hc1", "hc2", "hc3"]
DensityBwSelect = Literal["comb", "each", "diff", "sum"]
Array = Sequence[float] | np.ndarray | pd.Series


class RddError(ValueError):
    """The package could not estimate the design (its message says why)."""


@dataclass(frozen=True)
class RddResult:
    """rdrobust's Conventional and Robust rows (``*_robust`` is centred on ``estimate_bc``).

    ``n_left``/``n_right`` count rows within h, ``n_total_*`` all rows per side. Fuzzy designs:
    ``estimate`` is the Wald ratio and ``first_stage_*`` the jump in the treatment (None when
    sharp). ``coef_left``/``coef_right`` are the local polynomial coefficients of the outcome
    (1, x - cutoff, ...) within h on each side, ``first_stage_coef_*`` those of the treatment.
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
    x_min: float
    x_max: float
    bwselect: str
    coef_left: tuple[float, ...]
    coef_right: tuple[float, ...]
    notes: str = ""
    first_stage_estimate: float | None = None
    first_stage_estimate_bc: float | None = None
    first_stage_std_error: float | None = None
    first_stage_std_error_robust: float | None = None
    first_stage_conf_low_robust: float | None = None
    first_stage_conf_high_robust: float | None = None
    first_stage_p_value_robust: float | None = None
    first_stage_coef_left: tuple[float, ...] | None = None
    first_stage_coef_right: tuple[float, ...] | None = None


@dataclass(frozen=True)
class DensityTestResult:
    """rddensity's robust jackknife test: ``statistic`` = ``difference`` / ``std_error``."""

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


# --------------------------------------------------------------------------- validation --


def _option(name: str, value: object, literal: Any) -> str:
    allowed = get_args(literal)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return str(value)


def _vector(name: str, values: Any, size: int | None = None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric") from error
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array; got {array.shape}")
    if size is not None and array.size != size:
        raise ValueError(f"{name} and x must have equal length; got {name}={array.size}, x={size}")
    bad = int(np.sum(~np.isfinite(array)))
    if bad:
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); drop incomplete rows")
    return array


def _cutoff_inside(x: np.ndarray, cutoff: float) -> float:
    if not np.isfinite(cutoff):
        raise ValueError(f"cutoff must be a finite number; got {cutoff!r}")
    if not x.min() < cutoff < x.max():
        raise ValueError(
            f"cutoff={cutoff} must lie strictly inside the range of x [{x.min()}, {x.max()}]: "
            "all observations are on one side of the cutoff"
        )
    return float(cutoff)


@contextlib.contextmanager
def _package_call(package: str, notes: io.StringIO):
    """Capture the package's printed notes; raise its failures as RddError."""
    try:
        with contextlib.redirect_stdout(notes), np.errstate(all="ignore"):
            yield
    except RddError:
        raise
    except Exception as error:  # the packages raise bare Exception for bad designs
        raise RddError(f"{package}: {error}") from error


def _pair(frame: pd.DataFrame, row: int, column: int) -> float:
    return float(frame.iloc[row, column])


# ---------------------------------------------------------------------------- estimator --


def estimate_rdd(
    y: Array,
    x: Array,
    *,
    cutoff: float = 0.0,
    fuzzy: Array | None = None,
    kernel: Kernel = "triangular",
    bwselect: BwSelect = "mserd",
    p: int = 1,
    q: int = 2,
    vce: Vce = "nn",
    nnmatch: int = 3,
    level: float = 95.0,
    h: float | tuple[float, float] | None = None,
    b: float | tuple[float, float] | None = None,
) -> RddResult:
    """Sharp or fuzzy RD at ``cutoff`` by ``rdrobust.rdrobust`` (treated side: x >= cutoff).

    Options are rdrobust's (its defaults: masspoints="adjust", stdvars, bwrestrict); ``h``
    (and ``b``, default ``h``) fix the bandwidths, one value or (left, right).

    Raises:
        ValueError: a bad option, NaN/inf or unequal lengths, the cutoff outside the range of x.
        RddError: rdrobust could not estimate the design (e.g. too few distinct x on a side).
    """
    _option("kernel", kernel, Kernel)
    _option("bwselect", bwselect, BwSelect)
    _option("vce", vce, Vce)
    if not (isinstance(p, int) and isinstance(q, int) and 0 <= p < q):
        raise ValueError(f"p and q must be integers with 0 <= p < q; got p={p!r}, q={q!r}")
    x_arr = _vector("x", x)
    y_arr = _vector("y", y, x_arr.size)
    t_arr = None if fuzzy is None else _vector("fuzzy", fuzzy, x_arr.size)
    c = _cutoff_inside(x_arr, cutoff)
    notes = io.StringIO()
    with _package_call("rdrobust", notes):
        fit = _rdrobust.rdrobust(
            y_arr, x_arr, c=c, fuzzy=t_arr, kernel=kernel, bwselect=bwselect, p=p, q=q,
            vce=vce, nnmatch=nnmatch, level=level, h=h, b=b,
        )  # fmt: skip
    first: dict[str, Any] = {}
    if t_arr is not None:
        first = {
            "first_stage_estimate": _pair(fit.tau_T, 0, 0),
            "first_stage_estimate_bc": _pair(fit.tau_T, 1, 0),
            "first_stage_std_error": _pair(fit.se_T, 0, 0),
            "first_stage_std_error_robust": _pair(fit.se_T, 2, 0),
            "first_stage_conf_low_robust": _pair(fit.ci_T, 2, 0),
            "first_stage_conf_high_robust": _pair(fit.ci_T, 2, 1),
            "first_stage_p_value_robust": _pair(fit.pv_T, 2, 0),
            "first_stage_coef_left": tuple(np.asarray(fit.beta_T_p_l, float).ravel()),
            "first_stage_coef_right": tuple(np.asarray(fit.beta_T_p_r, float).ravel()),
        }
    return RddResult(
        estimate=_pair(fit.coef, 0, 0),
        estimate_bc=_pair(fit.coef, 1, 0),
        std_error=_pair(fit.se, 0, 0),
        std_error_robust=_pair(fit.se, 2, 0),
        conf_low=_pair(fit.ci, 0, 0),
        conf_high=_pair(fit.ci, 0, 1),
        p_value=_pair(fit.pv, 0, 0),
        conf_low_robust=_pair(fit.ci, 2, 0),
        conf_high_robust=_pair(fit.ci, 2, 1),
        p_value_robust=_pair(fit.pv, 2, 0),
        h_left=_pair(fit.bws, 0, 0),
        h_right=_pair(fit.bws, 0, 1),
        b_left=_pair(fit.bws, 1, 0),
        b_right=_pair(fit.bws, 1, 1),
        n_left=int(fit.N_h[0]),
        n_right=int(fit.N_h[1]),
        n_total_left=int(fit.N[0]),
        n_total_right=int(fit.N[1]),
        cutoff=c,
        x_min=float(x_arr.min()),
        x_max=float(x_arr.max()),
        bwselect=str(fit.bwselect).lower(),
        coef_left=tuple(np.asarray(fit.beta_p_l, float)[:, 0]),
        coef_right=tuple(np.asarray(fit.beta_p_r, float)[:, 0]),
        notes=notes.getvalue().strip(),
        **first,
    )


def density_test(
    x: Array,
    *,
    cutoff: float = 0.0,
    p: int = 2,
    kernel: Kernel = "triangular",
    bwselect: DensityBwSelect = "comb",
) -> DensityTestResult:
    """Manipulation test by ``rddensity.rddensity``: is the density of x continuous at cutoff?

    rddensity's defaults otherwise (unrestricted fit, jackknife variance, q = p + 1, mass-point
    adjustment, regularized bandwidths); its binomial tests are not computed.
    """
    _option("kernel", kernel, Kernel)
    _option("bwselect", bwselect, DensityBwSelect)
    x_arr = _vector("x", x)
    c = _cutoff_inside(x_arr, cutoff)
    with _package_call("rddensity", io.StringIO()):
        fit = _rddensity.rddensity(x_arr, c=c, p=p, kernel=kernel, bwselect=bwselect,
                                   bino_flag=False)  # fmt: skip
    return DensityTestResult(
        statistic=float(fit.test["t_jk"]),
        p_value=float(fit.test["p_jk"]),
        density_left=float(fit.hat["left"]),
        density_right=float(fit.hat["right"]),
        difference=float(fit.hat["diff"]),
        std_error=float(fit.sd_jk["diff"]),
        h_left=float(fit.h["left"]),
        h_right=float(fit.h["right"]),
        n_left=int(fit.n["left"]),
        n_right=int(fit.n["right"]),
        n_eff_left=int(fit.n["eff_left"]),
        n_eff_right=int(fit.n["eff_right"]),
    )


# ------------------------------------------------------------------------------ RD plot --


def binned_means(y: Array, x: Array, *, cutoff: float = 0.0) -> pd.DataFrame:
    """The dots of an RD plot: ``rdrobust.rdplot``'s bin means (evenly spaced bins on each side,
    their number chosen by rdplot's default ``esmv`` rule; empty bins are left out).

    Returns:
        DataFrame with side ("left"/"right"), bin_low, bin_high, x (bin midpoint), x_mean,
        y (mean of y in the bin) and n, in order of x.
    """
    x_arr = _vector("x", x)
    y_arr = _vector("y", y, x_arr.size)
    c = _cutoff_inside(x_arr, cutoff)
    with _package_call("rdplot", io.StringIO()):
        bins = _rdrobust.rdplot(y_arr, x_arr, c=c, hide=True).vars_bins
    return pd.DataFrame(
        {
            "side": np.where(bins["rdplot_mean_bin"] < c, "left", "right"),
            "bin_low": bins["rdplot_min_bin"].astype(float),
            "bin_high": bins["rdplot_max_bin"].astype(float),
            "x": bins["rdplot_mean_bin"].astype(float),
            "x_mean": bins["rdplot_mean_x"].astype(float),
            "y": bins["rdplot_mean_y"].astype(float),
            "n": bins["rdplot_N"].astype(int),
        }
    ).reset_index(drop=True)


def fitted_line(
    result: RddResult, *, first_stage: bool = False, n_points: int = 50
) -> pd.DataFrame:
    """The lines of an RD plot: the result's local polynomials on ``n_points`` evenly spaced x
    per side, from the cutoff to h (or to the last row, if nearer). Their gap at the cutoff is
    ``result.estimate`` (sharp) or ``first_stage_estimate`` (``first_stage=True``).

    Returns:
        DataFrame with side ("left"/"right"), x and y (fitted), in order of x.
    """
    coefs = (
        (result.first_stage_coef_left, result.first_stage_coef_right)
        if first_stage
        else (result.coef_left, result.coef_right)
    )
    if coefs[0] is None:
        raise ValueError("first_stage=True needs a fuzzy result")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise ValueError(f"n_points must be an integer >= 2; got {n_points!r}")
    c = result.cutoff
    grids = (
        np.linspace(max(c - result.h_left, result.x_min), c, n_points),
        np.linspace(c, min(c + result.h_right, result.x_max), n_points),
    )
    return pd.DataFrame(
        [
            {"side": side, "x": float(point), "y": float(np.polyval(coef[::-1], point - c))}
            for side, grid, coef in zip(("left", "right"), grids, coefs, strict=True)
            for point in grid
        ]
    )
