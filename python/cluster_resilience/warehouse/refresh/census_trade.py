"""Census international trade by state and NAICS (exports, imports), API key required.

``https://api.census.gov/data/timeseries/intltrade/{exports,imports}/statenaics`` answers a
query such as ``?get=NAICS,CTY_NAME,STATE,ALL_VAL_YR&YEAR=2018&MONTH=12&key=...`` with a JSON
array of arrays: a header row, then one row of strings per record, the predicate variables
(YEAR, MONTH) appended as columns. December's year-to-date value (``ALL_VAL_YR`` for
origin-of-movement exports, ``GEN_VAL_YR`` for general imports) is the annual total; asking for
``CTY_NAME`` without ``CTY_CODE`` gives the all-countries total (the query the shipped extract,
USEPA/stateior, used). A year with no data yet is answered 204 (no content).

Since 2026-05 every call needs a key (``CENSUS_API_KEY``); a keyless or invalid-key call is
answered by a 302 redirect to an HTML page, which is reported as such. The key is redacted
(``key=REDACTED``) in every URL the refresh writes or logs.

Layout written (as shipped): ``NAICS,CountryName,State,Value,Year``, states by name
(``seeds/states.csv``: 50 states and DC; Puerto Rico, the Virgin Islands and unallocated codes
are dropped, as in the shipped extract), values in dollars as the API prints them, sorted by
year, state and NAICS. Years are updated in place: refreshed years replace their rows, the
file's other years are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .base import CENSUS_KEY_ENV, RefreshContext, Source, first_year_of, load_states
from .client import AgencyClient, Fetch
from .files import CsvLayout, Output, RefreshError, merge_years, read_rows

API_URL = "https://api.census.gov/data/timeseries/intltrade/{flow}/statenaics"
KEY_SIGNUP = "https://api.census.gov/data/key_signup.html"
NO_CONTENT = 204
REDIRECTS = frozenset({301, 302, 303, 307, 308})
VALUE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
COUNTRY_TOTAL = "TOTAL FOR ALL COUNTRIES"


@dataclass(frozen=True)
class Flow:
    flow: str  # "exports" / "imports" (URL path)
    measure: str  # the annual variable
    dbt_source: str


FLOWS = (
    Flow("exports", "ALL_VAL_YR", "census_trade.state_exports"),
    Flow("imports", "GEN_VAL_YR", "census_trade.state_imports"),
)

LAYOUT = CsvLayout(
    columns=("NAICS", "CountryName", "State", "Value", "Year"),
    sort_key=lambda row: (row["Year"], row["State"], row["NAICS"]),
)


class CensusKeyError(RefreshError):
    """api.census.gov answered a redirect or HTML instead of JSON: the key is missing/invalid."""


def query(flow: Flow, year: int, key: str | None) -> dict[str, str]:
    params = {"get": f"NAICS,CTY_NAME,STATE,{flow.measure}", "YEAR": str(year), "MONTH": "12"}
    if key:
        params["key"] = key
    return params


def fetch_year(
    client: AgencyClient, context: RefreshContext, flow: Flow, year: int, key: str | None
) -> tuple[Fetch, list[list[str]] | None]:
    """One flow-year: (request record, rows) or (record, None) when the year has no data yet."""
    body = context.workdir / f"{flow.flow}_{year}.json"
    url = API_URL.format(flow=flow.flow)
    fetch = client.download(url, body, params=query(flow, year, key),
                            accept={200, NO_CONTENT, *REDIRECTS})
    if fetch.status in REDIRECTS:
        raise CensusKeyError(
            f"{fetch.url}: api.census.gov answered HTTP {fetch.status} (to "
            f"{fetch.location or 'an HTML page'}) instead of JSON: every call needs an API key "
            f"since 2026-05, and {CENSUS_KEY_ENV} is missing or not a valid key "
            f"(free key: {KEY_SIGNUP})"
        )
    if fetch.status == NO_CONTENT:
        return fetch, None
    text = body.read_bytes().decode("utf-8", "replace")
    if "html" in (fetch.content_type or "").lower() or text.lstrip().startswith("<"):
        raise CensusKeyError(
            f"{fetch.url}: api.census.gov answered HTML instead of JSON (an invalid "
            f"{CENSUS_KEY_ENV}, or a changed API): {client.redact(text[:200])!r}"
        )
    try:
        table = json.loads(text)
    except json.JSONDecodeError as error:
        raise RefreshError(f"{fetch.url}: not JSON ({error}); truncated response?") from None
    if (not isinstance(table, list) or not table
            or not all(isinstance(row, list) for row in table)):
        raise RefreshError(f"{fetch.url}: expected a JSON array of arrays")
    return fetch, table


def layout_rows(
    flow: Flow, year: int, table: list[list[str]], names: Mapping[str, str], url: str
) -> list[dict[str, str]]:
    """The shipped layout's rows from one API answer."""
    header, *records = table
    wanted = ("NAICS", "CTY_NAME", "STATE", flow.measure, "YEAR")
    missing = [column for column in wanted if column not in header]
    if missing:
        raise RefreshError(f"{url}: header {header} lacks {missing}")
    index = {column: header.index(column) for column in wanted}
    rows, seen = [], set()
    for number, record in enumerate(records, start=2):
        if len(record) != len(header):
            raise RefreshError(f"{url}, row {number}: {len(record)} values, header has "
                               f"{len(header)}")
        get = {column: (record[position] or "").strip() for column, position in index.items()}
        if get["YEAR"] != str(year):
            raise RefreshError(f"{url}, row {number}: YEAR {get['YEAR']}, asked for {year}")
        if not get["NAICS"] or get["STATE"] not in names:
            continue  # no commodity, or not one of the 50 states and DC
        if get["CTY_NAME"] != COUNTRY_TOTAL:
            raise RefreshError(f"{url}, row {number}: CTY_NAME {get['CTY_NAME']!r}, expected "
                               f"{COUNTRY_TOTAL!r} (the query asks for the all-country total)")
        if not VALUE.match(get[flow.measure]):
            raise RefreshError(f"{url}, row {number}: {flow.measure} "
                               f"{get[flow.measure]!r} is not a number")
        key = (get["STATE"], get["NAICS"])
        if key in seen:
            raise RefreshError(f"{url}, row {number}: state {key[0]} NAICS {key[1]} twice")
        seen.add(key)
        rows.append({"NAICS": get["NAICS"], "CountryName": COUNTRY_TOTAL,
                     "State": names[get["STATE"]], "Value": get[flow.measure],
                     "Year": str(year)})
    states = {row["State"] for row in rows}
    if len(states) != len(names):
        lacking = sorted(set(names.values()) - states)
        raise RefreshError(f"{url}: no rows for {', '.join(lacking)}")
    return rows


class CensusStateTrade(Source):
    name = "census_trade"
    title = "Census international trade by state x NAICS (API, key required)"

    def missing_requirement(self, environ: Mapping[str, str]) -> str | None:
        if not environ.get(CENSUS_KEY_ENV, "").strip():
            return (f"set {CENSUS_KEY_ENV} to a Census API key (free: {KEY_SIGNUP}); "
                    "api.census.gov answers keyless calls with a 302 to an HTML page")
        return None

    def plan(self, context: RefreshContext) -> list[str]:
        years = (f"YEAR={context.years[0]}..{context.years[-1]}" if context.years
                 else "YEAR=<first year in the file> upward until a year answers 204")
        lines = []
        for flow in FLOWS:
            lines.append(f"GET {API_URL.format(flow=flow.flow)}?get=NAICS,CTY_NAME,STATE,"
                         f"{flow.measure}&{years}&MONTH=12&key=REDACTED "
                         f"-> {context.targets.target(flow.dbt_source)} "
                         f"(dbt source {flow.dbt_source})")
        return lines

    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        key = context.environ.get(CENSUS_KEY_ENV, "").strip()
        names = {state.postal: state.name for state in load_states(context.project_dir)}
        outputs = []
        for flow in FLOWS:
            base = context.targets.base(flow.dbt_source)
            if base is not None:
                LAYOUT.check_header(base)
            explicit = context.years is not None
            years = list(context.years) if explicit else list(range(
                first_year_of(base, "Year", flow.dbt_source), context.this_year + 1))
            requests, rows, refreshed, unpublished = [], [], [], []
            for year in years:
                fetch, table = fetch_year(client, context, flow, year, key)
                requests.append(fetch)
                if table is None:
                    unpublished.append(year)
                    if not explicit:
                        break  # the newest published year is behind us
                    continue
                rows.extend(layout_rows(flow, year, table, names, fetch.url))
                refreshed.append(year)
            if not refreshed:
                raise RefreshError(f"{API_URL.format(flow=flow.flow)}: no data for "
                                   f"{years[0]}-{years[-1]} (every year answered 204)")
            base_rows = read_rows(base) if base is not None else []
            merged, kept = merge_years(base_rows, rows, "Year", refreshed)
            last_modified = next((fetch.last_modified for fetch in reversed(requests)
                                  if fetch.last_modified), None)
            outputs.append(Output(
                path=context.targets.target(flow.dbt_source),
                data=LAYOUT.render(merged),
                rows=len(merged),
                source=self.name,
                dbt_source=flow.dbt_source,
                years=tuple(sorted({int(row["Year"]) for row in merged})),
                release=(f"Census intltrade statenaics {flow.measure}, MONTH=12, "
                         f"years {refreshed[0]}-{refreshed[-1]}"
                         + (f", Last-Modified {last_modified}" if last_modified else "")),
                requests=requests,
                kept_years=kept,
                notes=(f"no data yet (204) for {unpublished}",) if unpublished else (),
            ))
        return outputs
