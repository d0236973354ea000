"""The report's figures, drawn with matplotlib and returned as inline PNG data URIs.

Each function takes tidy frames read from the warehouse and returns ``data:image/png;base64,...``
so the HTML needs no image files and no network.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

DPI = 90
SPEC_COLORS = plt.get_cmap("tab10")
WINDOW_STYLE = {"shock": ("tab:red", "o"), "recovery": ("tab:blue", "s")}
PAPER_STYLE = {"color": "black", "marker": "D", "markersize": 5}


def to_data_uri(figure: Figure) -> str:
    """PNG of the figure as a data URI; closes the figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)  # layouts are tight already
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _ordered(values: pd.Series, preferred: Sequence[str]) -> list:
    """Distinct values: those in ``preferred`` in its order, then the rest as they come."""
    present = list(dict.fromkeys(values))
    return [v for v in preferred if v in present] + [v for v in present if v not in preferred]


def _grid(n_panels: int, n_columns: int, width: float, height: float):
    n_columns = max(1, min(n_columns, n_panels))
    n_rows = max(1, math.ceil(n_panels / n_columns))
    figure, axes = plt.subplots(
        n_rows, n_columns, figsize=(width * n_columns, height * n_rows), squeeze=False
    )
    flat = list(axes.ravel())
    for axis in flat[n_panels:]:
        axis.set_visible(False)
    return figure, flat[:n_panels]


def coefficient_grid(
    coefficients: pd.DataFrame,
    *,
    row_key: str,
    column_key: str,
    specs: Sequence[str],
    title: str,
    paper: pd.DataFrame | None = None,
    row_order: Sequence[str] = (),
    column_order: Sequence[str] = (),
) -> str:
    """Forest plot grid: one panel per (row_key, column_key) value pair, one line per spec with
    its confidence interval, a dashed zero line, and the paper's estimate +- 1.96 SE (black
    diamond) where ``paper`` has one (columns: the two keys, estimate, std_error). Rows and
    columns follow ``row_order``/``column_order`` first; a panel without estimates says so."""
    rows = _ordered(coefficients[row_key], row_order)
    columns = _ordered(coefficients[column_key], column_order)
    # Fixed margins in inches (tight_layout on dozens of panels costs seconds per figure).
    n_labels = len(specs) + (1 if paper is not None else 0)
    panel_w, panel_h, left, top, bottom, gap_w, gap_h = (
        2.6,
        0.2 * n_labels + 0.35,
        1.6,
        0.6,
        0.45,
        0.3,
        0.6,
    )
    width = left + len(columns) * panel_w + (len(columns) - 1) * gap_w + 0.2
    height = top + len(rows) * panel_h + (len(rows) - 1) * gap_h + bottom
    figure, axes = plt.subplots(len(rows), len(columns), figsize=(width, height), squeeze=False)
    figure.subplots_adjust(
        left=left / width,
        right=1 - 0.2 / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=gap_w / panel_w,
        hspace=gap_h / panel_h,
    )
    labels = list(specs) + (["paper (published)"] if paper is not None else [])
    positions = {label: len(labels) - 1 - i for i, label in enumerate(labels)}
    for i, row_value in enumerate(rows):
        for j, column_value in enumerate(columns):
            axis = axes[i][j]
            cell = coefficients[
                (coefficients[row_key] == row_value) & (coefficients[column_key] == column_value)
            ]
            if cell.empty:
                axis.text(
                    0.5,
                    0.5,
                    "not estimable here\n(see Data coverage)",
                    transform=axis.transAxes,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="grey",
                )
            for k, spec in enumerate(specs):
                spec_row = cell[cell["spec"] == spec]
                if spec_row.empty:
                    continue
                record = spec_row.iloc[0]
                y = positions[spec]
                axis.plot(
                    [record["conf_low"], record["conf_high"]], [y, y], color=SPEC_COLORS(k), lw=2
                )
                axis.plot(record["estimate"], y, "o", color=SPEC_COLORS(k), markersize=4)
            if paper is not None:
                published = paper[
                    (paper[row_key] == row_value) & (paper[column_key] == column_value)
                ]
                if not published.empty and pd.notna(published.iloc[0]["estimate"]):
                    estimate = published.iloc[0]["estimate"]
                    se = published.iloc[0]["std_error"]
                    y = positions["paper (published)"]
                    if pd.notna(se):
                        axis.plot([estimate - 1.96 * se, estimate + 1.96 * se], [y, y], "k-", lw=1)
                    axis.plot(estimate, y, **PAPER_STYLE)
            axis.axvline(0, color="grey", lw=0.8, ls="--")
            axis.set_ylim(-0.7, len(labels) - 0.3)
            axis.set_yticks(list(positions.values()))
            axis.set_yticklabels(list(positions) if j == 0 else [], fontsize=7)
            axis.tick_params(axis="x", labelsize=7)
            axis.xaxis.set_major_locator(MaxNLocator(4))
            axis.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
            axis.xaxis.get_offset_text().set_fontsize(7)
            axis.set_title(f"{row_value} | {column_value}", fontsize=8)
    figure.suptitle(title, fontsize=10, y=1 - 0.15 / height)
    return to_data_uri(figure)


def event_study_grid(
    events: pd.DataFrame, pretrend: pd.DataFrame | None, *, title: str, n_columns: int = 3
) -> str:
    """One panel per (treatment_rule, outcome): each spec's coefficients by year with 95 % CIs,
    zero at the reference year, a dotted line at the reference year, the pre-trend p-values in
    the panel title."""
    panels = list(events[["treatment_rule", "outcome"]].drop_duplicates().itertuples(index=False))
    specs = list(dict.fromkeys(events["spec"]))
    x_column = "year" if "year" in events.columns else "relative_year"
    figure, axes = _grid(len(panels), n_columns, 4.4, 3.3)
    for axis, (rule, outcome) in zip(axes, panels, strict=True):
        cell = events[(events["treatment_rule"] == rule) & (events["outcome"] == outcome)]
        p_texts = []
        width = 0.8 / max(1, len(specs))
        for k, spec in enumerate(specs):
            line = cell[cell["spec"] == spec].sort_values(x_column)
            if line.empty:
                continue
            x = line[x_column].astype(float).to_numpy()
            reference = None
            if "reference_year" in line.columns and x_column == "year":
                reference = float(line["reference_year"].iloc[0])
            elif x_column == "relative_year":
                reference = -1.0
            if reference is not None and reference not in set(x):
                x = np.append(x, reference)
                estimate = np.append(line["estimate"].to_numpy(dtype=float), 0.0)
                low = np.append(line["conf_low"].to_numpy(dtype=float), 0.0)
                high = np.append(line["conf_high"].to_numpy(dtype=float), 0.0)
                order = np.argsort(x)
                x, estimate, low, high = x[order], estimate[order], low[order], high[order]
            else:
                estimate = line["estimate"].to_numpy(dtype=float)
                low = line["conf_low"].to_numpy(dtype=float)
                high = line["conf_high"].to_numpy(dtype=float)
            offset = (k - (len(specs) - 1) / 2) * width / 2
            axis.errorbar(
                x + offset,
                estimate,
                yerr=[estimate - low, high - estimate],
                fmt="o-",
                ms=3,
                lw=1,
                capsize=2,
                color=SPEC_COLORS(k),
                label=spec,
            )
            if reference is not None:
                axis.axvline(reference, color="grey", ls=":", lw=1)
            if pretrend is not None and not pretrend.empty:
                match = pretrend[
                    (pretrend["spec"] == spec)
                    & (pretrend["treatment_rule"] == rule)
                    & (pretrend["outcome"] == outcome)
                ]
                if not match.empty and pd.notna(match.iloc[0]["p_value"]):
                    p_texts.append(f"{spec}: p={match.iloc[0]['p_value']:.3f}")
        axis.axhline(0, color="grey", lw=0.8, ls="--")
        lines = [f"{outcome} | {rule}"]
        if p_texts:
            pairs = ["; ".join(p_texts[i : i + 2]) for i in range(0, len(p_texts), 2)]
            lines += ["pre-trend " + pairs[0], *pairs[1:]]
        axis.set_title("\n".join(lines), fontsize=7)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.tick_params(labelsize=7)
    if axes:
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            figure.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.05, 1, 0.97))
    return to_data_uri(figure)


def rd_plot(
    bins: pd.DataFrame,
    lines: pd.DataFrame | None,
    *,
    title: str,
    x_label: str,
    y_label: str,
    cutoff: float = 0.0,
    subtitle: str = "",
) -> str:
    """RD plot: binned means (dots) and the local polynomial fit on each side (lines)."""
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for side, color in (("left", "tab:blue"), ("right", "tab:red")):
        dots = bins[bins["side"] == side]
        axis.scatter(
            dots["bin_mid"],
            dots["mean_y"],
            s=12 + 3 * np.sqrt(dots["n"]),
            color=color,
            alpha=0.75,
            label=f"binned means, {side} of cutoff",
        )
        if lines is not None and not lines.empty:
            fit = lines[lines["side"] == side]
            axis.plot(fit["x"], fit["fitted"], color=color, lw=2)
    axis.axvline(cutoff, color="black", ls="--", lw=1)
    axis.set_xlabel(x_label, fontsize=8)
    axis.set_ylabel(y_label, fontsize=8)
    axis.tick_params(labelsize=7)
    axis.legend(fontsize=7)
    wrapped = textwrap.fill(subtitle, width=90) if subtitle else ""
    axis.set_title(title + (f"\n{wrapped}" if wrapped else ""), fontsize=9)
    figure.tight_layout()
    return to_data_uri(figure)


def tile_map(
    values: pd.DataFrame, *, title: str, value_label: str, binary: bool, n_columns: int = 3
) -> str:
    """US tile-grid maps, one panel per treatment rule, from mart_treatment_map rows
    (treatment_rule, state_postal, tile_column, tile_row, tile_label) plus ``value`` (0/1 when
    ``binary``, else a count). States without a value are grey."""
    rules = list(dict.fromkeys(values["treatment_rule"]))
    n_grid_columns = 1 + int(values["tile_column"].max())
    n_grid_rows = 1 + int(values["tile_row"].max())
    figure, axes = _grid(len(rules), n_columns, 4.4, 3.3)
    cmap = plt.get_cmap("Greens")
    for axis, rule in zip(axes, rules, strict=True):
        cell = values[values["treatment_rule"] == rule]
        top = float(cell["value"].max()) if cell["value"].notna().any() else 1.0
        for tile in cell.itertuples(index=False):
            value = tile.value
            if value is None or pd.isna(value):
                face, text_color, label = "#dddddd", "black", tile.tile_label
            elif binary:
                face = "#2e7d32" if value else "#f3e5c0"
                text_color = "white" if value else "black"
                label = tile.tile_label
            else:
                share = float(value) / top if top else 0.0
                face = cmap(0.1 + 0.85 * share)
                text_color = "white" if share > 0.55 else "black"
                label = tile.tile_label.replace(" ", "\n", 1)
            column, row = tile.tile_column, tile.tile_row
            axis.add_patch(
                plt.Rectangle((column, -row), 0.94, 0.94, facecolor=face, edgecolor="white")
            )
            axis.text(
                column + 0.47,
                -row + 0.47,
                label,
                ha="center",
                va="center",
                fontsize=6,
                color=text_color,
            )
        axis.set_xlim(-0.1, n_grid_columns + 0.1)
        axis.set_ylim(-n_grid_rows + 0.9, 1.05)
        axis.set_aspect("equal")
        axis.axis("off")
        axis.set_title(rule, fontsize=8)
    if binary:
        handles = [
            plt.Rectangle((0, 0), 1, 1, color="#2e7d32"),
            plt.Rectangle((0, 0), 1, 1, color="#f3e5c0"),
            plt.Rectangle((0, 0), 1, 1, color="#dddddd"),
        ]
        figure.legend(
            handles, ["treated", "control", "no data"], loc="lower center", ncol=3, fontsize=7
        )
    figure.suptitle(f"{title} ({value_label})", fontsize=10)
    figure.tight_layout(rect=(0, 0.06 if binary else 0, 1, 0.95))
    return to_data_uri(figure)


def coverage_heatmap(coverage: pd.DataFrame, *, title: str) -> str:
    """Outcome x year matrix of the number of states with a published value (annotated)."""
    matrix = coverage.pivot(index="outcome", columns="year", values="n_states_with_value")
    figure, axis = plt.subplots(figsize=(0.38 * matrix.shape[1] + 2.2, 0.38 * matrix.shape[0] + 1))
    data = matrix.to_numpy(dtype=float)
    axis.imshow(
        np.nan_to_num(data), cmap="YlGn", aspect="auto", vmin=0, vmax=max(51, np.nanmax(data))
    )
    for (i, j), value in np.ndenumerate(data):
        if not np.isnan(value):
            axis.text(
                j,
                i,
                f"{int(value)}",
                ha="center",
                va="center",
                fontsize=6,
                color="black" if value < 40 else "white",
            )
    axis.set_xticks(range(matrix.shape[1]))
    axis.set_xticklabels(matrix.columns, rotation=90, fontsize=7)
    axis.set_yticks(range(matrix.shape[0]))
    axis.set_yticklabels(matrix.index, fontsize=7)
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    return to_data_uri(figure)


def spec_curve(
    curve: pd.DataFrame,
    *,
    choices: Sequence[tuple[str, str]],
    title: str,
    paper_estimate: float | None = None,
) -> str:
    """Specification curve: every estimate sorted, its 95 % CI (top panel; filled dots where the
    CI excludes zero), the paper's published estimate as a dotted line, and below a dot matrix
    marking the value each estimate takes in every choice (``choices``: (column, label))."""
    curve = curve.sort_values("estimate", kind="stable").reset_index(drop=True)
    x = np.arange(len(curve))
    rows = [
        (column, f"{label}: {value}", value)
        for column, label in choices
        for value in sorted(curve[column].dropna().unique(), key=str)
    ]
    height_matrix = 0.22 * len(rows) + 0.4
    figure, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(max(6.5, 0.09 * len(curve) + 3.5), 3.0 + height_matrix),
        sharex=True,
        gridspec_kw={"height_ratios": [3.0, height_matrix]},
    )
    excludes = (curve["conf_low"] > 0) | (curve["conf_high"] < 0)
    top.vlines(x, curve["conf_low"], curve["conf_high"], color="tab:blue", alpha=0.45, lw=1.2)
    top.scatter(x[excludes], curve.loc[excludes, "estimate"], s=14, color="tab:blue", zorder=3,
                label="estimate, 95 % CI excludes 0")  # fmt: skip
    top.scatter(x[~excludes], curve.loc[~excludes, "estimate"], s=14, facecolor="white",
                edgecolor="tab:blue", zorder=3, label="estimate, 95 % CI includes 0")  # fmt: skip
    top.axhline(0, color="grey", lw=0.8, ls="--")
    if paper_estimate is not None and not pd.isna(paper_estimate):
        top.axhline(paper_estimate, color="black", lw=1.2, ls=":", label="paper (published)")
    top.legend(fontsize=7, loc="upper left")
    top.tick_params(labelsize=7)
    top.set_title(title, fontsize=10)
    for i, (column, _, value) in enumerate(rows):
        chosen = (curve[column] == value).to_numpy()
        bottom.scatter(x[chosen], np.full(chosen.sum(), -i), s=9, color="black", marker="s")
        bottom.scatter(x[~chosen], np.full((~chosen).sum(), -i), s=9, color="#e4e4e4", marker="s")
    bottom.set_yticks([-i for i in range(len(rows))])
    bottom.set_yticklabels([text for _, text, _ in rows], fontsize=7)
    bottom.set_ylim(-len(rows) + 0.5, 0.5)
    bottom.set_xticks([])
    bottom.set_xlabel("specifications, sorted by estimate", fontsize=8)
    for side in ("top", "right", "bottom"):
        bottom.spines[side].set_visible(False)
    figure.tight_layout()
    return to_data_uri(figure)
