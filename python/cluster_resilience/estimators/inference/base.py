"""What every inference method returns, the registry of methods, and the shared analytic step.

An inference method is one module in this package that defines a function decorated with
``@register("<name>")``: ``infer(fit, *, level, options) -> Inference``. The package imports
every module, so adding a method is adding one file; spec rows (seeds/specs.csv) name it in
their ``inference`` column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:  # pragma: no cover
    from cluster_resilience.estimators.ols import OlsFit

WeightsType = str  # 'rademacher' or 'webb' (checked by WildBootstrapOptions)


@dataclass(frozen=True)
class WildBootstrapOptions:
    """Settings of the wild cluster bootstrap: draws, weight distribution and seed."""

    reps: int = 9999
    weights: str = "rademacher"
    seed: int | None = 20200311

    def __post_init__(self) -> None:
        if self.weights not in ("rademacher", "webb"):
            raise ValueError(f"weights must be one of ['rademacher', 'webb'], got {self.weights!r}")
        if not isinstance(self.reps, int) or self.reps < 99:
            raise ValueError(f"reps must be an integer >= 99, got {self.reps!r}")


@dataclass(frozen=True)
class InferenceOptions:
    """Method settings: the wild bootstrap's draws, and which terms to bootstrap (None: all;
    the event study bootstraps only its event coefficients, not the year effects)."""

    bootstrap: WildBootstrapOptions = field(default_factory=WildBootstrapOptions)
    bootstrap_terms: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Inference:
    """Standard errors, tests and intervals of every coefficient of one fit under one method."""

    vcov_type: str
    terms: tuple[str, ...]
    params: np.ndarray
    vcov_matrix: np.ndarray
    std_errors: np.ndarray
    statistics: np.ndarray
    p_values: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    df_inference: float
    level: float
    # True where a bootstrap p-value had no draw as extreme as the data: p_values then holds
    # the bound 1/(B+1) and the p-value is below it.
    p_value_is_bound: np.ndarray

    def wald_test(self, terms: list[str]) -> tuple[float, int, float]:
        """Joint Wald test that ``terms`` are all zero, with this vcov: (F statistic, numerator
        df, p-value) as statsmodels' ``wald_test(..., use_f=True)``, denominator df = the
        inference df (n - k, or G - 1 when clustered)."""
        index = [self.terms.index(term) for term in terms]
        beta = self.params[index]
        vcov = self.vcov_matrix[np.ix_(index, index)]
        chi2 = float(beta @ np.linalg.solve(vcov, beta))
        q = len(index)
        f_stat = chi2 / q
        return f_stat, q, float(stats.f.sf(f_stat, q, self.df_inference))


def analytic_inference(
    fit: OlsFit, vcov_type: str, vcov_matrix: np.ndarray, df_inference: float, level: float
) -> Inference:
    """t statistics, two-sided t(df) p-values and intervals from a variance matrix."""
    std_errors = np.sqrt(np.diag(vcov_matrix))
    statistics = fit.params / std_errors
    p_values = 2 * stats.t.sf(np.abs(statistics), df_inference)
    critical = stats.t.ppf(0.5 + level / 2, df_inference)
    return Inference(
        vcov_type=vcov_type,
        terms=fit.terms,
        params=fit.params,
        vcov_matrix=vcov_matrix,
        std_errors=std_errors,
        statistics=statistics,
        p_values=p_values,
        conf_low=fit.params - critical * std_errors,
        conf_high=fit.params + critical * std_errors,
        df_inference=float(df_inference),
        level=level,
        p_value_is_bound=np.zeros(len(fit.params), dtype=bool),
    )


InferenceMethod = Callable[..., Inference]
METHODS: dict[str, InferenceMethod] = {}
CLUSTERED: set[str] = set()


def register(name: str, *, clustered: bool) -> Callable[[InferenceMethod], InferenceMethod]:
    """Make ``infer`` available as inference method ``name`` (specs name it). ``clustered``:
    the method needs cluster moments (a spec using it must name a cluster column)."""

    def decorate(function: InferenceMethod) -> InferenceMethod:
        if name in METHODS:
            raise ValueError(f"inference method {name!r} is registered twice")
        METHODS[name] = function
        if clustered:
            CLUSTERED.add(name)
        return function

    return decorate
