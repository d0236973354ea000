"""Ordinary least squares with the inference choice as an argument (in the style of pyfixest).

``fit_ols(y, X, vcov="iid")`` is the one estimator every model in this package calls: the DID,
the factor regression and the event study only build their design matrices and name their terms.
Variance estimators live in :mod:`cluster_resilience.estimators.inference`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cluster_resilience.estimators.inference import (
    VcovType,
    WildBootstrapOptions,
    cluster_robust_vcov,
    hc1_vcov,
    iid_vcov,
    jackknife_cluster_vcov,
    validate_vcov,
    wild_cluster_bootstrap,
)


class EstimationError(ValueError):
    """The data cannot support the requested regression (too few rows, a singular design...)."""


@dataclass(frozen=True)
class OlsResult:
    """Coefficients, their inference and the fit statistics of one OLS regression."""

    terms: list[str]
    params: np.ndarray
    std_errors: np.ndarray
    statistics: np.ndarray
    p_values: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    vcov_type: str
    n_obs: int
    n_clusters: int | None
    df_model: int
    df_resid: int
    df_inference: float
    r2: float
    adj_r2: float
    f_stat: float
    f_p_value: float
    level: float
    vcov_matrix: np.ndarray = field(repr=False)
    residuals: np.ndarray = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """One row per term: estimate, std_error, statistic, p_value, conf_low, conf_high."""
        return pd.DataFrame(
            {
                "term": self.terms,
                "estimate": self.params,
                "std_error": self.std_errors,
                "statistic": self.statistics,
                "p_value": self.p_values,
                "conf_low": self.conf_low,
                "conf_high": self.conf_high,
            }
        )

    def fit_statistics(self) -> dict[str, float | int | str | None]:
        """R-squared, adjusted R-squared, the F test of all slopes (classical, as statsmodels)."""
        return {
            "vcov_type": self.vcov_type,
            "r2": self.r2,
            "adj_r2": self.adj_r2,
            "f_stat": self.f_stat,
            "f_p_value": self.f_p_value,
            "df_model": self.df_model,
            "df_resid": self.df_resid,
            "n_obs": self.n_obs,
            "n_clusters": self.n_clusters,
        }

    def wald_test(self, terms: list[str]) -> tuple[float, int, float]:
        """Joint Wald test that ``terms`` are all zero, with this result's vcov.

        Returns (F statistic, numerator df, p-value), the F form statsmodels' ``wald_test(...,
        use_f=True)`` reports, with denominator df = the inference df (n - k, or G - 1 when
        clustered).
        """
        index = [self.terms.index(term) for term in terms]
        beta = self.params[index]
        vcov = self.vcov_matrix[np.ix_(index, index)]
        chi2 = float(beta @ np.linalg.solve(vcov, beta))
        q = len(index)
        f_stat = chi2 / q
        p_value = float(stats.f.sf(f_stat, q, self.df_inference))
        return f_stat, q, p_value


def _as_design(
    X: pd.DataFrame | np.ndarray, terms: list[str] | None
) -> tuple[np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype=float), list(X.columns) if terms is None else terms
    matrix = np.asarray(X, dtype=float)
    if matrix.ndim != 2:
        raise EstimationError(f"X must be a 2-d design matrix, got shape {matrix.shape}")
    return matrix, terms if terms is not None else [f"x{i}" for i in range(matrix.shape[1])]


def fit_ols(
    y: np.ndarray | pd.Series,
    X: np.ndarray | pd.DataFrame,
    *,
    vcov: VcovType = "iid",
    cluster: np.ndarray | pd.Series | None = None,
    terms: list[str] | None = None,
    level: float = 0.95,
    has_intercept: bool = True,
    bootstrap: WildBootstrapOptions | None = None,
) -> OlsResult:
    """Least squares of ``y`` on ``X`` (which carries its own intercept column, if any).

    vcov:
      * ``iid``: classical, s^2 (X'X)^-1; t(n - k) inference (the paper's standard errors).
      * ``HC1``: heteroskedasticity-robust with n / (n - k); t(n - k).
      * ``CRV1``: cluster-robust by ``cluster``, small-sample factor G/(G-1) * (n-1)/(n-k);
        t(G - 1) inference (statsmodels ``cov_type='cluster'`` with ``use_t=True``; pyfixest).
      * ``CRV3``: cluster jackknife, (G-1)/G * sum_g (b_g - b)(b_g - b)'; t(G - 1) (pyfixest).
      * ``wild_bootstrap``: CRV1 standard errors, with the p-value and confidence interval of
        every coefficient from a restricted (null-imposed) wild cluster bootstrap-t (see
        :func:`cluster_resilience.estimators.inference.wild_cluster_bootstrap`).

    The F statistic is the classical test that all slopes are zero (what the paper and
    statsmodels' ``fvalue`` report for an OLS fit without a robust covariance).
    """
    validate_vcov(vcov)
    design, names = _as_design(X, terms)
    response = np.asarray(y, dtype=float)
    n_obs, n_params = design.shape
    if response.shape != (n_obs,):
        raise EstimationError(f"y has shape {response.shape}; X has {n_obs} rows")
    if not (np.isfinite(response).all() and np.isfinite(design).all()):
        raise EstimationError("y and X must be finite: drop missing rows before fitting")
    if n_obs <= n_params:
        raise EstimationError(f"{n_obs} observations cannot identify {n_params} parameters")
    if np.linalg.matrix_rank(design) < n_params:
        raise EstimationError(f"the design matrix of {names} is rank deficient")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")

    xtx_inv = np.linalg.inv(design.T @ design)
    params = xtx_inv @ design.T @ response
    residuals = response - design @ params
    df_resid = n_obs - n_params

    clusters = None
    n_clusters = None
    if vcov in ("CRV1", "CRV3", "wild_bootstrap"):
        if cluster is None:
            raise ValueError(f"vcov={vcov!r} needs a cluster variable")
        cluster_ids = np.asarray(cluster)
        if cluster_ids.shape != (n_obs,):
            raise EstimationError(f"cluster has {cluster_ids.shape[0]} rows; X has {n_obs}")
        if pd.isna(cluster_ids).any():
            raise EstimationError("cluster has missing values")
        # Codes follow the sorted cluster ids (as wildboottest orders its bootstrap weights).
        clusters = np.unique(cluster_ids, return_inverse=True)[1].reshape(-1)
        n_clusters = int(clusters.max()) + 1
        if n_clusters < 2:
            raise EstimationError("cluster-robust inference needs at least 2 clusters")

    if vcov == "iid":
        vcov_matrix = iid_vcov(xtx_inv, residuals, df_resid)
    elif vcov == "HC1":
        vcov_matrix = hc1_vcov(design, xtx_inv, residuals)
    elif vcov == "CRV3":
        vcov_matrix = jackknife_cluster_vcov(design, response, clusters, params)
    else:
        vcov_matrix = cluster_robust_vcov(design, xtx_inv, residuals, clusters)

    std_errors = np.sqrt(np.diag(vcov_matrix))
    statistics = params / std_errors
    df_inference = float(n_clusters - 1) if n_clusters is not None else float(df_resid)
    p_values = 2 * stats.t.sf(np.abs(statistics), df_inference)
    critical = stats.t.ppf(0.5 + level / 2, df_inference)
    conf_low = params - critical * std_errors
    conf_high = params + critical * std_errors

    if vcov == "wild_bootstrap":
        options = bootstrap or WildBootstrapOptions()
        for index in range(n_params):
            inference = wild_cluster_bootstrap(
                response, design, clusters, index, options=options, level=level
            )
            p_values[index] = inference.p_value
            conf_low[index], conf_high[index] = inference.conf_low, inference.conf_high

    centred = response - response.mean() if has_intercept else response
    total_ss = float(centred @ centred)
    resid_ss = float(residuals @ residuals)
    r2 = 1 - resid_ss / total_ss if total_ss > 0 else float("nan")
    df_model = n_params - 1 if has_intercept else n_params
    adj_r2 = 1 - (1 - r2) * (n_obs - (1 if has_intercept else 0)) / df_resid
    if df_model > 0 and resid_ss > 0:
        f_stat = ((total_ss - resid_ss) / df_model) / (resid_ss / df_resid)
        f_p_value = float(stats.f.sf(f_stat, df_model, df_resid))
    else:
        f_stat, f_p_value = float("nan"), float("nan")

    return OlsResult(
        terms=names,
        params=params,
        std_errors=std_errors,
        statistics=statistics,
        p_values=p_values,
        conf_low=conf_low,
        conf_high=conf_high,
        vcov_type=vcov,
        n_obs=n_obs,
        n_clusters=n_clusters,
        df_model=df_model,
        df_resid=df_resid,
        df_inference=df_inference,
        r2=r2,
        adj_r2=adj_r2,
        f_stat=float(f_stat),
        f_p_value=f_p_value,
        level=level,
        vcov_matrix=vcov_matrix,
        residuals=residuals,
    )
