"""Cluster jackknife CRV3: (G-1)/G sum_g (b_(-g) - b)(b_(-g) - b)', t(G - 1).

b_(-g) solves (X'X - X_g'X_g) b = X'y - X_g'y_g: each leave-one-cluster-out fit needs only the
cluster's moments. With fixed effects nested in the clusters, leaving a cluster out of the within
sums is exactly the within regression without it."""

from __future__ import annotations

import numpy as np

from cluster_resilience.estimators.inference.base import analytic_inference, register
from cluster_resilience.estimators.moments import EstimationError


@register("CRV3", clustered=True)
def infer(fit, *, level, options):
    moments = fit.moments
    xtx, xty = moments.total_xtx, moments.total_xty
    deviations = np.empty((moments.n_clusters, len(fit.params)))
    for g in range(moments.n_clusters):
        try:
            leave_out = np.linalg.solve(xtx - moments.xtx[g], xty - moments.xty[g])
        except np.linalg.LinAlgError:
            raise EstimationError(
                f"CRV3: the design is singular without cluster {moments.clusters[g]!r}"
            ) from None
        deviations[g] = leave_out - fit.params
    g = moments.n_clusters
    vcov = (g - 1) / g * deviations.T @ deviations
    return analytic_inference(fit, "CRV3", vcov, g - 1, level)
