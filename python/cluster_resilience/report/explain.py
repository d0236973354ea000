"""Flag where our number differs a lot from the paper's, and say why, from what the warehouse knows.

Every explanation is assembled from facts in the warehouse: the coverage mart's reason when an
outcome has no estimate, the sample sizes of both panels, the treatment rule the run used, the
outcome's units and years (seed ``outcomes``), the state-clustered standard error next to the
iid one, and the transcriber's note on the paper's number (seed ``paper_published_estimates``).

A row's explanation is short and cites lettered caveats (``[P]`` panel, ``[T]`` treatment rule,
...) that :func:`caveats` spells out once under the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# The paper's panel (Table 2): 60,000 rows, 32 states, state x sub-cluster based.
PAPER_N_ROWS = 60_000
PAPER_N_STATES = 32

FIT_TERMS = ("r2", "adj_r2", "f_stat")
# Large: a coefficient more than this many standard errors (the larger of ours and the paper's)
# away from the paper's or of the other sign; R2 more than this far off; F (or a Table 2
# statistic) off by more than this ratio either way.
COEF_SE_MULTIPLE = 2.0
R2_TOLERANCE = 0.05
RATIO_TOLERANCE = 1.25
# The state-clustered SE is worth quoting when it is at least this many times the iid one.
CLUSTERED_SE_MULTIPLE = 1.5


@dataclass(frozen=True)
class Context:
    """What the explanations quote: the run's settings and the outcomes' documentation."""

    did_treatment_rule: str
    state_treatment_rule: str
    outcomes: dict[str, dict[str, Any]]  # seed outcomes by outcome name
    vintages: str


def caveats(context: Context) -> dict[str, str]:
    """The lettered caveats the row explanations cite."""
    return {
        "P": (
            "Panel: ours is every USCM state x cluster row (50 states x 67 clusters, USCM "
            "publishes state x cluster only) in each window year, each row carrying its state's "
            f"outcome; the paper's has {PAPER_N_ROWS:,} rows of {PAPER_N_STATES} states x "
            "sub-clusters. Fit statistics (F grows with n) and iid standard errors follow n."
        ),
        "T": (
            f"Treatment: rule '{context.did_treatment_rule}' (seed treatment_rules), USCM's "
            "published strong-cluster flag on each state x cluster row; the paper does not "
            "publish which rows it counts as 'with clusters'."
        ),
        "D": (
            "Data: the shipped vintages (see Provenance), all 50 states; the paper's vintages "
            "and state sample differ. Units as in fct_state_outcome_year ($M, thousands of jobs)."
        ),
        "F": (
            "Factors: USCM 2016 state x cluster values, the only USCM year shipped (QP = CBP "
            "first-quarter payroll and AP annual payroll, $1,000; WAGE $; LQ employment location "
            "quotient)."
        ),
        "C": (
            "Coverage: an outcome is counted or estimated only in the years its source covers "
            "(Census trade 2013-2018, BLS 2010-2020 in the shipped data); see Data coverage."
        ),
    }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def printed_precision(printed: Any) -> float:
    """Half a unit in the last printed digit of the paper's number ('0.070' -> 0.0005)."""
    text = str(printed or "").replace(",", "").strip()
    if "." in text:
        return 0.5 * 10 ** -len(text.split(".", 1)[1])
    return 0.5


def _cite(keys: list[str]) -> str:
    return " ".join(f"[{key}]" for key in keys)


def explain_model_row(row: dict[str, Any], *, model: str, context: Context) -> dict[str, Any]:
    """Status and explanation for one row of paper Tables 3-6 (model 'did' or 'factor')."""
    term = row["term"]
    paper = _number(row.get("paper_estimate"))
    ours = _number(row.get("ours_estimate"))
    reasons: list[str] = []
    status = "ok"
    if ours is None:
        status = "not estimable"
        reasons.append(
            row.get("coverage_reason")
            or f"no estimate in the warehouse for {row['outcome']} in this window"
        )
    elif paper is None:
        status = "no paper number"
    elif term in FIT_TERMS:
        if term == "f_stat":
            ratio = ours / paper if paper else math.inf
            large = not (1 / RATIO_TOLERANCE <= ratio <= RATIO_TOLERANCE)
        else:
            large = abs(ours - paper) > R2_TOLERANCE
        if large:
            status = "large difference"
            n_obs = int(_number(row.get("n_obs")) or 0)
            reasons.append(f"n = {n_obs:,} vs the paper's {PAPER_N_ROWS:,} {_cite(['P', 'D'])}")
    else:
        paper_se = _number(row.get("paper_std_error")) or 0.0
        ours_se = _number(row.get("ours_std_error")) or 0.0
        precision = printed_precision(row.get("paper_printed"))
        tolerance = max(COEF_SE_MULTIPLE * max(paper_se, ours_se), precision)
        sign_flip = paper * ours < 0 and abs(paper) > precision
        if abs(ours - paper) > tolerance or sign_flip:
            status = "large difference"
            keys = ["P", "D"]
            if model == "did" and term in ("treatment", "interaction"):
                keys.insert(1, "T")
            if model == "factor":
                keys.append("F")
            se = max(paper_se, ours_se)
            if sign_flip:
                head = "other sign"
            elif se > 0:
                head = f"{abs(ours - paper) / se:.1f} SE apart"
            else:
                head = "beyond the paper's rounding"
            reasons.append(f"{head} {_cite(keys)}")
        clustered_se = _number(row.get("clustered_std_error"))
        if clustered_se and ours_se and clustered_se > CLUSTERED_SE_MULTIPLE * ours_se:
            clustered_p = _number(row.get("clustered_p_value"))
            p_text = ""
            if clustered_p is not None:
                p_text = ", p < 0.001" if clustered_p < 0.001 else f", p = {clustered_p:.3f}"
            reasons.append(f"state-clustered SE {clustered_se / ours_se:.1f}x iid{p_text}")
    if row.get("paper_note"):
        reasons.append(f"paper: {row['paper_note']}")
    return {"status": status, "explanation": "; ".join(reasons)}


def explain_descriptive_row(row: dict[str, Any], *, context: Context) -> dict[str, Any]:
    """Status and explanation for one row of paper Table 2."""
    variable = row["variable"]
    paper = _number(row.get("paper_value"))
    ours = _number(row.get("ours"))
    reasons: list[str] = []
    status = "ok"
    if ours is None:
        status = "not available"
        reasons.append(f"no value of {variable} in our panel")
    elif paper is None:
        status = "no paper number"
    else:
        if paper == 0:
            large = abs(ours) > printed_precision(row.get("paper_printed"))
        else:
            large = not (1 / RATIO_TOLERANCE <= ours / paper <= RATIO_TOLERANCE)
        if large:
            status = "large difference"
            if variable == "cluster":
                reasons.append(f"by design {_cite(['P'])}")
            elif variable in context.outcomes:
                meta = context.outcomes[variable]
                reasons.append(
                    f"{meta.get('label', variable)}, {meta.get('unit')}, "
                    f"{meta.get('first_year')}-{meta.get('last_year')} "
                    f"{_cite(['P', 'D', 'C'])}"
                )
            else:
                reasons.append(_cite(["P", "F"]))
    if row.get("paper_note"):
        reasons.append(f"paper: {row['paper_note']}")
    return {"status": status, "explanation": "; ".join(reasons)}
