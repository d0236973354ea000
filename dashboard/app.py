"""Cluster resilience dashboard (Dash + plotly) on the published DuckDB warehouse, read-only.

    python dashboard/app.py --warehouse warehouse/cluster_resilience.duckdb --port 8050
    make dashboard                      # the same, on $(DASHBOARD_PORT)

One page: a US tile-grid map of the chosen treatment rule, the DID shock/recovery coefficient of
every specification (forest plot + table) for the chosen outcome and layout, and the event study.

Read-only wiring: every data load opens the published file with ``duckdb.connect(path,
read_only=True)``, reads the few tables the page shows into memory and closes the connection
again. DuckDB lets any number of processes read one file read-only, and the build never writes
the published file in place (it writes a staging file and renames it over the published one), so
no snapshot copy is needed; the cache is keyed on the file's inode and mtime, so a fresh publish
shows on the next interaction without restarting the dashboard. All JavaScript is served by the
app itself (Dash serves its bundles locally): the page needs no network beyond localhost.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go
from cluster_resilience.report.render import format_value
from cluster_resilience.report.tiles import N_ROWS, TILE_GRID
from dash import Dash, Input, Output, dcc, html

DEFAULT_WAREHOUSE = Path(
    os.environ.get("CLUSTER_PUBLISHED_PATH", "warehouse/cluster_resilience.duckdb")
)
WINDOWS = {"shock": "Shock (2018 vs 2020)", "recovery": "Recovery (2020 vs 2022)"}
OUTCOME_ORDER = ["gdp", "gdp_manu", "exports", "imports", "employment"]
SPEC_COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
]


def format_estimate(value: Any) -> str:
    """How the dashboard shows an estimate (the report's format: 4 significant digits)."""
    return format_value(value, "num")


# ------------------------------------------------------------------------------ data --


@dataclass
class DashboardData:
    """What the page shows, read from one published version of the warehouse."""

    states: pd.DataFrame
    treatment: pd.DataFrame  # treatment_rule, state_postal, state_name, value, level
    did: pd.DataFrame  # est_did_coefficients, term = 'interaction'
    event_study: pd.DataFrame | None
    pretrend: pd.DataFrame | None
    metadata: dict[str, Any]
    specs: list[str] = field(default_factory=list)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {name for (name,) in rows}


def load_data(warehouse: Path) -> DashboardData:
    """Read the dashboard's tables from the published warehouse (read-only, then close)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = _tables(con)
        states = con.execute("select * from main.dim_state order by state_postal").df()
        parts = []
        if "fct_state_cluster_treatment" in tables:
            parts.append(
                con.execute(
                    """
                    select t.treatment_rule, s.state_postal, s.state_name,
                           sum(t.treated)::double as value, 'state_cluster' as level
                    from main.fct_state_cluster_treatment as t
                    join main.dim_state as s using (state_fips)
                    group by all
                    """
                ).df()
            )
        if "fct_state_treatment" in tables:
            parts.append(
                con.execute(
                    """
                    select t.treatment_rule, s.state_postal, s.state_name,
                           t.treated::double as value, 'state' as level
                    from main.fct_state_treatment as t
                    join main.dim_state as s using (state_fips)
                    """
                ).df()
            )
        # A rule that exists at both levels is shown at the state level (the state layout).
        treatment = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if not treatment.empty:
            state_rules = set(treatment.loc[treatment["level"] == "state", "treatment_rule"])
            treatment = treatment[
                (treatment["level"] == "state") | ~treatment["treatment_rule"].isin(state_rules)
            ]
        did = con.execute("select * from main.est_did_coefficients where term = 'interaction'").df()
        event_study = pretrend = None
        if "est_event_study" in tables:
            event_study = con.execute("select * from main.est_event_study").df()
        if "est_event_study_pretrend" in tables:
            pretrend = con.execute("select * from main.est_event_study_pretrend").df()
        metadata: dict[str, Any] = {}
        if "est_run_metadata" in tables:
            cursor = con.execute(
                "select * from main.est_run_metadata order by run_started_at desc limit 1"
            )
            names = [description[0] for description in cursor.description]
            row = cursor.fetchone()
            if row is not None:
                metadata = dict(zip(names, row, strict=True))
    finally:
        con.close()
    specs = [str(s) for s in (metadata.get("specs") or [])]
    specs += [s for s in dict.fromkeys(did["spec"]) if s not in specs]
    return DashboardData(states, treatment, did, event_study, pretrend, metadata, specs)


class WarehouseCache:
    """Loads the data once per published version of the file (inode + mtime)."""

    def __init__(self, warehouse: Path):
        self.warehouse = Path(warehouse)
        self._key: tuple[int, int] | None = None
        self._data: DashboardData | None = None
        self._lock = threading.Lock()

    def get(self) -> DashboardData:
        stat = self.warehouse.stat()
        key = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._data is None or key != self._key:
                self._data = load_data(self.warehouse)
                self._key = key
            return self._data


# ---------------------------------------------------------------------------- figures --


def treatment_map_figure(data: DashboardData, rule: str) -> go.Figure:
    """US tile grid of one treatment rule: treated states, or treated clusters per state."""
    frame = data.treatment[data.treatment["treatment_rule"] == rule].set_index("state_postal")
    binary = bool(len(frame)) and frame["level"].iloc[0] == "state"
    xs, ys, colors, labels, hovers = [], [], [], [], []
    for postal, (column, row) in TILE_GRID.items():
        value = frame["value"].get(postal) if len(frame) else None
        name = data.states.set_index("state_postal")["state_name"].get(postal, postal)
        xs.append(column)
        ys.append(N_ROWS - row)
        if value is None or pd.isna(value):
            colors.append(-1.0)
            labels.append(postal)
            hovers.append(f"{name}: no USCM data")
        else:
            colors.append(float(value))
            labels.append(postal if binary else f"{postal}<br>{int(value)}")
            hovers.append(
                f"{name}: {'treated' if value else 'control'}"
                if binary
                else f"{name}: {int(value)} treated clusters"
            )
    top = max([c for c in colors if c >= 0], default=1.0) or 1.0
    colorscale = [[0, "#dddddd"], [0.0001, "#f3e5c0"], [1, "#2e7d32"]]
    figure = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=labels,
            hovertext=hovers,
            hoverinfo="text",
            textfont={"size": 10},
            marker={
                "symbol": "square",
                "size": 38,
                "color": [c if c >= 0 else -top * 1e-4 for c in colors],
                "colorscale": colorscale,
                "cmin": -top * 1e-4,
                "cmax": top,
                "showscale": not binary,
                "colorbar": {"title": "treated<br>clusters"},
            },
        )
    )
    figure.update_layout(
        title=f"Treatment rule {rule}" + (" (green: treated)" if binary else ""),
        xaxis={"visible": False, "range": [-0.7, 11.7]},
        yaxis={"visible": False, "range": [0.3, N_ROWS + 0.7], "scaleanchor": "x"},
        height=430,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
    )
    return figure


def coefficient_rows(data: DashboardData, window: str, outcome: str, layout: str) -> pd.DataFrame:
    frame = data.did[
        (data.did["window_name"] == window)
        & (data.did["outcome"] == outcome)
        & (data.did["layout"] == layout)
    ]
    order = {spec: i for i, spec in enumerate(data.specs)}
    return frame.assign(_o=frame["spec"].map(order)).sort_values("_o").drop(columns="_o")


def coefficient_figure(rows: pd.DataFrame, title: str) -> go.Figure:
    figure = go.Figure()
    for i, record in enumerate(rows.itertuples(index=False)):
        figure.add_trace(
            go.Scatter(
                x=[record.estimate],
                y=[record.spec],
                mode="markers",
                marker={"size": 10, "color": SPEC_COLORS[i % len(SPEC_COLORS)]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [record.conf_high - record.estimate],
                    "arrayminus": [record.estimate - record.conf_low],
                },
                name=record.spec,
                hovertemplate=(
                    f"{record.spec}: {format_estimate(record.estimate)} "
                    f"[{format_estimate(record.conf_low)}, {format_estimate(record.conf_high)}]"
                    "<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=0, line_dash="dash", line_color="grey")
    figure.update_layout(
        title=title,
        showlegend=False,
        height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        yaxis={"autorange": "reversed"},
        plot_bgcolor="white",
    )
    if rows.empty:
        figure.add_annotation(text="not estimable: no data in this window", showarrow=False)
    return figure


def event_study_figure(data: DashboardData, outcome: str, rule: str | None) -> go.Figure:
    figure = go.Figure()
    events = data.event_study
    if events is None:
        return figure
    cell = events[events["outcome"] == outcome]
    if (
        rule is not None
        and "treatment_rule" in cell.columns
        and rule in set(cell["treatment_rule"])
    ):
        cell = cell[cell["treatment_rule"] == rule]
    elif "treatment_rule" in cell.columns and len(cell):
        rule = str(cell["treatment_rule"].iloc[0])
        cell = cell[cell["treatment_rule"] == rule]
    x_column = "year" if "year" in cell.columns else "relative_year"
    groups = list(cell.groupby("spec", sort=False))
    for i, (spec, line) in enumerate(groups):
        line = line.sort_values(x_column)
        offset = (i - (len(groups) - 1) / 2) * 0.12  # side by side, not on top of each other
        figure.add_trace(
            go.Scatter(
                x=line[x_column] + offset,
                y=line["estimate"],
                mode="lines+markers",
                name=str(spec),
                line={"color": SPEC_COLORS[i % len(SPEC_COLORS)]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": line["conf_high"] - line["estimate"],
                    "arrayminus": line["estimate"] - line["conf_low"],
                },
            )
        )
    if "reference_year" in cell.columns and len(cell) and x_column == "year":
        figure.add_vline(x=float(cell["reference_year"].iloc[0]), line_dash="dot")
    figure.add_hline(y=0, line_dash="dash", line_color="grey")
    figure.update_layout(
        title=f"Event study: {outcome}, rule {rule}",
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        plot_bgcolor="white",
    )
    return figure


def _p_text(p_value: Any) -> str:
    shown = format_value(p_value, "p")
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def pretrend_text(data: DashboardData, outcome: str, rule: str | None) -> str:
    if data.pretrend is None or data.pretrend.empty:
        return "Pre-trend test: not yet available (est_event_study_pretrend is not built yet)."
    frame = data.pretrend[data.pretrend["outcome"] == outcome]
    if (
        rule is not None
        and "treatment_rule" in frame.columns
        and rule in set(frame["treatment_rule"])
    ):
        frame = frame[frame["treatment_rule"] == rule]
    if frame.empty:
        return "Pre-trend test: no row for this outcome."
    parts = [f"{row.spec}: {_p_text(row.p_value)}" for row in frame.itertuples()]
    return "Joint pre-trend test (all pre-reference coefficients = 0): " + "; ".join(parts)


# ------------------------------------------------------------------------------- app --


def _interval(low: Any, high: Any) -> str:
    return f"[{format_estimate(low)}, {format_estimate(high)}]"


def _table(rows: pd.DataFrame) -> html.Table:
    header = ["Spec", "Estimate", "95 % CI", "SE", "p", "n", "States"]
    body = []
    for record in rows.itertuples(index=False):
        body.append(
            html.Tr(
                [
                    html.Td(record.spec),
                    html.Td(format_estimate(record.estimate), className="num estimate"),
                    html.Td(_interval(record.conf_low, record.conf_high), className="num"),
                    html.Td(format_estimate(record.std_error), className="num"),
                    html.Td(format_value(record.p_value, "p"), className="num"),
                    html.Td(format_value(record.n_obs, "int"), className="num"),
                    html.Td(format_value(record.n_clusters, "int"), className="num"),
                ],
                id=f"row-{record.spec}",
            )
        )
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in header])), html.Tbody(body)],
        className="coef-table",
    )


def create_app(warehouse: Path = DEFAULT_WAREHOUSE) -> Dash:
    """The Dash app for ``warehouse`` (read at start to check it, then on every change)."""
    cache = WarehouseCache(Path(warehouse))
    data = cache.get()
    outcomes = [o for o in OUTCOME_ORDER if o in set(data.did["outcome"])]
    outcomes += sorted(set(data.did["outcome"]) - set(outcomes))
    layouts = sorted(set(data.did["layout"]), key=lambda name: (name != "paper", name))
    rules = list(dict.fromkeys(data.treatment["treatment_rule"])) if len(data.treatment) else []
    default_rule = str(data.metadata.get("did_treatment_rule") or (rules[0] if rules else ""))

    app = Dash(__name__, title="Cluster resilience dashboard")
    app.layout = html.Div(
        [
            html.H1("Did US industrial clusters shape states' COVID resilience?"),
            html.P(
                [
                    "Published warehouse ",
                    html.Code(str(warehouse)),
                    f" (read-only) · estimate run {data.metadata.get('run_id', 'unknown')} "
                    f"at {data.metadata.get('run_started_at', '')}",
                ],
                id="provenance",
            ),
            html.Div(
                [
                    html.Label("Window"),
                    dcc.RadioItems(
                        id="window",
                        options=[{"label": v, "value": k} for k, v in WINDOWS.items()],
                        value="shock",
                        inline=True,
                    ),
                    html.Label("Outcome"),
                    dcc.Dropdown(id="outcome", options=outcomes, value="gdp", clearable=False),
                    html.Label("Layout"),
                    dcc.Dropdown(id="layout", options=layouts, value=layouts[0], clearable=False),
                    html.Label("Treatment rule (map, event study)"),
                    dcc.Dropdown(id="rule", options=rules, value=default_rule, clearable=False),
                ],
                className="controls",
            ),
            html.Div(
                [
                    html.Div([dcc.Graph(id="treatment-map")], className="panel"),
                    html.Div(
                        [
                            html.H2(id="coef-title"),
                            dcc.Graph(id="coef-plot"),
                            html.Div(id="coef-table"),
                        ],
                        className="panel",
                    ),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.H2("Event study"),
                    html.P(id="event-note"),
                    dcc.Graph(id="event-study"),
                ],
                className="panel",
            ),
        ],
        className="page",
    )

    @app.callback(Output("treatment-map", "figure"), Input("rule", "value"))
    def update_map(rule: str) -> go.Figure:
        return treatment_map_figure(cache.get(), rule)

    @app.callback(
        Output("coef-title", "children"),
        Output("coef-plot", "figure"),
        Output("coef-table", "children"),
        Input("window", "value"),
        Input("outcome", "value"),
        Input("layout", "value"),
    )
    def update_coefficients(window: str, outcome: str, layout: str):
        current = cache.get()
        rows = coefficient_rows(current, window, outcome, layout)
        rule = rows["treatment_rule"].iloc[0] if len(rows) else "-"
        title = f"DID interaction (Period x Treatment): {outcome}, {window}, layout {layout}"
        figure = coefficient_figure(rows, f"treatment rule {rule}")
        if rows.empty:
            return title, figure, html.P("Not estimable: no data in this window.")
        return title, figure, _table(rows)

    @app.callback(
        Output("event-study", "figure"),
        Output("event-note", "children"),
        Input("outcome", "value"),
        Input("rule", "value"),
    )
    def update_event_study(outcome: str, rule: str):
        current = cache.get()
        if current.event_study is None:
            return go.Figure(), (
                "Event study not yet available: est_event_study is not in this warehouse yet."
            )
        note = pretrend_text(current, outcome, rule)
        events = current.event_study
        if "treatment_rule" in events.columns and rule not in set(events["treatment_rule"]):
            note = (
                f"The event study is run on state-level rules only ({rule} has none): showing "
                f"{', '.join(sorted(set(events['treatment_rule'])))}. {note}"
            )
        return event_study_figure(current, outcome, rule), note

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the cluster resilience dashboard.")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8050")))
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"no warehouse at {args.warehouse}: run `make build` first", file=sys.stderr)
        return 1
    app = create_app(args.warehouse)
    print(f"dashboard on http://{args.host}:{args.port}/ (warehouse {args.warehouse}, read-only)")
    app.run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
