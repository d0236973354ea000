"""Named estimation specifications: which variance estimator, clustered by what.

A spec is the unit analysts compare side by side in the estimate tables (column ``spec``). The
names here are the allowed values of the dbt var ``specs`` (macros/validate_vars.sql checks the
same list; tests/python/test_specs.py proves the two lists agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster_resilience.estimators.inference import VcovType, WeightsType, validate_vcov


@dataclass(frozen=True)
class Spec:
    """One specification: a name, the vcov, the cluster column and a sentence for the docs."""

    name: str
    vcov: VcovType
    cluster: str | None
    description: str
    weights: WeightsType = "rademacher"

    def __post_init__(self) -> None:
        validate_vcov(self.vcov)
        if self.vcov in ("CRV1", "CRV3", "wild_bootstrap") and self.cluster is None:
            raise ValueError(f"spec {self.name!r}: vcov {self.vcov!r} needs a cluster column")


SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "paper",
            "iid",
            None,
            "The paper's estimator: plain OLS with classical (iid) standard errors.",
        ),
        Spec(
            "state_hc1",
            "HC1",
            None,
            "Same formula; heteroskedasticity-robust HC1 errors (still ignores repeated rows).",
        ),
        Spec(
            "state_clustered",
            "CRV1",
            "state_fips",
            "Same formula; CRV1 errors clustered by state, t(G-1) inference.",
        ),
        Spec(
            "state_crv3",
            "CRV3",
            "state_fips",
            "Same formula; CRV3 leave-one-state-out jackknife errors, t(G-1) inference.",
        ),
        Spec(
            "state_wild_bootstrap",
            "wild_bootstrap",
            "state_fips",
            "Same formula; CRV1 errors with restricted wild cluster bootstrap-t p-values and "
            "CIs (Rademacher weights, by state).",
        ),
        Spec(
            "state_wild_bootstrap_webb",
            "wild_bootstrap",
            "state_fips",
            "As state_wild_bootstrap with Webb six-point weights.",
            weights="webb",
        ),
    )
}


def get_spec(name: str) -> Spec:
    """The spec called ``name``; a clear error listing the allowed names otherwise."""
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"unknown spec {name!r}; allowed specs: {sorted(SPECS)}") from None
