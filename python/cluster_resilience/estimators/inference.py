"""Variance estimators and the wild cluster bootstrap behind
:func:`cluster_resilience.estimators.ols.fit_ols`.

* ``iid``: s^2 (X'X)^-1.
* ``HC1``: n/(n-k) (X'X)^-1 X' diag(u^2) X (X'X)^-1 (statsmodels ``HC1``).
* ``CRV1``: G/(G-1) (n-1)/(n-k) (X'X)^-1 sum_g X_g'u_g u_g'X_g (X'X)^-1 (statsmodels
  ``cluster``, pyfixest ``CRV1``).
* ``CRV3``: (G-1)/G sum_g (b_(-g) - b)(b_(-g) - b)', the leave-one-cluster-out jackknife
  centred on the full-sample estimate (pyfixest ``CRV3``; MacKinnon, Nielsen and Webb 2023).
* ``wild_bootstrap``: the restricted wild cluster bootstrap-t (WCR11 in the notation of
  MacKinnon, Nielsen and Webb; what ``wildboottest`` computes), with Rademacher or Webb weights,
  full enumeration when 2^G Rademacher draws are fewer than requested, and a confidence interval
  by inverting the bootstrap test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

VcovType = Literal["iid", "HC1", "CRV1", "CRV3", "wild_bootstrap"]
WeightsType = Literal["rademacher", "webb"]

VCOV_TYPES: tuple[str, ...] = get_args(VcovType)
WEIGHTS_TYPES: tuple[str, ...] = get_args(WeightsType)

_WEBB_POINTS = np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)])


def validate_vcov(vcov: str) -> None:
    if vcov not in VCOV_TYPES:
        raise ValueError(f"vcov must be one of {list(VCOV_TYPES)}, got {vcov!r}")


def iid_vcov(xtx_inv: np.ndarray, residuals: np.ndarray, df_resid: int) -> np.ndarray:
    sigma2 = float(residuals @ residuals) / df_resid
    return sigma2 * xtx_inv


def hc1_vcov(design: np.ndarray, xtx_inv: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    n_obs, n_params = design.shape
    weighted = design * residuals[:, None]
    meat = weighted.T @ weighted
    return n_obs / (n_obs - n_params) * xtx_inv @ meat @ xtx_inv


def cluster_scores(design: np.ndarray, residuals: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """sum_{i in g} x_i u_i for every cluster g: a (G, k) matrix, clusters in code order."""
    n_clusters = int(clusters.max()) + 1
    scores = np.zeros((n_clusters, design.shape[1]))
    np.add.at(scores, clusters, design * residuals[:, None])
    return scores


def crv1_small_sample_factor(n_obs: int, n_params: int, n_clusters: int) -> float:
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def cluster_robust_vcov(
    design: np.ndarray, xtx_inv: np.ndarray, residuals: np.ndarray, clusters: np.ndarray
) -> np.ndarray:
    scores = cluster_scores(design, residuals, clusters)
    n_obs, n_params = design.shape
    factor = crv1_small_sample_factor(n_obs, n_params, scores.shape[0])
    return factor * xtx_inv @ (scores.T @ scores) @ xtx_inv


def jackknife_cluster_vcov(
    design: np.ndarray, response: np.ndarray, clusters: np.ndarray, params: np.ndarray
) -> np.ndarray:
    n_clusters = int(clusters.max()) + 1
    n_params = design.shape[1]
    xtx = design.T @ design
    xty = design.T @ response
    group_xtx = np.zeros((n_clusters, n_params, n_params))
    np.add.at(group_xtx, clusters, design[:, :, None] * design[:, None, :])
    group_xty = np.zeros((n_clusters, n_params))
    np.add.at(group_xty, clusters, design * response[:, None])
    deviations = np.empty((n_clusters, n_params))
    for g in range(n_clusters):
        leave_out = np.linalg.solve(xtx - group_xtx[g], xty - group_xty[g])
        deviations[g] = leave_out - params
    return (n_clusters - 1) / n_clusters * deviations.T @ deviations


@dataclass(frozen=True)
class WildBootstrapOptions:
    """Settings of the wild cluster bootstrap: draws, weight distribution and seed."""

    reps: int = 9999
    weights: WeightsType = "rademacher"
    seed: int | None = 20200311

    def __post_init__(self) -> None:
        if self.weights not in WEIGHTS_TYPES:
            raise ValueError(f"weights must be one of {list(WEIGHTS_TYPES)}, got {self.weights!r}")
        if not isinstance(self.reps, int) or self.reps < 99:
            raise ValueError(f"reps must be an integer >= 99, got {self.reps!r}")


@dataclass(frozen=True)
class BootstrapInference:
    t_stat: float
    p_value: float
    conf_low: float
    conf_high: float
    reps: int
    full_enumeration: bool


def draw_cluster_weights(
    n_clusters: int, options: WildBootstrapOptions
) -> tuple[np.ndarray, bool]:
    """(G, B) weights drawn as ``wildboottest`` draws them, so equal seeds give equal draws.

    Rademacher weights switch to full enumeration of the 2^G sign vectors when that is fewer than
    the requested draws: the bootstrap distribution is then exact, not simulated.
    """
    if options.weights == "rademacher" and 2**n_clusters < options.reps:
        signs = np.array(np.meshgrid(*[[-1, 1]] * n_clusters, indexing="ij"))
        return signs.reshape(n_clusters, -1).astype(float), True
    rng = np.random.default_rng(options.seed)
    if options.weights == "rademacher":
        draws = rng.choice([-1, 1], size=n_clusters * options.reps, replace=True)
    else:
        draws = rng.choice(_WEBB_POINTS, size=n_clusters * options.reps, replace=True)
    return draws.reshape(n_clusters, options.reps).astype(float), False


class _RestrictedBootstrap:
    """WCR11 bootstrap-t for H0: beta_k = r, vectorised over draws (Roodman et al. 2019).

    Under the null the restricted residuals are u_r = M_(-k)(y - r x_k), linear in r, so the
    bootstrap numerators and the per-cluster pieces of the bootstrap CRV1 denominators are linear
    in r too; test inversion re-evaluates them cheaply for each candidate r.
    """

    def __init__(self, response, design, clusters, index, weights):
        self.design = design
        self.clusters = clusters
        self.index = index
        self.weights = weights
        n_obs, n_params = design.shape
        self.n_clusters = int(clusters.max()) + 1
        self.ssc = crv1_small_sample_factor(n_obs, n_params, self.n_clusters)
        self.xtx_inv = np.linalg.inv(design.T @ design)
        self.params = self.xtx_inv @ design.T @ response
        residuals = response - design @ self.params
        scores = cluster_scores(design, residuals, clusters)
        row = self.xtx_inv[index]
        self.se = float(np.sqrt(self.ssc * np.sum((scores @ row) ** 2)))

        others = [j for j in range(n_params) if j != index]
        reduced = design[:, others]
        projector = np.linalg.pinv(reduced)
        x_k = design[:, index]
        self.u0 = response - reduced @ (projector @ response)
        self.u1 = -(x_k - reduced @ (projector @ x_k))

        group_xtx = np.zeros((self.n_clusters, n_params, n_params))
        np.add.at(group_xtx, clusters, design[:, :, None] * design[:, None, :])
        # c_g = e_k' A X_g'X_g A: how cluster g's fitted bootstrap residuals move coefficient k.
        self.c = np.einsum("j,gjl,lm->gm", row, group_xtx, self.xtx_inv)
        self.row = row

        # Numerators and per-cluster denominator pieces at r = 0 and their slopes in r, so that
        # every t*(r) afterwards costs O(B):
        # t*(r) = (n0 + r n1) / sqrt(ssc (d00 + 2r d01 + r^2 d11)).
        self.numerator0, z0 = self._pieces(self.u0, weights)
        self.numerator1, z1 = self._pieces(self.u1, weights)
        self.d00 = np.sum(z0 * z0, axis=0)
        self.d01 = np.sum(z0 * z1, axis=0)
        self.d11 = np.sum(z1 * z1, axis=0)

    def _pieces(self, restricted_residuals, weights):
        scores = cluster_scores(self.design, restricted_residuals, self.clusters)  # (G, k)
        a = scores @ self.row  # (G,)
        h = self.c @ scores.T  # (G, G)
        return a @ weights, a[:, None] * weights - h @ weights

    def t_boot(self, r: float) -> np.ndarray:
        numerator = self.numerator0 + r * self.numerator1
        denominator_sq = self.d00 + 2 * r * self.d01 + r * r * self.d11
        return numerator / np.sqrt(self.ssc * np.maximum(denominator_sq, 0.0))

    def t_stat(self, r: float) -> float:
        return (float(self.params[self.index]) - r) / self.se

    def p_value(self, r: float) -> float:
        # Draws whose |t*| equals |t| up to rounding (under full enumeration the all-ones sign
        # vector and its negative reproduce t exactly) count as at least as extreme.
        observed = abs(self.t_stat(r))
        return float(np.mean(np.abs(self.t_boot(r)) > observed * (1 - 1e-10)))


def _invert(boot: _RestrictedBootstrap, alpha: float, direction: int, tol: float) -> float:
    centre = float(boot.params[boot.index])
    step = max(boot.se, 1e-12)
    inside, outside = centre, centre + direction * step
    for _ in range(60):
        if boot.p_value(outside) <= alpha:
            break
        inside, outside = outside, centre + direction * step * 2 ** (_ + 1)
    else:
        return float(direction * np.inf)
    while abs(outside - inside) > tol * step:
        middle = (inside + outside) / 2
        if boot.p_value(middle) > alpha:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def wild_cluster_bootstrap(
    response: np.ndarray,
    design: np.ndarray,
    clusters: np.ndarray,
    index: int,
    *,
    options: WildBootstrapOptions,
    level: float = 0.95,
    null_value: float = 0.0,
    with_ci: bool = True,
    tol: float = 1e-6,
) -> BootstrapInference:
    """Restricted wild cluster bootstrap-t p-value for H0: beta[index] = null_value, and the CI.

    ``clusters`` are integer codes 0..G-1; weights are drawn for the codes in that order (equal to
    ``wildboottest``'s order when codes follow the sorted cluster ids). The p-value is the share of
    draws with |t*| >= |t| (wildboottest's "two-tailed"; exact ties count as extreme); the
    confidence interval is the set of null values the test does not reject at 1 - level, found by
    bisection to ``tol`` standard errors.
    """
    n_clusters = int(clusters.max()) + 1
    weights, full_enumeration = draw_cluster_weights(n_clusters, options)
    boot = _RestrictedBootstrap(response, design, clusters, index, weights)
    p_value = boot.p_value(null_value)
    alpha = 1 - level
    if with_ci:
        conf_low = _invert(boot, alpha, -1, tol)
        conf_high = _invert(boot, alpha, +1, tol)
    else:
        conf_low = conf_high = float("nan")
    return BootstrapInference(
        t_stat=boot.t_stat(null_value),
        p_value=p_value,
        conf_low=conf_low,
        conf_high=conf_high,
        reps=weights.shape[1],
        full_enumeration=full_enumeration,
    )
