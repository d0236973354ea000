"""The Great Expectations suites of the raw files, as code: one suite per dbt source table.

Each suite states what any vintage of an agency file must look like: its columns in order, the
type of every column (as a pattern over the text dbt reads), the key that must be unique, value
ranges, allowed codes (the agencies' suppression codes are exactly the ones the staging macro
decodes) and, for BEA, the footer. Nothing here names a vintage's years or row count: the years
are read from the file itself (``YearGrain``) and checked for what a truncated, filtered or
misaligned file breaks -- the years present run without a gap, every state has a row in every
year, every series has a row in every year of its span, so the row count is keys x years -- and
against a sane absolute window (``macros/source_years.sql``). ``checks.py`` adds one comparison
outside the suites: a file may end no earlier than the release the published warehouse was built
from (its ``dim_source_vintage``), which guards a file truncated at a year boundary (it is kept
out of the suites so that a file's cached GX result stays valid across builds). A newer release
(more years, one more BEA year column) passes with no edit. GX guards the raw inputs; the dbt
tests guard the models (identities such as manufacturing GDP <= GDP, or sums of states = US, live
in dbt and are not repeated here).

The suites are plain data (``RawSuite``) turned into GX expectations by ``checks.py``; the
reference sets (state FIPS, names, postal codes, NAICS codes of the crosswalks, suppression
codes, the year window, the NAICS editions USCM maps) are read from the repo
(``seeds/states.csv``, ``seeds/naics_editions.csv``, ``macros/decode_suppressed_value.sql``,
``macros/source_years.sql``, the crosswalk files) so that GX and dbt never disagree on what is
allowed.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------------------- type patterns
INTEGER = r"^-?[0-9]+$"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
YEAR = r"^[0-9]{4}$"
R_NA = "NA"  # R's missing value, written by the EconData CBP extract (decoded by decode_r_na)
BOOLEAN = frozenset({"True", "False"})

# A year-named column of a wide file (BEA: one column per year).
YEAR_COLUMN = re.compile(r"^[0-9]{4}$")

# USCM cluster codes (DESIGN.md section 2): 51 traded (1-51) and 16 local (101-116).
CLUSTER_CODES = frozenset(str(code) for code in [*range(1, 52), *range(101, 117)])

# Reference tables without a year (USCM definitions, crosswalks): row counts within a tolerance of
# the shipped file; a file that lost more than 5 % of its rows was truncated or filtered.
ROWS_BELOW, ROWS_ABOVE = 0.05, 0.25


@dataclass(frozen=True)
class YearWindow:
    """The sane absolute window of years (macros/source_years.sql): not before ``earliest``, not
    after ``latest`` (the current year + YEARS_AFTER_CURRENT)."""

    earliest: int
    latest: int

    def why(self) -> str:
        return (f"a year from {self.earliest} to {self.latest} (macros/source_years.sql: not "
                "before EARLIEST_SOURCE_YEAR, not after the current year + YEARS_AFTER_CURRENT)")


@dataclass(frozen=True)
class PreviousVintage:
    """The years of a source in the published warehouse (its dim_source_vintage row)."""

    first_year: int
    last_year: int
    raw_file_path: str
    label: str


@dataclass(frozen=True)
class YearGrain:
    """How the rows of a file spread over its years, derived from the years it holds.

    - the years present run without a gap from the first to the last, inside ``window``;
    - ``grid``: every combination of these columns' values (a reference set, or None for every
      value the file holds) has a row in every year present;
    - ``series``: each series (these key columns) has a row in every year from its own first to
      its own last year (a series may start later, never skip a year);
    - ``complete``: the grid is the file's whole key, so the row count is keys x years;
    - ``single_year``: the file holds one year only;
    - ``column``: the year column, or None for a wide file (one column per year after the
      suite's fixed columns: the header must carry every year from the first to the last).
    """

    window: YearWindow
    column: str | None
    grid: tuple[tuple[str, frozenset[str] | None], ...] = ()
    series: tuple[str, ...] = ()
    complete: bool = False
    single_year: bool = False
    why: str = ""


@dataclass(frozen=True)
class Pattern:
    """Every non-null value of a column matches ``regex`` (full match)."""

    regex: str
    why: str


@dataclass(frozen=True)
class Range:
    """The numeric value of a column (its text read as a number) lies in [low, high]."""

    low: float | None
    high: float | None
    why: str


@dataclass(frozen=True)
class Allowed:
    """Every non-null value of a column is one of ``values``."""

    values: frozenset[str]
    why: str


@dataclass(frozen=True)
class Pairs:
    """Every (column_a, column_b) pair of a row is one of ``pairs`` (e.g. FIPS with its name)."""

    column_a: str
    column_b: str
    pairs: frozenset[tuple[str, str]]
    why: str


@dataclass(frozen=True)
class Footer:
    """Trailing non-data lines: rows whose ``marker`` column is NULL are footer lines; there
    must be exactly one per ``lines`` pattern, in that order, after the last data row, with
    their text in ``text_column``."""

    marker: str
    text_column: str
    lines: tuple[tuple[str, str], ...]  # (name, regex) in file order


@dataclass(frozen=True)
class Cells:
    """The value cells of a wide file (its year-named columns, whatever years they are): every
    cell is present, matches ``pattern`` and its number lies in ``bounds``. Validated as one
    long list of cells (column, value), so a file with 26 year columns costs three
    expectations, not 78."""

    pattern: Pattern
    bounds: Range


@dataclass(frozen=True)
class RawSuite:
    """What one raw file must look like."""

    source: str
    description: str
    columns: tuple[str, ...]  # wide files: the fixed columns before the year columns
    key: tuple[str, ...]
    shipped_rows: int | None = None  # reference tables only: data rows of the shipped file
    not_null: tuple[str, ...] = ()
    patterns: Mapping[str, Pattern] = field(default_factory=dict)
    ranges: Mapping[str, Range] = field(default_factory=dict)
    allowed: Mapping[str, Allowed] = field(default_factory=dict)
    pairs: tuple[Pairs, ...] = ()
    must_contain: Mapping[str, frozenset[str]] = field(default_factory=dict)
    distinct_counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    footer: Footer | None = None
    cells: Cells | None = None
    years: YearGrain | None = None

    @property
    def row_bounds(self) -> tuple[int, int] | None:
        if self.shipped_rows is None:
            return None
        low = int(self.shipped_rows * (1 - ROWS_BELOW))
        high = int(round(self.shipped_rows * (1 + ROWS_ABOVE)))
        return low, high


@dataclass(frozen=True)
class Reference:
    """Allowed values read from the repo, shared by the suites."""

    state_fips: frozenset[str]  # 51: 50 states + DC, two digits
    state_names: frozenset[str]
    state_postal: frozenset[str]
    fips_name: frozenset[tuple[str, str]]
    fips_postal: frozenset[tuple[str, str]]
    suppression_codes: tuple[str, ...]
    # every NAICS code of the USCM and ACR1 crosswalks (None: a crosswalk is unreadable)
    crosswalk_naics: frozenset[str] | None
    window: YearWindow = YearWindow(0, 9999)
    # NAICS editions USCM's crosswalk maps (seeds/naics_editions.csv, in_uscm_crosswalk)
    uscm_naics_editions: frozenset[str] = frozenset()


# BLS CES State and Area also publishes Puerto Rico and the US Virgin Islands.
TERRITORIES = {"72": ("PR", "Puerto Rico"), "78": ("VI", "Virgin Islands")}


def suppression_codes_from_macro(project_dir: Path) -> tuple[str, ...]:
    """The codes ``decode_suppressed_value`` turns into NULL (one list for GX and dbt)."""
    path = project_dir / "macros" / "decode_suppressed_value.sql"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"macro suppression_codes\(\)(.*?)endmacro", text, flags=re.DOTALL)
    block = match.group(1) if match else ""
    codes = tuple(re.findall(r"'([^']+)'", block))
    if not codes:
        raise RuntimeError(f"{path}: cannot find the suppression_codes() list")
    return codes


def year_window_from_macro(project_dir: Path, today: datetime.date | None = None) -> YearWindow:
    """The year window ``source_year_window()`` declares (one definition for GX and dbt)."""
    path = project_dir / "macros" / "source_years.sql"
    text = path.read_text(encoding="utf-8")
    earliest = re.search(r"set EARLIEST_SOURCE_YEAR = ([0-9]+)", text)
    ahead = re.search(r"set YEARS_AFTER_CURRENT = ([0-9]+)", text)
    if earliest is None or ahead is None:
        raise RuntimeError(f"{path}: cannot find EARLIEST_SOURCE_YEAR and YEARS_AFTER_CURRENT")
    year = (today or datetime.date.today()).year
    return YearWindow(int(earliest.group(1)), year + int(ahead.group(1)))


def load_reference(project_dir: Path, crosswalk_naics: frozenset[str] | None) -> Reference:
    with (project_dir / "seeds" / "states.csv").open(encoding="utf-8", newline="") as handle:
        states = list(csv.DictReader(handle))
    fips = [row["state_fips"].zfill(2) for row in states]
    with (project_dir / "seeds" / "naics_editions.csv").open(encoding="utf-8",
                                                           newline="") as handle:
        editions = frozenset(row["naics_edition"] for row in csv.DictReader(handle)
                             if row["in_uscm_crosswalk"].strip().lower() == "true")
    return Reference(
        state_fips=frozenset(fips),
        state_names=frozenset(row["state_name"] for row in states),
        state_postal=frozenset(row["state_postal"] for row in states),
        fips_name=frozenset(zip(fips, (row["state_name"] for row in states), strict=True)),
        fips_postal=frozenset(zip(fips, (row["state_postal"] for row in states), strict=True)),
        suppression_codes=suppression_codes_from_macro(project_dir),
        crosswalk_naics=crosswalk_naics,
        window=year_window_from_macro(project_dir),
        uscm_naics_editions=editions,
    )


def _number_or_code(codes: tuple[str, ...]) -> Pattern:
    alternatives = "|".join(re.escape(code) for code in codes)
    return Pattern(
        rf"^(-?[0-9]+(\.[0-9]+)?|{alternatives})$",
        "a plain number (no thousands separator) or one of the suppression codes the staging "
        f"macro decodes: {', '.join(codes)}; a new code must be added to "
        "macros/decode_suppressed_value.sql first",
    )


def _year(column: str, window: YearWindow) -> tuple[dict[str, Pattern], dict[str, Range]]:
    return (
        {column: Pattern(YEAR, "a four-digit year")},
        {column: Range(window.earliest, window.latest, window.why())},
    )


def _unpadded(fips: frozenset[str]) -> frozenset[str]:
    """CBP writes state FIPS as integers ('1'); accept the zero-padded form too."""
    return frozenset({*fips, *(str(int(code)) for code in fips)})


def _bea_suite(source: str, table: str, unit: str, title: str, reference: Reference) -> RawSuite:
    areas = {"00000", *(f"{code}000" for code in reference.state_fips),
             *(f"9{region}000" for region in range(1, 9))}
    value = _number_or_code(reference.suppression_codes)
    return RawSuite(
        source=source,
        description=f"BEA {table}: area x industry line, one column per year; 4 footer lines.",
        columns=("GeoFIPS", "GeoName", "Region", "TableName", "LineCode",
                 "IndustryClassification", "Description", "Unit"),
        key=("GeoFIPS", "LineCode"),
        not_null=("GeoFIPS", "GeoName", "LineCode", "Description"),
        patterns={"LineCode": Pattern(INTEGER, "an integer industry line code")},
        ranges={"LineCode": Range(1, 200, "BEA line codes run from 1 to about 100")},
        cells=Cells(
            pattern=value,
            bounds=Range(0, 1e8, "GDP in millions of dollars: not negative in this table "
                         "and below $100 trillion"),
        ),
        years=YearGrain(
            window=reference.window, column=None,
            why="one value cell per area x line for every year column, the year columns "
                "contiguous from the first year present to the last",
        ),
        allowed={
            "GeoFIPS": Allowed(frozenset(areas), "the US (00000), the 50 states and DC "
                               "(seeds/states.csv, as <fips>000) or a BEA region (91000-98000)"),
            "Region": Allowed(frozenset({" ", *(str(r) for r in range(1, 9))}),
                              "a BEA region code 1-8 (blank for the US)"),
            "TableName": Allowed(frozenset({table}), f"this file is {table}"),
            "Unit": Allowed(frozenset({unit}), f"the unit of {table} is '{unit}'"),
        },
        must_contain={"LineCode": frozenset({"1", "12"})},
        distinct_counts={"GeoFIPS": (len(areas), len(areas))},
        footer=Footer(
            marker="LineCode",
            text_column="GeoFIPS",
            lines=(
                ("note", r"^Note: See the included footnote file\.$"),
                ("title", rf"^{table}: {re.escape(title)}"),
                ("last updated", r"^Last updated: [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}"),
                ("agency", r"^U\.S\. Bureau of Economic Analysis$"),
            ),
        ),
    )


def _cbp_measures(reference: Reference) -> tuple[dict[str, Pattern], dict[str, Range]]:
    count = Pattern(rf"^(-?[0-9]+|{R_NA})$", "an integer count or R's NA (decode_r_na)")
    dollars = Pattern(
        r"^(-?[0-9]+(\.[0-9]+)?(e\+?[0-9]+)?|NA)$",
        "dollars as a number (R may write 1.5e+09) or R's NA",
    )
    patterns = {"employment_march": count, "establishments": count, "payroll_quarter1": dollars}
    ranges = {
        "employment_march": Range(0, 1e9, "paid employees: a head count, never negative"),
        "establishments": Range(0, 1e8, "establishments: a count, never negative"),
        "payroll_quarter1": Range(0, 1e13, "Q1 payroll in dollars: never negative"),
    }
    return patterns, ranges


def build_suites(reference: Reference) -> dict[str, RawSuite]:
    """Every raw-file suite, by dbt source name."""
    r = reference
    bls_fips = r.state_fips | set(TERRITORIES)
    cbp_fips = _unpadded(r.state_fips)
    cbp_patterns, cbp_ranges = _cbp_measures(r)
    window = r.window
    cbp_year_pattern, cbp_year_range = _year("year", window)
    cbp_fips_allowed = Allowed(cbp_fips, "a state or DC FIPS code (seeds/states.csv)")
    cbp_state_pairs = Pairs(
        "state_fips", "state_name",
        frozenset({*r.fips_name, *((str(int(f)), n) for f, n in r.fips_name)}),
        "state_fips and state_name name the same state (seeds/states.csv)",
    )
    cbp_common = dict(
        patterns={**cbp_patterns, **cbp_year_pattern},
        ranges={**cbp_ranges, **cbp_year_range},
    )
    bls_year_pattern, bls_year_range = _year("year", window)
    trade_year_pattern, trade_year_range = _year("Year", window)
    cbp_states = ("state_fips", frozenset(str(int(code)) for code in r.state_fips))
    uscm_counts = ("emp_tl", "emp_reported_tl", "est_tl", "rec_count_tl")
    uscm_money = ("qp1_tl", "ap_tl", "private_wage_tf", "lq_tf", "region_emp_per_tf",
                  "cluster_emp_per_tf")
    decimal_e = r"^-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$"
    trade = dict(
        columns=("NAICS", "CountryName", "State", "Value", "Year"),
        key=("Year", "State", "NAICS"),
        not_null=("NAICS", "CountryName", "State", "Value", "Year"),
        patterns={
            "NAICS": Pattern(r"^(-|31-33|[0-9]{2,4})$",
                             "a 2- to 4-digit NAICS code, '31-33' or '-' (all commodities)"),
            "Value": _number_or_code(r.suppression_codes),
            **trade_year_pattern,
        },
        ranges={"Value": Range(0, 1e13, "annual trade in dollars: not negative"),
                **trade_year_range},
        allowed={
            "CountryName": Allowed(frozenset({"TOTAL FOR ALL COUNTRIES"}),
                                   "the extract holds all-country totals only"),
            "State": Allowed(r.state_names, "a state or DC name (seeds/states.csv)"),
        },
        must_contain={"NAICS": frozenset({"-", "31", "32", "33"})},
        distinct_counts={"State": (len(r.state_names), len(r.state_names))},
        years=YearGrain(
            window=window, column="Year",
            grid=(("State", r.state_names), ("NAICS", frozenset({"-", "31", "32", "33"}))),
            why="every state has the all-commodity total (NAICS '-') and the manufactures "
                "31, 32, 33 (what the models read) in every year present",
        ),
    )
    suites = [
        _bea_suite("bea.sagdp2n", "SAGDP2N", "Millions of current dollars",
                   "Gross domestic product (GDP) by state", r),
        _bea_suite("bea.sagdp9n", "SAGDP9N", "Millions of chained 2012 dollars",
                   "Real GDP by state", r),
        RawSuite(
            source="bls.ces_state_annual",
            description="BLS CES State and Area annual averages, all employees (thousands).",
            columns=("year", "dtype", "dtypef", "ssector", "ssectorf", "ind", "indf",
                     "stabbr", "stcode", "stname", "value"),
            key=("year", "stcode", "ind"),
            not_null=("year", "dtype", "ind", "stabbr", "stcode", "value"),
            patterns={"ind": Pattern(r"^[0-9]{8}$", "an 8-digit CES industry code"),
                      "value": _number_or_code(r.suppression_codes), **bls_year_pattern},
            ranges={"value": Range(0, 1e6, "employment in thousands: not negative, and below "
                                   "a billion jobs"), **bls_year_range},
            allowed={
                "dtype": Allowed(frozenset({"01"}), "data type 01 = all employees, thousands"),
                "stcode": Allowed(frozenset(bls_fips), "a state, DC, PR or VI FIPS code"),
            },
            pairs=(Pairs("stcode", "stabbr",
                         frozenset({*r.fips_postal,
                                    *((f, p) for f, (p, _) in TERRITORIES.items())}),
                         "stcode and stabbr name the same state"),),
            must_contain={"ind": frozenset({"00000000", "30000000"})},
            distinct_counts={"stcode": (len(bls_fips), len(bls_fips))},
            years=YearGrain(
                window=window, column="year",
                grid=(("stcode", frozenset(bls_fips)),
                      ("ind", frozenset({"00000000", "30000000"}))),
                series=("stcode", "ind"),
                why="every state, DC, PR and VI has total nonfarm (00000000) and manufacturing "
                    "(30000000) in every year present, and every state x industry series has "
                    "a row in every year from its first to its last",
            ),
        ),
        RawSuite(
            source="cbp.national_total",
            description="CBP US totals, one row per year.",
            columns=("employment_march", "establishments", "payroll_quarter1", "year"),
            key=("year",),
            not_null=("employment_march", "establishments", "payroll_quarter1", "year"),
            years=YearGrain(window=window, column="year", complete=True,
                            why="one US row per year present"),
            **cbp_common,
        ),
        RawSuite(
            source="cbp.national_industry6",
            description="CBP US x NAICS-6 x year.",
            columns=("naics", "employment_march", "establishments", "payroll_quarter1", "year"),
            key=("naics", "year"),
            years=YearGrain(window=window, column="year",
                            why="US NAICS-6 rows in every year present (codes change with "
                                "the NAICS edition, so a code may start or stop)"),
            not_null=("naics", "year"),
            patterns={**cbp_common["patterns"],
                      "naics": Pattern(r"^[0-9]{6}$", "a six-digit NAICS code")},
            ranges=cbp_common["ranges"],
            allowed={"naics": Allowed(r.crosswalk_naics,
                                      "a NAICS code of the USCM or ACR1 crosswalk (an unknown "
                                      "code would drop its employment from every cluster)")}
            if r.crosswalk_naics is not None else {},
        ),
        RawSuite(
            source="cbp.state_total",
            description="CBP state totals, one row per state and year.",
            columns=("state_fips", "state_name", "year", "employment_march", "establishments",
                     "payroll_quarter1"),
            key=("state_fips", "year"),
            years=YearGrain(window=window, column="year", grid=(cbp_states,), complete=True,
                            why="one row per state and DC in every year present"),
            not_null=("state_fips", "state_name", "year"),
            allowed={"state_fips": cbp_fips_allowed},
            pairs=(cbp_state_pairs,),
            distinct_counts={"state_fips": (51, 51)},
            **cbp_common,
        ),
        RawSuite(
            source="cbp.state_industry2",
            description="CBP state x NAICS sector x year.",
            columns=("naics", "state_fips", "state_name", "year", "employment_march",
                     "establishments", "payroll_quarter1", "sector", "supersector"),
            key=("naics", "state_fips", "year"),
            years=YearGrain(window=window, column="year",
                            grid=(cbp_states, ("naics", frozenset({"31"}))),
                            why="every state and DC has its manufacturing sector (31) in every "
                                "year present"),
            not_null=("naics", "state_fips", "year"),
            allowed={
                "state_fips": cbp_fips_allowed,
                "naics": Allowed(frozenset({"11", "21", "22", "23", "31", "42", "44", "48", "51",
                                            "52", "53", "54", "55", "56", "61", "62", "71", "72",
                                            "81", "95", "99"}),
                                 "a CBP sector code (31 = manufacturing 31-33)"),
            },
            pairs=(cbp_state_pairs,),
            must_contain={"naics": frozenset({"31"})},
            distinct_counts={"state_fips": (51, 51)},
            **cbp_common,
        ),
        RawSuite(
            source="cbp.state_industry3",
            description="CBP state x NAICS-3 x year (published cells only).",
            columns=("state_fips", "state_name", "year", "naics", "employment_march",
                     "establishments", "payroll_quarter1"),
            key=("state_fips", "year", "naics"),
            years=YearGrain(window=window, column="year", grid=(cbp_states,),
                            why="every state and DC has published NAICS-3 cells in every year "
                                "present (unpublished cells are absent, so no code is required)"),
            not_null=("state_fips", "year", "naics"),
            patterns={**cbp_common["patterns"],
                      "naics": Pattern(r"^[0-9]{3}$", "a three-digit NAICS code")},
            ranges=cbp_common["ranges"],
            allowed={"state_fips": cbp_fips_allowed},
            pairs=(cbp_state_pairs,),
            distinct_counts={"state_fips": (51, 51)},
        ),
        RawSuite(source="census_trade.state_exports",
                 description="Census origin-of-movement exports by state x NAICS x year.",
                 **trade),
        RawSuite(source="census_trade.state_imports",
                 description="Census general imports by state x NAICS x year.",
                 **trade),
        RawSuite(
            source="uscm.state_cluster_2016",
            description="USCM state x cluster, one data year.",
            columns=(
                "id", "type_t", "cluster_name_t", "cluster_code_t", "key_t", "year_t",
                "region_type_t", "region_code_t", "region_name_t", "region_short_name_t",
                "region_area_type_t", "region_key_t", "traded_b", "subcluster_b", "empflag_t",
                "emp_tl", "emp_reported_tl", "qp1_tl", "est_tl", "ap_tl", "private_wage_tf",
                "rec_count_tl", "supression_b", "naics_b", "lq_tf", "region_emp_per_tf",
                "cluster_emp_per_tf", "emp_tl_rank_i", "emp_tl_per_rank_i",
                "private_wage_tf_rank_i", "private_wage_tf_per_rank_i", "lq_tf_rank_i",
                "lq_tf_per_rank_i", "est_tl_rank_i", "est_tl_per_rank_i", "timestamp",
                "qualifying_b", "significant_b", "strong_b", "strong10_b", "cluster_type",
            ),
            key=("region_code_t", "cluster_code_t"),
            years=YearGrain(window=window, column="year_t",
                            grid=(("region_code_t", None), ("cluster_code_t", CLUSTER_CODES)),
                            complete=True, single_year=True,
                            why="one data year; every state the file holds has a row for every "
                                "USCM cluster (rows = states x 67 clusters)"),
            not_null=("region_code_t", "cluster_code_t", "year_t", "emp_tl", "emp_reported_tl",
                      "est_tl", "ap_tl", "qp1_tl", "lq_tf", "traded_b", "cluster_type"),
            patterns={
                **{column: Pattern(INTEGER, "an integer count") for column in uscm_counts},
                **{column: Pattern(decimal_e, "a number") for column in uscm_money},
                "cluster_code_t": Pattern(INTEGER, "an integer cluster code"),
                **_year("year_t", window)[0],
            },
            ranges={
                **_year("year_t", window)[1],
                **{column: Range(0, 1e9, "a count: never negative") for column in uscm_counts},
                "qp1_tl": Range(0, 1e10, "Q1 payroll ($1,000): never negative"),
                "ap_tl": Range(0, 1e10, "annual payroll ($1,000): never negative"),
                "private_wage_tf": Range(0, 1e7, "average wage ($): never negative"),
                "lq_tf": Range(0, 1e4, "a location quotient: never negative"),
                "region_emp_per_tf": Range(0, 1, "a share"),
                "cluster_emp_per_tf": Range(0, 1, "a share"),
            },
            allowed={
                "region_code_t": Allowed(r.state_fips, "a state FIPS code (seeds/states.csv)"),
                "cluster_code_t": Allowed(CLUSTER_CODES, "a USCM cluster code (1-51, 101-116)"),
                "type_t": Allowed(frozenset({"cluster"}), "cluster-level rows"),
                "region_type_t": Allowed(frozenset({"state"}), "state rows"),
                "cluster_type": Allowed(frozenset({"traded", "local"}), "traded or local"),
                **{column: Allowed(BOOLEAN, "True or False") for column in (
                    "traded_b", "subcluster_b", "supression_b", "naics_b", "qualifying_b",
                    "significant_b", "strong_b", "strong10_b")},
            },
            distinct_counts={"region_code_t": (50, 50), "cluster_code_t": (67, 67)},
        ),
        RawSuite(
            source="uscm.clusters_meta",
            description="USCM cluster definitions (67 clusters).",
            columns=("cluster_code", "cluster_key", "cluster_name", "short_name", "cluster_type",
                     "n_subclusters", "n_naics_2012", "api_id", "api_timestamp"),
            shipped_rows=67,
            key=("cluster_code",),
            not_null=("cluster_code", "cluster_name", "cluster_type"),
            patterns={"n_subclusters": Pattern(INTEGER, "an integer"),
                      "n_naics_2012": Pattern(INTEGER, "an integer")},
            ranges={"n_subclusters": Range(1, 100, "at least one sub-cluster"),
                    "n_naics_2012": Range(1, 1000, "at least one NAICS code")},
            allowed={
                "cluster_code": Allowed(CLUSTER_CODES, "a USCM cluster code (1-51, 101-116)"),
                "cluster_type": Allowed(frozenset({"traded", "local"}), "traded or local"),
            },
            pairs=(Pairs("cluster_code", "cluster_type",
                         frozenset((code, "traded" if int(code) <= 51 else "local")
                                   for code in CLUSTER_CODES),
                         "codes 1-51 are traded, 101-116 local"),),
            distinct_counts={"cluster_code": (67, 67)},
        ),
        RawSuite(
            source="uscm.subclusters",
            description="USCM sub-clusters (316).",
            columns=("cluster_code", "subcluster_code", "subcluster_name"),
            shipped_rows=316,
            key=("cluster_code", "subcluster_code"),
            not_null=("cluster_code", "subcluster_code", "subcluster_name"),
            patterns={"subcluster_code": Pattern(INTEGER, "an integer")},
            ranges={"subcluster_code": Range(1, 100, "sub-cluster codes start at 1")},
            allowed={"cluster_code": Allowed(CLUSTER_CODES, "a USCM cluster code")},
        ),
        RawSuite(
            source="uscm.cluster_naics_crosswalk",
            description="USCM NAICS -> cluster, for each NAICS edition USCM maps.",
            columns=("cluster_code", "naics_vintage", "naics_code", "naics_title"),
            shipped_rows=4240,
            key=("naics_vintage", "naics_code"),
            not_null=("cluster_code", "naics_vintage", "naics_code"),
            patterns={"naics_code": Pattern(r"^[0-9]{6}$", "a six-digit NAICS code")},
            allowed={
                "cluster_code": Allowed(CLUSTER_CODES, "a USCM cluster code"),
                "naics_vintage": Allowed(r.uscm_naics_editions,
                                         "a NAICS edition USCM maps (seeds/naics_editions.csv, "
                                         "in_uscm_crosswalk)"),
            },
        ),
        RawSuite(
            source="uscm.naics2012_cluster_subcluster",
            description="Derived NAICS-2012 -> cluster and sub-cluster.",
            columns=("naics_code", "naics_title", "cluster_code", "cluster_name", "cluster_type",
                     "subcluster_code", "subcluster_name", "subcluster_source"),
            shipped_rows=978,
            key=("naics_code",),
            not_null=("naics_code", "cluster_code", "cluster_type", "subcluster_source"),
            patterns={"naics_code": Pattern(r"^[0-9]{6}$", "a six-digit NAICS code"),
                      "subcluster_code": Pattern(INTEGER, "an integer")},
            allowed={
                "cluster_code": Allowed(CLUSTER_CODES, "a USCM cluster code"),
                "cluster_type": Allowed(frozenset({"traded", "local"}), "traded or local"),
                "subcluster_source": Allowed(
                    frozenset({"name_match_acr1_to_uscm_meta", "unmatched"}),
                    "how the sub-cluster was found"),
            },
        ),
        RawSuite(
            source="uscm.acr1_crosswalk",
            description="ACR1 NAICS -> cluster and sub-cluster names.",
            columns=("NAICS", "TradedLocal", "Cluster", "SubclusterName",
                     "EmsiSpecificNAICS (non standard)", "Description"),
            shipped_rows=992,
            key=("NAICS",),
            not_null=("NAICS", "TradedLocal"),
            patterns={"NAICS": Pattern(r"^[0-9]{6}$", "a six-digit NAICS code")},
            allowed={
                "TradedLocal": Allowed(frozenset({"Traded", "Local"}), "Traded or Local"),
                "EmsiSpecificNAICS (non standard)": Allowed(
                    frozenset({"True", "False", "TRUE", "FALSE"}), "a boolean DuckDB casts"),
            },
        ),
    ]
    return {suite.source: suite for suite in suites}
