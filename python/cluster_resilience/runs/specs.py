"""Specifications from the registry seed ``seeds/specs.csv``: which inference method, clustered
by what, with which bootstrap weights. The seed is the only list of specs; this module turns its
rows into :class:`Spec` objects and checks them against the inference methods that exist
(:mod:`cluster_resilience.estimators.inference`), naming the seed row when one is wrong."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cluster_resilience.estimators.inference import CLUSTERED, METHODS

WEIGHTS = ("rademacher", "webb")


@dataclass(frozen=True)
class Spec:
    """One specification: a name, the inference method, the cluster column and bootstrap
    weights (wild bootstrap only)."""

    name: str
    inference: str
    cluster_by: str | None
    weights: str
    label: str = ""

    def __post_init__(self) -> None:
        where = f"seeds/specs.csv, spec {self.name!r}"
        if self.inference not in METHODS:
            raise ValueError(
                f"{where}: inference {self.inference!r} is not a method; available: "
                f"{sorted(METHODS)} (one module each in "
                "python/cluster_resilience/estimators/inference/)"
            )
        if self.inference in CLUSTERED and not self.cluster_by:
            raise ValueError(f"{where}: inference {self.inference!r} needs cluster_by")
        if self.inference == "wild_bootstrap" and self.weights not in WEIGHTS:
            raise ValueError(
                f"{where}: bootstrap_weights must be one of {list(WEIGHTS)}, got {self.weights!r}"
            )


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def specs_from_registry(registry: pd.DataFrame) -> list[Spec]:
    """The specs of the registry seed, in display order."""
    required = {"spec", "inference", "cluster_by", "bootstrap_weights"}
    missing = required - set(registry.columns)
    if missing:
        raise ValueError(f"seeds/specs.csv lacks column(s) {sorted(missing)}")
    if "display_order" in registry.columns:
        registry = registry.sort_values(["display_order", "spec"])
    specs = [
        Spec(
            name=_text(row["spec"]),
            inference=_text(row["inference"]),
            cluster_by=_text(row["cluster_by"]) or None,
            weights=_text(row["bootstrap_weights"]) or "rademacher",
            label=_text(row.get("label")),
        )
        for _, row in registry.iterrows()
    ]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"seeds/specs.csv repeats a spec name: {names}")
    return specs
