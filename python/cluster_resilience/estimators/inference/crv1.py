"""Cluster-robust CRV1: G/(G-1) (n-1)/(n-k) (X'X)^-1 [sum_g s_g s_g'] (X'X)^-1, t(G - 1).

s_g = X_g'y_g - X_g'X_g b is cluster g's score, a function of its moments alone."""

from __future__ import annotations

import numpy as np

from cluster_resilience.estimators.inference.base import analytic_inference, register


def small_sample_factor(n_obs: int, n_params: int, n_clusters: int) -> float:
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def crv1_vcov(fit) -> np.ndarray:
    scores = fit.scores()
    factor = small_sample_factor(fit.n_obs, fit.n_params, fit.n_clusters)
    return factor * fit.xtx_inv @ (scores.T @ scores) @ fit.xtx_inv


@register("CRV1", clustered=True)
def infer(fit, *, level, options):
    return analytic_inference(fit, "CRV1", crv1_vcov(fit), fit.n_clusters - 1, level)
