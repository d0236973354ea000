"""Make the refresh tests' HTTP cassettes from the shipped files in data/raw/.

SYNTHESISED, NOT RECORDED: these machines cannot reach the agencies, so every response here is
built from the files the repo ships, in each endpoint's documented response format (see
tests/cassettes/README.md and docs/data_refresh.md), and saved in vcrpy's cassette format.

    .venv/bin/python tests/cassettes/make_cassettes.py            # the committed small set
    .venv/bin/python tests/cassettes/make_cassettes.py --full --out DIR   # every shipped row
    .venv/bin/python tests/cassettes/make_cassettes.py --record-real bea --out DIR  # real, network

The small set (the default) covers a few states (``SUBSET``) and is what the unit tests replay
against a matching mini project (``make_mini_project``). ``--full`` covers every shipped row;
the end-to-end test makes it in a temporary directory, refreshes a copy of the repo from it and
builds the warehouse, so it is not committed.

What the files cannot supply is left out, not invented: no Last-Modified headers (unknown), no
CBP annual payroll, noise flags or size classes, no BLS monthly values. A handful of lines exist
only to be dropped by the refresh (a BLS monthly period, seasonally adjusted and metro-area
series, a CBP non-"all legal forms" row); they repeat shipped values and are marked below.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx
import vcr
from cluster_resilience.warehouse.raw_checks.sources import discover_sources
from cluster_resilience.warehouse.raw_checks.suites import TERRITORIES
from cluster_resilience.warehouse.refresh import (
    REDACTED,
    bea,
    bls,
    cbp,
    census_trade,
    run_refresh,
    uscm,
)
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
USER_AGENT = "cluster-resilience-refresh (cassette synthesised from data/raw)"
GZIP_ABOVE = 2048  # text bodies larger than this are sent gzip-encoded, as the servers do


@dataclass(frozen=True)
class Scope:
    """Which shipped rows the cassettes (and the mini project) hold; None = all."""

    states: frozenset[str] | None  # two-digit FIPS
    bls_territories: frozenset[str] | None
    naics6_prefixes: tuple[str, ...] | None
    cbp_years: tuple[int, ...] | None

    def has_state(self, fips: str) -> bool:
        return self.states is None or fips.zfill(2) in self.states


SUBSET = Scope(states=frozenset({"01", "06", "56"}),  # Alabama, California, Wyoming
               bls_territories=frozenset({"72"}),  # Puerto Rico
               naics6_prefixes=("3254", "3361"),  # pharmaceuticals, motor vehicles
               cbp_years=(2020, 2021))
FULL = Scope(states=None, bls_territories=None, naics6_prefixes=None, cbp_years=None)


# ------------------------------------------------------------------------------ small helpers
def raw_path(project: Path, dbt_source: str) -> Path:
    paths = {source.name: source.relative_path for source in discover_sources(project)}
    return project / paths[dbt_source]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def states_of(project: Path) -> list[dict[str, str]]:
    return read_rows(project / "seeds" / "states.csv")


def _response(status: int, reason: str, body: bytes, content_type: str | None,
              extra: dict[str, str] | None = None, *, encode: bool = True,
              declared_length: int | None = None) -> dict:
    headers: dict[str, list[str]] = {}
    if content_type:
        headers["Content-Type"] = [content_type]
    if encode and len(body) > GZIP_ABOVE and content_type and "zip" not in content_type:
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = ["gzip"]
    headers["Content-Length"] = [str(declared_length if declared_length is not None
                                     else len(body))]
    for name, value in (extra or {}).items():
        headers[name] = [value]
    return {"status": {"code": status, "message": reason}, "headers": headers,
            "body": {"string": body}}


def _request(url: str, params: dict[str, str] | None = None) -> Request:
    return Request("GET", str(httpx.URL(url, params=params)), None,
                   {"User-Agent": USER_AGENT})


def write_cassette(path: Path, interactions: Iterable[tuple[Request, dict]]) -> Path:
    requests, responses = zip(*interactions, strict=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize({"requests": list(requests), "responses": list(responses)},
                              yamlserializer), encoding="utf-8")
    return path


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------- BEA
def bea_csv(path: Path, scope: Scope) -> bytes:
    """The shipped BEA file, keeping the US, the scope's states and the footer (CRLF kept)."""
    lines = path.read_bytes().splitlines(keepends=True)
    width = len(next(csv.reader([lines[0].decode()])))
    kept = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line.decode()]), [])
        if len(row) != width:
            kept.append(line)  # footer
            continue
        area = row[0].strip().strip('"')
        if scope.states is None or area == "00000" or area[:2] in scope.states \
                and area.endswith("000"):
            kept.append(line)
    return b"".join(kept)


def bea_zip(project: Path, scope: Scope) -> bytes:
    members = {}
    for dbt_source in bea.TABLES:
        path = raw_path(project, dbt_source)
        members[path.name] = bea_csv(path, scope)
    # a per-state member, as the real zip has one per area: the refresh must not pick it
    alabama = Scope(states=frozenset({"01"}), bls_territories=None, naics6_prefixes=None,
                    cbp_years=None)
    state_file = raw_path(project, "bea.sagdp2n")
    members[state_file.name.replace("ALL_AREAS", "AL")] = bea_csv(state_file, alabama)
    return _zip(members)


def bea_interactions(project: Path, scope: Scope) -> list[tuple[Request, dict]]:
    body = bea_zip(project, scope)
    return [(_request(bea.ZIP_URL), _response(200, "OK", body, "application/x-zip-compressed"))]


# ----------------------------------------------------------------------------------------- BLS
def keep_bls(row: dict[str, str], scope: Scope) -> bool:
    code = row["stcode"]
    if code in TERRITORIES:
        return scope.bls_territories is None or code in scope.bls_territories
    return scope.has_state(code)


def bls_interactions(project: Path, scope: Scope) -> list[tuple[Request, dict]]:
    rows = [row for row in read_rows(raw_path(project, bls.DBT_SOURCE)) if keep_bls(row, scope)]

    def code_list(header: tuple[str, str], pairs: Iterable[tuple[str, str]]) -> bytes:
        lines = ["\t".join(header)] + [f"{code}\t{name}" for code, name in sorted(set(pairs))]
        return ("\n".join(lines) + "\n").encode("utf-8")

    lists = {
        "data_type": code_list(bls.CODE_LISTS["data_type"][1:],
                               ((r["dtype"], r["dtypef"]) for r in rows)),
        "supersector": code_list(bls.CODE_LISTS["supersector"][1:],
                                 ((r["ssector"], r["ssectorf"]) for r in rows)),
        "industry": code_list(bls.CODE_LISTS["industry"][1:],
                              ((r["ind"], r["indf"]) for r in rows)),
        "state": code_list(bls.CODE_LISTS["state"][1:],
                           ((r["stcode"], r["stname"]) for r in rows)),
    }
    lines = ["series_id".ljust(31) + "\tyear\tperiod\t" + "value".rjust(15) + "\tfootnote_codes"]

    def line(series: str, year: str, period: str, value: str) -> str:
        return f"{series.ljust(31)}\t{year}\t{period}\t{value.rjust(15)}\t"

    ordered = sorted(rows, key=lambda r: (r["stcode"], r["ind"], r["year"]))
    for position, row in enumerate(ordered):
        series = f"SMU{row['stcode']}00000{row['ind']}{row['dtype']}"
        lines.append(line(series, row["year"], "M13", row["value"]))
        if position == 0:  # lines the refresh must drop (they repeat the shipped value)
            lines.append(line(series, row["year"], "M01", row["value"]))
            lines.append(line("SMS" + series[3:], row["year"], "M13", row["value"]))
            lines.append(line(f"SMU{row['stcode']}99999{row['ind']}{row['dtype']}",
                              row["year"], "M13", row["value"]))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    interactions = []
    for key, (file_name, _, _) in bls.CODE_LISTS.items():
        interactions.append((_request(bls.BASE_URL + file_name),
                             _response(200, "OK", lists[key], "text/plain")))
    interactions.append((_request(bls.BASE_URL + bls.DATA_FILE),
                         _response(200, "OK", data, "text/plain")))
    return interactions


# ------------------------------------------------------------------------------- Census trade
def census_interactions(project: Path, scope: Scope, key: str = "REDACTED"
                        ) -> list[tuple[Request, dict]]:
    postal = {row["state_name"]: row["state_postal"] for row in states_of(project)}
    fips = {row["state_name"]: row["state_fips"] for row in states_of(project)}
    interactions = []
    for flow in census_trade.FLOWS:
        rows = [row for row in read_rows(raw_path(project, flow.dbt_source))
                if row["State"] in fips and scope.has_state(fips[row["State"]])]
        years = sorted({int(row["Year"]) for row in rows})
        for year in years:
            table = [["NAICS", "CTY_NAME", "STATE", flow.measure, "YEAR", "MONTH"]]
            for row in rows:
                if row["Year"] == str(year):
                    value = row["Value"][:-2] if row["Value"].endswith(".0") else row["Value"]
                    table.append([row["NAICS"], row["CountryName"], postal[row["State"]],
                                  value, str(year), "12"])
            body = json.dumps(table).replace("],", "],\n").encode("utf-8")
            interactions.append((
                _request(census_trade.API_URL.format(flow=flow.flow),
                         census_trade.query(flow, year, key)),
                _response(200, "OK", body, "application/json;charset=utf-8")))
        interactions.append((  # the year after the shipped ones: no data (204)
            _request(census_trade.API_URL.format(flow=flow.flow),
                     census_trade.query(flow, years[-1] + 1, key)),
            _response(204, "No Content", b"", None)))
    return interactions


# ----------------------------------------------------------------------------------------- CBP
def _payroll_thousands(value: str) -> str:
    return "0" if value == "NA" else str(round(float(value) / 1000))


def _count(value: str) -> str:
    return "0" if value == "NA" else value


def cbp_interactions(project: Path, scope: Scope) -> list[tuple[Request, dict]]:
    def load(name: str) -> list[dict[str, str]]:
        return read_rows(raw_path(project, name))

    state_total = [r for r in load("cbp.state_total") if scope.has_state(r["state_fips"])]
    sectors = [r for r in load("cbp.state_industry2") if scope.has_state(r["state_fips"])]
    naics3 = [r for r in load("cbp.state_industry3") if scope.has_state(r["state_fips"])]
    us_total = load("cbp.national_total")
    us6 = [r for r in load("cbp.national_industry6") if scope.naics6_prefixes is None
           or r["naics"].startswith(scope.naics6_prefixes)]
    years = scope.cbp_years or tuple(sorted({int(r["year"]) for r in state_total}))
    interactions = []
    for year in years:
        yy, label = f"{year % 100:02d}", str(year)
        st = ['"fipstate","naics","lfo","emp","qp1","est"']
        for rows, code in ((state_total, lambda r: "------"),
                           (sectors, lambda r: r["naics"] + "----"),
                           (naics3, lambda r: r["naics"] + "///")):
            for r in rows:
                if r["year"] == label:
                    st.append(f'"{r["state_fips"].zfill(2)}","{code(r)}","-",'
                              f'{_count(r["employment_march"])},'
                              f'{_payroll_thousands(r["payroll_quarter1"])},'
                              f'{_count(r["establishments"])}')
        st.append(st[1].replace('"-"', '"C"', 1))  # a corporations-only row: must be dropped
        us = ['"naics","lfo","emp","qp1","est"']
        for rows, code in ((us_total, lambda r: "------"), (us6, lambda r: r["naics"])):
            for r in rows:
                if r["year"] == label:
                    us.append(f'"{code(r)}","-",{_count(r["employment_march"])},'
                              f'{_payroll_thousands(r["payroll_quarter1"])},'
                              f'{_count(r["establishments"])}')
        for geo, lines in (("st", st), ("us", us)):
            body = _zip({f"cbp{yy}{geo}.txt": ("\r\n".join(lines) + "\r\n").encode()})
            interactions.append((_request(cbp.URL.format(year=year, yy=yy, geo=geo)),
                                 _response(200, "OK", body, "application/x-zip-compressed")))
    after = years[-1] + 1
    interactions.append((  # not published yet
        _request(cbp.URL.format(year=after, yy=f"{after % 100:02d}", geo="st")),
        _response(404, "Not Found", b"<html><body><h1>Not Found</h1></body></html>",
                  "text/html")))
    return interactions


# ---------------------------------------------------------------------------------------- USCM
def _typed(column: str, value: str) -> object:
    if column.endswith("_b"):
        return value == "True"
    if column.endswith("_tl"):
        return int(value)
    if column.endswith("_tf"):
        return float(value)
    if column.endswith("_i"):
        return int(float(value))
    return value


def uscm_interactions(project: Path, scope: Scope) -> list[tuple[Request, dict]]:
    rows = read_rows(raw_path(project, uscm.DBT_SOURCE))
    interactions = [(_request(uscm.YEARS_URL),
                     _response(200, "OK", json.dumps([str(uscm.SOURCE_YEAR)]).encode(),
                               "application/json"))]
    for state in states_of(project):
        fips = state["state_fips"].zfill(2)
        if not scope.has_state(fips):
            continue
        documents = [{column: _typed(column, value) for column, value in row.items()
                      if value != "" and column != "cluster_type"}
                     for row in rows if row["region_code_t"] == fips]
        body = json.dumps(documents).encode("utf-8")  # [] where the shipped file has none (DC)
        interactions.append((_request(uscm.REGION_URL.format(code=fips, year=uscm.SOURCE_YEAR)),
                             _response(200, "OK", body, "application/json")))
    return interactions


# ------------------------------------------------------------------------ failure cassettes
US_ONLY = Scope(states=frozenset(), bls_territories=frozenset(), naics6_prefixes=(),
                cbp_years=())


def failure_cassettes(project: Path, out: Path) -> None:
    good = bea_zip(project, US_ONLY)
    zip_type = "application/x-zip-compressed"
    write_cassette(out / "retry_503_then_200.yaml", [
        (_request(bea.ZIP_URL), _response(503, "Service Unavailable", b"busy", "text/plain",
                                          {"Retry-After": "7"})),
        (_request(bea.ZIP_URL), _response(200, "OK", good, zip_type)),
    ])
    write_cassette(out / "bea_truncated.yaml", [
        (_request(bea.ZIP_URL), _response(200, "OK", good[: len(good) // 2], zip_type,
                                          declared_length=len(good))),
    ])
    corrupt = bytearray(good)
    middle = len(corrupt) // 3  # inside the first member's compressed data
    corrupt[middle] ^= 0xFF
    write_cassette(out / "bea_corrupt.yaml", [
        (_request(bea.ZIP_URL), _response(200, "OK", bytes(corrupt), zip_type)),
    ])
    flow = census_trade.FLOWS[0]
    redirect = {"Location": census_trade.KEY_SIGNUP}
    html = b"<html><body>Invalid Key: a valid key must be included with each request.</body></html>"
    write_cassette(out / "census_keyless.yaml", [
        (_request(census_trade.API_URL.format(flow=flow.flow),
                  census_trade.query(flow, 2013, None)),
         _response(302, "Found", html, "text/html", redirect)),
        (_request(census_trade.API_URL.format(flow=flow.flow),
                  census_trade.query(flow, 2013, "REDACTED")),
         _response(302, "Found", html, "text/html", redirect)),
    ])


# --------------------------------------------------------------------------- mini project
def make_mini_project(project: Path, dest: Path, scope: Scope = SUBSET) -> Path:
    """A project holding only what the refresh reads (sources YAML, seeds/states.csv, data/raw)
    restricted to ``scope``: the base the small cassettes refresh."""
    for yml in (project / "models").rglob("_*__sources.yml"):
        target = dest / yml.relative_to(project)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(yml, target)
    states = [row for row in states_of(project) if scope.has_state(row["state_fips"])]
    _write_csv(dest / "seeds" / "states.csv", list(states_of(project)[0]), states)
    names = {row["state_name"] for row in states}
    for source in discover_sources(project):
        path, target = project / source.relative_path, dest / source.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.name.startswith("bea."):
            target.write_bytes(bea_csv(path, scope))
            continue
        rows = read_rows(path)
        header = list(rows[0]) if rows else []
        keep = {
            "bls": lambda r: keep_bls(r, scope),
            "census_trade": lambda r: r["State"] in names,
            "cbp": lambda r: scope.has_state(r["state_fips"]) if "state_fips" in r else (
                "naics" not in r or scope.naics6_prefixes is None
                or r["naics"].startswith(scope.naics6_prefixes)),
            "uscm": lambda r: "region_code_t" not in r or scope.has_state(r["region_code_t"]),
        }[source.name.split(".")[0]]
        kept = [row for row in rows if keep(row)]
        if source.name.startswith("cbp."):
            layout = cbp.LAYOUTS.get(source.name)
            target.write_bytes(layout.render(kept))
        else:
            _write_csv(target, header, kept)
    return dest


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([row[column] for column in header] for row in rows)


# --------------------------------------------------------------------------------------- CLI
BUILDERS = {
    "bea": bea_interactions,
    "bls": bls_interactions,
    "census_trade": census_interactions,
    "cbp": cbp_interactions,
    "uscm": uscm_interactions,
}


def make_cassettes(out: Path, scope: Scope, project: Path = PROJECT) -> list[Path]:
    written = [write_cassette(out / f"{name}.yaml", build(project, scope))
               for name, build in BUILDERS.items()]
    if scope == SUBSET:
        failure_cassettes(project, out)
    return written


def record_real(out: Path, sources: list[str], project: Path = PROJECT) -> list[Path]:
    """Record REAL responses (network, and CENSUS_API_KEY / CLUSTER_REFRESH_CONTACT set): run
    the refresh of each source into a scratch copy of data/raw under vcrpy in record mode
    "all", keys filtered to REDACTED. For inspection and new tests; not drop-in replacements
    for the synthesised cassettes, whose tests compare against the shipped vintage."""
    recorder = vcr.VCR(record_mode="all", filter_query_parameters=[("key", REDACTED)],
                       decode_compressed_response=False)
    written = []
    with tempfile.TemporaryDirectory(prefix="refresh-record-") as scratch:
        for source in sources:
            path = out / f"{source}.recorded.yaml"
            with recorder.use_cassette(str(path)):
                report = run_refresh(project_dir=project, out_dir=Path(scratch),
                                     sources=[source])
            print(f"{source}: written {len(report.written)}, failed {report.failed}, "
                  f"skipped {report.skipped}")
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="every shipped row (for the e2e)")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--project-dir", type=Path, default=PROJECT)
    parser.add_argument("--record-real", action="append", choices=list(BUILDERS),
                        help="record the real agency responses of a source (network; repeatable)"
                             " into --out as <source>.recorded.yaml")
    args = parser.parse_args()
    if args.record_real:
        paths = record_real(args.out, args.record_real, args.project_dir)
    else:
        paths = make_cassettes(args.out, FULL if args.full else SUBSET, args.project_dir)
    for path in paths:
        print(f"{path}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
