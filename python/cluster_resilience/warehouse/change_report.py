"""What a publish would change: the new publication copy against the published warehouse.

``compare_publications(new, published, ...)`` returns a ``ChangeReport`` that the build writes to
``target/change_report.md`` before publishing, and prints in a few lines:

- **Tables.** For every public table, rows added, removed and changed, matched by the table's key
  (its ``unique_combination_of_columns`` or ``unique`` test in the YAML, read from dbt's
  manifest; a table without one is compared as a multiset of rows). Text, integers, dates and
  decimals must be equal; floats may differ by 1e-9 relative (1e-12 absolute): DuckDB sums
  doubles in parallel, so the last bits vary from build to build. The run metadata columns
  (``run_id``, ``run_started_at``, ``git_revision``) differ on every build and are ignored.
- **Raw files.** ``dim_raw_file`` fingerprints every raw file a build read. Files whose sha256
  changed are compared cell by cell with the copy kept from the previous publish
  (``RawStore``), rows matched by the key of the file's Great Expectations suite: rows added or
  removed, cells changed, with a few examples (file line, key, column, old -> new).
- **Headline estimates.** The DID interaction of the shock window for outcome gdp, layouts paper
  and state, specs paper and state_clustered (``est_did_coefficients``), before -> after.

``--refuse-changes`` (``make build NO_CHANGE=1``) publishes only when no table changed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_resilience.warehouse.publication import PUBLIC_SCHEMAS, quote, sql_string

RTOL, ATOL = 1e-9, 1e-12
RUN_METADATA = ("run_id", "run_started_at", "git_revision")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
EXAMPLES = 3
HEADLINE = {
    "table": "est_did_coefficients",
    "filters": {"window_name": "shock", "outcome": "gdp", "term": "interaction"},
    "layouts": ("paper", "state"),
    "specs": ("paper", "state_clustered"),
}


# ------------------------------------------------------------------------------ results
@dataclass
class TableChange:
    schema: str
    table: str
    key: tuple[str, ...] | None
    rows_before: int | None
    rows_after: int | None
    added: int = 0
    removed: int = 0
    changed: int = 0
    columns_changed: dict[str, int] = field(default_factory=dict)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def has_changes(self) -> bool:
        return bool(self.rows_before is None or self.rows_after is None or self.added
                    or self.removed or self.changed or self.columns_added
                    or self.columns_removed)

    def describe(self) -> str:
        if self.rows_before is None:
            return f"{self.name}: new table ({self.rows_after:,} rows)"
        if self.rows_after is None:
            return f"{self.name}: table removed ({self.rows_before:,} rows)"
        parts = []
        if self.added or self.removed or self.changed:
            parts.append(f"{self.added:,} rows added, {self.removed:,} removed, "
                         f"{self.changed:,} changed")
        if self.columns_changed:
            parts.append("values changed in " + ", ".join(
                f"{column} ({count:,})" for column, count in self.columns_changed.items()))
        if self.columns_added:
            parts.append(f"columns added {self.columns_added}")
        if self.columns_removed:
            parts.append(f"columns removed {self.columns_removed}")
        return f"{self.name}: " + "; ".join(parts)


@dataclass
class RawFileChange:
    source: str
    path: str
    status: str  # changed | added | removed
    rows_added: int = 0
    rows_removed: int = 0
    cells_changed: int = 0
    columns_changed: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.status != "changed":
            return f"{self.path}: file {self.status}"
        if self.notes and not (self.rows_added or self.rows_removed or self.cells_changed):
            return f"{self.path}: bytes changed ({'; '.join(self.notes)})"
        return (f"{self.path}: {self.cells_changed:,} cells changed, {self.rows_added:,} rows "
                f"added, {self.rows_removed:,} removed")


@dataclass
class Headline:
    label: str
    before: dict[str, float] | None
    after: dict[str, float] | None

    def describe(self) -> str:
        moved = ""
        if (self.before and self.after and self.before["estimate"] is not None
                and self.after["estimate"] is not None):
            delta = self.after["estimate"] - self.before["estimate"]
            moved = "  (unchanged)" if _close(self.after["estimate"],
                                              self.before["estimate"]) else f"  ({delta:+.3g})"
        return f"{self.label}: {_estimate(self.before)} -> {_estimate(self.after)}{moved}"


def _number(value: float | None, spec: str) -> str:
    return "NULL" if value is None else format(value, spec)


def _estimate(values: dict[str, float] | None, with_p: bool = False) -> str:
    if values is None:
        return "-"
    text = f"{_number(values['estimate'], '.6g')} (SE {_number(values['std_error'], '.3g')}"
    if with_p:
        text += f", p {_number(values['p_value'], '.3g')}"
    return text + ")"


@dataclass
class ChangeReport:
    new: Path
    published: Path | None
    tables: list[TableChange] = field(default_factory=list)
    raw_files: list[RawFileChange] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run_before: str | None = None
    run_after: str | None = None
    raw_compared: bool = False

    @property
    def first_publish(self) -> bool:
        return self.published is None

    @property
    def changed_tables(self) -> list[TableChange]:
        return [table for table in self.tables if table.has_changes]

    @property
    def has_changes(self) -> bool:
        """Anything a reader of the published tables would see differently."""
        return self.first_publish or bool(self.changed_tables)

    def summary_lines(self) -> list[str]:
        if self.first_publish:
            return ["change report: first publish, nothing to compare with"]
        changed = self.changed_tables
        lines = [f"change report: {len(changed)} of {len(self.tables)} tables changed"
                 + (": " + ", ".join(t.table for t in changed[:8])
                    + (", ..." if len(changed) > 8 else "") if changed else "")]
        if self.raw_files:
            lines.append("  raw files: " + "; ".join(f.describe() for f in self.raw_files[:4])
                         + ("; ..." if len(self.raw_files) > 4 else ""))
        elif self.raw_compared:
            lines.append("  raw files: unchanged")
        for headline in self.headlines:
            lines.append(f"  {headline.describe()}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines

    def refusal(self) -> str:
        """Why --refuse-changes stops this publish ('' when nothing changed)."""
        if self.first_publish:
            return ("there is no published warehouse to compare with; publish once without "
                    "--refuse-changes")
        changed = self.changed_tables
        if not changed:
            return ""
        # Tables whose rows changed first, then tables added or removed.
        changed.sort(key=lambda t: (t.rows_before is None or t.rows_after is None, t.name))
        lines = [f"{len(changed)} tables changed:"]
        lines += [f"  - {table.describe()}" for table in changed[:15]]
        if len(changed) > 15:
            lines.append(f"  - ... and {len(changed) - 15} more")
        if self.raw_files:
            lines.append("raw files changed:")
            lines += [f"  - {raw.describe()}" for raw in self.raw_files[:10]]
        moved = [h for h in self.headlines if h.before and h.after
                 and not _close(h.before["estimate"], h.after["estimate"])]
        if moved:
            lines.append("headline estimates moved:")
            lines += [f"  - {h.describe()}" for h in moved]
        return "\n".join(lines)

    def markdown(self) -> str:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        out = ["# Change report", ""]
        if self.first_publish:
            out += [f"Generated {now}. First publish of `{self.new.name}`: there is no published "
                    "warehouse to compare with.", ""]
            return "\n".join(out)
        out += [f"Generated {now}: the new build (run `{self.run_after or 'unknown'}`) against "
                f"the published warehouse `{self.published}` (run "
                f"`{self.run_before or 'unknown'}`). Floats are equal within "
                f"{RTOL:g} relative; {', '.join(RUN_METADATA)} are ignored.", "", "## Summary", ""]
        out += [f"- {line.strip()}" for line in self.summary_lines()]
        out += ["", "## Headline estimates", "",
                "DID interaction, shock window, outcome gdp (`est_did_coefficients`).", "",
                "| estimate | before | after |", "|---|---|---|"]
        for h in self.headlines:
            out.append(f"| {h.label} | {_estimate(h.before, True)} | {_estimate(h.after, True)} |")
        out += ["", "## Tables", "",
                "| table | key | rows before | rows after | added | removed | changed |",
                "|---|---|---|---|---|---|---|"]
        for t in self.tables:
            if t.rows_before is None or t.rows_after is None:
                key = "(new table)" if t.rows_before is None else "(not in the new build)"
            else:
                key = ", ".join(t.key) if t.key else "(none: rows compared as a multiset)"
            before = "-" if t.rows_before is None else f"{t.rows_before:,}"
            after = "-" if t.rows_after is None else f"{t.rows_after:,}"
            out.append(f"| {t.name} | {key} | {before} | {after} | {t.added:,} | {t.removed:,} "
                       f"| {t.changed:,} |")
        for t in self.changed_tables:
            out += ["", f"### {t.name}", "", f"- {t.describe()}"]
            out += [f"- note: {note}" for note in t.notes]
            out += [f"- e.g. {example}" for example in t.examples]
        out += ["", "## Raw files", ""]
        if not self.raw_files and self.raw_compared:
            out.append("No raw file changed (every sha256 in `dim_raw_file` is the same).")
        for raw in self.raw_files:
            out += [f"### {raw.path} ({raw.source})", "", f"- {raw.describe()}"]
            if raw.columns_changed:
                out.append("- cells changed by column: " + ", ".join(
                    f"{column} ({count:,})" for column, count in raw.columns_changed.items()))
            out += [f"- note: {note}" for note in raw.notes]
            out += [f"- e.g. {example}" for example in raw.examples]
            out.append("")
        if self.notes:
            out += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        return "\n".join(out) + "\n"


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL + RTOL * abs(b)


# ------------------------------------------------------------------------------ table keys
def table_keys(manifest_path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """(schema, table) -> key columns, from the uniqueness tests (and primary key constraints) in
    dbt's manifest. A combination test wins over single-column ``unique`` tests; tests with a
    ``where`` config do not define a key."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    nodes = manifest.get("nodes", {})
    relations = {
        unique_id: (node["schema"], node.get("alias") or node["name"])
        for unique_id, node in nodes.items() if node.get("resource_type") in ("model", "seed")
    }
    candidates: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for unique_id, node in nodes.items():
        if unique_id not in relations:
            continue
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "primary_key" and constraint.get("columns"):
                candidates.setdefault(unique_id, []).append((0, tuple(constraint["columns"])))
        for column, spec in (node.get("columns") or {}).items():
            for constraint in spec.get("constraints") or []:
                if constraint.get("type") == "primary_key":
                    candidates.setdefault(unique_id, []).append((0, (column,)))
    for node in nodes.values():
        if node.get("resource_type") != "test" or node.get("attached_node") not in relations:
            continue
        if (node.get("config") or {}).get("where"):
            continue
        metadata = node.get("test_metadata") or {}
        kwargs = metadata.get("kwargs") or {}
        if metadata.get("name") == "unique_combination_of_columns":
            columns = tuple(kwargs.get("combination_of_columns") or ())
            rank = 1
        elif metadata.get("name") == "unique" and kwargs.get("column_name"):
            columns, rank = (str(kwargs["column_name"]),), 2
        else:
            continue
        if columns:
            candidates.setdefault(node["attached_node"], []).append((rank, columns))
    keys = {}
    for unique_id, options in candidates.items():
        order = list(nodes[unique_id].get("columns") or {})
        options.sort(key=lambda option: (option[0], [order.index(c) if c in order else 999
                                                     for c in option[1]]))
        keys[relations[unique_id]] = options[0][1]
    return keys


# ------------------------------------------------------------------------------ tables
def _columns(connection, catalog: str, schema: str, table: str) -> dict[str, str]:
    return dict(connection.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? and "
        "schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, table]).fetchall())


def _differs(column: str, old_type: str, new_type: str) -> str:
    o, n = f"o.{quote(column)}", f"n.{quote(column)}"
    if old_type != new_type:
        return f"({o}::varchar is distinct from {n}::varchar)"
    if old_type in FLOAT_TYPES:
        return (f"(case when {o} is null or {n} is null then ({o} is null) <> ({n} is null) "
                f"when {o} = {n} then false when isnan({o}) and isnan({n}) then false "
                f"else not coalesce(abs({o} - {n}) <= {ATOL} + {RTOL} * abs({n}), false) end)")
    return f"({o} is distinct from {n})"


def _render(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _compare_table(connection, schema: str, table: str, key: tuple[str, ...] | None
                   ) -> TableChange:
    old_columns = _columns(connection, "old", schema, table)
    new_columns = _columns(connection, "new", schema, table)
    relation = f"{quote(schema)}.{quote(table)}"
    (rows_before,) = connection.execute(f"select count(*) from old.{relation}").fetchone()
    (rows_after,) = connection.execute(f"select count(*) from new.{relation}").fetchone()
    change = TableChange(schema, table, None, rows_before, rows_after)
    change.columns_added = [c for c in new_columns if c not in old_columns]
    change.columns_removed = [c for c in old_columns if c not in new_columns]
    common = [c for c in new_columns if c in old_columns and c not in RUN_METADATA]
    if key and all(column in common for column in key):
        unique = all(
            connection.execute(
                f"select count(*) = count(distinct row({', '.join(quote(c) for c in key)})) "
                f"from {side}.{relation}").fetchone()[0]
            for side in ("old", "new"))
        if unique:
            change.key = key
        else:
            change.notes.append(f"key {key} is not unique: rows compared as a multiset")
    elif key:
        change.notes.append(f"key {key} is not in both tables: rows compared as a multiset")
    if change.key is None:
        _compare_multiset(connection, relation, common, old_columns, new_columns, change)
    else:
        _compare_by_key(connection, relation, common, old_columns, new_columns, change)
    return change


def _compare_multiset(connection, relation, common, old_columns, new_columns, change) -> None:
    if not common:
        return
    select = ", ".join(
        f"{quote(c)}::varchar" if old_columns[c] != new_columns[c] else quote(c) for c in common)
    for side, other, attribute in (("new", "old", "added"), ("old", "new", "removed")):
        (count,) = connection.execute(
            f"select count(*) from (select {select} from {side}.{relation} except all "
            f"select {select} from {other}.{relation})").fetchone()
        setattr(change, attribute, int(count))
    if any(old_columns[c] in FLOAT_TYPES for c in common):
        change.notes.append("no key: floats compared exactly")


def _compare_by_key(connection, relation, common, old_columns, new_columns, change) -> None:
    key = change.key
    values = [c for c in common if c not in key]
    joined = (
        f"(select *, true as __present from old.{relation}) as o full join "
        f"(select *, true as __present from new.{relation}) as n on "
        + " and ".join(f"o.{quote(c)} is not distinct from n.{quote(c)}" for c in key))
    differs = {c: _differs(c, old_columns[c], new_columns[c]) for c in values}
    any_difference = " or ".join(differs.values()) or "false"
    both = "o.__present and n.__present"
    counts = connection.execute(
        "select count(*) filter (where o.__present is null), "
        "count(*) filter (where n.__present is null), "
        f"count(*) filter (where {both} and ({any_difference}))"
        + "".join(f", count(*) filter (where {both} and {d})" for d in differs.values())
        + f" from {joined}").fetchone()
    change.added, change.removed, change.changed = (int(v) for v in counts[:3])
    change.columns_changed = {
        column: int(count) for column, count in zip(values, counts[3:], strict=True) if count}
    key_select = ", ".join(f"coalesce(n.{quote(c)}, o.{quote(c)})" for c in key)

    def key_text(row: Iterable[Any]) -> str:
        return ", ".join(f"{c}={_render(v)}" for c, v in zip(key, row, strict=True))

    if change.changed:
        shown = list(change.columns_changed)[:4]
        rows = connection.execute(
            f"select {key_select}, " + ", ".join(
                f"o.{quote(c)}, n.{quote(c)}, {differs[c]}" for c in shown)
            + f" from {joined} where {both} and ({any_difference}) limit {EXAMPLES}").fetchall()
        for row in rows:
            cells = []
            for index, column in enumerate(shown):
                old, new, different = row[len(key) + 3 * index: len(key) + 3 * index + 3]
                if different:
                    cells.append(f"{column} {_render(old)} -> {_render(new)}")
            change.examples.append(f"({key_text(row[:len(key)])}): {'; '.join(cells)}")
    for flag, side, word in ((change.added, "o", "added"), (change.removed, "n", "removed")):
        if flag:
            rows = connection.execute(
                f"select {key_select} from {joined} where {side}.__present is null "
                f"limit {EXAMPLES}").fetchall()
            change.examples.extend(f"{word}: ({key_text(row)})" for row in rows)


# ------------------------------------------------------------------------------ headline
def _compared_rule(connection, side: str, columns) -> str:
    """A filter keeping, per layout, the treatment rule the paper comparison shows (registry
    seeds treatment_rules.compared_with_paper at the layout's native_rule_level); none when the
    warehouse predates those columns."""
    rules = set(_columns(connection, side, "reference", "treatment_rules"))
    layouts = set(_columns(connection, side, "reference", "layouts"))
    if ("treatment_rule" not in columns or "compared_with_paper" not in rules
            or "native_rule_level" not in layouts):
        return ""
    return (
        f" and treatment_rule in (select rules.treatment_rule from {side}.reference.treatment_rules"
        f" as rules inner join {side}.reference.layouts as layouts"
        " on rules.rule_level = layouts.native_rule_level"
        " where rules.compared_with_paper and layouts.layout = estimates.layout)"
    )


def _headlines(connection) -> tuple[list[Headline], list[str]]:
    table = HEADLINE["table"]
    needed = {"spec", "layout", "estimate", "std_error", "p_value", *HEADLINE["filters"]}
    frames = {}
    for side in ("old", "new"):
        columns = _columns(connection, side, "main", table)
        if not columns:
            where = "new build" if side == "new" else "published warehouse"
            return [], [f"headline estimates not available: the {where} has no main.{table}"]
        if not needed <= set(columns):
            return [], [f"headline estimates not available: {side} main.{table} lacks "
                        f"{sorted(needed - set(columns))}"]
        rule = ", treatment_rule" if "treatment_rule" in columns else ", null as treatment_rule"
        where = " and ".join(f"{quote(c)} = {sql_string(v)}"
                             for c, v in HEADLINE["filters"].items())
        frames[side] = connection.execute(
            f"select layout, spec{rule}, estimate, std_error, p_value from {side}.main.{table} "
            f"as estimates where {where} and layout in {tuple(HEADLINE['layouts'])} "
            f"and spec in {tuple(HEADLINE['specs'])}{_compared_rule(connection, side, columns)} "
            "order by 1, 2, 3").fetchall()
    labels: dict[tuple, dict[str, dict[str, float]]] = {}
    for side, rows in frames.items():
        for layout, spec, rule, estimate, std_error, p_value in rows:
            labels.setdefault((layout, spec, rule), {})[side] = {
                "estimate": estimate, "std_error": std_error, "p_value": p_value}
    headlines = [
        Headline(f"gdp shock DID, layout {layout}, spec {spec}"
                 + (f" ({rule})" if rule else ""), sides.get("old"), sides.get("new"))
        for (layout, spec, rule), sides in sorted(labels.items(), key=lambda i: str(i[0]))
    ]
    return headlines, []


# ------------------------------------------------------------------------------ raw files
class RawStore:
    """Copies of the raw files of published builds, named by their sha256 (``<sha>.csv``), so
    the next build can show which raw cells changed. Only files referenced by the published
    warehouse or its ``.prev`` are kept."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, sha256: str) -> Path:
        return self.directory / f"{sha256}.csv"

    def store(self, files: dict[str, str], project_dir: Path) -> int:
        """Copy each ``path -> sha256`` not stored yet; the copy must hash to that sha256."""
        import hashlib

        self.directory.mkdir(parents=True, exist_ok=True)
        added = 0
        for relative, sha in files.items():
            target = self.path(sha)
            if target.exists():
                continue
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            shutil.copyfile(Path(project_dir) / relative, partial)
            digest = hashlib.sha256(partial.read_bytes()).hexdigest()
            if digest != sha:
                partial.unlink(missing_ok=True)
                raise RuntimeError(f"{relative} changed while the build was publishing it "
                                   f"(sha256 {digest[:12]}, the build read {sha[:12]})")
            os.replace(partial, target)
            added += 1
        return added

    def keep_only(self, shas: set[str]) -> int:
        if not self.directory.is_dir():
            return 0
        removed = 0
        for path in self.directory.iterdir():
            if path.name.startswith(".") or path.stem not in shas:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def raw_fingerprints(connection, catalog: str) -> dict[str, tuple[str, str]] | None:
    """file_path -> (source_name, sha256) from ``dim_raw_file`` (None when it is absent)."""
    columns = _columns(connection, catalog, "main", "dim_raw_file")
    if not {"file_path", "source_name", "sha256"} <= set(columns):
        return None
    return {path: (source, sha) for path, source, sha in connection.execute(
        f"select file_path, source_name, sha256 from {catalog}.main.dim_raw_file").fetchall()}


def _lines(frame: pd.DataFrame) -> list[str]:
    """Each row as one text line (NULL as an empty field), to compare rows as a whole."""
    return ["\x1f".join("" if value is None or value != value else str(value) for value in row)
            for row in frame.itertuples(index=False)]


def _compare_raw_file(change: RawFileChange, old: pd.DataFrame, new: pd.DataFrame,
                      key: tuple[str, ...]) -> None:
    old = old.assign(__line=range(2, len(old) + 2))
    new = new.assign(__line=range(2, len(new) + 2))
    removed_columns = [c for c in old.columns if c not in new.columns]
    added_columns = [c for c in new.columns if c not in old.columns]
    if removed_columns or added_columns:
        change.notes.append(f"header changed: columns removed {removed_columns}, added "
                            f"{added_columns}")
    key = tuple(c for c in key if c in old.columns and c in new.columns)
    common = [c for c in new.columns if c in old.columns and c != "__line" and c not in key]
    if not key:
        change.notes.append("no key column in both versions: rows compared as a multiset")
        old_rows = _lines(old.drop(columns="__line"))
        new_rows = _lines(new.drop(columns="__line"))
        old_set, new_set = set(old_rows), set(new_rows)
        change.rows_added = sum(1 for row in new_rows if row not in old_set)
        change.rows_removed = sum(1 for row in old_rows if row not in new_set)
        return
    # Rows without a full key (e.g. the BEA footer lines) are compared as whole lines.
    keyed_old, keyed_new = old.dropna(subset=list(key)), new.dropna(subset=list(key))
    merged = keyed_old.merge(keyed_new, on=list(key), how="outer", suffixes=("__old", "__new"),
                             indicator=True)
    added = merged[merged["_merge"] == "right_only"]
    removed = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    change.rows_added, change.rows_removed = len(added), len(removed)
    for column in common:
        a, b = both[f"{column}__old"], both[f"{column}__new"]
        different = ~((a == b) | (a.isna() & b.isna()))
        count = int(different.sum())
        if not count:
            continue
        change.columns_changed[column] = count
        change.cells_changed += count
        for _, row in both[different].head(EXAMPLES - len(change.examples)).iterrows():
            where = ", ".join(f"{c}={row[c]!r}" for c in key)
            change.examples.append(
                f"line {int(row['__line__new'])} ({where}), column {column}: "
                f"{row[f'{column}__old']!r} -> {row[f'{column}__new']!r}")
    for frame, word, line in ((added, "added", "__line__new"), (removed, "removed",
                                                               "__line__old")):
        for _, row in frame.head(max(0, EXAMPLES - len(change.examples))).iterrows():
            where = ", ".join(f"{c}={row[c]!r}" for c in key)
            change.examples.append(f"row {word}: line {int(row[line])} ({where})")
    unkeyed_old = old[old[list(key)].isna().any(axis=1)].drop(columns="__line")
    unkeyed_new = new[new[list(key)].isna().any(axis=1)].drop(columns="__line")
    if len(unkeyed_old) or len(unkeyed_new):
        a, b = _lines(unkeyed_old), _lines(unkeyed_new)
        if a != b:
            change.notes.append(f"lines without a key (e.g. footer) differ: {len(a)} before, "
                                f"{len(b)} after")


def _raw_changes(connection, project_dir: Path, store: RawStore
                 ) -> tuple[list[RawFileChange], list[str]]:
    from cluster_resilience.warehouse.raw_checks.sources import (
        RawFileError,
        discover_sources,
        read_as_source,
    )
    from cluster_resilience.warehouse.raw_checks.suites import build_suites, load_reference

    before = raw_fingerprints(connection, "old")
    after = raw_fingerprints(connection, "new")
    if after is None:
        return [], ["raw files not compared: the new build has no dim_raw_file"]
    if before is None:
        return [], ["raw files not compared: the published warehouse has no dim_raw_file "
                    "(published before raw files were fingerprinted)"]
    sources = {source.relative_path: source for source in discover_sources(project_dir)}
    suites = build_suites(load_reference(project_dir, None))
    changes = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            changes.append(RawFileChange(before[path][0], path, "removed"))
            continue
        if path not in before:
            changes.append(RawFileChange(after[path][0], path, "added"))
            continue
        (source_name, old_sha), (_, new_sha) = before[path], after[path]
        if old_sha == new_sha:
            continue
        change = RawFileChange(source_name, path, "changed")
        changes.append(change)
        stored, source = store.path(old_sha), sources.get(path)
        if source is None or not stored.exists():
            change.notes.append("the previously published version is not stored: cells not "
                                "compared" if source else "no dbt source reads it any more")
            continue
        try:
            old = read_as_source(source, stored, f"{path} (as last published)")
            new = read_as_source(source, Path(project_dir) / path)
        except RawFileError as error:
            change.notes.append(f"cells not compared: {error}")
            continue
        suite = suites.get(source.name)
        try:
            _compare_raw_file(change, old, new, suite.key if suite else ())
        except Exception as error:  # the report must not stop a build; say what went wrong
            change.notes.append(f"cells not compared: {type(error).__name__}: {error}")
        if not (change.rows_added or change.rows_removed or change.cells_changed
                or change.notes):
            change.notes.append("same cells, different bytes (line endings, BOM, quoting)")
    return changes, []


# ------------------------------------------------------------------------------ entry point
def compare_publications(
    new: Path, published: Path | None, *, manifest: Path, project_dir: Path, store: RawStore,
) -> ChangeReport:
    """Compare the publication copy ``new`` with the ``published`` warehouse (None: first)."""
    report = ChangeReport(Path(new), Path(published) if published else None)
    if published is None or not Path(published).exists():
        report.published = None
        return report
    keys = table_keys(manifest)
    connection = duckdb.connect()
    try:
        connection.execute(f"attach {sql_string(str(published))} as old (read_only)")
        connection.execute(f"attach {sql_string(str(new))} as new (read_only)")
        tables = {}
        for side in ("old", "new"):
            tables[side] = {
                (schema, name) for schema, name in connection.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = ? "
                    "and list_contains(?, schema_name)", [side, list(PUBLIC_SCHEMAS)]).fetchall()}
        for schema, name in sorted(tables["old"] | tables["new"]):
            if (schema, name) not in tables["old"]:
                (rows,) = connection.execute(
                    f"select count(*) from new.{quote(schema)}.{quote(name)}").fetchone()
                report.tables.append(TableChange(schema, name, None, None, int(rows)))
            elif (schema, name) not in tables["new"]:
                (rows,) = connection.execute(
                    f"select count(*) from old.{quote(schema)}.{quote(name)}").fetchone()
                report.tables.append(TableChange(schema, name, None, int(rows), None))
            else:
                report.tables.append(
                    _compare_table(connection, schema, name, keys.get((schema, name))))
        report.headlines, notes = _headlines(connection)
        report.notes.extend(notes)
        for side in ("old", "new"):
            if {"run_id"} <= set(_columns(connection, side, "main", "dim_raw_file")):
                run = connection.execute(
                    f"select min(run_id) from {side}.main.dim_raw_file").fetchone()[0]
                setattr(report, "run_before" if side == "old" else "run_after", run)
        report.raw_files, notes = _raw_changes(connection, Path(project_dir), store)
        report.raw_compared = not notes
        report.notes.extend(notes)
    finally:
        connection.close()
    return report
