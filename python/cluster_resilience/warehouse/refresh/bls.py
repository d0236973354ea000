"""BLS CES State and Area annual averages from the flat files, no key.

``https://download.bls.gov/pub/time.series/sm/`` publishes tab-separated text files: the data
file ``sm.data.0.Current`` (``series_id, year, period, value, footnote_codes``; it covers the
recent decades, ``sm.data.1.AllData`` goes back to 1939) and the code lists ``sm.industry``,
``sm.supersector``, ``sm.state`` and ``sm.data_type``. A series id is
``SM`` + seasonal (S/U) + state (2) + area (5) + industry (8, its first two digits the
supersector) + data type (2). The server refuses requests whose User-Agent has no contact
address: it comes from ``CLUSTER_REFRESH_CONTACT``.

The refresh keeps what the shipped file holds: not seasonally adjusted (U), statewide (area
00000), all employees in thousands (data type 01), annual averages (period M13), every industry,
50 states, DC, PR and VI; and writes the shipped layout
``year,dtype,dtypef,ssector,ssectorf,ind,indf,stabbr,stcode,stname,value`` sorted by state
postal code, industry and year (postal codes from ``seeds/states.csv`` plus PR and VI), values
as BLS prints them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from cluster_resilience.warehouse.raw_checks.suites import TERRITORIES

from .base import CONTACT_ENV, RefreshContext, Source, first_year_of, load_states
from .client import AgencyClient, Fetch
from .files import CsvLayout, Output, RefreshError, merge_years, read_rows

BASE_URL = "https://download.bls.gov/pub/time.series/sm/"
DATA_FILE = "sm.data.0.Current"
# code list: (file, code column, name column)
CODE_LISTS = {
    "data_type": ("sm.data_type", "data_type_code", "data_type_text"),
    "supersector": ("sm.supersector", "supersector_code", "supersector_name"),
    "industry": ("sm.industry", "industry_code", "industry_name"),
    "state": ("sm.state", "state_code", "state_name"),
}
DBT_SOURCE = "bls.ces_state_annual"
SERIES = re.compile(r"^SM(?P<seasonal>[SU])(?P<state>\d{2})(?P<area>\d{5})"
                    r"(?P<industry>\d{8})(?P<data_type>\d{2})$")
KEEP = {"seasonal": "U", "area": "00000", "data_type": "01"}
ANNUAL_AVERAGE = "M13"
TOTAL_NONFARM = "00000000"
VALUE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

LAYOUT = CsvLayout(
    columns=("year", "dtype", "dtypef", "ssector", "ssectorf", "ind", "indf", "stabbr",
             "stcode", "stname", "value"),
    sort_key=lambda row: (row["stabbr"], row["ind"], row["year"]),
)


def read_tab_file(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """A BLS time.series text file: tab-separated, a header line, values padded with spaces."""
    with path.open(encoding="utf-8", errors="strict", newline="") as handle:
        header = [name.strip() for name in handle.readline().rstrip("\r\n").split("\t")]
        missing = [name for name in required if name not in header]
        if missing:
            raise RefreshError(f"{path.name}: header {header} lacks {missing}")
        rows = []
        for number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            fields = [field.strip() for field in line.rstrip("\r\n").split("\t")]
            if len(fields) < len(required):
                raise RefreshError(f"{path.name}, line {number}: {len(fields)} fields, "
                                   f"expected {len(header)} (truncated file?)")
            rows.append(dict(zip(header, fields, strict=False)))
    return rows


def code_list(path: Path, code: str, name: str) -> dict[str, str]:
    return {row[code]: row[name] for row in read_tab_file(path, (code, name))}


def annual_rows(
    data_path: Path,
    names: Mapping[str, Mapping[str, str]],
    postal: Mapping[str, str],
    years: set[int] | None,
) -> tuple[list[dict[str, str]], Counter]:
    """The shipped layout's rows from the data file; also the footnote codes seen."""
    rows, footnotes, seen = [], Counter(), set()
    with data_path.open(encoding="utf-8", newline="") as handle:
        header = [name.strip() for name in handle.readline().rstrip("\r\n").split("\t")]
        if header[:4] != ["series_id", "year", "period", "value"]:
            raise RefreshError(f"{DATA_FILE}: header {header}, expected series_id, year, "
                               "period, value, footnote_codes")
        for number, line in enumerate(handle, start=2):
            fields = [field.strip() for field in line.rstrip("\r\n").split("\t")]
            if len(fields) < 4:
                if line.strip():
                    raise RefreshError(f"{DATA_FILE}, line {number}: {len(fields)} fields "
                                       "(truncated file?)")
                continue
            series_id, year, period, value = fields[:4]
            if period != ANNUAL_AVERAGE:
                continue
            match = SERIES.match(series_id)
            if match is None:
                raise RefreshError(f"{DATA_FILE}, line {number}: series id {series_id!r} is "
                                   "not SM + S/U + state + area + industry + data type")
            parts = match.groupdict()
            if any(parts[key] != wanted for key, wanted in KEEP.items()):
                continue
            if years is not None and int(year) not in years:
                continue
            state, industry = parts["state"], parts["industry"]
            if state not in postal:
                raise RefreshError(f"{DATA_FILE}, line {number}: state code {state} is neither "
                                   "in seeds/states.csv nor PR/VI")
            if not VALUE.match(value):
                raise RefreshError(f"{DATA_FILE}, line {number}: value {value!r} of "
                                   f"{series_id} {year} is not a number")
            key = (year, state, industry)
            if key in seen:
                raise RefreshError(f"{DATA_FILE}, line {number}: {series_id} {year} M13 twice")
            seen.add(key)
            footnote = fields[4] if len(fields) > 4 else ""
            if footnote:
                footnotes[footnote] += 1
            supersector = industry[:2]
            try:
                rows.append({
                    "year": year,
                    "dtype": parts["data_type"],
                    "dtypef": names["data_type"][parts["data_type"]],
                    "ssector": supersector,
                    "ssectorf": names["supersector"][supersector],
                    "ind": industry,
                    "indf": names["industry"][industry],
                    "stabbr": postal[state],
                    "stcode": state,
                    "stname": names["state"][state],
                    "value": value,
                })
            except KeyError as error:
                raise RefreshError(f"{DATA_FILE}, line {number}: code {error.args[0]} of "
                                   f"{series_id} is not in the BLS code lists") from None
    return rows, footnotes


class BlsStateEmployment(Source):
    name = "bls"
    title = "BLS CES State and Area, annual averages, flat files"

    def missing_requirement(self, environ: Mapping[str, str]) -> str | None:
        if not environ.get(CONTACT_ENV, "").strip():
            return (f"set {CONTACT_ENV} to a contact e-mail address: download.bls.gov refuses "
                    "requests whose User-Agent carries no contact")
        return None

    def plan(self, context: RefreshContext) -> list[str]:
        target = context.targets.target(DBT_SOURCE)
        years = (f"years {context.years[0]}-{context.years[-1]}" if context.years
                 else "every year from the file's first year on")
        return [f"GET {BASE_URL}{name} (no key; User-Agent with ${CONTACT_ENV})"
                for name in (DATA_FILE, *(spec[0] for spec in CODE_LISTS.values()))] + [
            f"  annual averages, {years} -> {target} (dbt source {DBT_SOURCE})"]

    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        base = context.targets.base(DBT_SOURCE)
        if base is not None:
            LAYOUT.check_header(base)
        requests: list[Fetch] = []
        names = {}
        for key, (file_name, code, name) in CODE_LISTS.items():
            path = context.workdir / file_name
            requests.append(client.download(BASE_URL + file_name, path))
            names[key] = code_list(path, code, name)
        data_path = context.workdir / DATA_FILE
        data_fetch = client.download(BASE_URL + DATA_FILE, data_path)
        requests.append(data_fetch)

        states = load_states(context.project_dir)
        postal = {state.fips: state.postal for state in states}
        postal.update({code: abbreviation for code, (abbreviation, _) in TERRITORIES.items()})
        if context.years is not None:
            wanted = set(context.years)
        else:
            first = first_year_of(base, "year", DBT_SOURCE)
            wanted = set(range(first, context.this_year + 1))
        rows, footnotes = annual_rows(data_path, names, postal, wanted)
        found = sorted({int(row["year"]) for row in rows})
        if not found:
            raise RefreshError(f"{DATA_FILE}: no statewide annual averages for years "
                               f"{min(wanted)}-{max(wanted)}")
        for year in found:
            have = {row["stcode"] for row in rows
                    if row["year"] == str(year) and row["ind"] == TOTAL_NONFARM}
            lacking = sorted(state.fips for state in states if state.fips not in have)
            if lacking:
                raise RefreshError(f"{DATA_FILE}: {year} has no total nonfarm annual average for "
                                   f"state FIPS {', '.join(lacking)} (incomplete release?)")
        base_rows = read_rows(base) if base is not None else []
        merged, kept = merge_years(base_rows, rows, "year", found)
        notes = []
        if footnotes:
            notes.append("footnote codes on refreshed rows: " + ", ".join(
                f"{code} x{count}" for code, count in sorted(footnotes.items())))
        not_published = sorted(set(context.years or ()) - set(found))
        if not_published:
            notes.append(f"no annual averages yet for {not_published}: those years were kept")
        release = f"{DATA_FILE}" + (f", Last-Modified {data_fetch.last_modified}"
                                    if data_fetch.last_modified else "")
        return [Output(
            path=context.targets.target(DBT_SOURCE),
            data=LAYOUT.render(merged),
            rows=len(merged),
            source=self.name,
            dbt_source=DBT_SOURCE,
            years=tuple(sorted({int(row["year"]) for row in merged})),
            release=release,
            requests=requests,
            kept_years=kept,
            notes=tuple(notes),
        )]
