"""Heteroskedasticity-robust HC1: n/(n-k) (X'X)^-1 [sum_i x_i x_i' u_i^2] (X'X)^-1, t(n - k).

The meat needs the residuals, so it comes from the fit's residual pass (in the warehouse a
second SQL pass over the rows given the coefficients)."""

from __future__ import annotations

from cluster_resilience.estimators.inference.base import analytic_inference, register


@register("HC1", clustered=False)
def infer(fit, *, level, options):
    n = fit.n_obs
    factor = n / (n - fit.n_params)
    vcov = factor * fit.xtx_inv @ fit.residual_moments.hc1_meat @ fit.xtx_inv
    return analytic_inference(fit, "HC1", vcov, fit.df_resid, level)
