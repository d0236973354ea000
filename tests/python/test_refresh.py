"""The data refresh (cluster_resilience.warehouse.refresh), replayed from cassettes.

The cassettes in tests/cassettes/ are SYNTHESISED from the shipped data/raw files in each
endpoint's documented response format (tests/cassettes/make_cassettes.py), not recorded from
the agencies. Every test here runs with the network blocked (pytest-recording
``block_network``: no socket may connect) and vcrpy in record mode "none" (a request missing
from its cassette fails). The unit tests refresh a mini project (three states) made from the
shipped files; the end-to-end refresh of a full copy, built, is in test_warehouse_evolves_e2e.py.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import sys
from pathlib import Path

import httpx
import pytest
from cluster_resilience.warehouse.refresh import REDACTED, HttpError, RetryPolicy, run_refresh
from cluster_resilience.warehouse.refresh import census_trade as census_module
from cluster_resilience.warehouse.refresh.__main__ import main as refresh_main
from cluster_resilience.warehouse.refresh.base import RefreshContext
from cluster_resilience.warehouse.refresh.bea import select_members
from cluster_resilience.warehouse.refresh.cbp import LAYOUTS as CBP_LAYOUTS
from cluster_resilience.warehouse.refresh.client import (
    AgencyClient,
    Redactor,
    parse_retry_after,
)
from cluster_resilience.warehouse.refresh.files import (
    RefreshError,
    Targets,
    atomic_write,
    merge_years,
    parse_years,
)
from cluster_resilience.warehouse.refresh.manifest import MANIFEST_NAME, year_ranges
from vcr.errors import CannotOverwriteExistingCassetteException

pytestmark = pytest.mark.block_network

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "tests" / "cassettes"
KEY = "sEcReT-census-KEY-4242"
CONTACT = "data-team@example.org"
ENV = {"CENSUS_API_KEY": KEY, "CLUSTER_REFRESH_CONTACT": CONTACT}
VCR_CONFIG = {"record_mode": "none", "filter_query_parameters": [("key", REDACTED)]}


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_cassettes",
                                                  CASSETTES / "make_cassettes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture(scope="module")
def vcr_config() -> dict:
    return VCR_CONFIG


@pytest.fixture(scope="module")
def mini_template(tmp_path_factory) -> Path:
    """Sources YAML, seeds/states.csv and data/raw restricted to the cassettes' three states."""
    return generator.make_mini_project(ROOT, tmp_path_factory.mktemp("mini") / "project")


@pytest.fixture
def mini(mini_template, tmp_path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(mini_template, project)
    return project


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def refresh(project: Path, sources: list[str], *, environ=ENV, years=None, sleeps=None,
            attempts: int = 3):
    echoed: list[str] = []
    report = run_refresh(project_dir=project, sources=sources, years=years, environ=environ,
                         policy=RetryPolicy(attempts=attempts, initial_wait=0, max_wait=0,
                                            sleep=sleeps if sleeps is not None else Sleeps()),
                         min_interval=0, echo=echoed.append)
    report.echoed = echoed
    return report


def raw(project: Path, relative: str) -> Path:
    return project / "data" / "raw" / relative


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def manifest_of(project: Path) -> dict:
    return json.loads(raw(project, MANIFEST_NAME).read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------- each source parses
@pytest.mark.vcr("bea.yaml")
def test_bea_writes_the_all_areas_members_unchanged_under_the_names_dbt_reads(mini):
    report = refresh(mini, ["bea"])
    assert report.ok and len(report.written) == 2
    for name in ("SAGDP2N__ALL_AREAS_1997_2022.csv", "SAGDP9N__ALL_AREAS_1997_2021.csv"):
        written = raw(mini, f"bea/{name}")
        assert written.read_bytes() == generator.bea_csv(ROOT / "data/raw/bea" / name,
                                                         generator.SUBSET)
        item = manifest_of(mini)["files"][f"bea/{name}"]
        assert item["agency_file"] == name and item["sha256"] == sha256(written)
        assert item["requests"][0]["status"] == 200
        assert item["requests"][0]["url"] == "https://apps.bea.gov/regional/zip/SAGDP.zip"
    sagdp2 = manifest_of(mini)["files"]["bea/SAGDP2N__ALL_AREAS_1997_2022.csv"]
    assert sagdp2["release"] == "Last updated: March 31, 2023-- new statistics for 2022."
    assert sagdp2["years"] == "1997-2022" and sagdp2["dbt_source"] == "bea.sagdp2n"
    assert "Refreshed files (`make refresh`)" in raw(mini, "PROVENANCE.md").read_text()


def test_bea_takes_the_newest_member_names_and_refuses_ambiguity():
    names = ["SAGDP2__ALL_AREAS_1997_2024.csv", "SAGDP2__AK_1997_2024.csv",
             "SAGDP9__ALL_AREAS_1997_2024.csv", "SAGDP2__definition.xml"]
    assert select_members(names) == {"SAGDP2": "SAGDP2__ALL_AREAS_1997_2024.csv",
                                     "SAGDP9": "SAGDP9__ALL_AREAS_1997_2024.csv"}
    with pytest.raises(RefreshError, match="expected one SAGDP2"):
        select_members([*names, "SAGDP2N__ALL_AREAS_1997_2022.csv"])


@pytest.mark.vcr("bls.yaml")
def test_bls_flat_files_give_the_shipped_annual_average_layout(mini):
    report = refresh(mini, ["bls"])
    assert report.ok, report.failed
    relative = "bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv"
    shipped = (ROOT / "data/raw" / relative).read_text(encoding="utf-8").splitlines(True)
    kept_states = {"01", "06", "56", "72"}
    expected = [shipped[0]] + [line for line in shipped[1:]
                               if next(csv.reader([line]))[8] in kept_states]
    assert raw(mini, relative).read_text(encoding="utf-8") == "".join(expected)
    item = manifest_of(mini)["files"][relative]
    assert item["years"] == "2010-2020" and "years_kept_from_previous_file" not in item
    assert {request["url"].rsplit("/", 1)[1] for request in item["requests"]} == {
        "sm.data.0.Current", "sm.data_type", "sm.supersector", "sm.industry", "sm.state"}


def test_bls_without_a_contact_address_is_skipped_with_the_env_var_named(mini):
    report = refresh(mini, ["bls"], environ={})
    assert "CLUSTER_REFRESH_CONTACT" in report.skipped["bls"] and not report.written


@pytest.mark.vcr("census_trade.yaml")
def test_census_trade_json_gives_the_shipped_layout(mini):
    report = refresh(mini, ["census_trade"])
    assert report.ok, report.failed
    for flow in ("exports", "imports"):
        relative = f"census_trade/census_state_{flow}_naics_2013_2018.csv"
        before = rows_of(ROOT / "data/raw" / relative)
        names = {"Alabama", "California", "Wyoming"}
        expected = [row for row in before if row["State"] in names]
        after = rows_of(raw(mini, relative))
        assert [{**row, "Value": float(row["Value"])} for row in after] == [
            {**row, "Value": float(row["Value"])} for row in expected]
        item = manifest_of(mini)["files"][relative]
        assert item["years"] == "2013-2018"
        assert item["notes"] == ["no data yet (204) for [2019]"]
        assert [request["status"] for request in item["requests"]] == [200] * 6 + [204]


@pytest.mark.vcr("cbp.yaml")
def test_cbp_zips_update_their_years_in_the_econdata_layouts(mini):
    before = {name: rows_of(raw(mini, Targets(mini, mini / "data/raw").relative(name)
                                .as_posix())) for name in CBP_LAYOUTS}
    report = refresh(mini, ["cbp"], years=(2020, 2021, 2022))
    assert report.ok, report.failed
    for name in CBP_LAYOUTS:
        relative = Targets(mini, mini / "data/raw").relative(name).as_posix()
        after = rows_of(raw(mini, relative))
        old = [row for row in before[name] if row["year"] not in {"2020", "2021"}]
        assert [row for row in after if row["year"] not in {"2020", "2021"}] == old

        def normal(row):  # the EconData rule: an emp or payroll of 0 is NA
            return {**row, **{column: None if row[column] in {"0", "NA"} else float(row[column])
                               for column in ("employment_march", "payroll_quarter1")}}

        refreshed = [normal(row) for row in after if row["year"] in {"2020", "2021"}]
        assert refreshed == [normal(row) for row in before[name]
                             if row["year"] in {"2020", "2021"}]
        item = manifest_of(mini)["files"][relative]
        assert item["years_kept_from_previous_file"] == "2001-2019"
        assert "not published yet (404): [2022]" in item["notes"]


@pytest.mark.vcr("uscm.yaml")
def test_uscm_json_gives_the_shipped_layout(mini):
    report = refresh(mini, ["uscm"])
    assert report.ok, report.failed
    relative = "uscm/uscm_state_cluster_2016.csv"
    shipped = [row for row in rows_of(ROOT / "data/raw" / relative)
               if row["region_code_t"] in {"01", "06", "56"}]
    after = rows_of(raw(mini, relative))

    def normal(row):  # ranks are integers in the API, floats in the pandas-written file
        return {key: float(value) if key.endswith("_i") and value else value
                for key, value in row.items()}

    assert [normal(row) for row in after] == [normal(row) for row in shipped]
    item = manifest_of(mini)["files"][relative]
    assert item["release"] == "USCM data timestamp 2018-10-01T03:23:00.952Z"
    assert len(item["requests"]) == 4  # the years list, then one request per state


def test_the_layout_writers_reproduce_the_shipped_files_byte_for_byte():
    from cluster_resilience.warehouse.refresh import bls, census_trade

    layouts = {**{f"cbp/{Targets(ROOT, ROOT / 'data/raw').relative(name).name}": layout
                  for name, layout in CBP_LAYOUTS.items()},
               "bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv": bls.LAYOUT,
               "census_trade/census_state_exports_naics_2013_2018.csv": census_trade.LAYOUT}
    for relative, layout in layouts.items():
        path = ROOT / "data/raw" / relative
        assert layout.render(rows_of(path)) == path.read_bytes(), relative


# ----------------------------------------------------------------------------------- keys
@pytest.mark.vcr("census_trade.yaml")
def test_the_census_key_is_redacted_in_manifest_provenance_messages_and_cassettes(
        mini, caplog):
    report = refresh(mini, ["census_trade"])
    assert report.ok
    texts = [raw(mini, MANIFEST_NAME).read_text(), raw(mini, "PROVENANCE.md").read_text(),
             "\n".join(report.echoed), caplog.text,
             *(path.read_text() for path in CASSETTES.glob("*.yaml"))]
    assert not any(KEY in text for text in texts)
    urls = [request["url"] for item in manifest_of(mini)["files"].values()
            for request in item["requests"]]
    assert urls and all("key=REDACTED" in url for url in urls)


def test_redaction_of_urls_and_error_messages():
    redact = Redactor(secrets=(KEY,))
    assert redact(f"https://x/y?get=A&key={KEY}&UserID=abc") == (
        "https://x/y?get=A&key=REDACTED&UserID=REDACTED")
    assert redact(f"failed: {KEY} was refused") == "failed: REDACTED was refused"

    def always_500(request):
        return httpx.Response(500, text=f"echo {request.url}")

    client = AgencyClient(user_agent="t", redact=redact, transport=httpx.MockTransport(
        always_500), policy=RetryPolicy(attempts=2, initial_wait=0, max_wait=0, sleep=Sleeps()))
    with pytest.raises(HttpError) as raised, client:
        client.download("https://api.example/data", Path(os.devnull), params={"key": KEY})
    assert KEY not in str(raised.value) and "key=REDACTED" in str(raised.value)


# --------------------------------------------------------------------------------- retries
@pytest.mark.vcr("retry_503_then_200.yaml")
def test_a_503_is_retried_after_its_retry_after_then_the_200_is_used(mini):
    sleeps = Sleeps()
    report = refresh(mini, ["bea"], sleeps=sleeps)
    assert report.ok, report.failed
    assert sleeps == [7.0]  # the recorded Retry-After
    item = manifest_of(mini)["files"]["bea/SAGDP2N__ALL_AREAS_1997_2022.csv"]
    assert item["requests"][0]["status"] == 200


def test_retries_stop_after_the_last_attempt_and_timeouts_are_retried(tmp_path):
    calls = []

    def flaky(request):
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(429, headers={"Retry-After": "3"}) if len(calls) == 2 else \
            httpx.Response(200, content=b"ok")

    sleeps = Sleeps()
    with AgencyClient(user_agent="t", transport=httpx.MockTransport(flaky),
                      policy=RetryPolicy(attempts=3, initial_wait=0.5, max_wait=0.5,
                                         sleep=sleeps)) as client:
        fetch = client.download("https://bulk.example/f.zip", tmp_path / "f")
    assert fetch.status == 200 and (tmp_path / "f").read_bytes() == b"ok"
    assert len(sleeps) == 2 and sleeps[1] == 3.0 and 0 <= sleeps[0] <= 1.0

    with AgencyClient(user_agent="t", transport=httpx.MockTransport(
            lambda request: httpx.Response(503)), policy=RetryPolicy(
            attempts=3, initial_wait=0, max_wait=0, sleep=Sleeps())) as client:
        with pytest.raises(HttpError, match=r"HTTP 503 .*gave up after 3 attempts"):
            client.download("https://bulk.example/f.zip", tmp_path / "g")


def test_retry_after_as_seconds_or_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 30 Nov 2026 12:01:30 GMT", now) == 90.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# -------------------------------------------------------------------------- keyless Census
def test_census_without_a_key_is_skipped_with_the_env_var_named(mini):
    report = refresh(mini, ["census_trade"], environ={})
    assert "CENSUS_API_KEY" in report.skipped["census_trade"] and not report.written


@pytest.mark.vcr("census_keyless.yaml")
def test_a_keyless_census_call_answered_by_a_302_fails_with_a_clear_message(mini, tmp_path):
    context = RefreshContext(targets=Targets(mini, mini / "data/raw"), years=None, environ={},
                             this_year=2026, workdir=tmp_path)
    with AgencyClient(user_agent="t") as client:
        with pytest.raises(census_module.CensusKeyError) as raised:
            census_module.fetch_year(client, context, census_module.FLOWS[0], 2013, key=None)
    message = str(raised.value)
    assert "HTTP 302" in message and "CENSUS_API_KEY" in message and "key_signup" in message

    before = sha256(raw(mini, "census_trade/census_state_exports_naics_2013_2018.csv"))
    report = refresh(mini, ["census_trade"], environ={"CENSUS_API_KEY": KEY})
    assert "HTTP 302" in report.failed["census_trade"] and KEY not in report.failed["census_trade"]
    assert sha256(raw(mini, "census_trade/census_state_exports_naics_2013_2018.csv")) == before


# ---------------------------------------------------------------- bad bodies never replace
@pytest.mark.parametrize("cassette", [
    pytest.param("bea_truncated.yaml", marks=pytest.mark.vcr("bea_truncated.yaml",
                                                             allow_playback_repeats=True)),
    pytest.param("bea_corrupt.yaml", marks=pytest.mark.vcr("bea_corrupt.yaml")),
])
def test_a_partial_or_corrupt_body_never_replaces_the_existing_file(mini, cassette):
    target = raw(mini, "bea/SAGDP2N__ALL_AREAS_1997_2022.csv")
    good = target.read_bytes()
    report = refresh(mini, ["bea"])
    assert "bea" in report.failed and not report.written
    expected = "incomplete" if "truncated" in cassette else "CRC|damaged|not a zip"
    assert re.search(expected, report.failed["bea"]), report.failed["bea"]
    assert target.read_bytes() == good
    assert not list((mini / "data/raw").rglob("*.part"))
    assert not raw(mini, MANIFEST_NAME).exists()


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "f.csv"
    target.write_bytes(b"old\n")

    def broken_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n" and list(tmp_path.iterdir()) == [target]


# ----------------------------------------------------------------------------- no network
@pytest.mark.vcr("bea.yaml")
def test_no_socket_can_connect_and_unrecorded_requests_fail():
    with pytest.raises(RuntimeError, match="Network is disabled"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(CannotOverwriteExistingCassetteException):
        httpx.get("https://apps.bea.gov/regional/zip/SAINC.zip")


def test_dry_run_lists_what_it_would_fetch_and_writes_nothing(mini, capsys):
    listing = sorted(p.relative_to(mini) for p in mini.rglob("*"))
    assert refresh_main(["--dry-run", "--project-dir", str(mini)]) == 0
    out = capsys.readouterr().out
    assert "https://apps.bea.gov/regional/zip/SAGDP.zip" in out
    assert "cbp{yy}st.zip" in out and "/data/region/state/" in out
    assert sorted(p.relative_to(mini) for p in mini.rglob("*")) == listing
    with pytest.raises(SystemExit):
        refresh_main(["--years", "twenty"])


# ----------------------------------------------------------------------------- helpers
def test_years_ranges_and_merging():
    assert parse_years("2019-2021,2024") == (2019, 2020, 2021, 2024)
    assert parse_years(None) is None
    with pytest.raises(ValueError):
        parse_years("2021-2019")
    assert year_ranges([2013, 2014, 2015, 2018]) == "2013-2015, 2018"
    rows, kept = merge_years([{"year": "2020", "v": "a"}, {"year": "2021", "v": "b"}],
                             [{"year": "2021", "v": "c"}], "year", [2021])
    assert rows == [{"year": "2020", "v": "a"}, {"year": "2021", "v": "c"}] and kept == (2020,)


def test_the_committed_cassettes_are_what_the_generator_makes(tmp_path):
    generator.make_cassettes(tmp_path, generator.SUBSET, ROOT)
    made = sorted(path.name for path in tmp_path.glob("*.yaml"))
    assert made == sorted(path.name for path in CASSETTES.glob("*.yaml"))
    for name in made:
        assert (tmp_path / name).read_bytes() == (CASSETTES / name).read_bytes(), name


# ------------------------------------------------------------------------------- end to end
# Refreshing a full copy of the repo from full cassettes and building it is part of the one
# evolution build in tests/python/test_warehouse_evolves_e2e.py (refresh, newer releases and
# registry additions, one build).

