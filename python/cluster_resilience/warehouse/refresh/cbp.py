"""Census County Business Patterns from the bulk files, no key.

``https://www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}st.zip`` (states) and
``.../cbp{yy}us.zip`` (US) each hold one comma-separated ``cbp{yy}st.txt`` / ``cbp{yy}us.txt``:
``fipstate`` (state files), ``naics``, ``lfo`` (legal form; from 2008-2010 on), ``emp``
(paid employees, mid-March), ``qp1`` (first-quarter payroll, $1,000), ``ap``, ``est`` and
more; column names are upper case in some years. NAICS levels are told apart by Census' code
pattern: ``------`` all industries, ``31----`` a sector, ``311///`` NAICS-3, ``311111`` NAICS-6.
A year not yet published is answered 404.

The refresh applies the rules the shipped extract (setzler/EconData ``getCBP``) documents: all
legal forms only (``lfo == '-'``), ``qp1 * 1000`` as dollars, an ``emp`` or ``qp1`` of 0 written
``NA``; and writes the EconData layouts (R ``write.csv`` quoting, rows in the shipped order):
``national_total``, ``national_industry6`` from the US file, ``state_total``,
``state_industry2`` (sector and supersector names as in the shipped file) and
``state_industry3`` from the state file. Years are updated in place: refreshed years replace
their rows, the others are kept.

One difference, recorded in the manifest: the shipped state files are EconData's sums of the
county files, while refreshed years come from Census' own state file. State totals agree (the
shipped checks found county sums = state totals), but a state's sector or NAICS-3 cell in the
state file also counts establishments in county cells Census did not publish, so it can be
larger than the county sum. Refresh every year (the default) to keep one method.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from .base import RefreshContext, Source, first_year_of, load_states
from .client import AgencyClient, Fetch
from .files import CsvLayout, Output, RefreshError, checked_zip, merge_years, read_rows

URL = "https://www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}{geo}.zip"
NOT_PUBLISHED = 404
INTEGER = re.compile(r"^-?[0-9]+$")

LAYOUTS = {
    "cbp.national_total": CsvLayout(
        columns=("employment_march", "establishments", "payroll_quarter1", "year"),
        sort_key=lambda row: int(row["year"]), style="r"),
    "cbp.national_industry6": CsvLayout(
        columns=("naics", "employment_march", "establishments", "payroll_quarter1", "year"),
        sort_key=lambda row: (int(row["year"]), row["naics"]), style="r",
        quoted=frozenset({"naics"})),
    "cbp.state_total": CsvLayout(
        columns=("state_fips", "state_name", "year", "employment_march", "establishments",
                 "payroll_quarter1"),
        sort_key=lambda row: (int(row["state_fips"]), int(row["year"])), style="r",
        quoted=frozenset({"state_name"})),
    "cbp.state_industry2": CsvLayout(
        columns=("naics", "state_fips", "state_name", "year", "employment_march",
                 "establishments", "payroll_quarter1", "sector", "supersector"),
        sort_key=lambda row: (row["naics"], int(row["state_fips"]), int(row["year"])),
        style="r", quoted=frozenset({"state_name", "sector", "supersector"})),
    "cbp.state_industry3": CsvLayout(
        columns=("state_fips", "state_name", "year", "naics", "employment_march",
                 "establishments", "payroll_quarter1"),
        sort_key=lambda row: (int(row["state_fips"]), row["naics"], int(row["year"])),
        style="r", quoted=frozenset({"state_name"})),
}
STATE_SOURCES = ("cbp.state_total", "cbp.state_industry2", "cbp.state_industry3")
METHOD_NOTE = ("refreshed years come from Census' state file cbpYYst; the shipped years were "
               "EconData's county sums (same state totals; sector and NAICS-3 cells can be "
               "larger in the state file)")


def naics_level(code: str) -> tuple[str, str] | None:
    """(level, code) by Census' pattern: total, sector (2), naics3, naics6; None otherwise."""
    if code == "------":
        return "total", ""
    if "----" in code:
        return "sector", code[:2]
    if "///" in code and "////" not in code:
        return "naics3", code[:3]
    if "/" not in code and "-" not in code and len(code) == 6:
        return "naics6", code
    return None


def read_cbp_member(body: Path, year: int, geo: str, url: str) -> list[dict[str, str]]:
    """The rows (all legal forms) of the one text file in a CBP zip, lower-case column names."""
    with checked_zip(body, url) as archive:
        wanted = f"cbp{year % 100:02d}{geo}.txt"
        members = [name for name in archive.namelist() if Path(name).name.lower() == wanted]
        if len(members) != 1:
            raise RefreshError(f"{url}: expected one member {wanted}, found {archive.namelist()}")
        text = archive.read(members[0]).decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    required = ["naics", "emp", "qp1", "est"] + (["fipstate"] if geo == "st" else [])
    missing = [name for name in required if name not in header]
    if missing:
        raise RefreshError(f"{url}: {members[0]} header lacks {missing} (has {header[:12]})")
    rows = []
    for number, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(header):
            raise RefreshError(f"{url}: {members[0]}, line {number}: {len(record)} fields, "
                               f"header has {len(header)} (truncated file?)")
        row = {name: value.strip() for name, value in zip(header, record, strict=True)}
        if row.get("lfo", "-") != "-":
            continue
        for name in ("emp", "qp1", "est"):
            if not INTEGER.match(row[name]):
                raise RefreshError(f"{url}: {members[0]}, line {number}: {name} "
                                   f"{row[name]!r} is not an integer")
        rows.append(row)
    return rows


def _measures(row: Mapping[str, str]) -> dict[str, str]:
    employment, payroll = int(row["emp"]), int(row["qp1"]) * 1000
    return {
        "employment_march": str(employment) if employment else "NA",
        "establishments": str(int(row["est"])),
        "payroll_quarter1": str(payroll) if payroll else "NA",
    }


def national_rows(rows: list[dict[str, str]], year: int, url: str) -> dict[str, list[dict]]:
    total, industry6, seen = [], [], set()
    for row in rows:
        level = naics_level(row["naics"])
        if level is None:
            continue
        kind, code = level
        if kind == "total":
            total.append({**_measures(row), "year": str(year)})
        elif kind == "naics6":
            if code in seen:
                raise RefreshError(f"{url}: NAICS {code} twice")
            seen.add(code)
            industry6.append({"naics": code, **_measures(row), "year": str(year)})
    if len(total) != 1:
        raise RefreshError(f"{url}: {len(total)} all-industry US rows, expected 1")
    if not industry6:
        raise RefreshError(f"{url}: no NAICS-6 rows")
    return {"cbp.national_total": total, "cbp.national_industry6": industry6}


def state_rows(
    rows: list[dict[str, str]], year: int, url: str, names: Mapping[str, str],
    sectors: Mapping[str, tuple[str, str]],
) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in STATE_SOURCES}
    seen = set()
    for row in rows:
        fips = row["fipstate"].zfill(2)
        if fips not in names:
            continue  # not one of the 50 states and DC
        level = naics_level(row["naics"])
        if level is None or level[0] == "naics6":
            continue
        kind, code = level
        key = (fips, kind, code)
        if key in seen:
            raise RefreshError(f"{url}: state {fips} NAICS {row['naics']} twice")
        seen.add(key)
        state = {"state_fips": str(int(fips)), "state_name": names[fips], "year": str(year)}
        if kind == "total":
            out["cbp.state_total"].append({**state, **_measures(row)})
        elif kind == "sector":
            if code not in sectors:
                raise RefreshError(f"{url}: sector {code} has no name in the shipped "
                                   "state_industry2 file; add it there first")
            sector, supersector = sectors[code]
            out["cbp.state_industry2"].append({"naics": code, **state, **_measures(row),
                                               "sector": sector, "supersector": supersector})
        else:
            out["cbp.state_industry3"].append({**state, "naics": code, **_measures(row)})
    have = {row["state_fips"].zfill(2) for row in out["cbp.state_total"]}
    lacking = sorted(set(names) - have)
    if lacking:
        raise RefreshError(f"{url}: no all-industry row for state FIPS {', '.join(lacking)}")
    return out


class CountyBusinessPatterns(Source):
    name = "cbp"
    title = "Census County Business Patterns, state and US bulk files"

    def plan(self, context: RefreshContext) -> list[str]:
        years = (f"{context.years[0]}..{context.years[-1]}" if context.years
                 else "<first year in the file> upward until a year answers 404")
        lines = [f"GET {URL.format(year='{year}', yy='{yy}', geo=geo)} for year {years} (no key)"
                 for geo in ("st", "us")]
        lines += [f"  -> {context.targets.target(name)} (dbt source {name})" for name in LAYOUTS]
        return lines

    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        bases = {name: context.targets.base(name) for name in LAYOUTS}
        for name, base in bases.items():
            if base is not None:
                LAYOUTS[name].check_header(base)
        base_rows = {name: read_rows(base) if base is not None else []
                     for name, base in bases.items()}
        sectors = {row["naics"]: (row["sector"], row["supersector"])
                   for row in base_rows["cbp.state_industry2"]}
        names = {state.fips: state.name for state in load_states(context.project_dir)}
        explicit = context.years is not None
        years = list(context.years) if explicit else list(range(
            first_year_of(bases["cbp.state_total"], "year", "cbp.state_total"),
            context.this_year + 1))

        new: dict[str, list[dict]] = {name: [] for name in LAYOUTS}
        requests: dict[str, list[Fetch]] = {"st": [], "us": []}
        refreshed, unpublished = [], []
        for year in years:
            year_rows: dict[str, list[dict]] = {}
            published = True
            for geo in ("st", "us"):
                url = URL.format(year=year, yy=f"{year % 100:02d}", geo=geo)
                body = context.workdir / f"cbp{year}{geo}.zip"
                fetch = client.download(url, body, accept={200, NOT_PUBLISHED})
                requests[geo].append(fetch)
                if fetch.status == NOT_PUBLISHED:
                    published = False
                    break
                rows = read_cbp_member(body, year, geo, fetch.url)
                year_rows.update(state_rows(rows, year, fetch.url, names, sectors)
                                 if geo == "st" else national_rows(rows, year, fetch.url))
            if not published:
                unpublished.append(year)
                if not explicit:
                    break
                continue
            for name, rows in year_rows.items():
                new[name].extend(rows)
            refreshed.append(year)
        if not refreshed:
            raise RefreshError(f"CBP: no year of {years[0]}-{years[-1]} is published (404)")

        outputs = []
        newest = next((fetch.last_modified for fetch in reversed(requests["st"])
                       if fetch.status == 200 and fetch.last_modified), None)
        release = (f"CBP {refreshed[0]}-{refreshed[-1]} bulk files"
                   + (f", newest Last-Modified {newest}" if newest else ""))
        for name, layout in LAYOUTS.items():
            merged, kept = merge_years(base_rows[name], new[name], "year", refreshed)
            notes = [METHOD_NOTE] if name in STATE_SOURCES else []
            if unpublished:
                notes.append(f"not published yet (404): {unpublished}")
            outputs.append(Output(
                path=context.targets.target(name),
                data=layout.render(merged),
                rows=len(merged),
                source=self.name,
                dbt_source=name,
                years=tuple(sorted({int(row["year"]) for row in merged})),
                release=release,
                requests=requests["st" if name in STATE_SOURCES else "us"],
                kept_years=kept,
                notes=tuple(notes),
            ))
        return outputs
