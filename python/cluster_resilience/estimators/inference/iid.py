"""Classical standard errors: s^2 (X'X)^-1 with s^2 = RSS / (n - k); t(n - k) inference."""

from __future__ import annotations

from cluster_resilience.estimators.inference.base import analytic_inference, register


@register("iid", clustered=False)
def infer(fit, *, level, options):
    sigma2 = fit.rss / fit.df_resid
    return analytic_inference(fit, "iid", sigma2 * fit.xtx_inv, fit.df_resid, level)
