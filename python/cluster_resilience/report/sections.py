"""The report's sections: each reads the warehouse and returns what the template shows.

A section is a plain dict: ``id``, ``title``, ``intro``, ``notes`` (caveats), ``missing`` (a
"not yet available" note when a table it needs is not in the warehouse yet), ``figures``
(``src`` data URI, ``alt``, ``caption``) and ``tables`` (``caption``, ``columns`` as
(key, label, format) triples, ``rows`` as dicts). The template renders any section the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from cluster_resilience.report import figures
from cluster_resilience.report.data import (
    PAPER_TABLES,
    MissingTable,
    Warehouse,
    records,
)
from cluster_resilience.report.explain import (
    Context,
    caveats,
    explain_descriptive_row,
    explain_model_row,
)
from cluster_resilience.report.headline import (
    HEADLINE,
    headline_sentences,
    spec_curve_sentences,
)

Section = dict[str, Any]

def spec_order(warehouse: Warehouse, present: pd.Series) -> list[str]:
    """Specs in the order of the registry (seed specs), then any others present."""
    preferred = warehouse.registry("specs", "spec")
    seen = list(dict.fromkeys(present))
    return [s for s in preferred if s in seen] + [s for s in seen if s not in preferred]


PAPER_TABLE_TITLES = {
    "Table 2": "Paper Table 2: descriptive statistics of the panel",
    "Table 3": "Paper Table 3: DID, Model 1 (COVID shock, 2018 vs 2020)",
    "Table 4": "Paper Table 4: factor regression ('RDD'), Model 1 (shock)",
    "Table 5": "Paper Table 5: DID, Model 2 (recovery, 2020 vs 2022)",
    "Table 6": "Paper Table 6: factor regression ('RDD'), Model 2 (recovery)",
}


def section(section_id: str, title: str, intro: str = "") -> Section:
    return {
        "id": section_id,
        "title": title,
        "intro": intro,
        "notes": [],
        "missing": None,
        "figures": [],
        "tables": [],
    }


def table(caption: str, columns: list[tuple[str, str, str]], rows: list[dict], **extra) -> dict:
    return {"caption": caption, "columns": columns, "rows": rows, **extra}


def _missing(current: Section, tables: list[str]) -> Section:
    current["missing"] = (
        f"Not yet available: {', '.join(tables)} "
        f"{'is' if len(tables) == 1 else 'are'} not in this warehouse. The section fills in "
        "on the next `make build` once the model lands."
    )
    return current


def window_order(warehouse: Warehouse) -> list[str]:
    """Analysis windows in time order (dim_analysis_window, from the dbt var windows)."""
    if not warehouse.has("dim_analysis_window"):
        return []
    frame = warehouse.table("dim_analysis_window", order_by="pre_year, window_name")
    return [str(name) for name in frame["window_name"]]


def _window_sort(frame: pd.DataFrame, warehouse: Warehouse) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(window_order(warehouse))}
    return (
        frame.assign(_w=frame["window_name"].map(order).fillna(99))
        .sort_values("_w")
        .drop(columns="_w")
    )


def explanation_context(warehouse: Warehouse) -> Context:
    rules = warehouse.compared_rules()
    outcomes: dict[str, dict[str, Any]] = {}
    if warehouse.has("outcomes"):
        outcomes = {row["outcome"]: row for row in records(warehouse.table("outcomes"))}
    metadata = warehouse.run_metadata()
    return Context(
        did_treatment_rule=rules.get("state_cluster", ""),
        state_treatment_rule=rules.get("state", ""),
        outcomes=outcomes,
        vintages=str(metadata.get("data_vintages") or ""),
    )


# ------------------------------------------------------------------------- headline --


def headline_section(warehouse: Warehouse) -> Section:
    current = section(
        "headline",
        "Headline: does the paper's negative shock-window GDP interaction replicate?",
        "Sentences generated from est_coefficients_vs_paper (the DID interaction of GDP growth "
        "in the shock window under every specification and layout, beside the paper's printed "
        "number); the figure shows the same rows.",
    )
    if not warehouse.has("est_coefficients_vs_paper"):
        return _missing(current, ["est_coefficients_vs_paper"])
    rows = coefficients_vs_paper(
        warehouse,
        HEADLINE["model"],
        "window_name = ? and outcome = ? and term = ?",
        [HEADLINE["window_name"], HEADLINE["outcome"], HEADLINE["term"]],
    )
    window = None
    if warehouse.has("dim_analysis_window"):
        windows = warehouse.table(
            "dim_analysis_window", where="window_name = ?", params=[HEADLINE["window_name"]]
        )
        window = records(windows)[0] if not windows.empty else None
    current["sentences"] = headline_sentences(rows, window)
    if rows.empty:
        return current
    specs = spec_order(warehouse, rows["spec"])
    current["figures"].append(
        {
            "src": figures.coefficient_grid(
                rows,
                row_key="window_name",
                column_key="layout",
                specs=specs,
                title="DID interaction of GDP growth, shock window: every spec vs the paper",
                paper=paper_numbers(rows, ["window_name", "layout"]),
                column_order=("paper", "state"),
            ),
            "alt": "DID interaction of GDP in the shock window by specification",
            "caption": "Dots and lines: our estimate and 95 % CI per spec, one panel per "
            "layout. Black diamond: the paper's printed estimate ± 1.96 of its SE.",
        }
    )
    current["tables"].append(
        table(
            "The headline estimate under every specification",
            [
                ("layout", "Layout", "text"),
                ("treatment_rule", "Treatment rule", "text"),
                ("spec", "Spec", "text"),
                ("estimate", "Estimate", "num"),
                ("conf_low", "CI low", "num"),
                ("conf_high", "CI high", "num"),
                ("p_value", "p", "p"),
                ("paper_printed", "Paper", "text"),
                ("same_sign_as_paper", "Paper's sign", "text"),
                ("conf_int_excludes_zero", "CI excludes 0", "text"),
            ],
            records(rows),
        )
    )
    return current


# ------------------------------------------------------- specification curve --

# The choices a specification is made of (est_spec_curve columns), in the dot matrix's order.
SPEC_CURVE_CHOICES = [
    ("treatment_label", "treatment"),
    ("layout", "layout"),
    ("local_clusters", "local clusters"),
    ("outcome", "outcome"),
    ("spec_label", "inference"),
]


def spec_curve_section(warehouse: Warehouse) -> Section:
    current = section(
        "spec-curve",
        "Specification curve: the headline under every choice",
        "The DID interaction of the headline outcome in the shock window under every "
        "combination of treatment rule, layout, treatment of local clusters, outcome "
        "definition and inference in est_spec_curve, sorted by estimate; the dot matrix shows "
        "the choices behind each estimate, the dotted line the paper's published number.",
    )
    if not warehouse.has("est_spec_curve"):
        return _missing(current, ["est_spec_curve"])
    curve = warehouse.table(
        "est_spec_curve", where="window_name = ?", params=[HEADLINE["window_name"]]
    )
    concepts = curve.loc[curve["outcome"] == HEADLINE["outcome"], "outcome_concept"]
    concept = concepts.iloc[0] if not concepts.empty else HEADLINE["outcome"]
    claim = curve[curve["outcome_concept"] == concept]
    current["sentences"] = spec_curve_sentences(claim, SPEC_CURVE_CHOICES)
    if not claim.empty:
        paper = claim["paper_estimate"].dropna()
        current["figures"].append(
            {
                "src": figures.spec_curve(
                    claim,
                    choices=SPEC_CURVE_CHOICES,
                    title=f"Specification curve: DID interaction, {concept}, "
                    f"{HEADLINE['window_name']} window",
                    paper_estimate=paper.iloc[0] if not paper.empty else None,
                ),
                "alt": "specification curve of the headline DID interaction",
                "caption": f"{len(claim)} specifications of {concept} in the "
                f"{HEADLINE['window_name']} window (est_spec_curve).",
            }
        )
    compared = curve[curve["same_sign_as_paper"].notna()].assign(
        same_sign=lambda f: f["same_sign_as_paper"].astype(bool),
        same_sign_significant=lambda f: (
            f["same_sign_as_paper"].astype(bool) & ((f["conf_low"] > 0) | (f["conf_high"] < 0))
        ),
    )
    summary = (
        compared.groupby(["window_name", "outcome"], as_index=False)
        .agg(
            n_specs=("spec", "size"),
            n_same_sign=("same_sign", "sum"),
            n_same_sign_significant=("same_sign_significant", "sum"),
        )
        .sort_values(["window_name", "outcome"])
    )
    current["tables"].append(
        table(
            "Specifications with the paper's sign, by window and outcome",
            [
                ("window_name", "Window", "text"),
                ("outcome", "Outcome", "text"),
                ("n_specs", "Specifications", "int"),
                ("n_same_sign", "Paper's sign", "int"),
                ("n_same_sign_significant", "Paper's sign, CI excludes 0", "int"),
            ],
            records(summary),
        )
    )
    return current


# ------------------------------------------------------------------ data anomalies --


def data_anomalies_section(warehouse: Warehouse) -> Section:
    current = section(
        "data-anomalies",
        "Data anomalies: values flagged in the raw files",
        "Rows of mart_data_anomalies: a published value the checks flag as implausible, the "
        "file it comes from and why.",
    )
    if not warehouse.has("mart_data_anomalies"):
        return _missing(current, ["mart_data_anomalies"])
    anomalies = warehouse.table(
        "mart_data_anomalies", order_by="source_file, outcome, state_fips, year"
    )
    if anomalies.empty:
        current["notes"].append("No anomalies flagged.")
        return current
    current["tables"].append(
        table(
            f"{len(anomalies)} flagged values",
            [
                ("source_file", "Raw file", "text"),
                ("outcome", "Outcome", "text"),
                ("state_fips", "State", "text"),
                ("year", "Year", "text"),
                ("value", "Value", "num"),
                ("reason", "Why flagged", "text"),
            ],
            records(anomalies),
        )
    )
    return current


# ------------------------------------------------------------------------ paper tables --

MODEL_TABLE_COLUMNS = [
    ("outcome", "Outcome", "text"),
    ("term", "Term", "text"),
    ("paper_printed", "Paper", "text"),
    ("paper_std_error", "Paper SE", "num"),
    ("paper_p_value", "Paper p", "p"),
    ("ours_estimate", "Ours (spec paper)", "num"),
    ("ours_std_error", "Ours SE (iid)", "num"),
    ("ours_p_value", "Ours p", "p"),
    ("diff_estimate", "Ours − paper", "num"),
    ("clustered_std_error", "SE state-clustered", "num"),
    ("clustered_p_value", "p state-clustered", "p"),
    ("n_obs", "n", "int"),
    ("status", "Status", "text"),
    ("explanation", "Why it differs", "text"),
]
DESCRIPTIVE_COLUMNS = [
    ("variable", "Variable", "text"),
    ("statistic", "Statistic", "text"),
    ("paper_printed", "Paper", "text"),
    ("ours", "Ours", "num"),
    ("difference", "Ours − paper", "num"),
    ("ratio", "Ours / paper", "num"),
    ("n_rows_ours", "n (ours)", "int"),
    ("status", "Status", "text"),
    ("explanation", "Why it differs", "text"),
]


def paper_table_frame(warehouse: Warehouse, paper_table: str) -> pd.DataFrame:
    """Rows of the paper's table beside ours, in the paper's order (contracted tables)."""
    if paper_table == "Table 2":
        return warehouse.table(
            "mart_paper_descriptives", order_by="variable_order, statistic_order"
        )
    return warehouse.table(
        "est_paper_tables",
        where="paper_table = ?",
        order_by="outcome_order, term_order",
        params=[paper_table],
    )


def paper_table_section(warehouse: Warehouse, paper_table: str, context: Context) -> Section:
    number = paper_table.split()[-1]
    source = "mart_paper_descriptives" if paper_table == "Table 2" else "est_paper_tables"
    current = section(
        f"paper-table-{number}",
        PAPER_TABLE_TITLES[paper_table],
        f"Rows of {source} (the layout of analyses/paper_table_{number}_*.sql) beside the "
        "number the paper printed (seed paper_published_estimates). 'Large difference' marks a "
        "coefficient more than 2 standard errors from the paper's (or of the other sign), R² off "
        "by more than 0.05, F or a Table 2 statistic off by more than 25 %.",
    )
    try:
        frame = paper_table_frame(warehouse, paper_table)
    except MissingTable as error:
        return _missing(current, [error.table])
    rows = records(frame)
    explained_outcomes: set[str] = set()
    for row in rows:
        if paper_table == "Table 2":
            row.update(explain_descriptive_row(row, context=context))
            continue
        model = "did" if paper_table in ("Table 3", "Table 5") else "factor"
        row.update(explain_model_row(row, model=model, context=context))
        if row["status"] == "not estimable" and row.get("coverage_reason"):
            # The coverage reason is the outcome's, not the term's: say it once.
            if row["outcome"] in explained_outcomes:
                row["explanation"] = row["explanation"].replace(
                    row["coverage_reason"], "see the outcome's first row"
                )
            explained_outcomes.add(row["outcome"])
    columns = DESCRIPTIVE_COLUMNS if paper_table == "Table 2" else MODEL_TABLE_COLUMNS
    counts = pd.Series([row["status"] for row in rows]).value_counts().to_dict()
    current["summary"] = counts
    current["tables"].append(
        table(f"{paper_table}: paper vs warehouse", columns, rows, status_key="status")
    )
    if paper_table in ("Table 3", "Table 5"):
        current["notes"].append(
            "Outcomes are yearly growth rates; each state's growth is repeated on all of its "
            "cluster rows, which is why the iid standard errors (the paper's) are far too small: "
            "compare the state-clustered columns."
        )
    elif paper_table in ("Table 4", "Table 6"):
        current["notes"].append(
            "What the paper calls RDD is an OLS of outcome levels on QP, EST, AP, WAGE and LQ "
            "(no cutoff); the real RD design at the USCM cutoff is in the RD section."
        )
    cited = {key for row in rows for key in caveats(context) if f"[{key}]" in row["explanation"]}
    current["caveats"] = [
        {"key": key, "text": text} for key, text in caveats(context).items() if key in cited
    ]
    return current


# --------------------------------------------------------------- coefficient plots --


def coefficients_vs_paper(
    warehouse: Warehouse, model: str, where: str = "", params: list[Any] | None = None
) -> pd.DataFrame:
    """est_coefficients_vs_paper rows of one model compared with the paper (the rule
    seeds/treatment_rules.csv marks compared_with_paper, layouts paper and state; every other
    rule and layout is in the specification curve), plus ``where``, specs in registry order."""
    condition = "model = ? and compared_with_paper" + (f" and ({where})" if where else "")
    return warehouse.table(
        "est_coefficients_vs_paper",
        where=condition,
        order_by="layout, spec_order, spec",
        params=[model, *(params or [])],
    )


def paper_numbers(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The paper's estimate and standard error per ``keys`` (as the figures take them)."""
    published = rows.dropna(subset=["paper_estimate"])
    return (
        published[[*keys, "paper_estimate", "paper_std_error"]]
        .drop_duplicates(subset=keys)
        .rename(columns={"paper_estimate": "estimate", "paper_std_error": "std_error"})
    )


def did_coefficients_section(warehouse: Warehouse) -> Section:
    current = section(
        "did-coefficients",
        "DID coefficient plots: Period x Treatment, every specification",
        "The DID interaction (the paper's d: treated minus control change in growth) with its "
        "95 % confidence interval under each specification, per outcome and window. Black "
        "diamond: the paper's published estimate ± 1.96 SE (paper layout only).",
    )
    if not warehouse.has("est_coefficients_vs_paper"):
        return _missing(current, ["est_coefficients_vs_paper"])
    coefficients = _window_sort(
        coefficients_vs_paper(warehouse, "did", "term = 'interaction'"), warehouse
    )
    if warehouse.has("est_skipped"):
        skipped = warehouse.table("est_skipped", where="model = 'did'", order_by="outcome")
        if not skipped.empty:
            by_window = _window_sort(
                skipped.groupby("window_name", as_index=False)["outcome"].agg(
                    lambda outcomes: ", ".join(dict.fromkeys(outcomes))
                ),
                warehouse,
            )
            current["notes"].append(
                "Not estimable (no data in one of the window's years, est_skipped): "
                + "; ".join(
                    f"{w} {o}"
                    for w, o in zip(by_window["window_name"], by_window["outcome"], strict=True)
                )
                + ". See Data coverage."
            )
    specs = spec_order(warehouse, coefficients["spec"])
    for (layout, rule), frame in coefficients.groupby(["layout", "treatment_rule"], sort=False):
        current["figures"].append(
            {
                "src": figures.coefficient_grid(
                    frame,
                    row_key="outcome",
                    column_key="window_name",
                    specs=[s for s in specs if s in set(frame["spec"])],
                    title=f"DID interaction, layout {layout!r}, treatment rule {rule!r}",
                    paper=(
                        paper_numbers(frame, ["outcome", "window_name"])
                        if layout == "paper"
                        else None
                    ),
                    row_order=warehouse.registry("outcomes", "outcome"),
                    column_order=window_order(warehouse),
                ),
                "alt": f"DID interaction coefficient plot, layout {layout}",
                "caption": f"Layout {layout!r} (treatment rule {rule!r}).",
            }
        )
    columns = [
        ("layout", "Layout", "text"),
        ("treatment_rule", "Treatment rule", "text"),
        ("window_name", "Window", "text"),
        ("outcome", "Outcome", "text"),
        ("spec", "Spec", "text"),
        ("estimate", "Estimate", "num"),
        ("std_error", "SE", "num"),
        ("conf_low", "CI low", "num"),
        ("conf_high", "CI high", "num"),
        ("p_value", "p", "p"),
        ("n_obs", "n", "int"),
        ("n_clusters", "clusters", "int"),
    ]
    current["tables"].append(
        table(
            "DID interaction by specification",
            columns,
            records(coefficients.sort_values(["layout", "outcome"], kind="stable")),
            collapsed=True,
        )
    )
    return current


def factor_coefficients_section(warehouse: Warehouse) -> Section:
    current = section(
        "factor-coefficients",
        "Factor regression coefficient plots (the paper's 'RDD'), every specification",
        "Coefficients of QP, EST, AP, WAGE and LQ on outcome levels with 95 % confidence "
        "intervals under each specification. Black diamond: the paper's estimate ± 1.96 SE.",
    )
    if not warehouse.has("est_coefficients_vs_paper"):
        return _missing(current, ["est_coefficients_vs_paper"])
    coefficients = _window_sort(
        coefficients_vs_paper(warehouse, "factor", "term <> 'intercept'"), warehouse
    )
    specs = spec_order(warehouse, coefficients["spec"])
    for (layout, window), frame in coefficients.groupby(["layout", "window_name"], sort=False):
        current["figures"].append(
            {
                "src": figures.coefficient_grid(
                    frame,
                    row_key="outcome",
                    column_key="term",
                    specs=specs,
                    title=f"Factor coefficients, layout {layout!r}, window {window!r}",
                    paper=paper_numbers(frame, ["outcome", "term"]) if layout == "paper" else None,
                    row_order=warehouse.registry("outcomes", "outcome"),
                    column_order=warehouse.registry("factors", "factor"),
                ),
                "alt": f"factor coefficient plot, layout {layout}, window {window}",
                "caption": f"Layout {layout!r}, window {window!r}.",
            }
        )
    return current


# -------------------------------------------------------------------- event study --


def event_study_section(warehouse: Warehouse) -> Section:
    current = section(
        "event-study",
        "Event study: treated minus control, year by year",
        "State and year fixed effects with treated x year dummies (reference year: the last "
        "pre-COVID year of each outcome, coefficient fixed at 0). Each panel lists the joint "
        "pre-trend test's p-value per specification (all pre-reference coefficients = 0).",
    )
    if not warehouse.has("est_event_study"):
        return _missing(current, ["est_event_study"])
    events = warehouse.table("est_event_study")
    pretrend = None
    if warehouse.has("est_event_study_pretrend"):
        pretrend = warehouse.table("est_event_study_pretrend")
    else:
        current["notes"].append(
            "Not yet available: est_event_study_pretrend (pre-trend p-values) is not in this "
            "warehouse."
        )
    if "treatment_rule" not in events.columns:
        events = events.assign(treatment_rule="(rule not recorded)")
    for rule, frame in events.groupby("treatment_rule", sort=False):
        current["figures"].append(
            {
                "src": figures.event_study_grid(
                    frame, pretrend, title=f"Event study, treatment rule {rule!r}"
                ),
                "alt": f"event study plot, treatment rule {rule}",
                "caption": f"Treatment rule {rule!r}: estimates with 95 % CIs by year.",
            }
        )
    if pretrend is not None:
        keys = ["spec", "treatment_rule", "outcome", "statistic", "df", "p_value"]
        columns = [
            (key, key.replace("_", " "), "p" if key == "p_value" else "num")
            for key in keys
            if key in pretrend.columns
        ]
        columns = [(k, label, "text" if k in keys[:3] else fmt) for k, label, fmt in columns]
        current["tables"].append(table("Pre-trend tests", columns, records(pretrend)))
    return current


# ---------------------------------------------------------------------------- RDD --

LINEAGE_COLUMNS = ("run_id", "run_started_at", "git_revision", "data_vintages")
# The est_rdd columns the report's table shows (when present), in this order.
RDD_TABLE_COLUMNS = [
    ("spec", "Spec", "text"),
    ("design", "Design", "text"),
    ("outcome", "Outcome", "text"),
    ("running_variable", "Running variable", "text"),
    ("estimate", "Estimate", "num"),
    ("conf_low_robust", "Robust CI low", "num"),
    ("conf_high_robust", "Robust CI high", "num"),
    ("p_value_robust", "Robust p", "p"),
    ("h_left", "h left", "num"),
    ("h_right", "h right", "num"),
    ("n_left", "n left (within h)", "int"),
    ("n_right", "n right (within h)", "int"),
    ("first_stage_estimate", "First stage", "num"),
    ("first_stage_f", "First-stage F", "num"),
    ("design_strength", "Design strength", "text"),
    ("assessment", "Assessment", "text"),
]
MAX_RD_PLOTS = 6
# est_rdd_plot_data identifies a plot by the est_rdd row and what it plots
RD_PLOT_KEYS = ("spec", "outcome", "running_variable", "plotted")


def _generic_columns(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [
        (
            name,
            name.replace("_", " "),
            "num"
            if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
            else "text",
        )
        for name, dtype in frame.dtypes.items()
        if name not in LINEAGE_COLUMNS
    ]


def rdd_section(warehouse: Warehouse) -> Section:
    current = section(
        "rdd",
        "Regression discontinuity at the USCM strong-cluster cutoff",
        "State x traded cluster (USCM 2016), mart_rdd_panel. Running variable: distance of the "
        "state's cluster LQ from the cluster's strong-cluster cutoff (0 = cutoff). Dots: binned "
        "means on each side (rdrobust's rdplot, rows within 3 bandwidths of the cutoff); lines: "
        "the local polynomial fits within the bandwidth est_rdd chose, whose gap at 0 is the "
        "conventional sharp (reduced-form) estimate. Fuzzy rows show their first stage, the jump "
        "in the share of strong clusters at the cutoff. Plot data: est_rdd_plot_data.",
    )
    needed = [name for name in ("est_rdd", "est_rdd_plot_data") if not warehouse.has(name)]
    if needed:
        _missing(current, needed)
    if warehouse.has("est_rdd"):
        estimates = warehouse.table("est_rdd")
        columns = [c for c in RDD_TABLE_COLUMNS if c[0] in estimates.columns]
        current["tables"].append(
            table("est_rdd", columns or _generic_columns(estimates), records(estimates))
        )
        if warehouse.has("est_rdd_plot_data"):
            _rd_figures(warehouse, current, estimates)
    if warehouse.has("est_rdd_checks"):
        checks = warehouse.table("est_rdd_checks")
        current["tables"].append(
            table(
                "est_rdd_checks: density (manipulation) test and placebos",
                _generic_columns(checks),
                records(checks),
            )
        )
    else:
        current["notes"].append("Not yet available: est_rdd_checks is not in this warehouse.")
    return current


def _rd_plot_points(warehouse: Warehouse) -> dict[tuple, pd.DataFrame]:
    """est_rdd_plot_data, one frame of points per plot."""
    points = warehouse.table(
        "est_rdd_plot_data",
        order_by="spec, outcome, running_variable, plotted, element, side, point",
    )
    return {key: frame for key, frame in points.groupby(list(RD_PLOT_KEYS), sort=False)}


def _rd_figures(warehouse: Warehouse, current: Section, estimates: pd.DataFrame) -> None:
    plots = _rd_plot_points(warehouse)
    rows = [row for row in records(estimates) if row.get("estimate") is not None]
    # The main running variable first (est_rdd also runs the linear LQ distance).
    rows.sort(key=lambda row: row.get("running_variable") not in (None, "running_variable"))
    for row in rows[:MAX_RD_PLOTS]:
        spec, outcome = row.get("spec"), row.get("outcome")
        fuzzy = row.get("design") == "fuzzy"
        kind = "first stage" if fuzzy else "outcome"
        y_column = (row.get("treatment") or "treatment") if fuzzy else outcome
        x_column = row.get("running_variable")
        points = plots.get((spec, outcome, x_column, "first_stage" if fuzzy else "outcome"))
        if points is None:
            current["notes"].append(
                f"No RD plot for {spec} / {outcome}: est_rdd_plot_data has no points for it."
            )
            continue
        dots = points[points["element"] == "bin"]
        bins = dots.rename(columns={"x": "bin_mid", "y": "mean_y", "n_in_bin": "n"})
        lines = points[points["element"] == "fit"].rename(columns={"y": "fitted"})
        h_left = row.get("h_left")
        if kind == "first stage":
            estimate = row.get("first_stage_estimate")
            low, high = row.get("first_stage_conf_low"), row.get("first_stage_conf_high")
            label = "first stage"
        else:
            estimate = row.get("estimate")
            low, high = row.get("conf_low_robust"), row.get("conf_high_robust")
            label = "estimate"
        parts = []
        if estimate is not None:
            parts.append(f"{label} {estimate:.4g}")
        if low is not None and high is not None:
            parts.append(f"robust 95 % CI [{low:.4g}, {high:.4g}]")
        if h_left:
            parts.append(f"h = {float(h_left):.3g}")
        if kind == "first stage" and row.get("estimate") is not None:
            parts.append(f"fuzzy (Wald) estimate {row['estimate']:.4g}")
        if not dots.empty:
            parts.append(
                f"dots: {int(dots['n_in_bin'].sum()):,} rows with {x_column} in "
                f"[{dots['bin_low'].min():.3g}, {dots['bin_high'].max():.3g}]"
            )
        subtitle = ", ".join(parts)
        current["figures"].append(
            {
                "src": figures.rd_plot(
                    bins,
                    lines,
                    title=f"RD plot ({kind}): {y_column}, spec {spec}",
                    x_label=f"{x_column} (0 = strong-cluster cutoff)",
                    y_label=y_column,
                    subtitle=subtitle,
                ),
                "alt": f"RD plot of {y_column}, spec {spec}",
                "caption": f"{spec} ({kind}, {outcome}): {subtitle}.",
            }
        )


# ------------------------------------------------------------------ treatment map --


def treatment_map_section(warehouse: Warehouse) -> Section:
    current = section(
        "treatment-map",
        "Which states count as 'with clusters': the treatment rules on a US tile grid",
        "State-level rules colour treated states; state x cluster rules (the paper's layout) "
        "show how many of a state's clusters are treated. Grey: no USCM data (DC). From "
        "mart_treatment_map.",
    )
    if not warehouse.has("mart_treatment_map"):
        return _missing(current, ["mart_treatment_map"])
    tiles = warehouse.table("mart_treatment_map", order_by="treatment_rule, state_postal")
    cluster_rules = tiles[tiles["rule_level"] == "state_cluster"]
    state_rules = tiles[tiles["rule_level"] == "state"]
    if not cluster_rules.empty:
        current["figures"].append(
            {
                "src": figures.tile_map(
                    cluster_rules.assign(value=cluster_rules["n_clusters_treated"]),
                    title="Treated state x cluster rows per state",
                    value_label="number of the state's clusters treated",
                    binary=False,
                ),
                "alt": "tile map of treated clusters per state",
                "caption": "Per rule: number of the state's clusters that count as treated.",
            }
        )
    if not state_rules.empty:
        current["figures"].append(
            {
                "src": figures.tile_map(
                    state_rules.assign(value=state_rules["treated"]),
                    title="State-level treatment",
                    value_label="treated",
                    binary=True,
                ),
                "alt": "tile map of state-level treatment",
                "caption": "State-level rules (the state layout): treated and control states.",
            }
        )
        with_data = state_rules[state_rules["has_data"]]
        summary = [
            {
                "treatment_rule": rule,
                "n_states": len(frame),
                "n_treated": int(frame["treated"].sum()),
                "treated_states": " ".join(frame.loc[frame["treated"] == 1, "state_postal"]),
            }
            for rule, frame in with_data.groupby("treatment_rule", sort=True)
        ]
        current["tables"].append(
            table(
                "State-level treatment",
                [
                    ("treatment_rule", "Rule", "text"),
                    ("n_states", "States", "int"),
                    ("n_treated", "Treated", "int"),
                    ("treated_states", "Treated states", "text"),
                ],
                summary,
            )
        )
    if warehouse.has("treatment_rules"):
        current["tables"].append(
            table(
                "Treatment rules (seed treatment_rules)",
                [
                    ("treatment_rule", "Rule", "text"),
                    ("rule_level", "Level", "text"),
                    ("description", "Description", "text"),
                ],
                records(warehouse.table("treatment_rules")),
            )
        )
    if warehouse.has("mart_uscm_rule_check"):
        check = warehouse.table("mart_uscm_rule_check", where="strong_b_published is not null")
        agreement = {
            "n_rows": len(check),
            "flag_agreement": check["flags_agree"].astype(float).mean(),
            "lq_within_0_1_pct": (check["lq_rel_diff"].abs() <= 0.001).astype(float).mean(),
        }
        current["tables"].append(
            table(
                "USCM strong-cluster rule rebuilt in SQL vs USCM's published flags "
                "(mart_uscm_rule_check, traded clusters)",
                [
                    ("n_rows", "Rows compared", "int"),
                    ("flag_agreement", "Flag agreement", "pct"),
                    ("lq_within_0_1_pct", "LQ within 0.1 %", "pct"),
                ],
                [agreement],
            )
        )
    return current


# ------------------------------------------------------------------------ coverage --


def coverage_section(warehouse: Warehouse) -> Section:
    current = section(
        "coverage",
        "Data coverage: which outcome has data in which year",
        "Number of states with a published value, by outcome and year (mart_data_coverage). "
        "A window x outcome without data in both of its years is skipped with the reason "
        "below, never filled in.",
    )
    if not warehouse.has("mart_data_coverage"):
        return _missing(current, ["mart_data_coverage"])
    years = warehouse.table("mart_data_coverage", where="coverage_level = 'year'")
    if not years.empty:
        current["figures"].append(
            {
                "src": figures.coverage_heatmap(
                    years, title="States with a published value, by outcome and year"
                ),
                "alt": "coverage matrix",
                "caption": "Coverage matrix (51 = 50 states and DC).",
            }
        )
    windows = _window_sort(
        warehouse.table("mart_data_coverage", where="coverage_level = 'window'"), warehouse
    )
    current["tables"].append(
        table(
            "Estimability by window and outcome",
            [
                ("window_name", "Window", "text"),
                ("outcome", "Outcome", "text"),
                ("n_states_pre", "States pre", "int"),
                ("n_states_post", "States post", "int"),
                ("n_treated_states_pre", "Treated pre", "int"),
                ("n_treated_states_post", "Treated post", "int"),
                ("is_estimable_did", "DID estimable", "text"),
                ("is_estimable_factor", "Factor estimable", "text"),
                ("reason", "Reason", "text"),
            ],
            records(windows),
        )
    )
    if warehouse.has("est_skipped"):
        current["tables"].append(
            table(
                "Skipped estimates (est_skipped)",
                [
                    ("model", "Model", "text"),
                    ("window_name", "Window", "text"),
                    ("outcome", "Outcome", "text"),
                    ("reason", "Reason", "text"),
                ],
                records(warehouse.table("est_skipped", order_by="model, window_name, outcome")),
                collapsed=True,
            )
        )
    return current


# --------------------------------------------------------------------- provenance --


def provenance_section(warehouse: Warehouse) -> Section:
    current = section(
        "provenance",
        "Provenance: the build this report was rendered from",
        "Every estimate row carries these; est_run_metadata holds them once per run.",
    )
    metadata = warehouse.run_metadata()
    if not metadata:
        return _missing(current, ["est_run_metadata"])
    rows = []
    for key, value in metadata.items():
        if key == "data_vintages":
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append({"key": key, "value": str(value)})
    current["tables"].append(
        table("est_run_metadata", [("key", "Setting", "text"), ("value", "Value", "text")], rows)
    )
    vintages = [
        part.strip() for part in str(metadata.get("data_vintages") or "").split(";") if part.strip()
    ]
    current["tables"].append(
        table(
            "Data vintages",
            [("vintage", "Source: vintage", "text")],
            [{"vintage": vintage} for vintage in vintages],
        )
    )
    return current


def all_sections(
    warehouse: Warehouse, progress: Callable[[str], None] | None = None
) -> list[Section]:
    """Every section of the report, in order; ``progress`` (optional) gets a line per section."""
    context = explanation_context(warehouse)
    builders: list[Callable[[], Section]] = [
        lambda: headline_section(warehouse),
        lambda: spec_curve_section(warehouse),
        *(
            (lambda t=paper_table: paper_table_section(warehouse, t, context))
            for paper_table in PAPER_TABLES
        ),
        lambda: did_coefficients_section(warehouse),
        lambda: factor_coefficients_section(warehouse),
        lambda: event_study_section(warehouse),
        lambda: rdd_section(warehouse),
        lambda: treatment_map_section(warehouse),
        lambda: coverage_section(warehouse),
        lambda: data_anomalies_section(warehouse),
        lambda: provenance_section(warehouse),
    ]
    sections = []
    for number, build in enumerate(builders, start=1):
        started = time.perf_counter()
        sections.append(build())
        if progress is not None:
            progress(f"  [{number:>2}/{len(builders)}] {sections[-1]['id']} "
                     f"({time.perf_counter() - started:.1f} s)")
    return sections
