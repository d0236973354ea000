"""Inference methods for least-squares fits computed from per-cluster moments.

One module per method, each registering itself (see :mod:`.base`):

* ``iid``: classical s^2 (X'X)^-1, t(n - k) (the paper's standard errors).
* ``HC1``: n/(n-k) (X'X)^-1 sum_i x_i x_i' u_i^2 (X'X)^-1 (statsmodels ``HC1``), t(n - k).
* ``CRV1``: G/(G-1) (n-1)/(n-k) (X'X)^-1 sum_g s_g s_g' (X'X)^-1 (statsmodels ``cluster``,
  pyfixest ``CRV1``), t(G - 1).
* ``CRV3``: (G-1)/G sum_g (b_(-g) - b)(b_(-g) - b)', the leave-one-cluster-out jackknife
  (pyfixest ``CRV3``; MacKinnon, Nielsen and Webb 2023), t(G - 1).
* ``wild_bootstrap``: CRV1 standard errors with the restricted wild cluster bootstrap-t p-value
  and confidence interval (WCR11; what ``wildboottest`` computes).

``k`` counts absorbed fixed-effect levels, so a within fit reports what the dummy regression
reports. Adding a method is adding one module here.
"""

from __future__ import annotations

import importlib
import pkgutil

from cluster_resilience.estimators.inference.base import (
    CLUSTERED,
    METHODS,
    Inference,
    InferenceOptions,
    WildBootstrapOptions,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

VCOV_TYPES: tuple[str, ...] = tuple(METHODS)


def validate_vcov(vcov: str) -> None:
    """Fail with the allowed names when ``vcov`` names no inference method."""
    if vcov not in METHODS:
        raise ValueError(f"vcov must be one of {sorted(METHODS)}, got {vcov!r}")


__all__ = [
    "CLUSTERED",
    "METHODS",
    "VCOV_TYPES",
    "Inference",
    "InferenceOptions",
    "WildBootstrapOptions",
    "validate_vcov",
]
