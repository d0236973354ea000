"""The report's opening: what the data say about the paper's headline claim, in sentences
generated from the warehouse (est_coefficients_vs_paper, dim_analysis_window), never typed in.

The claim: the paper's DID interaction of GDP growth in the COVID-shock window is negative (states
with clusters lost more growth). The section says whether our estimates have that sign, under
which specifications and layouts, whether their 95 % intervals exclude zero, and how much wider
the state-clustered intervals are than the paper's iid ones.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

HEADLINE = {"model": "did", "window_name": "shock", "outcome": "gdp", "term": "interaction"}
PAPER_SPEC = "paper"  # the paper's own inference (OLS, iid errors)
CLUSTERED_SPEC = "state_clustered"  # CRV1 by state, the honest comparison
PAPER_LAYOUT = "paper"


def _num(value: Any) -> str:
    return f"{float(value):.4f}"


def _interval(low: Any, high: Any) -> str:
    return f"[{float(low):.4f}, {float(high):.4f}]"


def _sign_word(value: float) -> str:
    return "negative" if value < 0 else "positive" if value > 0 else "zero"


def _pick(rows: pd.DataFrame, spec: str, layout: str) -> dict[str, Any] | None:
    match = rows[(rows["spec"] == spec) & (rows["layout"] == layout)]
    return None if match.empty else match.iloc[0].to_dict()


def _names(rows: pd.DataFrame) -> str:
    return ", ".join(
        f"{spec} ({layout})" for spec, layout in zip(rows["spec"], rows["layout"], strict=True)
    )


def headline_sentences(rows: pd.DataFrame, window: dict[str, Any] | None = None) -> list[str]:
    """Sentences about the headline claim from its est_coefficients_vs_paper rows (every spec
    and layout of the DID interaction, GDP, shock window)."""
    if rows.empty:
        return ["The warehouse has no DID estimate of GDP growth in the shock window."]
    years = ""
    if window:
        years = f" ({window['pre_year']} vs {window['post_year']})"
    sentences: list[str] = []
    published = rows.dropna(subset=["paper_estimate"])
    if published.empty:
        return ["The paper prints no shock-window GDP interaction to compare with."]
    paper = published.iloc[0]
    paper_sign = _sign_word(paper["paper_estimate"])
    sentences.append(
        f"The paper's headline: a {paper_sign} DID interaction of GDP growth in the COVID-shock "
        f"window{years}, printed as {paper['paper_printed']} (SE {paper['paper_std_error']:g}, "
        f"{paper['paper_table']}), i.e. states with clusters grew "
        f"{'less' if paper['paper_estimate'] < 0 else 'more'} than states without."
    )
    own = _pick(rows, PAPER_SPEC, PAPER_LAYOUT)
    if own is not None:
        verdict = "the paper's sign" if own["same_sign_as_paper"] else "the opposite sign"
        contains = "contains" if own["conf_int_contains_paper"] else "does not contain"
        sentences.append(
            f"With the paper's own specification (spec {PAPER_SPEC}: OLS with iid errors on the "
            f"paper's state x cluster rows, treatment rule {own['treatment_rule']}) we estimate "
            f"{_num(own['estimate'])}, 95 % CI {_interval(own['conf_low'], own['conf_high'])}: "
            f"{verdict}, and the interval {contains} the paper's number."
        )
    same = rows[rows["same_sign_as_paper"].fillna(False).astype(bool)]
    significant = same[same["conf_int_excludes_zero"].fillna(False).astype(bool)]
    n_total = len(rows)
    n_layouts = rows["layout"].nunique()
    n_specs = rows["spec"].nunique()
    opposite = rows[~rows["same_sign_as_paper"].fillna(True).astype(bool)]
    opposite_significant = opposite[opposite["conf_int_excludes_zero"].fillna(False).astype(bool)]
    if significant.empty and same.empty:
        against = ""
        if not opposite_significant.empty:
            layouts = ", ".join(sorted(set(opposite_significant["layout"])))
            against = (
                f" {len(opposite_significant)} of them have the opposite sign with a 95 % "
                f"interval that excludes zero (layout {layouts})."
            )
        sentences.append(
            f"None of our {n_total} estimates ({n_specs} specifications x {n_layouts} layouts) "
            f"has the paper's {paper_sign} sign: the claim does not replicate here.{against}"
        )
    elif significant.empty:
        sentences.append(
            f"{len(same)} of our {n_total} estimates ({n_specs} specifications x {n_layouts} "
            f"layouts) have the paper's {paper_sign} sign ({_names(same)}), but none has a 95 % "
            "interval that excludes zero: the claim does not replicate at the 5 % level."
        )
    else:
        sentences.append(
            f"{len(same)} of our {n_total} estimates ({n_specs} specifications x {n_layouts} "
            f"layouts) have the paper's {paper_sign} sign, and {len(significant)} of them a 95 % "
            f"interval that excludes zero: {_names(significant)}. The claim replicates only "
            "under those."
        )
    iid = _pick(rows, PAPER_SPEC, PAPER_LAYOUT)
    clustered = _pick(rows, CLUSTERED_SPEC, PAPER_LAYOUT)
    if iid is not None and clustered is not None:
        iid_width = iid["conf_high"] - iid["conf_low"]
        clustered_width = clustered["conf_high"] - clustered["conf_low"]
        ratio = clustered_width / iid_width if iid_width else float("nan")
        excludes = "excludes" if clustered["conf_int_excludes_zero"] else "includes"
        sentences.append(
            f"Clustered by state (spec {CLUSTERED_SPEC}, {int(clustered['n_clusters'])} states), "
            f"the interval on the same rows is "
            f"{_interval(clustered['conf_low'], clustered['conf_high'])}, "
            f"{clustered_width:.4f} wide: {ratio:.1f} times the iid interval, because each "
            f"state's growth is repeated on all of its cluster rows. It {excludes} zero."
        )
    state_layout = rows[(rows["layout"] != PAPER_LAYOUT) & (rows["spec"] == CLUSTERED_SPEC)]
    for row in state_layout.to_dict("records"):
        excludes = "excludes" if row["conf_int_excludes_zero"] else "includes"
        sentences.append(
            f"On the {row['layout']} layout (one row per state, rule {row['treatment_rule']}) the "
            f"state-clustered estimate is {_num(row['estimate'])}, 95 % CI "
            f"{_interval(row['conf_low'], row['conf_high'])}, which {excludes} zero."
        )
    return sentences


def spec_curve_sentences(curve: pd.DataFrame, choices: list[tuple[str, str]]) -> list[str]:
    """Which choices, if any, give the paper's sign, from est_spec_curve rows of one claim
    (same_sign_as_paper, conf_low, conf_high and the choice columns)."""
    compared = curve[curve["same_sign_as_paper"].notna()]
    if compared.empty:
        return ["The paper prints no number for these specifications to compare signs with."]
    same = compared[compared["same_sign_as_paper"].astype(bool)]
    excludes = (same["conf_low"] > 0) | (same["conf_high"] < 0)
    n = len(compared)
    if same.empty:
        return [f"None of the {n} specifications reproduces the paper's sign."]
    sentences = [
        f"{len(same)} of the {n} specifications reproduce the paper's sign, "
        f"{int(excludes.sum())} of them with a 95 % interval that excludes zero."
    ]
    shared = []
    for column, label in choices:
        values = same[column].dropna().unique()
        if len(values) == 1 and compared[column].nunique() > 1:
            shared.append(f"{label} {values[0]}")
    if shared:
        sentences.append("All of them use " + ", ".join(shared) + ".")
    else:
        rates = []
        for column, label in choices:
            by_value = compared.groupby(column)["same_sign_as_paper"].mean()
            if len(by_value) > 1:
                value = by_value.idxmax()
                rates.append((by_value.max(), f"{label} {value} ({by_value.max():.0%})"))
        if rates:
            best = ", ".join(text for _, text in sorted(rates, reverse=True)[:3])
            sentences.append(f"No single choice decides the sign; it is most common with {best}.")
    return sentences
