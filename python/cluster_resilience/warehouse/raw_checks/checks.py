"""Run the raw-file suites with Great Expectations; report failures; write Data Docs.

Everything runs locally: an ephemeral GX context (no GX Cloud, no files outside ``docs_dir``),
analytics off (``GX_ANALYTICS_ENABLED=false`` and ``analytics_enabled=False``), progress bars
off, a pandas datasource fed the frames that ``sources.read_raw_source`` read with dbt's own
``read_csv`` call. A failure names the file, the expectation, why it exists, and up to 10
offending rows with their line numbers in the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cluster_resilience.warehouse.raw_checks.sources import (
    RawFileError,
    RawSource,
    discover_sources,
    name_years,
    read_raw_source,
)
from cluster_resilience.warehouse.raw_checks.suites import (
    YEAR_COLUMN,
    PreviousVintage,
    RawSuite,
    build_suites,
    load_reference,
)

MAX_ROWS_SHOWN = 10
NUMBER_SUFFIX = " (as number)"
PAIR_SEPARATOR = " | "
AGENCIES = {"bea": "BEA", "bls": "BLS", "cbp": "Census CBP", "census_trade": "Census trade",
            "uscm": "USCM"}


def _derived(column: str) -> bool:
    """Columns the checks add to a frame (numbers parsed from text, joined pairs)."""
    return column.endswith(NUMBER_SUFFIX) or PAIR_SEPARATOR in column


@dataclass(frozen=True)
class Failure:
    """One failed expectation (or an unreadable file) of one raw file."""

    source: str
    path: str
    expectation: str
    why: str
    detail: str
    rows: tuple[str, ...] = ()

    def format(self) -> str:
        lines = [f"  x {self.expectation}", f"      why: {self.why}", f"      {self.detail}"]
        if self.rows:
            lines.append(f"      offending rows (first {len(self.rows)}):")
            lines.extend(f"        {row}" for row in self.rows)
        return "\n".join(lines)


@dataclass
class RawValidationReport:
    """Outcome of validating every raw file the dbt sources read."""

    sources: list[RawSource]
    expectations: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    docs_index: Path | None = None
    cached: list[str] = field(default_factory=list)
    # per file path: a note that the file looks like a newer release (and how to accept it)
    notes: dict[str, str] = field(default_factory=dict)
    # newer releases that passed: one line each
    newer: list[str] = field(default_factory=list)
    # sha256 of every raw file that exists, by its project-relative path (as in dim_raw_file)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        docs = f"; GX Data Docs: {self.docs_index}" if self.docs_index else ""
        failed = len({failure.path for failure in self.failures})
        reused = f" ({len(self.cached)} unchanged, passed before)" if self.cached else ""
        text = (
            f"raw inputs: {len(self.sources)} files{reused}, {self.expectations} expectations, "
            f"{failed} file(s) failing, validated in {self.seconds:.1f} s{docs}"
        )
        if self.newer:
            text += "\nnewer releases accepted:" + "".join(f"\n  {line}" for line in self.newer)
        return text

    def format(self) -> str:
        """The full failure report: per file, each failed expectation and its rows."""
        if self.success:
            return self.summary()
        blocks = [f"RAW INPUT CHECK FAILED ({self.summary()})"]
        by_path: dict[str, list[Failure]] = {}
        for failure in self.failures:
            by_path.setdefault(failure.path, []).append(failure)
        for path, failures in by_path.items():
            blocks.append(f"\n{path} (dbt source {failures[0].source}):")
            blocks.extend(failure.format() for failure in failures)
            if path in self.notes:
                blocks.append(f"  note: {self.notes[path]}")
        return "\n".join(blocks)


# ------------------------------------------------------------------------------ years
@dataclass(frozen=True)
class YearsFound:
    """The years a file holds inside the year window: its year column's values, or for a wide
    file its year-named columns."""

    years: tuple[int, ...]

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[-1]

    @property
    def span(self) -> range:
        return range(self.first, self.last + 1)

    def text(self) -> str:
        """'2010-2020', or with gaps '2010-2014, 2016-2020'."""
        runs: list[list[int]] = []
        for year in self.years:
            if runs and year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _years_found(suite: RawSuite, data: pd.DataFrame) -> YearsFound | None:
    grain = suite.years
    if grain is None:
        return None
    if grain.column is None:
        values = [int(column) for column in data.columns if YEAR_COLUMN.match(str(column))]
    elif grain.column in data.columns:
        numbers = _numbers(data[grain.column]).dropna()
        values = [int(v) for v in numbers.unique() if float(v).is_integer()]
    else:
        return None
    window = grain.window
    years = sorted({year for year in values if window.earliest <= year <= window.latest})
    return YearsFound(tuple(years)) if years else None


def _normalised(values: pd.Series) -> pd.Series:
    """Codes compared without leading zeros (CBP writes state FIPS 1, BLS 01)."""
    return values.map(lambda v: v.lstrip("0") or "0" if isinstance(v, str) else v)


def _year_grid(suite: RawSuite, data: pd.DataFrame,
               found: YearsFound | None) -> tuple[pd.DataFrame, int] | None:
    """Every row the file must have, given the years it holds, with the file line that has it
    (None: missing): each year of the span; each grid combination x year; each series x year
    of its own span. Returns the frame and the grid size (keys x years)."""
    grain = suite.years
    if grain is None or grain.column is None or found is None or grain.column not in data:
        return None
    span = list(found.span)
    years = _numbers(data[grain.column])
    rows = pd.DataFrame({"year": years}, index=data.index)
    rows = rows[rows["year"].isin(span)].astype({"year": int})
    rows["file_line"] = rows.index.to_numpy() + 2
    key_columns = list(dict.fromkeys([*(c for c, _ in grain.grid), *grain.series]))
    if any(column not in data.columns for column in key_columns):
        return None  # the column check reports it
    for column in key_columns:
        rows[column] = _normalised(data.loc[rows.index, column])
    parts = []
    per_year = rows.groupby("year")["file_line"].min()
    parts.append(pd.DataFrame({
        "year": span, "file_line": [per_year.get(year) for year in span],
        "rule": f"no row at all in this year, inside the file's span {found.first}-{found.last}"}))
    size = len(span)
    if grain.grid:
        columns = [column for column, _ in grain.grid]
        values = [sorted(allowed) if allowed is not None
                  else sorted(set(data[column].dropna())) for column, allowed in grain.grid]
        grid = pd.MultiIndex.from_product([*values, span], names=[*columns, "year"]).to_frame(
            index=False)
        size = len(grid)
        keys = grid.copy()
        for column in columns:
            keys[column] = _normalised(grid[column])
        present = rows.groupby([*columns, "year"], as_index=False)["file_line"].min()
        grid["file_line"] = keys.merge(present, on=[*columns, "year"], how="left")[
            "file_line"].to_numpy()
        grid["rule"] = "required in every year: " + " x ".join(
            f"{column} ({'reference list' if allowed is not None else 'as in the file'})"
            for column, allowed in grain.grid)
        parts.append(grid)
    if grain.series:
        columns = list(grain.series)
        spans = rows.groupby(columns)["year"].agg(["min", "max"]).reset_index()
        lengths = (spans["max"] - spans["min"] + 1).to_numpy()
        expanded = spans.loc[spans.index.repeat(lengths)].reset_index(drop=True)
        expanded["year"] = expanded["min"] + expanded.groupby(columns).cumcount()
        present = rows.groupby([*columns, "year"], as_index=False)["file_line"].min()
        series = expanded[[*columns, "year", "min", "max"]].merge(
            present, on=[*columns, "year"], how="left")
        series["rule"] = ("the series runs " + series["min"].astype(str) + "-"
                          + series["max"].astype(str) + " and skips this year")
        series = series.drop(columns=["min", "max"])
        parts.append(series)
    frame = pd.concat(parts, ignore_index=True).astype(object)
    frame = frame.where(frame.notna(), None)
    return frame, size


def _grid_batch(suite: RawSuite, grid: pd.DataFrame, found: YearsFound, gxe: Any) -> Batch:
    grain = suite.years
    missing = sorted(set(found.span) - set(found.years))
    gap = f"; missing years: {', '.join(map(str, missing))}" if missing else ""
    why = (f"one row per key per year, derived from the years the file holds "
           f"({found.text()}{gap}): {grain.why}; a missing row means a gap, a truncated or "
           "filtered file or a lost state")
    expectations = [gxe.ExpectColumnValuesToNotBeNull(
        column="file_line", meta={"why": why}, notes=why)]
    key_columns = [column for column in grid.columns
                   if column not in ("year", "file_line", "rule")]

    def describe(index: Any, columns: list[str]) -> str:
        row = grid.loc[index]
        parts = [f"{column}={row[column]!r}" for column in key_columns if row[column] is not None]
        parts.append(f"{grain.column}={int(row['year'])}")
        return f"{', '.join(parts)}: no row in the file ({row['rule']})"

    return Batch(f"{suite.source} years", grid, expectations, describe)


def _ends_before_previous(source: RawSource, suite: RawSuite, found: YearsFound | None,
                         previous: PreviousVintage | None) -> Failure | None:
    """A file that ends before the release the published warehouse was built from lost its last
    years (truncated at a year boundary) or is an older release. Checked outside the GX suites
    (against the published warehouse, not the file alone), from the years the file holds."""
    if previous is None or found is None or found.last >= previous.last_year:
        return None
    grain = suite.years
    where = "its year columns" if grain is not None and grain.column is None else (
        f"column {grain.column}" if grain is not None else "its years")
    return Failure(
        source.name, source.relative_path,
        f"the file ends no earlier than the published release ({where} reach "
        f"{previous.last_year})",
        f"the published warehouse was built from {previous.raw_file_path} ({previous.label}); a "
        "file that ends earlier lost its last years (truncated at a year boundary) or is an "
        "older release; to build from an older release on purpose, publish it to another "
        "warehouse file (make build WAREHOUSE=<file>)",
        f"{where}: {found.text()}; missing at the end: "
        + ", ".join(map(str, range(found.last + 1, previous.last_year + 1))))


# ------------------------------------------------------------------------------ batches
@dataclass
class Batch:
    """One frame GX validates, its expectations and how to show an offending row."""

    name: str
    frame: pd.DataFrame
    expectations: list[Any]
    describe_row: Callable[[Any, list[str]], str]


def _row_text(frame: pd.DataFrame, index: Any, first: list[str], limit: int = 260,
              prefix: bool = True) -> str:
    """One offending row: its file line, the checked columns first, then the rest."""
    row = frame.loc[index]
    ordered = list(dict.fromkeys(c for c in first if c in frame.columns))
    ordered += [c for c in frame.columns if c not in ordered and not _derived(c)]
    parts = [f"{column}={row[column]!r}" for column in ordered]
    text = (f"line {int(index) + 2}: " if prefix else "") + ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values.notna(), None), errors="coerce")


def _data_rows(suite: RawSuite, frame: pd.DataFrame) -> pd.DataFrame:
    """The data rows: footer lines dropped (they have no value in the footer's marker)."""
    if suite.footer is not None and suite.footer.marker in frame.columns:
        return frame[frame[suite.footer.marker].notna()]
    return frame


def _main_batch(suite: RawSuite, frame: pd.DataFrame, gxe: Any, found: YearsFound | None,
                grid_size: int | None) -> Batch:
    data = _data_rows(suite, frame).copy()
    for column in suite.ranges:
        if column in data.columns:
            data[column + NUMBER_SUFFIX] = _numbers(data[column])
    grain = suite.years
    wide = grain is not None and grain.column is None
    year_columns = [str(year) for year in found.span] if wide and found else []
    expected_columns = list(suite.columns) + year_columns + [
        column + NUMBER_SUFFIX for column in suite.ranges if column in data.columns
    ]
    if wide:
        span = f"{found.first}..{found.last}" if found else "none found"
        layout = (f"the layout's columns, in order: {', '.join(suite.columns)}, then one column "
                  f"per year without a gap from the first year present to the last ({span}), "
                  f"each {grain.window.why()}")
    else:
        layout = f"the layout's columns, in order: {', '.join(suite.columns)}"

    def meta(why: str) -> dict[str, Any]:
        return {"meta": {"why": why}, "notes": why}

    for pairs in suite.pairs:
        column = f"{pairs.column_a}{PAIR_SEPARATOR}{pairs.column_b}"
        if pairs.column_a in data.columns and pairs.column_b in data.columns:
            both = data[pairs.column_a].notna() & data[pairs.column_b].notna()
            joined = (data[pairs.column_a].astype(str) + PAIR_SEPARATOR
                      + data[pairs.column_b].astype(str))
            data[column] = joined.where(both, None)
            expected_columns.append(column)

    expectations: list[Any] = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=expected_columns, **meta(layout)),
        _row_count(suite, gxe, found, grid_size, meta),
    ]
    if grain is not None and grain.column is not None and grain.column in data.columns:
        if grain.single_year:
            expectations.append(gxe.ExpectColumnUniqueValueCountToBeBetween(
                column=grain.column, min_value=1, max_value=1,
                **meta(f"the file holds one data year ({grain.column}); the models read it as "
                       "that year's cross-section")))
    for column in suite.not_null:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(
            column=column, **meta(f"{column} is part of the grain or a required measure")))
    if len(suite.key) == 1:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(
            column=suite.key[0], **meta(f"one row per {suite.key[0]}")))
    else:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(suite.key), **meta(f"one row per {' x '.join(suite.key)}")))
    for column, pattern in suite.patterns.items():
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(
            column=column, regex=pattern.regex, **meta(f"{column} is {pattern.why}")))
    for column, bounds in suite.ranges.items():
        expectations.append(gxe.ExpectColumnValuesToBeBetween(
            column=column + NUMBER_SUFFIX, min_value=bounds.low, max_value=bounds.high,
            **meta(f"{column}: {bounds.why}")))
    for column, allowed in suite.allowed.items():
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=sorted(allowed.values),
            **meta(f"{column} is {allowed.why}")))
    for pairs in suite.pairs:
        # GX's column-pair-in-set metric iterates rows in Python (30 s on 90k rows); a derived
        # "a | b" column with a plain in-set check is the same test at pandas speed.
        column = f"{pairs.column_a}{PAIR_SEPARATOR}{pairs.column_b}"
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=sorted(f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs.pairs),
            **meta(pairs.why)))
    for column, values in suite.must_contain.items():
        expectations.append(gxe.ExpectColumnDistinctValuesToContainSet(
            column=column, value_set=sorted(values),
            **meta(f"the models read {column} {', '.join(sorted(values))}")))
    for column, (low_count, high_count) in suite.distinct_counts.items():
        expectations.append(gxe.ExpectColumnUniqueValueCountToBeBetween(
            column=column, min_value=low_count, max_value=high_count,
            **meta(f"the file covers {low_count} distinct {column} (a missing state or area "
                   "drops out of every model silently)")))
    first = list(suite.key)
    return Batch(suite.source, data, expectations,
                 lambda index, columns: _row_text(data, index, columns + first))


def _row_count(suite: RawSuite, gxe: Any, found: YearsFound | None, grid_size: int | None,
               meta: Callable[[str], dict[str, Any]]) -> Any:
    """Reference tables: near the shipped count. Files with years: derived from the years
    present -- keys x years when the grid is the whole key, at least the grid otherwise."""
    bounds = suite.row_bounds
    if bounds is not None:
        low, high = bounds
        return gxe.ExpectTableRowCountToBeBetween(
            min_value=low, max_value=high,
            **meta(f"{suite.shipped_rows} data rows shipped (a reference table, no years); fewer "
                   f"than {low} means a truncated or filtered file, more than {high} a different "
                   "extract"))
    grain = suite.years
    if grain is not None and grain.complete and grid_size is not None and found is not None:
        keys = grid_size // len(found.span)
        return gxe.ExpectTableRowCountToEqual(
            value=grid_size,
            **meta(f"one row per key per year: {keys} keys x {len(found.span)} years "
                   f"({found.first}-{found.last}, the years the file holds) = {grid_size}"))
    low = max(1, grid_size or 0)
    return gxe.ExpectTableRowCountToBeBetween(
        min_value=low,
        **meta(f"at least one row per required key and year present ({low}); an empty or "
               "header-only file has none"))


def _cells_batch(suite: RawSuite, data: pd.DataFrame, gxe: Any,
                 found: YearsFound | None) -> Batch | None:
    cells = suite.cells
    if cells is None:
        return None
    present = [column for column in data.columns if YEAR_COLUMN.match(str(column))]
    if not present:  # the column check reports the missing year columns
        return None
    long = data[present].melt(var_name="column", value_name="value", ignore_index=False)
    long = long.assign(line=long.index.to_numpy() + 2).reset_index(drop=True)
    long["value" + NUMBER_SUFFIX] = _numbers(long["value"])
    span = found.text() if found else f"{present[0]}..{present[-1]}"
    why_pattern = f"every value cell ({present[0]}..{present[-1]}) is {cells.pattern.why}"
    why_present = (f"every key has a value cell in every year column present ({span}); an empty "
                   "cell is a short row: misaligned or truncated")
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(
            column="value", meta={"why": why_present}, notes=why_present),
        gxe.ExpectColumnValuesToMatchRegex(
            column="value", regex=cells.pattern.regex, meta={"why": why_pattern},
            notes=why_pattern),
        gxe.ExpectColumnValuesToBeBetween(
            column="value" + NUMBER_SUFFIX, min_value=cells.bounds.low,
            max_value=cells.bounds.high, meta={"why": cells.bounds.why}, notes=cells.bounds.why),
    ]

    def describe(index: Any, columns: list[str]) -> str:
        cell = long.loc[index]
        row = _row_text(data, cell["line"] - 2, list(suite.key), limit=150, prefix=False)
        return f"line {cell['line']}, column {cell['column']}: {cell['value']!r} (row: {row})"

    return Batch(f"{suite.source} cells", long, expectations, describe)


def _footer_batch(suite: RawSuite, frame: pd.DataFrame, gxe: Any) -> Batch | None:
    footer = suite.footer
    if footer is None or footer.marker not in frame.columns:
        return None
    names = [name for name, _ in footer.lines]
    n_rows, n_footer = len(frame), len(footer.lines)
    is_footer = frame[footer.marker].isna()
    text = frame[footer.text_column].where(is_footer, None)

    def classify(value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        for name, regex in footer.lines:
            if re.search(regex, str(value)):
                return name
        return "unrecognised footer text"

    position = np.arange(n_rows)
    expected_footer = position >= n_rows - n_footer
    layout = pd.DataFrame(
        {
            "line_kind": np.where(is_footer, "footer", "data"),
            "expected_line_kind": np.where(expected_footer, "footer", "data"),
            "footer_line": [classify(value) for value in text],
            "expected_footer_line": [
                names[p - (n_rows - n_footer)] if e else None
                for p, e in zip(position, expected_footer, strict=True)
            ],
            "text": frame[footer.text_column],
        },
        index=frame.index,
    ).astype(object)
    layout = layout.where(layout.notna(), None)
    why = (f"the file ends with exactly {n_footer} footer lines ({', '.join(names)}), after the "
           f"last data row; staging drops rows without {footer.marker} and reads the vintage "
           "from the 'Last updated' line")
    expectations = [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="line_kind", column_B="expected_line_kind",
            meta={"why": why}, notes=why),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="footer_line", column_B="expected_footer_line",
            ignore_row_if="either_value_is_missing", meta={"why": why}, notes=why),
        gxe.ExpectColumnDistinctValuesToEqualSet(
            column="footer_line", value_set=names, meta={"why": why}, notes=why),
    ]

    def describe(index: Any, columns: list[str]) -> str:
        row = layout.loc[index]
        found = row["footer_line"] and f"footer line '{row['footer_line']}'" or "a data row"
        expected = (row["expected_footer_line"] and f"footer line '{row['expected_footer_line']}'"
                    or "a data row")
        return (f"line {int(index) + 2}: {found} where {expected} is expected "
                f"(text: {str(row['text'])[:80]!r})")

    return Batch(f"{suite.source} footer", layout, expectations, describe)


# ------------------------------------------------------------------------------ GX run
def _quiet_gx() -> None:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    for name in ("great_expectations", "great_expectations.core", "tzlocal"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    # With the spark extra installed, GX imports pyspark, which warns about pandas 3 at import;
    # the door does not use Spark (pandas data source), so the warning would only confuse.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)


def _context(docs_dir: Path | None):
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["raw_inputs"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    return gx, gx.get_context(mode="ephemeral", project_config=config)


def _expectation_label(config: Any) -> str:
    kwargs = {}
    for key, value in config.kwargs.items():
        if key in ("result_format", "batch_id"):
            continue
        if key == "column_list":
            value = [column for column in value if not _derived(column)]
        if isinstance(value, list | tuple | set) and len(value) > 8:
            value = f"<{len(value)} values>"
        kwargs[key] = value
    args = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"{config.type}({args})"


def _detail(result: Any, batch: Batch) -> tuple[str, tuple[str, ...]]:
    outcome = result.result or {}
    exception = result.exception_info or {}
    if exception.get("raised_exception"):
        message = str(exception.get("exception_message", "")).splitlines()[0][:300]
        return f"could not be evaluated: {message}", ()
    config = result.expectation_config
    if config.type == "expect_table_columns_to_match_ordered_list":
        found = [c for c in outcome.get("observed_value") or [] if not _derived(c)]
        expected = [c for c in config.kwargs["column_list"] if not _derived(c)]
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        text = f"header has {len(found)} columns: {found}"
        if missing:
            text += f"; missing: {missing}"
        if extra:
            text += f"; unexpected: {extra}"
        if not missing and not extra:
            text += "; same names, different order"
        return text, ()
    observed = outcome.get("observed_value")
    if config.type == "expect_column_distinct_values_to_contain_set":
        return f"missing values: {sorted(outcome.get('partial_missing_list') or [])}", ()
    if config.type == "expect_column_distinct_values_to_equal_set":
        missing = sorted(outcome.get("partial_missing_list") or [])
        extra = sorted(str(v) for v in outcome.get("partial_unexpected_list") or [])
        return f"missing: {missing}; unexpected: {extra}", ()
    if "unexpected_count" in outcome:
        count = outcome["unexpected_count"]
        total = outcome.get("element_count", len(batch.frame))
        unit = ("cells" if batch.name.endswith(" cells")
                else "expected rows" if batch.name.endswith(" years") else "rows")
        indexes = list(outcome.get("partial_unexpected_index_list") or [])[:MAX_ROWS_SHOWN]
        column = config.kwargs.get("column", "").removesuffix(NUMBER_SUFFIX)
        first = [*column.split(PAIR_SEPARATOR), *(config.kwargs.get("column_list") or [])]
        rows = tuple(batch.describe_row(index, first) for index in indexes)
        values = outcome.get("partial_unexpected_list") or []
        shown = f"; values: {values[:MAX_ROWS_SHOWN]!r}" if values and not rows else ""
        return f"{count} of {total} {unit} fail{shown}", rows
    if isinstance(observed, list) and len(observed) > 12:
        observed = f"{observed[:12]}... ({len(observed)} values)"
    return f"observed: {observed!r}", ()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """JSON-able, order-independent form of a suite (frozensets sorted)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, frozenset | set):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _code_fingerprint() -> str:
    import duckdb

    _quiet_gx()
    import great_expectations

    digest = hashlib.sha256()
    for module in ("checks.py", "sources.py", "suites.py"):
        digest.update((Path(__file__).with_name(module)).read_bytes())
    versions = (great_expectations.__version__, duckdb.__version__, pd.__version__)
    digest.update(repr(versions).encode())
    return digest.hexdigest()


class PassCache:
    """Validation results of files that PASSED, keyed by (file bytes, suite, code, versions).

    Validation is a pure function of those four, so a file whose exact bytes already passed the
    exact same suite needs no second GX run: its stored results go straight into this run's Data
    Docs. Failures are never cached (they are re-run, so the report always shows the rows).
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.code = _code_fingerprint() if directory is not None else ""

    def key(self, source: RawSource, path: Path, suite: RawSuite) -> str:
        digest = hashlib.sha256(self.code.encode())
        digest.update(source.read_expression.encode())
        digest.update(json.dumps(_canonical(suite), sort_keys=True).encode())
        digest.update(_file_sha256(path).encode())
        return digest.hexdigest()

    def load(self, key: str) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        try:
            return json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def store(self, key: str, entry: dict[str, Any]) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(partial, self.directory / f"{key}.json")


def _run_batch(gx: Any, context: Any, datasource: Any, batch: Batch) -> Any:
    # One add with every expectation: add_expectation() re-serialises the whole suite each
    # time (quadratic: ~30 s for these suites).
    suite = context.suites.add(
        gx.ExpectationSuite(name=batch.name, expectations=batch.expectations))
    asset = datasource.add_dataframe_asset(name=batch.name)
    definition = context.validation_definitions.add(gx.ValidationDefinition(
        name=batch.name, data=asset.add_batch_definition_whole_dataframe("whole_file"),
        suite=suite))
    return definition.run(
        batch_parameters={"dataframe": batch.frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_ROWS_SHOWN},
    )


def _restore_batch(gx: Any, context: Any, stored: dict[str, Any]) -> None:
    """Put a cached suite and its passing result into this run's stores (for the Data Docs)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

    context.suites.add(gx.ExpectationSuite(**stored["suite"]))
    store = context.validation_results_store
    result = store.deserialize(stored["result"])
    store.set(ValidationResultIdentifier.from_tuple(tuple(stored["key"])), result)


def validate_raw_inputs(
    project_dir: Path,
    docs_dir: Path | None = None,
    cache_dir: Path | None = None,
    previous: Mapping[str, PreviousVintage] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RawValidationReport:
    """Validate every raw file the dbt sources read; write GX Data Docs to ``docs_dir``.

    ``cache_dir`` (optional) keeps the results of files that passed, so an unchanged file is
    not validated twice (see PassCache); None validates every file. ``previous``: each source's
    years in the published warehouse (``previous_vintages``); a file may not end earlier, and a
    file that goes further is reported as a newer release. ``progress`` (optional) receives one
    line per file as it is done (``[3/16] path: ...``).
    """
    started = time.perf_counter()
    project_dir = Path(project_dir)
    sources = discover_sources(project_dir)
    report = RawValidationReport(sources=sources)
    cache = PassCache(cache_dir)
    say = progress or (lambda line: None)
    width = len(str(len(sources)))

    def done(number: int, source: RawSource, outcome: str) -> None:
        say(f"  GX door [{number:>{width}}/{len(sources)}] {source.relative_path}: {outcome}")

    def read(source: RawSource) -> tuple[RawSource, pd.DataFrame | RawFileError]:
        try:
            return source, read_raw_source(source, project_dir)
        except RawFileError as error:
            return source, error

    # The NAICS reference set comes from the crosswalk files: read them first.
    crosswalk_sources = {"uscm.cluster_naics_crosswalk": "naics_code",
                         "uscm.acr1_crosswalk": "NAICS"}
    frames: dict[str, pd.DataFrame | RawFileError] = {}
    for source in sources:
        if source.name in crosswalk_sources:
            frames[source.name] = read(source)[1]
    crosswalk: set[str] | None = set()
    for name, column in crosswalk_sources.items():
        frame = frames.get(name)
        if isinstance(frame, pd.DataFrame) and column in frame.columns and crosswalk is not None:
            crosswalk.update(v for v in frame[column] if v is not None)
        else:  # reported as its own failure; do not cascade into "every NAICS is unknown"
            crosswalk = None
    suites = build_suites(load_reference(
        project_dir, frozenset(crosswalk) if crosswalk is not None else None))
    previous = dict(previous or {})

    keys: dict[str, str] = {}
    cached: dict[str, dict[str, Any]] = {}
    for source in sources:
        path = source.path(project_dir)
        if path.is_file():
            report.fingerprints[source.relative_path] = _file_sha256(path)
        if source.name in suites and path.is_file():
            keys[source.name] = cache.key(source, path, suites[source.name])
            entry = cache.load(keys[source.name])
            if entry is not None:
                cached[source.name] = entry
    to_read = [s for s in sources if s.name not in cached and s.name not in frames]
    say(f"  GX door: {len(sources) - len(cached)} of {len(sources)} files to validate"
        + (f" ({len(cached)} unchanged since they passed)" if cached else ""))
    with ThreadPoolExecutor(max_workers=4) as pool:
        frames.update((source.name, outcome) for source, outcome in pool.map(read, to_read))

    docs_dir = docs_dir.resolve() if docs_dir is not None else None
    docs_staging = docs_dir.with_name(docs_dir.name + ".new") if docs_dir else None
    if docs_staging is not None:
        shutil.rmtree(docs_staging, ignore_errors=True)
    gx, context = _context(docs_staging)
    import great_expectations.expectations as gxe

    datasource = context.data_sources.add_pandas("raw_files")
    for number, source in enumerate(sources, start=1):
        name = source.name
        file_started = time.perf_counter()
        if name in cached:
            for stored in cached[name]["batches"]:
                _restore_batch(gx, context, stored)
            report.expectations += cached[name]["expectations"]
            report.cached.append(name)
            years = cached[name].get("years")
            found = YearsFound(tuple(years)) if years else None
            shrunk = _ends_before_previous(source, suites[name], found, previous.get(name))
            if shrunk is not None:
                report.failures.append(shrunk)
            _note_newer(report, source, suites.get(name), found, previous.get(name),
                        failed=shrunk is not None)
            done(number, source, "unchanged, passed before")
            continue
        frame = frames[name]
        if isinstance(frame, RawFileError):
            report.failures.append(Failure(
                name, source.relative_path, "the file exists and reads as declared",
                f"dbt reads it with {source.read_expression}", str(frame)))
            done(number, source, "UNREADABLE")
            continue
        suite = suites.get(name)
        if suite is None:
            report.failures.append(Failure(
                name, source.relative_path, "every dbt source has a GX suite",
                "an unvalidated raw file could shift numbers silently",
                f"no suite for dbt source {name}: add one to "
                "python/cluster_resilience/warehouse/raw_checks/suites.py"))
            done(number, source, "NO SUITE")
            continue
        data = _data_rows(suite, frame)
        found = _years_found(suite, data)
        grid = _year_grid(suite, data, found)
        main = _main_batch(suite, frame, gxe, found, grid[1] if grid else None)
        batches = [main, _cells_batch(suite, main.frame, gxe, found),
                   _grid_batch(suite, grid[0], found, gxe) if grid else None,
                   _footer_batch(suite, frame, gxe)]
        entry: dict[str, Any] = {"source": name, "expectations": 0, "batches": [],
                                 "years": list(found.years) if found else None}
        failures: list[Failure] = []
        for batch in (b for b in batches if b is not None):
            result = _run_batch(gx, context, datasource, batch)
            entry["expectations"] += len(result.results)
            failures.extend(_failures(result, batch, source))
            if cache.directory is not None and result.success:
                identifier = _result_identifier(context, batch.name)
                entry["batches"].append({
                    "suite": context.suites.get(batch.name).to_json_dict(),
                    "result": context.validation_results_store.serialize(result),
                    "key": list(identifier.to_tuple()),
                })
        report.expectations += entry["expectations"]
        report.failures.extend(failures)
        if not failures and name in keys:
            cache.store(keys[name], entry)
        shrunk = _ends_before_previous(source, suite, found, previous.get(name))
        if shrunk is not None:
            report.failures.append(shrunk)
        _note_newer(report, source, suite, found, previous.get(name),
                    failed=bool(failures) or shrunk is not None)
        seconds = time.perf_counter() - file_started
        done(number, source, f"{len(frame):,} rows, {entry['expectations']} expectations, "
             + (f"{len(failures)} FAILED" if failures else "passed") + f" ({seconds:.1f} s)")

    if docs_dir is not None:
        say("  GX door: writing Data Docs")
        report.docs_index = _write_docs(context, docs_dir)
    report.seconds = time.perf_counter() - started
    return report


def previous_vintages(published: Path | None) -> dict[str, PreviousVintage]:
    """Each source's years in the published warehouse (its dim_source_vintage), read-only; empty
    when there is no published warehouse, it has no such table yet, or it cannot be opened."""
    if published is None or not Path(published).is_file():
        return {}
    import duckdb

    try:
        connection = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = connection.execute(
            "select source_name, first_year, last_year, raw_file_path, vintage "
            "from main.dim_source_vintage where last_year is not null").fetchall()
    except duckdb.Error:
        return {}
    finally:
        connection.close()
    return {name: PreviousVintage(int(first), int(last), path, label)
            for name, first, last, path, label in rows}


def _note_newer(report: RawValidationReport, source: RawSource, suite: RawSuite | None,
                found: YearsFound | None, previous: PreviousVintage | None,
                failed: bool) -> None:
    """A file whose years go beyond the published warehouse's (or, with no published
    warehouse, beyond the years in its own name) looks like a newer release: say so, and that
    accepting it needs nothing but a passing file."""
    if suite is None or found is None:
        return
    named = name_years(Path(source.relative_path).name)
    if previous is not None:
        before, where = previous.last_year, (
            f"the published warehouse has {previous.first_year}-{previous.last_year} from "
            f"{previous.raw_file_path}")
    elif named:
        before, where = max(named), f"its file name says {'-'.join(map(str, named))}"
    else:
        return
    if found.last <= before:
        return
    agency = AGENCIES.get(source.name.split(".")[0], source.name.split(".")[0])
    if failed:
        report.notes[source.relative_path] = (
            f"this looks like a newer {agency} release with years through {found.last} "
            f"({found.text()}; {where}). A newer release needs no configuration: it passes once "
            "the failures above are fixed, and dim_source_vintage then records its years.")
    else:
        report.newer.append(
            f"{source.name}: {source.relative_path} holds {found.text()} ({where}); "
            "dim_source_vintage will record it")


def _result_identifier(context: Any, suite_name: str) -> Any:
    """The store key of the latest result of ``suite_name`` (one per run and batch here)."""
    keys = [key for key in context.validation_results_store.list_keys()
            if key.expectation_suite_identifier.name == suite_name]
    return keys[-1]


def _failures(result: Any, batch: Batch, source: RawSource) -> list[Failure]:
    """Failed expectations of one batch, the layout checks (columns, row count) first."""
    order = {"expect_table_columns_to_match_ordered_list": 0,
             "expect_table_row_count_to_be_between": 1}
    failed = [outcome for outcome in result.results if not outcome.success]
    failed.sort(key=lambda outcome: order.get(outcome.expectation_config.type, 2))
    columns_failed = any(
        outcome.expectation_config.type == "expect_table_columns_to_match_ordered_list"
        for outcome in failed)
    missing = set()
    failures = []
    for outcome in failed:
        config = outcome.expectation_config
        column = str(config.kwargs.get("column", "")).removesuffix(NUMBER_SUFFIX)
        if columns_failed and column and column.split(PAIR_SEPARATOR)[0] not in batch.frame:
            missing.add(column)
            continue
        detail, rows = _detail(outcome, batch)
        failures.append(Failure(source.name, source.relative_path, _expectation_label(config),
                                (config.meta or {}).get("why", ""), detail, rows))
    if missing:
        failures.append(Failure(
            source.name, source.relative_path, "checks on missing columns",
            "a column the suite checks is absent from the header",
            f"not evaluated: {sorted(missing)} (see the column check above)"))
    return failures


def _write_docs(context: Any, docs_dir: Path) -> Path:
    """Render this run's Data Docs next to ``docs_dir`` and swap them into place."""
    staging = docs_dir.with_name(docs_dir.name + ".new")
    context.build_data_docs(site_names=["raw_inputs"])
    shutil.rmtree(docs_dir, ignore_errors=True)
    os.replace(staging, docs_dir)
    return docs_dir / "index.html"
