"""BEA GDP by state (SAGDP2 current dollars, SAGDP9 real GDP) from the bulk zip, no key.

``https://apps.bea.gov/regional/zip/SAGDP.zip`` holds one CSV per table and area. The refresh
takes the all-areas member of each table, ``SAGDP2N__ALL_AREAS_1997_2022.csv`` in older releases
and ``SAGDP2__ALL_AREAS_1997_2024.csv`` (no "N") in newer ones, and writes its bytes unchanged
(BEA's quoting, CRLF line ends and footer included: the staging macro handles them) under the
name the dbt source reads. The member's own name goes into the manifest.

Validated before writing: the zip is whole (CRC of every member), the header is BEA's eight
fixed columns plus consecutive year columns, every data row has as many fields as the header,
the US total (GeoFIPS 00000, line 1) is there, and the footer carries "Last updated: ..." (the
staging macro reads the vintage from it).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .base import RefreshContext, Source
from .client import AgencyClient
from .files import Output, RefreshError, checked_zip

ZIP_URL = "https://apps.bea.gov/regional/zip/SAGDP.zip"
# dbt source -> BEA table (the member name may carry an "N" after it, as older releases did)
TABLES = {"bea.sagdp2n": "SAGDP2", "bea.sagdp9n": "SAGDP9"}
MEMBER = re.compile(r"^(?P<table>SAGDP\d+)N?__ALL_AREAS_(?P<first>\d{4})_(?P<last>\d{4})\.csv$")
FIXED_COLUMNS = ("GeoFIPS", "GeoName", "Region", "TableName", "LineCode",
                 "IndustryClassification", "Description", "Unit")
LAST_UPDATED = re.compile(r"Last updated: .+")


def select_members(names: list[str]) -> dict[str, str]:
    """BEA table -> zip member name of its all-areas CSV (exactly one per table)."""
    found: dict[str, list[str]] = {}
    for name in names:
        match = MEMBER.match(Path(name).name)
        if match:
            found.setdefault(match.group("table"), []).append(name)
    selected = {}
    for table in TABLES.values():
        members = found.get(table, [])
        if len(members) != 1:
            raise RefreshError(
                f"{ZIP_URL}: expected one {table}(N)__ALL_AREAS_<first>_<last>.csv member, "
                f"found {members or 'none'}"
            )
        selected[table] = members[0]
    return selected


def _clean(value: str) -> str:
    return value.strip().strip('"').strip()


def validate_table(member: str, data: bytes) -> tuple[str, tuple[int, ...], int]:
    """Check one all-areas CSV; return (release line, years, data rows)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # BEA has shipped Windows-1252 text; the bytes stay as is
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise RefreshError(f"{member}: empty")
    header = [column.strip() for column in rows[0]]
    if tuple(header[:8]) != FIXED_COLUMNS:
        raise RefreshError(f"{member}: header starts {header[:8]}, expected {list(FIXED_COLUMNS)}")
    year_labels = header[8:]
    if not year_labels or not all(re.fullmatch(r"[0-9]{4}", label) for label in year_labels):
        raise RefreshError(f"{member}: columns after Unit are not all years: {year_labels}")
    years = tuple(int(label) for label in year_labels)
    if years != tuple(range(years[0], years[-1] + 1)):
        raise RefreshError(f"{member}: year columns are not consecutive: {year_labels}")
    data_rows, footer = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) == len(header):
            if footer:
                raise RefreshError(f"{member}, line {number}: a data row after the footer")
            if not _clean(row[4]).isdigit():
                raise RefreshError(f"{member}, line {number}: LineCode {row[4]!r} not an integer")
            data_rows.append(row)
        elif len(row) <= 1:
            footer.append(row[0] if row else "")
        else:
            raise RefreshError(
                f"{member}, line {number}: {len(row)} fields, the header has {len(header)} "
                "(truncated or malformed file)"
            )
    if not any(_clean(row[0]) == "00000" and _clean(row[4]) == "1" for row in data_rows):
        raise RefreshError(f"{member}: no US all-industry row (GeoFIPS 00000, LineCode 1)")
    release = next((match.group(0).strip() for line in footer
                    if (match := LAST_UPDATED.search(line))), None)
    if release is None:
        raise RefreshError(f"{member}: no 'Last updated: ...' footer line (the vintage)")
    return release, years, len(data_rows)


class BeaGdpByState(Source):
    name = "bea"
    title = "BEA GDP by state (SAGDP2, SAGDP9), bulk zip"

    def plan(self, context: RefreshContext) -> list[str]:
        lines = [f"GET {ZIP_URL} (no key)"]
        for dbt_source, table in TABLES.items():
            lines.append(f"  {table}(N)__ALL_AREAS_*.csv -> {context.targets.target(dbt_source)}"
                         f" (dbt source {dbt_source})")
        return lines

    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        body = context.workdir / "SAGDP.zip"
        request = client.download(ZIP_URL, body)
        with checked_zip(body, request.url) as archive:
            members = select_members(archive.namelist())
            outputs = []
            for dbt_source, table in TABLES.items():
                member = members[table]
                data = archive.read(member)
                release, years, rows = validate_table(member, data)
                outputs.append(Output(
                    path=context.targets.target(dbt_source),
                    data=data,
                    rows=rows,
                    source=self.name,
                    dbt_source=dbt_source,
                    years=years,
                    release=release,
                    agency_file=Path(member).name,
                    requests=[request],
                ))
        return outputs
