"""The regression discontinuity at the USCM strong-cluster cutoff, from ``mart_rdd_panel``.

``run_rdd_estimates(panel)`` returns the two tidy tables the dbt Python models ``est_rdd`` and
``est_rdd_checks`` write:

- ``est_rdd``: one row per spec x outcome x running variable. ``rdd_fuzzy_<bw>_<kernel>`` is the
  fuzzy RD (treatment: published ``strong_b``; the Wald ratio of the outcome jump to the
  treatment jump, first stage reported on the row); ``rdd_sharp_itt_<bw>_<kernel>`` is the
  intention-to-treat / reduced form (the outcome jump at the cutoff itself).
- ``est_rdd_checks``: the manipulation (density) test, placebo cutoffs, placebo outcomes, a donut
  and a bandwidth sensitivity check, each with a plain-language ``interpretation``.

Estimation is ``cluster_resilience.estimators.rdd.estimate_rdd`` (a port of ``rdrobust``:
local polynomial,
kernel, MSE-optimal bandwidth, robust bias-corrected inference) and ``density_test`` (a port of
``rddensity``). A design that is weak on the data (few rows near the cutoff, a small or imprecise
first stage) is still estimated and reported: ``design_strength`` and ``assessment`` say so. A
spec that cannot be estimated at all gets a row with NULL numbers and the reason, never no row.
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
    density_test,
    estimate_rdd,
)

__all__ = [
    "CHECK_COLUMNS",
    "RDD_COLUMNS",
    "RddSettings",
    "run_rdd_estimates",
]

TREATMENT = "is_strong"
RUNNING_VARIABLES = ("running_variable", "running_variable_linear")
OUTCOMES = ("outcome_emp_change_2019_2021", "outcome_emp_change_2019_2021_vs_state")
# check name -> placebo outcome column (changes before COVID: no effect of it can show there)
PLACEBO_OUTCOMES = {
    "placebo_outcome_2014_2016": "placebo_emp_change_2014_2016",
    "placebo_outcome_2015_2016": "placebo_emp_change_2015_2016",
    "placebo_outcome_2018_2019": "placebo_emp_change_2018_2019",
}
PLACEBO_CUTOFFS = {
    # side of the real cutoff the placebo uses: its rows never cross the real cutoff
    "low": ("running_variable_placebo_low", "placebo_low_percentile", "below"),
    "high": ("running_variable_placebo_high", "placebo_high_percentile", "above"),
}
REQUIRED_COLUMNS = (
    "state_fips",
    "cluster_code",
    TREATMENT,
    *RUNNING_VARIABLES,
    *OUTCOMES,
    *PLACEBO_OUTCOMES.values(),
    *(column for spec in PLACEBO_CUTOFFS.values() for column in spec[:2]),
)

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


@dataclass(frozen=True)
class RddSettings:
    """Estimator options (rdrobust's names) and the thresholds of the design assessment.

    Attributes:
        kernel, bwselect, p, q, vce, level: passed to ``estimate_rdd``.
        near_cutoff: half-width of the window counted in ``n_within_0_1`` (running variable units).
        donut: rows with |running variable| below this are dropped in the ``donut`` check.
        min_effective_n: fewest rows within the bandwidth on each side for an ``adequate`` design.
        min_first_stage_f: smallest first-stage F (t^2 of the treatment jump) for ``adequate``.
        min_first_stage: smallest jump in the treatment probability for ``adequate``.
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

    def __post_init__(self) -> None:
        for name, literal in (("kernel", Kernel), ("bwselect", BwSelect), ("vce", Vce)):
            value = getattr(self, name)
            if value not in get_args(literal):
                allowed = ", ".join(repr(a) for a in get_args(literal))
                raise ValueError(f"RddSettings.{name} must be one of {allowed}; got {value!r}")
        for name in ("near_cutoff", "donut", "min_first_stage_f"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"RddSettings.{name} must be a finite number >= 0; got {value!r}")
        if not (isinstance(self.min_effective_n, int) and self.min_effective_n >= 1):
            raise ValueError(
                f"RddSettings.min_effective_n must be an integer >= 1; got {self.min_effective_n!r}"
            )

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
    outcome: str,
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
    if outcome.endswith("_vs_state"):
        parts.append("outcome net of the state's total CBP change (removes state-wide shocks)")
    parts.append(
        "the outcome is the state's NAICS-3 employment apportioned to the cluster with national "
        "weights, a noisy proxy that dilutes cluster-specific effects"
    )
    parts.append(
        "inference treats state x cluster rows as independent (the port has no cluster "
        "variance); rows of one state share its COVID shock"
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
    except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as error:
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
    panel: pd.DataFrame,
    main: RddResult | None,
    itt: RddResult | None,
    settings: RddSettings,
) -> list[dict]:
    outcome, running = OUTCOMES[0], RUNNING_VARIABLES[0]
    rows = []

    # manipulation: is the density of the running variable continuous at the cutoff?
    x = pd.to_numeric(panel[running], errors="coerce").astype(float)
    x = x[np.isfinite(x)].to_numpy()
    n_at_cutoff = int(np.sum(x == 0))
    try:
        density: DensityTestResult | None = density_test(x, cutoff=0.0)
        density_error = None
    except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as error:
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
    for check, placebo_outcome in PLACEBO_OUTCOMES.items():
        sample = _sample(panel, placebo_outcome, running)
        result, error = _estimate(sample, fuzzy=False, settings=settings)
        note = ""
        if placebo_outcome.endswith("2014_2016"):
            note = (
                " Caution: the CBP state x NAICS-3 extract changes coverage between 2014 and "
                "2015, so this change is partly a data artefact; prefer 2015-2016 and 2018-2019."
            )
        rows.append(
            _check_row(
                check, design="sharp", outcome=placebo_outcome, running=running,
                sample_text="all rows with the placebo outcome", n_obs=int(sample.y.size),
                main=itt,
                interpret=_interpret_placebo(
                    "the cutoff, in an employment change before COVID", note=note
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


# ----------------------------------------------------------------------------- entry --


def run_rdd_estimates(
    panel: pd.DataFrame, settings: RddSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """est_rdd and est_rdd_checks rows from ``mart_rdd_panel``.

    Args:
        panel: one row per state x traded cluster with the columns of ``mart_rdd_panel``
            (at least ``REQUIRED_COLUMNS``); rows missing the outcome or running variable of
            an estimation are dropped from it (counted in ``n_dropped``).
        settings: estimator options and assessment thresholds; defaults reproduce rdrobust's
            defaults (local linear, triangular kernel, one MSE-optimal bandwidth, NN variance).

    Returns:
        (rdd, checks): DataFrames with columns ``RDD_COLUMNS`` and ``CHECK_COLUMNS``.

    Raises:
        ValueError: a required column is missing.
    """
    settings = settings or RddSettings()
    missing = [column for column in REQUIRED_COLUMNS if column not in panel.columns]
    if missing:
        raise ValueError(f"mart_rdd_panel is missing column(s): {', '.join(missing)}")

    rdd_rows = []
    main_fuzzy: RddResult | None = None
    main_itt: RddResult | None = None
    for outcome in OUTCOMES:
        for running in RUNNING_VARIABLES:
            sample = _sample(panel, outcome, running)
            near = _near_cutoff(sample, settings.near_cutoff)
            fuzzy, fuzzy_error = _estimate(sample, fuzzy=True, settings=settings)
            itt, itt_error = _estimate(sample, fuzzy=False, settings=settings)
            if (outcome, running) == (OUTCOMES[0], RUNNING_VARIABLES[0]):
                main_fuzzy, main_itt = fuzzy, itt
            for design, result, error in (("fuzzy", fuzzy, fuzzy_error), ("sharp", itt, itt_error)):
                strength, assessment = _assessment(
                    result, error, design=design, fuzzy=fuzzy, sample=sample, near=near,
                    outcome=outcome, running=running, settings=settings,
                )
                rdd_rows.append(
                    _rdd_row(
                        result, spec=settings.spec_name(design), design=design,
                        outcome=outcome, running=running, sample=sample, near=near,
                        strength=strength, assessment=assessment, settings=settings,
                    )
                )
    rdd = pd.DataFrame(rdd_rows, columns=RDD_COLUMNS)
    checks = pd.DataFrame(_run_checks(panel, main_fuzzy, main_itt, settings), columns=CHECK_COLUMNS)
    return _typed(rdd, RDD_INTEGERS, RDD_FLOATS), _typed(checks, CHECK_INTEGERS, CHECK_FLOATS)


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
