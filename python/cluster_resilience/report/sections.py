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
    PAPER_TABLE_ANALYSES,
    MissingTable,
    Warehouse,
    first_present,
    records,
)
from cluster_resilience.report.explain import (
    Context,
    caveats,
    explain_descriptive_row,
    explain_model_row,
)

Section = dict[str, Any]

WINDOW_ORDER = ("shock", "recovery")
# The paper's outcome order (Tables 3-6), then the warehouse's extra outcomes.
OUTCOME_ORDER = (
    "gdp",
    "gdp_manu",
    "exports",
    "imports",
    "employment",
    "exports_manu",
    "imports_manu",
    "employment_manu",
)
FACTOR_ORDER = ("qp", "est", "ap", "wage", "lq")


def spec_order(warehouse: Warehouse, present: pd.Series) -> list[str]:
    """Specs in the order of var ``specs`` (the run's), then any others present."""
    preferred = [str(s) for s in warehouse.project_vars().get("specs") or []]
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


def _window_sort(frame: pd.DataFrame) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(WINDOW_ORDER)}
    return (
        frame.assign(_w=frame["window_name"].map(order).fillna(99))
        .sort_values("_w")
        .drop(columns="_w")
    )


def explanation_context(warehouse: Warehouse) -> Context:
    variables = warehouse.project_vars()
    outcomes: dict[str, dict[str, Any]] = {}
    if warehouse.has("outcomes"):
        outcomes = {row["outcome"]: row for row in records(warehouse.table("outcomes"))}
    metadata = warehouse.run_metadata()
    return Context(
        did_treatment_rule=str(variables.get("did_treatment_rule", "")),
        state_treatment_rule=str(variables.get("state_treatment_rule", "")),
        outcomes=outcomes,
        vintages=str(metadata.get("data_vintages") or ""),
    )


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


def paper_table_section(warehouse: Warehouse, paper_table: str, context: Context) -> Section:
    analysis = PAPER_TABLE_ANALYSES[paper_table]
    number = paper_table.split()[-1]
    current = section(
        f"paper-table-{number}",
        PAPER_TABLE_TITLES[paper_table],
        f"Rows of analyses/{analysis}.sql (run against this warehouse) beside the number the "
        "paper printed (seed paper_published_estimates). 'Large difference' marks a coefficient "
        "more than 2 standard errors from the paper's (or of the other sign), R² off by more "
        "than 0.05, F or a Table 2 statistic off by more than 25 %.",
    )
    try:
        frame = warehouse.analysis(analysis)
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


def _published(warehouse: Warehouse, model: str) -> pd.DataFrame:
    frame = warehouse.df(
        f"""
        select window_name, outcome, term,
               max(value) filter (where statistic = 'estimate') as estimate,
               max(value) filter (where statistic = 'std_error') as std_error
        from {warehouse.relation("paper_published_estimates")}
        where model = ?
        group by all
        """,
        [model],
    )
    return frame


def did_coefficients_section(warehouse: Warehouse) -> Section:
    current = section(
        "did-coefficients",
        "DID coefficient plots: Period x Treatment, every specification",
        "The DID interaction (the paper's d: treated minus control change in growth) with its "
        "95 % confidence interval under each specification, per outcome and window. Black "
        "diamond: the paper's published estimate ± 1.96 SE (paper layout only).",
    )
    if not warehouse.has("est_did_coefficients"):
        return _missing(current, ["est_did_coefficients"])
    coefficients = _window_sort(
        warehouse.table("est_did_coefficients", where="term = 'interaction'")
    )
    if warehouse.has("est_skipped"):
        skipped = warehouse.df(
            f"""
            select window_name || ' ' || string_agg(outcome, ', ' order by outcome) as skipped
            from {warehouse.relation("est_skipped")}
            where model = 'did'
            group by window_name order by window_name desc
            """
        )
        if not skipped.empty:
            current["notes"].append(
                "Not estimable (no data in one of the window's years, est_skipped): "
                + "; ".join(skipped["skipped"])
                + ". See Data coverage."
            )
    specs = spec_order(warehouse, coefficients["spec"])
    try:
        published = _published(warehouse, "did")
        published = published[published["term"] == "interaction"]
    except MissingTable:
        published = None
    for (layout, rule), frame in coefficients.groupby(["layout", "treatment_rule"], sort=False):
        current["figures"].append(
            {
                "src": figures.coefficient_grid(
                    frame,
                    row_key="outcome",
                    column_key="window_name",
                    specs=[s for s in specs if s in set(frame["spec"])],
                    title=f"DID interaction, layout {layout!r}, treatment rule {rule!r}",
                    paper=published if layout == "paper" else None,
                    row_order=OUTCOME_ORDER,
                    column_order=WINDOW_ORDER,
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
    if not warehouse.has("est_factor_coefficients"):
        return _missing(current, ["est_factor_coefficients"])
    coefficients = _window_sort(
        warehouse.table("est_factor_coefficients", where="term <> 'intercept'")
    )
    specs = spec_order(warehouse, coefficients["spec"])
    try:
        published = _published(warehouse, "factor")
    except MissingTable:
        published = None
    for (layout, window), frame in coefficients.groupby(["layout", "window_name"], sort=False):
        paper = None
        if layout == "paper" and published is not None:
            paper = published[published["window_name"] == window]
        current["figures"].append(
            {
                "src": figures.coefficient_grid(
                    frame,
                    row_key="outcome",
                    column_key="term",
                    specs=specs,
                    title=f"Factor coefficients, layout {layout!r}, window {window!r}",
                    paper=paper,
                    row_order=OUTCOME_ORDER,
                    column_order=FACTOR_ORDER,
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

# Fallbacks when est_rdd does not name its panel columns (it does: running_variable, outcome).
RUNNING_CANDIDATES = ("running_variable", "running_variable_linear", "running", "x")
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
# RD plots show rows within this many bandwidths of the cutoff.
PLOT_WINDOW_H = 3.0


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
        "means on each side; lines: the local polynomial fits within the bandwidth est_rdd "
        "chose, whose gap at 0 is the conventional sharp (reduced-form) estimate. Fuzzy rows "
        "show their first stage, the jump in the share of strong clusters at the cutoff.",
    )
    needed = [name for name in ("est_rdd", "mart_rdd_panel") if not warehouse.has(name)]
    if needed:
        _missing(current, needed)
    if warehouse.has("est_rdd"):
        estimates = warehouse.table("est_rdd")
        columns = [c for c in RDD_TABLE_COLUMNS if c[0] in estimates.columns]
        current["tables"].append(
            table("est_rdd", columns or _generic_columns(estimates), records(estimates))
        )
        if warehouse.has("mart_rdd_panel"):
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


def _rd_plot_data(
    panel: pd.DataFrame, row: dict[str, Any]
) -> tuple[str, str, str, pd.DataFrame] | str:
    """(kind, x column, y column, x/y rows) of one est_rdd row, or why it cannot be drawn."""
    columns = list(panel.columns)
    running = row.get("running_variable")
    if running not in columns:
        running = first_present(columns, RUNNING_CANDIDATES)
    outcome = row.get("outcome")
    if running is None:
        return f"no running-variable column in mart_rdd_panel ({', '.join(columns)})"
    if outcome not in columns:
        return f"outcome {outcome!r} is not a column of mart_rdd_panel"
    kind, y_column = "outcome", outcome
    treatment = row.get("treatment")
    if row.get("design") == "fuzzy" and treatment in columns:
        kind, y_column = "first stage", treatment
    used = panel[[running, outcome] + ([y_column] if y_column != outcome else [])].dropna()
    data = pd.DataFrame({"x": used[running].astype(float), "y": used[y_column].astype(float)})
    if data.empty:
        return f"no rows with both {running} and {outcome}"
    return kind, running, y_column, data


def _rd_figures(warehouse: Warehouse, current: Section, estimates: pd.DataFrame) -> None:
    from cluster_resilience.estimators.rdd import binned_means, fitted_line

    panel = warehouse.table("mart_rdd_panel")
    rows = [row for row in records(estimates) if row.get("estimate") is not None]
    # The main running variable first (est_rdd also runs the linear LQ distance).
    rows.sort(key=lambda row: row.get("running_variable") not in (None, "running_variable"))
    for row in rows[:MAX_RD_PLOTS]:
        spec = row.get("spec")
        resolved = _rd_plot_data(panel, row)
        if isinstance(resolved, str):
            current["notes"].append(f"No RD plot for {spec} / {row.get('outcome')}: {resolved}.")
            continue
        kind, x_column, y_column, data = resolved
        h_left = row.get("h_left") or row.get("h")
        h_right = row.get("h_right") or h_left
        window_note = ""
        if h_left and h_right:
            # Show the neighbourhood of the cutoff (the fit uses rows within h only).
            low, high = -PLOT_WINDOW_H * float(h_left), PLOT_WINDOW_H * float(h_right)
            inside = data[(data["x"] >= low) & (data["x"] <= high)]
            if (inside["x"] < 0).any() and (inside["x"] >= 0).any():
                window_note = f"rows within {PLOT_WINDOW_H:g} h of the cutoff ({len(inside):,})"
                data = inside
        bins = binned_means(data["y"], data["x"], n_bins=15)
        lines = None
        if h_left and h_right:
            try:
                lines = fitted_line(
                    data["y"],
                    data["x"],
                    h=(float(h_left), float(h_right)),
                    kernel=row.get("kernel") or "triangular",
                    p=int(row.get("p") or 1),
                )
            except ValueError as error:
                current["notes"].append(f"No fitted line for {spec}: {error}.")
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
        if window_note:
            parts.append(window_note)
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
                "caption": f"{spec} ({kind}, {row.get('outcome')}): {subtitle}.",
            }
        )


# ------------------------------------------------------------------ treatment map --


def treatment_map_section(warehouse: Warehouse) -> Section:
    current = section(
        "treatment-map",
        "Which states count as 'with clusters': the treatment rules on a US tile grid",
        "State-level rules colour treated states; state x cluster rules (the paper's layout) "
        "show how many of a state's clusters are treated. Grey: no USCM data (DC).",
    )
    if not warehouse.has("dim_state"):
        return _missing(current, ["dim_state"])
    states = warehouse.relation("dim_state")
    if warehouse.has("fct_state_cluster_treatment"):
        counts = warehouse.df(
            f"""
            select t.treatment_rule, s.state_postal, sum(t.treated) as value
            from {warehouse.relation("fct_state_cluster_treatment")} as t
            join {states} as s using (state_fips)
            group by all order by 1, 2
            """
        )
        current["figures"].append(
            {
                "src": figures.tile_map(
                    counts,
                    title="Treated state x cluster rows per state",
                    value_label="number of the state's 67 clusters treated",
                    binary=False,
                ),
                "alt": "tile map of treated clusters per state",
                "caption": "Per rule: number of the state's clusters that count as treated.",
            }
        )
    else:
        current["notes"].append("Not yet available: fct_state_cluster_treatment.")
    if warehouse.has("fct_state_treatment"):
        treated = warehouse.df(
            f"""
            select t.treatment_rule, s.state_postal, t.treated as value
            from {warehouse.relation("fct_state_treatment")} as t
            join {states} as s using (state_fips)
            order by 1, 2
            """
        )
        current["figures"].append(
            {
                "src": figures.tile_map(
                    treated, title="State-level treatment", value_label="treated", binary=True
                ),
                "alt": "tile map of state-level treatment",
                "caption": "State-level rules (the state layout): treated and control states.",
            }
        )
        summary = warehouse.df(
            f"""
            select treatment_rule, count(*) as n_states, sum(treated) as n_treated,
                   string_agg(s.state_postal, ' ' order by s.state_postal)
                       filter (where treated = 1) as treated_states
            from {warehouse.relation("fct_state_treatment")} as t
            join {states} as s using (state_fips)
            group by all order by 1
            """
        )
        current["tables"].append(
            table(
                "State-level treatment",
                [
                    ("treatment_rule", "Rule", "text"),
                    ("n_states", "States", "int"),
                    ("n_treated", "Treated", "int"),
                    ("treated_states", "Treated states", "text"),
                ],
                records(summary),
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
        agreement = warehouse.df(
            f"""
            select count(*) as n_rows,
                   avg(flags_agree::int) as flag_agreement,
                   avg((abs(lq_rel_diff) <= 0.001)::int) as lq_within_0_1_pct
            from {warehouse.relation("mart_uscm_rule_check")}
            where strong_b_published is not null
            """
        )
        current["tables"].append(
            table(
                "USCM strong-cluster rule rebuilt in SQL vs USCM's published flags "
                "(mart_uscm_rule_check, traded clusters)",
                [
                    ("n_rows", "Rows compared", "int"),
                    ("flag_agreement", "Flag agreement", "pct"),
                    ("lq_within_0_1_pct", "LQ within 0.1 %", "pct"),
                ],
                records(agreement),
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
    windows = _window_sort(warehouse.table("mart_data_coverage", where="coverage_level = 'window'"))
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
        *(
            (lambda t=paper_table: paper_table_section(warehouse, t, context))
            for paper_table in PAPER_TABLE_ANALYSES
        ),
        lambda: did_coefficients_section(warehouse),
        lambda: factor_coefficients_section(warehouse),
        lambda: event_study_section(warehouse),
        lambda: rdd_section(warehouse),
        lambda: treatment_map_section(warehouse),
        lambda: coverage_section(warehouse),
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
