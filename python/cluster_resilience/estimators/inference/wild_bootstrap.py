"""Restricted wild cluster bootstrap-t (WCR11; what ``wildboottest`` computes), from moments.

For H0: b_k = r the restricted residuals are u_r = M_(-k)(y - r x_k), linear in r, and each
bootstrap sample only moves cluster scores, so every bootstrap t* is a function of the clusters'
X_g'X_g and X_g'y_g (Roodman et al. 2019): no row is needed. The numerators and the per-cluster
pieces of the bootstrap CRV1 denominators are linear in r, so test inversion (the confidence
interval) re-evaluates them in O(B) per candidate r.

Weights: Rademacher (full enumeration of the 2^G sign vectors when that is fewer than the
requested draws: the bootstrap distribution is then exact) or Webb's six-point distribution,
drawn as wildboottest draws them, so equal seeds give equal draws. Standard errors are CRV1.

A p-value with no draw at least as extreme as the data is reported as its bound 1/(B+1)
(``p_value_is_bound``), never as 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from cluster_resilience.estimators.inference.base import (
    WildBootstrapOptions,
    analytic_inference,
    register,
)
from cluster_resilience.estimators.inference.crv1 import crv1_vcov, small_sample_factor
from cluster_resilience.estimators.moments import Moments

_WEBB_POINTS = np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)])


@dataclass(frozen=True)
class BootstrapInference:
    t_stat: float
    p_value: float
    p_value_is_bound: bool
    conf_low: float
    conf_high: float
    reps: int
    full_enumeration: bool


def draw_cluster_weights(
    n_clusters: int, options: WildBootstrapOptions
) -> tuple[np.ndarray, bool]:
    """(G, B) weights drawn as ``wildboottest`` draws them (clusters in sorted-label order)."""
    if options.weights == "rademacher" and 2**n_clusters < options.reps:
        signs = np.array(np.meshgrid(*[[-1, 1]] * n_clusters, indexing="ij"))
        return signs.reshape(n_clusters, -1).astype(float), True
    rng = np.random.default_rng(options.seed)
    if options.weights == "rademacher":
        draws = rng.choice([-1, 1], size=n_clusters * options.reps, replace=True)
    else:
        draws = rng.choice(_WEBB_POINTS, size=n_clusters * options.reps, replace=True)
    return draws.reshape(n_clusters, options.reps).astype(float), False


def _scaled_solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve gram @ x = rhs with the columns scaled to unit diagonal first: regressors in
    levels (payroll in $1,000 next to a location quotient) differ by 1e7 in scale."""
    scale = 1 / np.sqrt(np.diag(gram))
    scaled = gram * np.outer(scale, scale)
    return scale[:, None] * np.linalg.solve(scaled, rhs * scale[:, None])


class RestrictedBootstrap:
    """Bootstrap-t of coefficient ``index`` under H0: b_index = r, vectorised over draws.

    Build several at once with :meth:`for_indices`: the products with the (G, B) weight matrix,
    the expensive part, are then one large matrix product per chunk of coefficients.
    """

    CHUNK = 8  # coefficients per weight-matrix product (bounds the memory to ~CHUNK x 2G x B)

    def __init__(self, index, params, se, ssc, numerator0, numerator1, z0, z1):
        self.index = index
        self.params = params
        self.se = se
        self.ssc = ssc
        # t*(r) = (n0 + r n1) / sqrt(ssc (d00 + 2r d01 + r^2 d11)), each piece O(B).
        self.numerator0, self.numerator1 = numerator0, numerator1
        self.d00 = np.einsum("gb,gb->b", z0, z0)
        self.d01 = np.einsum("gb,gb->b", z0, z1)
        self.d11 = np.einsum("gb,gb->b", z1, z1)

    @classmethod
    def for_indices(
        cls, moments: Moments, indices: list[int], weights: np.ndarray, xtx_inv=None
    ) -> list[RestrictedBootstrap]:
        xtx_g, xty_g = moments.xtx, moments.xty
        n_clusters, n_params = xty_g.shape
        ssc = small_sample_factor(moments.total_obs, moments.n_params, moments.n_clusters)
        xtx, xty = xtx_g.sum(axis=0), xty_g.sum(axis=0)
        xtx_inv = np.linalg.inv(xtx) if xtx_inv is None else xtx_inv
        params = xtx_inv @ xty
        scores = xty_g - xtx_g @ params
        pieces = []
        for index in indices:
            row = xtx_inv[index]
            se = float(np.sqrt(ssc * np.sum((scores @ row) ** 2)))
            # Restricted fit of y - r x_k on the other terms: coefficients beta0 - r gamma.
            others = [j for j in range(n_params) if j != index]
            beta0, gamma = _scaled_solve(
                xtx[np.ix_(others, others)], np.column_stack([xty[others], xtx[others, index]])
            ).T
            # Cluster scores of u0 = y - X_o beta0 and of u1 = -(x_k - X_o gamma).
            scores0 = xty_g - xtx_g[:, :, others] @ beta0
            scores1 = -(xtx_g[:, :, index] - xtx_g[:, :, others] @ gamma)
            # c_g = e_k' A X_g'X_g A: how cluster g's fitted bootstrap residuals move b_k.
            c = np.einsum("j,gjl->gl", row, xtx_g) @ xtx_inv
            pieces.append((index, se, scores0 @ row, scores1 @ row, c, scores0, scores1))
        # Bootstrap sample b moves cluster g's score on coefficient k by
        #   z_gb = a_g w_gb - sum_h (c_g . s_h) w_hb   (for u0 and u1).
        low_rank = 2 * n_params < n_clusters  # few terms: the rank-k form is cheaper
        boots = []
        for start in range(0, len(pieces), cls.CHUNK):
            chunk = pieces[start:start + cls.CHUNK]
            numerators = np.vstack([np.stack([a0, a1]) for _, _, a0, a1, *_ in chunk]) @ weights
            if low_rank:
                blocks = [np.vstack([s0.T, s1.T]) for *_, s0, s1 in chunk]
            else:
                blocks = [np.vstack([np.diag(a0) - c @ s0.T, np.diag(a1) - c @ s1.T])
                          for _, _, a0, a1, c, s0, s1 in chunk]
            products = np.vstack(blocks) @ weights
            height = blocks[0].shape[0]
            for position, (index, se, a0, a1, c, _, _) in enumerate(chunk):
                product = products[position * height:(position + 1) * height]
                if low_rank:
                    z0 = a0[:, None] * weights - c @ product[:n_params]
                    z1 = a1[:, None] * weights - c @ product[n_params:]
                else:
                    z0, z1 = product[:n_clusters], product[n_clusters:]
                boots.append(cls(index, params, se, ssc, numerators[2 * position],
                                 numerators[2 * position + 1], z0, z1))
        return boots

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
        exceeding = np.count_nonzero(np.abs(self.t_boot(r)) > observed * (1 - 1e-10))
        return exceeding / self.numerator0.shape[0]


def _invert(boot: RestrictedBootstrap, alpha: float, direction: int, tol: float) -> float:
    centre = float(boot.params[boot.index])
    step = max(boot.se, 1e-12)
    inside, outside = centre, centre + direction * step
    for doubling in range(60):
        if boot.p_value(outside) <= alpha:
            break
        inside, outside = outside, centre + direction * step * 2 ** (doubling + 1)
    else:
        return float(direction * np.inf)
    while abs(outside - inside) > tol * step:
        middle = (inside + outside) / 2
        if boot.p_value(middle) > alpha:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def _inference(boot: RestrictedBootstrap, null_value: float, level: float, with_ci: bool,
               tol: float, full_enumeration: bool) -> BootstrapInference:
    p_value = boot.p_value(null_value)
    reps = boot.numerator0.shape[0]
    is_bound = p_value == 0.0
    if is_bound:
        p_value = 1 / (reps + 1)
    alpha = 1 - level
    if with_ci:
        conf_low, conf_high = _invert(boot, alpha, -1, tol), _invert(boot, alpha, +1, tol)
    else:
        conf_low = conf_high = float("nan")
    return BootstrapInference(
        t_stat=boot.t_stat(null_value), p_value=p_value, p_value_is_bound=is_bound,
        conf_low=conf_low, conf_high=conf_high, reps=reps, full_enumeration=full_enumeration,
    )


def bootstrap_coefficients(
    moments: Moments,
    indices: list[int],
    *,
    options: WildBootstrapOptions,
    level: float = 0.95,
    null_value: float = 0.0,
    with_ci: bool = True,
    tol: float = 1e-6,
    weights: tuple[np.ndarray, bool] | None = None,
    xtx_inv: np.ndarray | None = None,
) -> list[BootstrapInference]:
    """For each coefficient in ``indices``: the p-value of H0: b = null_value (share of draws
    with |t*| >= |t|, wildboottest's "two-tailed") and the confidence interval, the null values
    the test does not reject at 1 - level, found by bisection to ``tol`` standard errors."""
    drawn, full_enumeration = weights or draw_cluster_weights(moments.n_clusters, options)
    boots = RestrictedBootstrap.for_indices(moments, indices, drawn, xtx_inv=xtx_inv)
    return [_inference(boot, null_value, level, with_ci, tol, full_enumeration) for boot in boots]


def bootstrap_coefficient(moments: Moments, index: int, **kwargs) -> BootstrapInference:
    """:func:`bootstrap_coefficients` for one coefficient."""
    return bootstrap_coefficients(moments, [index], **kwargs)[0]


@register("wild_bootstrap", clustered=True)
def infer(fit, *, level, options):
    crv1 = analytic_inference(fit, "wild_bootstrap", crv1_vcov(fit), fit.n_clusters - 1, level)
    indices = [fit.terms.index(term) for term in (options.bootstrap_terms or fit.terms)]
    results = bootstrap_coefficients(
        fit.moments, indices, options=options.bootstrap, level=level, xtx_inv=fit.xtx_inv,
        weights=draw_cluster_weights(fit.n_clusters, options.bootstrap),
    )
    p_values, is_bound = crv1.p_values.copy(), crv1.p_value_is_bound.copy()
    conf_low, conf_high = crv1.conf_low.copy(), crv1.conf_high.copy()
    for index, result in zip(indices, results, strict=True):
        p_values[index], is_bound[index] = result.p_value, result.p_value_is_bound
        conf_low[index], conf_high[index] = result.conf_low, result.conf_high
    return dataclasses.replace(
        crv1, p_values=p_values, conf_low=conf_low, conf_high=conf_high,
        p_value_is_bound=is_bound,
    )


def wild_cluster_bootstrap(
    response,
    design,
    clusters,
    index: int,
    *,
    options: WildBootstrapOptions,
    level: float = 0.95,
    null_value: float = 0.0,
    with_ci: bool = True,
    tol: float = 1e-6,
) -> BootstrapInference:
    """:func:`bootstrap_coefficient` for array input (``clusters``: labels of every row)."""
    from cluster_resilience.estimators.moments import moments_from_arrays

    design = np.asarray(design, dtype=float)
    moments = moments_from_arrays(
        response, design, terms=[f"x{i}" for i in range(design.shape[1])], cluster=clusters
    )
    return bootstrap_coefficient(
        moments, index, options=options, level=level, null_value=null_value,
        with_ci=with_ci, tol=tol,
    )
