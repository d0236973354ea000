"""Least squares from per-cluster moments: fit once, then infer per spec (as pyfixest's
``fit.vcov(...)``).

``OlsFit.from_moments(moments, residuals)`` solves the normal equations of the summed moments;
``fit.infer("CRV1")`` (or any method of :mod:`cluster_resilience.estimators.inference`) returns
standard errors, tests and intervals. In the warehouse the moments come from SQL
(``int_regression_moments``) and the residual pass from SQL too; :func:`fit_ols` is the same path
for arrays (numpy computes the moments), used by the model functions and the agreement tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cluster_resilience.estimators.inference import (
    CLUSTERED,
    METHODS,
    Inference,
    InferenceOptions,
    WildBootstrapOptions,
    validate_vcov,
)
from cluster_resilience.estimators.moments import (
    EstimationError,
    Moments,
    ResidualMoments,
    moments_from_arrays,
    residual_moments_from_arrays,
)

__all__ = ["EstimationError", "OlsFit", "OlsResult", "fit_ols", "solve_moments"]


def _collinear_terms(xtx: np.ndarray, terms: tuple[str, ...]) -> list[str]:
    scale = np.sqrt(np.diag(xtx))
    zero = [terms[i] for i in np.flatnonzero(scale == 0)]
    if zero:
        return zero
    eigenvalues, eigenvectors = np.linalg.eigh(xtx / np.outer(scale, scale))
    vector = eigenvectors[:, 0]
    return [terms[i] for i in np.flatnonzero(np.abs(vector) > 0.1)]


def solve_moments(moments: Moments) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, (X'X)^-1) of the summed moments; EstimationError naming the collinear
    terms when the design is rank deficient."""
    n_obs, n_params = moments.total_obs, moments.n_params
    if n_obs <= n_params:
        raise EstimationError(f"{n_obs} observations cannot identify {n_params} parameters")
    xtx = moments.total_xtx
    scale = np.sqrt(np.diag(xtx))
    if (scale == 0).any():
        raise EstimationError(
            f"the design matrix of {list(moments.terms)} is rank deficient: "
            f"{_collinear_terms(xtx, moments.terms)} are all zero"
        )
    scaled = xtx / np.outer(scale, scale)
    eigenvalues = np.linalg.eigvalsh(scaled)
    if eigenvalues[0] <= eigenvalues[-1] * len(scale) * np.finfo(float).eps * 10:
        raise EstimationError(
            f"the design matrix of {list(moments.terms)} is rank deficient: "
            f"{_collinear_terms(xtx, moments.terms)} are collinear"
        )
    xtx_inv = np.linalg.inv(xtx)
    return xtx_inv @ moments.total_xty, xtx_inv


@dataclass(frozen=True)
class OlsFit:
    """One least-squares fit: coefficients from the moments, residual statistics from the
    residual pass. ``infer(method)`` gives any inference method's result."""

    moments: Moments
    params: np.ndarray
    xtx_inv: np.ndarray
    residual_moments: ResidualMoments

    @classmethod
    def from_moments(cls, moments: Moments, residual_moments: ResidualMoments) -> OlsFit:
        params, xtx_inv = solve_moments(moments)
        return cls(moments, params, xtx_inv, residual_moments)

    @property
    def terms(self) -> tuple[str, ...]:
        return self.moments.terms

    @property
    def n_obs(self) -> int:
        return self.moments.total_obs

    @property
    def n_params(self) -> int:
        return self.moments.n_params

    @property
    def n_clusters(self) -> int:
        return self.moments.n_clusters

    @property
    def df_resid(self) -> int:
        return self.n_obs - self.n_params

    @property
    def rss(self) -> float:
        return self.residual_moments.rss

    def scores(self) -> np.ndarray:
        """Per-cluster scores X_g'u_g = X_g'y_g - X_g'X_g b, a (G, k) matrix."""
        return self.moments.xty - self.moments.xtx @ self.params

    def infer(
        self, vcov: str, *, level: float = 0.95, options: InferenceOptions | None = None
    ) -> Inference:
        validate_vcov(vcov)
        if not 0 < level < 1:
            raise ValueError(f"level must lie in (0, 1), got {level}")
        if vcov in CLUSTERED and self.n_clusters < 2:
            raise EstimationError("cluster-robust inference needs at least 2 clusters")
        return METHODS[vcov](self, level=level, options=options or InferenceOptions())

    def fit_statistics(self) -> dict[str, float | int]:
        """R-squared, adjusted R-squared and the classical F test of all slopes (what the paper
        and statsmodels' ``fvalue`` report). For absorbed fixed effects: within R-squared."""
        total_ss = self.moments.total_sum_of_squares()
        has_intercept = self.moments.has_intercept
        r2 = 1 - self.rss / total_ss if total_ss > 0 else float("nan")
        df_model = self.n_params - 1 if has_intercept else self.n_params
        adj_r2 = 1 - (1 - r2) * (self.n_obs - (1 if has_intercept else 0)) / self.df_resid
        if df_model > 0 and self.rss > 0:
            f_stat = ((total_ss - self.rss) / df_model) / (self.rss / self.df_resid)
            f_p_value = float(stats.f.sf(f_stat, df_model, self.df_resid))
        else:
            f_stat, f_p_value = float("nan"), float("nan")
        return {
            "r2": r2, "adj_r2": adj_r2, "f_stat": float(f_stat), "f_p_value": f_p_value,
            "df_model": df_model, "df_resid": self.df_resid, "n_obs": self.n_obs,
        }


@dataclass(frozen=True)
class OlsResult:
    """A fit with one inference method applied (what :func:`fit_ols` returns)."""

    fit: OlsFit
    inference: Inference
    n_clusters: int | None
    stats: dict = field(repr=False)

    terms = property(lambda self: list(self.fit.terms))
    params = property(lambda self: self.fit.params)
    std_errors = property(lambda self: self.inference.std_errors)
    statistics = property(lambda self: self.inference.statistics)
    p_values = property(lambda self: self.inference.p_values)
    p_value_is_bound = property(lambda self: self.inference.p_value_is_bound)
    conf_low = property(lambda self: self.inference.conf_low)
    conf_high = property(lambda self: self.inference.conf_high)
    vcov_type = property(lambda self: self.inference.vcov_type)
    vcov_matrix = property(lambda self: self.inference.vcov_matrix)
    df_inference = property(lambda self: self.inference.df_inference)
    level = property(lambda self: self.inference.level)
    n_obs = property(lambda self: self.fit.n_obs)
    df_resid = property(lambda self: self.fit.df_resid)
    r2 = property(lambda self: self.stats["r2"])
    adj_r2 = property(lambda self: self.stats["adj_r2"])
    f_stat = property(lambda self: self.stats["f_stat"])
    f_p_value = property(lambda self: self.stats["f_p_value"])
    df_model = property(lambda self: self.stats["df_model"])

    def wald_test(self, terms: list[str]) -> tuple[float, int, float]:
        return self.inference.wald_test(terms)

    def tidy(self) -> pd.DataFrame:
        """One row per term: estimate, std_error, statistic, p_value, conf_low, conf_high."""
        return pd.DataFrame(
            {
                "term": self.terms,
                "estimate": self.params,
                "std_error": self.std_errors,
                "statistic": self.statistics,
                "p_value": self.p_values,
                "p_value_is_bound": self.p_value_is_bound,
                "conf_low": self.conf_low,
                "conf_high": self.conf_high,
            }
        )

    def fit_statistics(self) -> dict:
        return {"vcov_type": self.vcov_type, **self.stats, "n_clusters": self.n_clusters}


def fit_ols(
    y,
    X,
    *,
    vcov: str = "iid",
    cluster=None,
    terms: list[str] | None = None,
    level: float = 0.95,
    has_intercept: bool = True,
    bootstrap: WildBootstrapOptions | None = None,
    absorb=None,
    bootstrap_terms: list[str] | None = None,
) -> OlsResult:
    """Least squares of ``y`` on ``X`` (which carries its own intercept column, if any), with the
    inference method ``vcov`` (see :mod:`cluster_resilience.estimators.inference`).

    The same path as the warehouse: per-cluster moments (here from numpy), a solve, a residual
    pass, then the method. ``absorb``: fixed-effect levels nested in ``cluster``, absorbed
    exactly (they count as parameters in the degrees of freedom).
    """
    validate_vcov(vcov)
    if isinstance(X, pd.DataFrame):
        names = list(X.columns) if terms is None else terms
        X = X.to_numpy(dtype=float)
    else:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise EstimationError(f"X must be a 2-d design matrix, got shape {X.shape}")
        names = terms if terms is not None else [f"x{i}" for i in range(X.shape[1])]
    if vcov in CLUSTERED and cluster is None:
        raise ValueError(f"vcov={vcov!r} needs a cluster variable")
    if vcov in CLUSTERED:
        groups = cluster
    else:  # iid and HC1 need no clusters: one group (or the absorbed levels, nested in it)
        groups = absorb if absorb is not None else np.zeros(len(X), dtype=int)
    moments = moments_from_arrays(
        y, X, terms=names, cluster=groups, absorb=absorb, has_intercept=has_intercept
    )
    params, _ = solve_moments(moments)
    residuals = residual_moments_from_arrays(y, X, params, absorb=absorb)
    fit = OlsFit.from_moments(moments, residuals)
    options = InferenceOptions(
        bootstrap=bootstrap or WildBootstrapOptions(),
        bootstrap_terms=tuple(bootstrap_terms) if bootstrap_terms else None,
    )
    inference = fit.infer(vcov, level=level, options=options)
    return OlsResult(
        fit=fit,
        inference=inference,
        n_clusters=fit.n_clusters if vcov in CLUSTERED else None,
        stats=fit.fit_statistics(),
    )
