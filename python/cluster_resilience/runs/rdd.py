"""The regression discontinuity at the USCM strong-cluster cutoff, from ``mart_rdd_panel``.

``run_rdd_estimates(panel)`` returns the three tidy tables the dbt Python model ``int_est_rdd``
writes (published as ``est_rdd``, ``est_rdd_checks`` and ``est_rdd_plot_data``):

- ``est_rdd``: one row per spec x outcome x running variable. ``rdd_fuzzy_<bw>_<kernel>`` is the
  fuzzy RD (treatment: published ``strong_b``; the Wald ratio of the outcome jump to the
  treatment jump, first stage reported on the row); ``rdd_sharp_itt_<bw>_<kernel>`` is the
  intention-to-treat / reduced form (the outcome jump at the cutoff itself).
- ``est_rdd_checks``: the manipulation (density) test, placebo cutoffs, placebo outcomes, a donut
  and a bandwidth sensitivity check, each with a plain-language ``interpretation``.
- ``est_rdd_plot_data``: for every estimated ``est_rdd`` row, the RD plot of its outcome (and of
  the treatment, the first stage, on fuzzy rows): binned means of the rows within
  ``RddSettings.plot_window_h`` bandwidths of the cutoff and the fitted local polynomials.

The panel is long (one row per state x cluster x outcome); which outcomes are the main ones and
which are placebos, and their years, come from its rows (``outcome_role``, ``pre_year``,
``post_year``), so this module holds no year. Estimation is ``cluster_resilience.estimators.rdd``,
an adapter over ``rdrobust`` and ``rddensity``. A design that is weak on the data (few rows near
the cutoff, a small or imprecise first stage) is still estimated and reported:
``design_strength`` and ``assessment`` say so. A spec that cannot be estimated at all gets a row
with NULL numbers and the reason, never no row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

import numpy as np
import pandas as pd

from cluster_resilience.estimators.rdd import (
    BwSelect,
    DensityTestResult,
    Kernel,
    RddResult,
    Vce,
    binned_means,
    density_test,
    estimate_rdd,
    fitted_line,
)

__all__ = [
    "CHECK_COLUMNS",
    "PLOT_COLUMNS",
    "RDD_COLUMNS",
    "RddSettings",
    "run_rdd_estimates",
]

TREATMENT = "is_strong"
RUNNING_VARIABLES = ("running_variable", "running_variable_linear")
UNIT_KEYS = ("state_fips", "cluster_code")
# outcome_role of mart_rdd_panel: the outcome, the same net of the state's change, placebos
OUTCOME_ROLES = ("outcome", "outcome_net_of_state", "placebo_outcome")
OUTCOME_VALUE = "emp_log_change"
PLACEBO_CUTOFFS = {
    # side of the real cutoff the placebo uses: its rows never cross the real cutoff
    "low": ("running_variable_placebo_low", "placebo_low_percentile", "below"),
    "high": ("running_variable_placebo_high", "placebo_high_percentile", "above"),
}
# columns of a state x cluster (repeated on each of its outcome rows), then of an outcome row
UNIT_COLUMNS = (
    *UNIT_KEYS,
    TREATMENT,
    *RUNNING_VARIABLES,
    *(column for spec in PLACEBO_CUTOFFS.values() for column in spec[:2]),
)
OUTCOME_COLUMNS = (
    "outcome", "outcome_role", "pre_year", "post_year", "coverage_break_year", OUTCOME_VALUE,
)
REQUIRED_COLUMNS = (*UNIT_COLUMNS, *OUTCOME_COLUMNS)

RDD_COLUMNS = [
    "spec", "design", "outcome", "running_variable", "treatment",
    "estimate", "estimate_bc", "std_error", "std_error_robust", "conf_low", "conf_high",
    "conf_low_robust", "conf_high_robust", "p_value_robust",
    "h_left", "h_right", "b_left", "b_right", "n_left", "n_right",
    "n_total_left", "n_total_right", "n_obs", "n_dropped",
    "kernel", "p", "q", "bwselect", "vce", "level",
    "first_stage_estimate", "first_stage_std_error_robust", "first_stage_conf_low",
    "first_stage_conf_high", "first_stage_p_value", "first_stage_f",
    "n_within_0_1", "n_within_0_1_above", "share_treated_within_0_1_above",
    "design_strength", "assessment",
]
CHECK_COLUMNS = [
    "check_name", "design", "outcome", "running_variable", "sample",
    "estimate", "estimate_bc", "std_error", "statistic", "conf_low", "conf_high", "p_value",
    "h_left", "h_right", "n_left", "n_right", "n_obs",
    "main_estimate", "rejects_at_5pct", "interpretation",
]
PLOT_COLUMNS = [
    "spec", "design", "outcome", "running_variable", "plotted", "y_variable", "element", "side",
    "point", "x", "y", "x_mean", "bin_low", "bin_high", "n_in_bin",
]


@dataclass(frozen=True)
class RddSettings:
    """Estimator options (rdrobust's names), the design assessment and the RD plot data.

    Attributes:
        kernel, bwselect, p, q, vce, level: passed to ``estimate_rdd``.
        near_cutoff: half-width of the window counted in ``n_within_0_1`` (running variable units).
        donut: rows with |running variable| below this are dropped in the ``donut`` check.
        min_effective_n: fewest rows within the bandwidth on each side for an ``adequate`` design.
        min_first_stage_f: smallest first-stage F (t^2 of the treatment jump) for ``adequate``.
        min_first_stage: smallest jump in the treatment probability for ``adequate``.
        plot_window_h: RD plots bin the rows within this many bandwidths of the cutoff.
        plot_points: points per side of each fitted line in the plot data.
    """

    kernel: Kernel = "triangular"
    bwselect: BwSelect = "mserd"
    p: int = 1
    q: int = 2
    vce: Vce = "nn"
    level: float = 95.0
    near_cutoff: float = 0.1
    donut: float = 0.02
    min_effective_n: int = 20
    min_first_stage_f: float = 10.0
    min_first_stage: float = 0.2
    plot_window_h: float = 3.0
    plot_points: int = 50

    def __post_init__(self) -> None:
        for name, literal in (("kernel", Kernel), ("bwselect", BwSelect), ("vce", Vce)):
            value = getattr(self, name)
            if value not in get_args(literal):
                allowed = ", ".join(repr(a) for a in get_args(literal))
                raise ValueError(f"RddSettings.{name} must be one of {allowed}; got {value!r}")
        for name in ("near_cutoff", "donut", "min_first_stage_f", "plot_window_h"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"RddSettings.{name} must be a finite number >= 0; got {value!r}")
        for name, low in (("min_effective_n", 1), ("plot_points", 2)):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= low):
                raise ValueError(f"RddSettings.{name} must be an integer >= {low}; got {value!r}")

    @property
    def estimator_options(self) -> dict:
        return {
            "kernel": self.kernel,
            "bwselect": self.bwselect,
            "p": self.p,
            "q": self.q,
            "vce": self.vce,
            "level": self.level,
        }

    def spec_name(self, design: str) -> str:
        kind = "fuzzy" if design == "fuzzy" else "sharp_itt"
        return f"rdd_{kind}_{self.bwselect}_{self.kernel}"


# ---------------------------------------------------------------------------- outcomes --


@dataclass(frozen=True)
class _Outcome:
    """One outcome of mart_rdd_panel: its name, role and the years of its change."""

    name: str
    role: str
    pre_year: int
    post_year: int
    coverage_break_year: int | None

    @property
    def span(self) -> str:
        return f"{self.pre_year}-{self.post_year}"


@dataclass(frozen=True)
class _Design:
    """The panel one row per state x cluster, one column per outcome, and the outcomes."""

    units: pd.DataFrame
    outcomes: tuple[_Outcome, ...]  # the outcome, then the one net of the state's change
    placebos: tuple[_Outcome, ...]  # in order of their years

    @property
    def main(self) -> _Outcome:
        return self.outcomes[0]


def _design(panel: pd.DataFrame) -> _Design:
    """Reshape the long mart to one row per unit; fail naming what is wrong with it."""
    missing = [column for column in REQUIRED_COLUMNS if column not in panel.columns]
    if missing:
        raise ValueError(f"mart_rdd_panel is missing column(s): {', '.join(missing)}")
    bad_roles = sorted(set(panel["outcome_role"].dropna()) - set(OUTCOME_ROLES))
    if bad_roles or panel["outcome_role"].isna().any():
        raise ValueError(
            f"mart_rdd_panel.outcome_role must be one of {', '.join(OUTCOME_ROLES)}; "
            f"got {bad_roles or [None]}"
        )
    keys = [*UNIT_KEYS, "outcome"]
    duplicated = panel.duplicated(keys)
    if duplicated.any():
        first = panel.loc[duplicated, keys].iloc[0].tolist()
        raise ValueError(
            f"mart_rdd_panel has {int(duplicated.sum())} duplicate (state_fips, cluster_code, "
            f"outcome) row(s), e.g. {first}"
        )
    definitions = panel[list(OUTCOME_COLUMNS[:-1])].drop_duplicates()
    if definitions["outcome"].duplicated().any():
        name = definitions.loc[definitions["outcome"].duplicated(), "outcome"].iloc[0]
        raise ValueError(f"mart_rdd_panel: outcome {name!r} has more than one role or window")
    outcomes = {role: [] for role in OUTCOME_ROLES}
    for row in definitions.sort_values(["pre_year", "post_year", "outcome"]).itertuples():
        outcomes[row.outcome_role].append(
            _Outcome(
                name=row.outcome,
                role=row.outcome_role,
                pre_year=int(row.pre_year),
                post_year=int(row.post_year),
                coverage_break_year=(
                    None if pd.isna(row.coverage_break_year) else int(row.coverage_break_year)
                ),
            )
        )
    if len(outcomes["outcome"]) != 1 or len(outcomes["outcome_net_of_state"]) > 1:
        raise ValueError(
            "mart_rdd_panel must hold exactly one outcome_role 'outcome' and at most one "
            f"'outcome_net_of_state'; got {[o.name for o in outcomes['outcome']]} and "
            f"{[o.name for o in outcomes['outcome_net_of_state']]}"
        )
    units = panel.loc[panel["outcome"] == outcomes["outcome"][0].name, list(UNIT_COLUMNS)]
    values = panel.pivot(index=list(UNIT_KEYS), columns="outcome", values=OUTCOME_VALUE)
    units = units.join(values, on=list(UNIT_KEYS)).reset_index(drop=True)
    return _Design(
        units=units,
        outcomes=(*outcomes["outcome"], *outcomes["outcome_net_of_state"]),
        placebos=tuple(outcomes["placebo_outcome"]),
    )


# ----------------------------------------------------------------------------- samples --


@dataclass(frozen=True)
class _Sample:
    """Complete rows of one estimation: outcome y, running variable x, treatment t."""

    y: np.ndarray
    x: np.ndarray
    t: np.ndarray
    n_dropped: int


def _sample(
    panel: pd.DataFrame,
    outcome: str,
    running: str,
    mask: pd.Series | None = None,
) -> _Sample:
    rows = panel if mask is None else panel[mask.fillna(False).astype(bool)]
    y = pd.to_numeric(rows[outcome], errors="coerce").astype(float)
    x = pd.to_numeric(rows[running], errors="coerce").astype(float)
    t = rows[TREATMENT].astype("float64")
    complete = np.isfinite(y) & np.isfinite(x) & np.isfinite(t)
    return _Sample(
        y=y[complete].to_numpy(),
        x=x[complete].to_numpy(),
        t=t[complete].to_numpy(),
        n_dropped=int((~complete).sum()),
    )


def _near_cutoff(sample: _Sample, width: float) -> tuple[int, int, float]:
    """Rows with |x| < width, those of them at or above the cutoff, and their treated share."""
    near = np.abs(sample.x) < width
    above = near & (sample.x >= 0)
    share = float(sample.t[above].mean()) if above.any() else math.nan
    return int(near.sum()), int(above.sum()), share


# ------------------------------------------------------------------------- est_rdd rows --


def _first_stage_f(result: RddResult) -> float:
    if result.first_stage_estimate is None or not result.first_stage_std_error:
        return math.nan
    return float((result.first_stage_estimate / result.first_stage_std_error) ** 2)


def _design_strength(
    result: RddResult | None,
    fuzzy: RddResult | None,
    settings: RddSettings,
) -> tuple[str, list[str]]:
    """'adequate' or 'weak', with the reasons for a weak verdict."""
    if result is None:
        return "not_estimable", []
    reasons = []
    if min(result.n_left, result.n_right) < settings.min_effective_n:
        reasons.append(
            f"only {result.n_left} (left) / {result.n_right} (right) rows within the bandwidth "
            f"(< {settings.min_effective_n})"
        )
    if fuzzy is not None and fuzzy.first_stage_estimate is not None:
        f_stat = _first_stage_f(fuzzy)
        if not f_stat >= settings.min_first_stage_f:
            reasons.append(
                f"weak first stage (F = {f_stat:.1f} < {settings.min_first_stage_f:g})"
            )
        if not fuzzy.first_stage_estimate >= settings.min_first_stage:
            reasons.append(
                f"small first stage (jump in P(strong) = {fuzzy.first_stage_estimate:.2f} "
                f"< {settings.min_first_stage:g})"
            )
        low = fuzzy.first_stage_conf_low_robust
        if low is not None and not low > 0:
            reasons.append("first-stage robust CI includes 0")
    return ("weak" if reasons else "adequate"), reasons


def _assessment(
    result: RddResult | None,
    error: str | None,
    *,
    design: str,
    fuzzy: RddResult | None,
    sample: _Sample,
    near: tuple[int, int, float],
    net_of_state: bool,
    running: str,
    settings: RddSettings,
) -> tuple[str, str]:
    strength, reasons = _design_strength(result, fuzzy, settings)
    n_near, n_near_above, share = near
    near_text = (
        f"{n_near} rows within {settings.near_cutoff:g} of the cutoff ({n_near_above} above, "
        f"{share:.0%} of those strong)"
        if n_near_above
        else f"{n_near} rows within {settings.near_cutoff:g} of the cutoff (none above)"
    )
    if result is None:
        return strength, f"NOT ESTIMABLE on {sample.y.size} rows ({near_text}): {error}"
    parts = [f"{strength.upper()} design: {near_text}"]
    window = (
        f" (LQ from {math.exp(-result.h_left):.2f} to {math.exp(result.h_right):.2f} times the "
        "cutoff)"
        if running == RUNNING_VARIABLES[0]
        else ""
    )
    parts.append(
        f"{result.n_left} + {result.n_right} rows within h = "
        f"{result.h_left:.3g}/{result.h_right:.3g}{window}"
    )
    if fuzzy is not None and fuzzy.first_stage_estimate is not None:
        parts.append(
            f"first stage {fuzzy.first_stage_estimate:.2f} (robust CI "
            f"{fuzzy.first_stage_conf_low_robust:.2f} to {fuzzy.first_stage_conf_high_robust:.2f},"
            f" F = {_first_stage_f(fuzzy):.0f})"
        )
    if reasons:
        parts.append("weak because " + "; ".join(reasons))
    sd = float(np.std(sample.y, ddof=1)) if sample.y.size > 1 else math.nan
    verdict = "excludes 0" if result.p_value_robust < 0.05 else "includes 0"
    what = "effect of strong_b" if design == "fuzzy" else "jump in the outcome at the cutoff"
    parts.append(
        f"{what}: robust CI [{result.conf_low_robust:.3f}, {result.conf_high_robust:.3f}] "
        f"{verdict}; its half-width is {_half_width(result) / sd:.1f} outcome SDs "
        f"(SD = {sd:.3f})"
    )
    if net_of_state:
        parts.append("outcome net of the state's total CBP change (removes state-wide shocks)")
    parts.append(
        "the outcome is the state's NAICS-3 employment apportioned to the cluster with national "
        "weights, a noisy proxy that dilutes cluster-specific effects"
    )
    # rdrobust offers cluster variance (vce="cr1" with cluster=), which the specs do not use
    # yet; the assessment says so.
    parts.append(
        "inference treats state x cluster rows as independent (no spec clusters by state "
        "yet); rows of one state share its COVID shock"
    )
    return strength, "; ".join(parts) + "."


def _half_width(result: RddResult) -> float:
    return (result.conf_high_robust - result.conf_low_robust) / 2


def _estimate(
    sample: _Sample, *, fuzzy: bool, settings: RddSettings, **kwargs
) -> tuple[RddResult | None, str | None]:
    try:
        result = estimate_rdd(
            sample.y,
            sample.x,
            cutoff=0.0,
            fuzzy=sample.t if fuzzy else None,
            **settings.estimator_options,
            **kwargs,
        )
    except ValueError as error:  # bad input or RddError: rdrobust could not estimate it
        return None, f"{type(error).__name__}: {error}"
    return result, None


def _rdd_row(
    result: RddResult | None,
    *,
    spec: str,
    design: str,
    outcome: str,
    running: str,
    sample: _Sample,
    near: tuple[int, int, float],
    strength: str,
    assessment: str,
    settings: RddSettings,
) -> dict:
    row: dict = {column: None for column in RDD_COLUMNS}
    n_near, n_near_above, share = near
    row.update(
        spec=spec,
        design=design,
        outcome=outcome,
        running_variable=running,
        treatment=TREATMENT if design == "fuzzy" else None,
        n_obs=int(sample.y.size),
        n_dropped=sample.n_dropped,
        kernel=settings.kernel,
        p=settings.p,
        q=settings.q,
        bwselect=settings.bwselect,
        vce=settings.vce,
        level=settings.level,
        n_within_0_1=n_near,
        n_within_0_1_above=n_near_above,
        share_treated_within_0_1_above=share,
        design_strength=strength,
        assessment=assessment,
    )
    if result is None:
        return row
    row.update(
        {
            key: getattr(result, key)
            for key in (
                "estimate", "estimate_bc", "std_error", "std_error_robust", "conf_low",
                "conf_high", "conf_low_robust", "conf_high_robust", "p_value_robust",
                "h_left", "h_right", "b_left", "b_right", "n_left", "n_right",
                "n_total_left", "n_total_right", "bwselect",
            )
        }
    )
    if design == "fuzzy":
        row.update(
            first_stage_estimate=result.first_stage_estimate,
            first_stage_std_error_robust=result.first_stage_std_error_robust,
            first_stage_conf_low=result.first_stage_conf_low_robust,
            first_stage_conf_high=result.first_stage_conf_high_robust,
            first_stage_p_value=result.first_stage_p_value_robust,
            first_stage_f=_first_stage_f(result),
        )
    return row


# ----------------------------------------------------------------------- check rows --


def _check_row(
    check: str,
    *,
    design: str,
    outcome: str | None,
    running: str,
    sample_text: str,
    n_obs: int,
    main: RddResult | None,
    interpret: Callable[[float, float], str],
    result: RddResult | DensityTestResult | None,
    error: str | None,
) -> dict:
    row: dict = {column: None for column in CHECK_COLUMNS}
    row.update(
        check_name=check,
        design=design,
        outcome=outcome,
        running_variable=running,
        sample=sample_text,
        n_obs=n_obs,
        main_estimate=None if main is None else main.estimate,
    )
    if result is None:
        row["interpretation"] = f"NOT ESTIMABLE: {error}"
        return row
    if isinstance(result, DensityTestResult):
        row.update(
            estimate=result.difference,
            std_error=result.std_error,
            statistic=result.statistic,
            p_value=result.p_value,
            h_left=result.h_left,
            h_right=result.h_right,
            n_left=result.n_eff_left,
            n_right=result.n_eff_right,
        )
    else:
        row.update(
            estimate=result.estimate,
            estimate_bc=result.estimate_bc,
            std_error=result.std_error_robust,
            statistic=result.estimate_bc / result.std_error_robust,
            conf_low=result.conf_low_robust,
            conf_high=result.conf_high_robust,
            p_value=result.p_value_robust,
            h_left=result.h_left,
            h_right=result.h_right,
            n_left=result.n_left,
            n_right=result.n_right,
        )
    row["rejects_at_5pct"] = bool(row["p_value"] < 0.05)
    row["interpretation"] = interpret(row["estimate"], row["p_value"])
    return row


def _run_checks(
    design: _Design,
    main: RddResult | None,
    itt: RddResult | None,
    settings: RddSettings,
) -> list[dict]:
    panel = design.units
    outcome, running = design.main.name, RUNNING_VARIABLES[0]
    rows = []

    # manipulation: is the density of the running variable continuous at the cutoff?
    x = pd.to_numeric(panel[running], errors="coerce").astype(float)
    x = x[np.isfinite(x)].to_numpy()
    n_at_cutoff = int(np.sum(x == 0))
    try:
        density: DensityTestResult | None = density_test(x, cutoff=0.0)
        density_error = None
    except ValueError as error:  # bad input or RddError: rddensity could not estimate it
        density, density_error = None, f"{type(error).__name__}: {error}"

    def interpret_density(estimate: float, p_value: float) -> str:
        mass = (
            f" {n_at_cutoff} row(s) sit exactly at the cutoff: states whose LQ is their "
            "cluster's p75 itself (a mechanical mass point of a percentile cutoff)."
            if n_at_cutoff
            else ""
        )
        if p_value >= 0.05:
            return (
                f"No evidence of bunching at the cutoff (density difference {estimate:.3f}, "
                f"p = {p_value:.3f}). The cutoff is a percentile of the other states' LQs, so "
                "a state could hardly sort around it anyway." + mass
            )
        return (
            f"The density of the running variable jumps at the cutoff (difference "
            f"{estimate:.3f}, p = {p_value:.3f}). Sorting on a percentile of other states' "
            "LQs is implausible; look for a mechanical cause before doubting the design."
            + mass
        )

    rows.append(
        _check_row(
            "density_test", design="density", outcome=None, running=running,
            sample_text="all rows with a running variable (lq > 0)", n_obs=int(x.size),
            main=None, interpret=interpret_density, result=density, error=density_error,
        )
    )

    # placebo cutoffs: the same outcome, a cutoff where no rule changes; each uses only the rows
    # on one side of the real cutoff, so the real jump cannot leak into it
    real = pd.to_numeric(panel[running], errors="coerce")
    for placebo_running, percentile_column, side in PLACEBO_CUTOFFS.values():
        percentile = float(pd.to_numeric(panel[percentile_column]).dropna().iloc[0])
        check = f"placebo_cutoff_p{round(percentile * 100)}"
        mask = real < 0 if side == "below" else real >= 0
        sample = _sample(panel, outcome, placebo_running, mask)
        result, error = _estimate(sample, fuzzy=False, settings=settings)
        rows.append(
            _check_row(
                check, design="sharp", outcome=outcome, running=placebo_running,
                sample_text=f"rows {side} the real cutoff (running_variable "
                f"{'< 0' if side == 'below' else '>= 0'})",
                n_obs=int(sample.y.size), main=itt,
                interpret=_interpret_placebo(
                    f"the {percentile:.0%} LQ percentile, where no rule changes"
                ),
                result=result, error=error,
            )
        )

    # placebo outcomes: changes before COVID, same cutoff, reduced form
    for placebo in design.placebos:
        sample = _sample(panel, placebo.name, running)
        result, error = _estimate(sample, fuzzy=False, settings=settings)
        rows.append(
            _check_row(
                f"placebo_outcome_{placebo.pre_year}_{placebo.post_year}", design="sharp",
                outcome=placebo.name, running=running,
                sample_text="all rows with the placebo outcome", n_obs=int(sample.y.size),
                main=itt,
                interpret=_interpret_placebo(
                    "the cutoff, in an employment change before COVID",
                    note=_coverage_break_note(placebo, design.placebos),
                ),
                result=result, error=error,
            )
        )

    # donut: drop the rows closest to the cutoff (including mass points at 0), fuzzy
    near = pd.to_numeric(panel[running], errors="coerce").abs() >= settings.donut
    sample = _sample(panel, outcome, running, near)
    result, error = _estimate(sample, fuzzy=True, settings=settings)
    rows.append(
        _check_row(
            "donut", design="fuzzy", outcome=outcome, running=running,
            sample_text=f"rows with |running_variable| >= {settings.donut:g}",
            n_obs=int(sample.y.size), main=main,
            interpret=_interpret_robustness(f"without the rows within {settings.donut:g}", main),
            result=result, error=error,
        )
    )

    # bandwidth sensitivity: the main fuzzy spec at half and twice the selected bandwidth
    sample = _sample(panel, outcome, running)
    for check, factor in (("bandwidth_half", 0.5), ("bandwidth_double", 2.0)):
        if main is None:
            result, error = None, "the main fuzzy estimate is not available"
        else:
            result, error = _estimate(
                sample, fuzzy=True, settings=settings,
                h=(main.h_left * factor, main.h_right * factor),
            )
        rows.append(
            _check_row(
                check, design="fuzzy", outcome=outcome, running=running,
                sample_text=f"all rows; h = {factor:g} x the MSE-optimal h (b = h)",
                n_obs=int(sample.y.size), main=main,
                interpret=_interpret_robustness(f"at {factor:g} x the bandwidth", main),
                result=result, error=error,
            )
        )
    return rows


def _coverage_break_note(placebo: _Outcome, placebos: tuple[_Outcome, ...]) -> str:
    """A caution for a placebo change across a coverage break of the CBP extract."""
    if placebo.coverage_break_year is None:
        return ""
    clean = [other.span for other in placebos if other.coverage_break_year is None]
    prefer = (
        f"; prefer {' and '.join([', '.join(clean[:-1]), clean[-1]] if len(clean) > 1 else clean)}"
        if clean
        else ""
    )
    year = placebo.coverage_break_year
    return (
        f" Caution: the CBP state x NAICS-3 extract changes coverage between {year - 1} and "
        f"{year}, so this change is partly a data artefact{prefer}."
    )


def _interpret_placebo(where: str, note: str = "") -> Callable[[float, float], str]:
    def interpret(estimate: float, p_value: float) -> str:
        if p_value >= 0.05:
            text = f"No jump at {where} ({estimate:.3f}, p = {p_value:.3f}), as it should be."
        else:
            text = (
                f"A jump at {where} ({estimate:.3f}, p = {p_value:.3f}): the outcome is not "
                "smooth in the running variable away from the treatment, which casts doubt on "
                "reading the main estimate as an effect of strong_b."
            )
        return text + note

    return interpret


def _interpret_robustness(
    what: str, main: RddResult | None
) -> Callable[[float, float], str]:
    def interpret(estimate: float, p_value: float) -> str:
        text = f"Fuzzy estimate {what}: {estimate:.3f}, robust p = {p_value:.3f}."
        if main is None:
            return text
        shift = (estimate - main.estimate) / main.std_error_robust
        verdict = (
            "a large move: the main estimate depends on a few rows or on the bandwidth"
            if abs(shift) > 1
            else "within one standard error: the main estimate does not hinge on this choice"
        )
        return (
            f"{text} Main estimate {main.estimate:.3f}; the difference is {shift:+.1f} main "
            f"robust standard errors, {verdict}."
        )

    return interpret


# -------------------------------------------------------------------------- plot data --


def _binned(values: np.ndarray, x: np.ndarray, window: np.ndarray) -> pd.DataFrame:
    """rdplot's binned means of the rows in the window; of all rows if rdplot cannot bin the
    window (fewer than 20 rows, or none on a side); no bins if it cannot bin those either."""
    for rows in (window, np.ones_like(window)):
        try:
            return binned_means(values[rows], x[rows], cutoff=0.0)
        except ValueError:
            continue
    return pd.DataFrame(columns=["side", "x", "y"])


def _plot_rows(
    result: RddResult,
    *,
    spec: str,
    design: str,
    outcome: str,
    running: str,
    sample: _Sample,
    settings: RddSettings,
) -> list[dict]:
    """RD plot data of one est_rdd row: binned means and fitted local polynomials of the
    outcome, and on fuzzy rows also of the treatment (the first stage)."""
    window = (sample.x >= -settings.plot_window_h * result.h_left) & (
        sample.x <= settings.plot_window_h * result.h_right
    )
    layers = [("outcome", outcome, sample.y, False)]
    if design == "fuzzy":
        layers.append(("first_stage", TREATMENT, sample.t, True))
    rows = []
    for plotted, y_variable, values, first_stage in layers:
        key = dict(spec=spec, design=design, outcome=outcome, running_variable=running,
                   plotted=plotted, y_variable=y_variable)  # fmt: skip
        elements = (
            ("bin", _binned(values, sample.x, window).rename(columns={"n": "n_in_bin"})),
            ("fit", fitted_line(result, first_stage=first_stage, n_points=settings.plot_points)),
        )
        for element, frame in elements:
            for _, side in frame.groupby("side", sort=False):
                for point, record in enumerate(side.to_dict("records"), start=1):
                    rows.append({**key, "element": element, "point": point, **record})
    return rows


# ----------------------------------------------------------------------------- entry --


def run_rdd_estimates(
    panel: pd.DataFrame, settings: RddSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """est_rdd, est_rdd_checks and est_rdd_plot_data rows from ``mart_rdd_panel``.

    Args:
        panel: one row per state x traded cluster x outcome with the columns of
            ``mart_rdd_panel`` (at least ``REQUIRED_COLUMNS``); rows missing the outcome or
            running variable of an estimation are dropped from it (counted in ``n_dropped``).
        settings: estimator options and assessment thresholds; defaults reproduce rdrobust's
            defaults (local linear, triangular kernel, one MSE-optimal bandwidth, NN variance).

    Returns:
        (rdd, checks, plot): DataFrames with columns ``RDD_COLUMNS``, ``CHECK_COLUMNS`` and
        ``PLOT_COLUMNS``.

    Raises:
        ValueError: a required column is missing, or the outcomes of the panel are not one
            'outcome', at most one 'outcome_net_of_state' and any placebos, once per unit.
    """
    settings = settings or RddSettings()
    design = _design(panel)
    rdd_rows, plot_rows = [], []
    main_fuzzy: RddResult | None = None
    main_itt: RddResult | None = None
    for outcome in design.outcomes:
        for running in RUNNING_VARIABLES:
            sample = _sample(design.units, outcome.name, running)
            near = _near_cutoff(sample, settings.near_cutoff)
            fuzzy, fuzzy_error = _estimate(sample, fuzzy=True, settings=settings)
            itt, itt_error = _estimate(sample, fuzzy=False, settings=settings)
            if (outcome, running) == (design.main, RUNNING_VARIABLES[0]):
                main_fuzzy, main_itt = fuzzy, itt
            for kind, result, error in (("fuzzy", fuzzy, fuzzy_error), ("sharp", itt, itt_error)):
                spec = settings.spec_name(kind)
                strength, assessment = _assessment(
                    result, error, design=kind, fuzzy=fuzzy, sample=sample, near=near,
                    net_of_state=outcome.role == "outcome_net_of_state", running=running,
                    settings=settings,
                )
                rdd_rows.append(
                    _rdd_row(
                        result, spec=spec, design=kind, outcome=outcome.name, running=running,
                        sample=sample, near=near, strength=strength, assessment=assessment,
                        settings=settings,
                    )
                )
                if result is not None:
                    plot_rows += _plot_rows(
                        result, spec=spec, design=kind, outcome=outcome.name, running=running,
                        sample=sample, settings=settings,
                    )
    rdd = pd.DataFrame(rdd_rows, columns=RDD_COLUMNS)
    checks = pd.DataFrame(
        _run_checks(design, main_fuzzy, main_itt, settings), columns=CHECK_COLUMNS
    )
    plot = pd.DataFrame(plot_rows, columns=PLOT_COLUMNS)
    return (
        _typed(rdd, RDD_INTEGERS, RDD_FLOATS),
        _typed(checks, CHECK_INTEGERS, CHECK_FLOATS),
        _typed(plot, PLOT_INTEGERS, PLOT_FLOATS),
    )


RDD_INTEGERS = [
    "n_left", "n_right", "n_total_left", "n_total_right", "n_obs", "n_dropped", "p", "q",
    "n_within_0_1", "n_within_0_1_above",
]
RDD_FLOATS = [
    "estimate", "estimate_bc", "std_error", "std_error_robust", "conf_low", "conf_high",
    "conf_low_robust", "conf_high_robust", "p_value_robust", "h_left", "h_right", "b_left",
    "b_right", "level", "first_stage_estimate", "first_stage_std_error_robust",
    "first_stage_conf_low", "first_stage_conf_high", "first_stage_p_value", "first_stage_f",
    "share_treated_within_0_1_above",
]
CHECK_INTEGERS = ["n_left", "n_right", "n_obs"]
PLOT_INTEGERS = ["point", "n_in_bin"]
PLOT_FLOATS = ["x", "y", "x_mean", "bin_low", "bin_high"]
CHECK_FLOATS = [
    "estimate", "estimate_bc", "std_error", "statistic", "conf_low", "conf_high", "p_value",
    "h_left", "h_right", "main_estimate",
]


def _typed(frame: pd.DataFrame, integers: list[str], floats: list[str]) -> pd.DataFrame:
    """Stable column types whether or not a row is missing its numbers (NULL, never NaN)."""
    frame = frame.copy()
    for column in integers:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    for column in floats:
        frame[column] = pd.array(
            [None if value is None or not math.isfinite(value) else value
             for value in frame[column].tolist()],
            dtype="Float64",
        )
    if "rejects_at_5pct" in frame.columns:
        frame["rejects_at_5pct"] = pd.array(frame["rejects_at_5pct"].tolist(), dtype="boolean")
    return frame
