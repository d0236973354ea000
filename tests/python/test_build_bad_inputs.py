"""The bad-input catalogue (tests/bad_inputs/cases.py) through the real build entry point.

Each case runs ``cluster_resilience.warehouse.build.main`` on a temporary copy of the project whose
published warehouse is a byte copy of the session's real build (``built_warehouse``), and asserts
(a) the build fails at the stage the case names, or, for legal but unusual input, succeeds with
the same numbers; (b) the message matches the case's regex (file and row or column, or the var);
(c) the published warehouse is byte-for-byte unchanged (sha256) and no staging file is left.

Speed: cases run in two spawned worker processes (2 cores), longest first. The GX results of
the 15 untouched raw files are reused from the session build's cache (their bytes passed the
same suites), so a case validates only the file it mutated; cases stopped at the door never
start dbt.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from bad_inputs.cases import CASES, Case  # noqa: E402
from bad_inputs.compare import compare_warehouses  # noqa: E402
from bad_inputs.runner import run_case  # noqa: E402

pytestmark = pytest.mark.e2e

STAGE_COST = {"success": 0, "newer": 0, "refused": 0, "dbt": 1, "vars": 2, "gx": 3}  # slow first


def _selected_cases(request: pytest.FixtureRequest) -> list[Case]:
    names = {
        item.callspec.params["case"].name
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_bad_input" and hasattr(item, "callspec")
    }
    return [case for case in CASES if case.name in names]


@pytest.fixture(scope="module")
def catalogue(request, built_warehouse, tmp_path_factory) -> dict[str, dict]:
    """Run every selected case (in parallel) once; the tests below assert on the outcomes."""
    cases = sorted(_selected_cases(request), key=lambda case: STAGE_COST[case.stage])
    work = tmp_path_factory.mktemp("bad_inputs")
    cache = built_warehouse.parent / "target" / "gx_cache"
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = {
            case.name: pool.submit(run_case, case.name, str(ROOT), str(built_warehouse),
                                   str(work / case.name), str(cache))
            for case in cases
        }
        outcomes = {name: future.result() for name, future in futures.items()}
    seconds = time.perf_counter() - started
    summary = {name: round(outcome["seconds"], 1) for name, outcome in outcomes.items()}
    (work / "timings.json").write_text(json.dumps({"wall_seconds": seconds, "cases": summary},
                                                  indent=1))
    (work / "messages.json").write_text(json.dumps(
        {name: outcome["stderr"] for name, outcome in outcomes.items()}, indent=1))
    print(f"\nbad-input catalogue: {len(cases)} cases in {seconds:.0f} s wall; per case: {summary}")
    return outcomes


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=case.name, marks=[pytest.mark.slow] if case.slow else [])
     for case in CASES],
)
def test_bad_input(case: Case, catalogue, built_warehouse):
    outcome = catalogue[case.name]
    report = f"{outcome['stderr']}\n--- stdout tail ---\n{outcome['stdout'][-3000:]}"
    assert outcome["leftovers"] == [], f"staging files left behind: {outcome['leftovers']}"
    if case.stage == "success":
        assert outcome["exit_code"] == 0, report
        assert outcome["hash_prev"] == outcome["hash_before"], "the .prev copy is not the old file"
        _assert_same_numbers(Path(outcome["published"]), built_warehouse)
        assert "same cells, different bytes" in outcome["change_report"], (
            outcome["change_report"][-3000:])
        return
    if case.stage == "newer":
        assert outcome["exit_code"] == 0, report
        assert outcome["hash_after"] != outcome["hash_before"], "newer release not published"
        case.check(Path(outcome["published"]))
        return
    for pattern in case.printed:
        assert re.search(pattern, outcome["stdout"], flags=re.DOTALL), (
            f"the build did not print {pattern!r}:\n{outcome['stdout'][-6000:]}")
    for pattern in case.report:
        assert re.search(pattern, outcome["change_report"], flags=re.DOTALL), (
            f"change report does not match {pattern!r}:\n{outcome['change_report'][:6000]}")
    assert outcome["exit_code"] == 1, report
    assert outcome["hash_after"] == outcome["hash_before"], "published warehouse changed"
    assert outcome["hash_prev"] is None, "a failed build must not rotate .prev"
    assert case.matches(outcome["stderr"]), f"message does not match {case.message!r}:\n{report}"
    if case.stage == "gx":
        assert "RAW INPUT CHECK FAILED" in outcome["stderr"]
        assert not outcome["dbt_started"], "dbt ran although the door should have stopped it"
    elif case.stage == "vars":
        assert "START sql" not in outcome["stdout"] and "START python" not in outcome["stdout"]
    elif case.stage == "dbt":
        assert "DBT BUILD FAILED" in outcome["stderr"]
    elif case.stage == "refused":
        assert "DBT BUILD FAILED" not in outcome["stderr"], "the build itself must succeed"


def _assert_same_numbers(published: Path, baseline: Path) -> None:
    """Every table the new build published holds the baseline's rows (floats to 1e-9), except
    dim_raw_file: it fingerprints the raw bytes, which the case changed on purpose."""
    diffs = [diff for diff in compare_warehouses(published, baseline)
             if diff.table != "dim_raw_file"]
    assert len(diffs) > 20
    problems = {diff.table: diff.problems for diff in diffs if diff.problems}
    assert problems == {}, f"tables differ from the baseline build: {problems}"


def test_catalogue_covers_the_issue_list():
    names = {case.name for case in CASES}
    assert len(CASES) >= 30
    required = {
        "truncated_mid_line", "missing_file", "empty_file", "renamed_column",
        "reordered_columns", "header_row_duplicated", "footer_moved_into_data", "footer_missing",
        "non_numeric_value", "new_suppression_code", "negative_employment",
        "duplicate_state_year", "unknown_state_fips", "unknown_naics", "year_out_of_range",
        "windows_line_endings", "utf8_bom", "latin1_encoding", "thousands_separator",
        "var_wrong_type", "window_end_before_start", "rule_without_its_sql_expression",
        "bls_later_years", "bea_one_more_year_column", "year_gap", "duplicated_key_year_row",
    }
    assert required <= names, sorted(required - names)
