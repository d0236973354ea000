"""The bad-input catalogue, as data: each case is one small mutation of a copy of a real raw file
(or of the dbt vars), the stage that must stop it, and a regex its message must match (naming the
file and the row or column, or the var).

Stages:
- ``gx``: stopped at the door by the Great Expectations suites, before dbt starts;
- ``vars``: stopped before any model runs (build.py's check of --vars names, or
  macros/validate_vars.sql in dbt's on-run-start);
- ``dbt``: legal-looking raw data that breaks an identity a dbt test guards (run with dbt's
  ``--fail-fast``: the build stops at that test instead of running every unrelated model);
- ``success``: legal but unusual input (BOM, CRLF) that must build to the same numbers;
- ``refused``: a legal change of a raw value, built with ``--refuse-changes``: the change report
  names the raw cell and the estimate it moves, and nothing is published.
- ``newer``: a SYNTHETIC newer release (later years, one more year column; see
  synthetic_vintages.py) that must build and publish with no edit, ``check`` then asserting on
  the published warehouse (dim_source_vintage names the new years).

tests/python/test_build_bad_inputs.py runs every case through the real entry point
(cluster_resilience.warehouse.build.main) on a temporary copy of the project.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bad_inputs.synthetic_vintages import extend_bea, extend_bls

BEA2 = "data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022.csv"
BEA9 = "data/raw/bea/SAGDP9N__ALL_AREAS_1997_2021.csv"
BLS = "data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv"
CBP_US = "data/raw/cbp/econdata_CBP_national_total.csv"
CBP_US6 = "data/raw/cbp/econdata_CBP_national_industry6.csv"
CBP_ST = "data/raw/cbp/econdata_CBP_state_total.csv"
CBP_ST2 = "data/raw/cbp/econdata_CBP_state_industry2.csv"
CBP_ST3 = "data/raw/cbp/econdata_CBP_state_industry3.csv"
EXPORTS = "data/raw/census_trade/census_state_exports_naics_2013_2018.csv"
IMPORTS = "data/raw/census_trade/census_state_imports_naics_2013_2018.csv"
USCM = "data/raw/uscm/uscm_state_cluster_2016.csv"
SUBCLUSTERS = "data/raw/uscm/uscm_subclusters.csv"
CROSSWALK = "data/raw/uscm/uscm_cluster_naics_crosswalk.csv"

# Builds that must succeed publish a warehouse whose every table is compared, row for row, with
# the baseline build (which passed every dbt test). To keep the catalogue fast they skip what
# that comparison makes redundant: the estimate models (Python, minutes of bootstrap; they read
# only the marts, so equal marts mean equal estimates) and the dbt tests (equal tables pass the
# same tests).
MODELS_ONLY = ("--exclude", "path:models/estimates+", "resource_type:test",
               "resource_type:unit_test")
# Newer releases build only what proves they flow through (published as a partial warehouse in
# the case's own copy): the staging models, dim_source_vintage and the state-outcome-year mart.
# Their dbt tests on the new years run in tests/python/test_newer_vintages_e2e.py (one full
# build of both releases), so they are skipped here to keep the catalogue fast.
NEWER_RELEASE = ("--select", "+dim_source_vintage", "+fct_state_outcome_year", "--exclude",
                 "resource_type:test", "resource_type:unit_test")


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    stage: str  # gx | vars | dbt | success
    message: str  # regex the failure message must match (re.DOTALL)
    dbt_args: tuple[str, ...] = ()
    slow: bool = False
    check: Callable[[Path], None] | None = None  # stage newer: asserts on the published file
    cli_args: tuple[str, ...] = ()  # build CLI options before `--`
    report: tuple[str, ...] = ()  # regexes target/change_report.md must each match (DOTALL)
    printed: tuple[str, ...] = ()  # regexes the build's printed output must each match (DOTALL)

    def matches(self, text: str) -> bool:
        return re.search(self.message, text, flags=re.DOTALL) is not None


# ------------------------------------------------------------------------------ mutation helpers
def rewrite(project: Path, relative: str, change: Callable[[bytes], bytes]) -> None:
    """Replace a (hard-linked) raw file by a changed copy, never editing the shared inode."""
    path = project / relative
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(change(data))


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def replace_once(relative: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        def change(data: bytes) -> bytes:
            assert old in data, f"{relative}: {old!r} not found"
            return data.replace(old, new, 1)

        rewrite(project, relative, change)

    return mutate


def edit_lines(relative: str, edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        rewrite(project, relative, lambda data: b"\n".join(edit(lines_of(data))))

    return mutate


def delete_file(relative: str) -> Callable[[Path], None]:
    return lambda project: (project / relative).unlink()


def empty_file(relative: str) -> Callable[[Path], None]:
    return lambda project: rewrite(project, relative, lambda data: b"")


def truncate_bytes(relative: str, fraction: float) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        rewrite(project, relative, lambda data: data[: int(len(data) * fraction)])

    return mutate


def swap_columns(relative: str, first: int, second: int) -> Callable[[Path], None]:
    """Swap two columns in the header and every row (a reordered but consistent file)."""

    def edit(lines: list[bytes]) -> list[bytes]:
        out = []
        for line in lines:
            if not line:
                out.append(line)
                continue
            fields = line.split(b",")
            fields[first], fields[second] = fields[second], fields[first]
            out.append(b",".join(fields))
        return out

    return edit_lines(relative, edit)


def drop_column(relative: str, index: int) -> Callable[[Path], None]:
    def edit(lines: list[bytes]) -> list[bytes]:
        return [b",".join(f for i, f in enumerate(line.split(b",")) if i != index) if line
                else line for line in lines]

    return edit_lines(relative, edit)


def set_vars(**changes: str) -> Callable[[Path], None]:
    """Edit the vars block of dbt_project.yml: each value is the new YAML text of that var."""

    def mutate(project: Path) -> None:
        path = project / "dbt_project.yml"
        text = path.read_text(encoding="utf-8")
        for name, value in changes.items():
            pattern = rf"(?m)^  {re.escape(name)}:.*$"
            assert re.search(pattern, text), f"var {name} not in dbt_project.yml"
            text = re.sub(pattern, f"  {name}: {value}", text, count=1)
        path.unlink()
        path.write_text(text, encoding="utf-8")

    return mutate


def set_window(window: str, pre: int, post: int) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        path = project / "dbt_project.yml"
        text = path.read_text(encoding="utf-8")
        pattern = rf"(?m)^(    {window}: \{{)pre_year: \d+, post_year: \d+"
        assert re.search(pattern, text), f"window {window} not in dbt_project.yml"
        text = re.sub(pattern, rf"\g<1>pre_year: {pre}, post_year: {post}", text, count=1)
        path.unlink()
        path.write_text(text, encoding="utf-8")

    return mutate


def nothing(project: Path) -> None:
    """Vars passed on the command line: the files stay as shipped."""


def _footer_moved(lines: list[bytes]) -> list[bytes]:
    body, footer = lines[:-5], lines[-5:-1]
    return body[:100] + footer + body[100:] + [b""]


def _header_duplicated(lines: list[bytes]) -> list[bytes]:
    return lines[:999] + [lines[0]] + lines[999:]


def _drop_state(lines: list[bytes]) -> list[bytes]:
    return [line for line in lines if not line.startswith(b'56,"Wyoming"')]


def _duplicate_row(lines: list[bytes]) -> list[bytes]:
    return lines[:500] + [lines[499]] + lines[500:]


def _latin1(project: Path) -> None:
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8").replace("Aircraft Manufacturing", "Aéronefs Manufacturing", 1)
        return text.encode("latin-1")

    rewrite(project, CROSSWALK, change)


def _manufacturing_above_total(project: Path) -> None:
    """Alabama 2019: manufacturing GDP (line 12) set above all-industry GDP (line 1)."""

    def change(data: bytes) -> bytes:
        lines = lines_of(data)
        header = lines[0].split(b",")
        year = header.index(b"2019")
        for i, line in enumerate(lines):
            if line.startswith(b' "01000"') and line.split(b",")[4] == b"12":
                fields = line.split(b",")
                fields[year] = b"999999.0"
                lines[i] = b",".join(fields)
                return b"\n".join(lines)
        raise AssertionError("Alabama line 12 not found")

    rewrite(project, BEA2, change)


def _drop_year(year: bytes) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: [line for line in lines if not line.startswith(year + b",")]


def _two_bea_releases(project: Path) -> None:
    """A newer BEA download saved beside the shipped one (the old one not moved out)."""
    extend_bea(project)
    shipped = project / BEA2
    shipped.write_bytes((project / BEA2.replace("_2022.csv", "_2023.csv")).read_bytes())


def _bls_newer_with_bad_value(project: Path) -> None:
    """SYNTHETIC later BLS years, one of whose values is broken."""
    path = extend_bls(project, rename=False)
    rewrite(project, str(path.relative_to(project)),
            lambda data: data[: data.rindex(b",")] + b",12O.5\n")


def _published_years(source: str, first: int, last: int,
                     column: str) -> Callable[[Path], None]:
    """The published warehouse records the new years (dim_source_vintage) and the state-year
    mart carries ``column`` for every state in the new last year."""

    def check(published: Path) -> None:
        import duckdb

        connection = duckdb.connect(str(published), read_only=True)
        try:
            recorded = connection.execute(
                "select first_year, last_year, n_years, vintage from dim_source_vintage "
                "where source_name = ?", [source]).fetchone()
            states = connection.execute(
                "select count(value) from fct_state_outcome_year where outcome = ? and year = ?",
                [column, last]).fetchone()
        finally:
            connection.close()
        assert recorded[:3] == (first, last, last - first + 1), recorded
        assert f"{first}-{last}" in recorded[3], recorded
        assert states == (51,), f"fct_state_outcome_year {column} in {last}: {states[0]} states"

    return check


def _gzip(project: Path) -> None:
    import gzip

    rewrite(project, SUBCLUSTERS, lambda data: gzip.compress(data, compresslevel=1))


def _alabama_gdp_2020_up(project: Path) -> None:
    """Alabama's 2020 all-industry GDP (SAGDP2N line 1) 5 % higher: a legal value that moves
    the shock-window DID estimates."""

    def change(data: bytes) -> bytes:
        lines = lines_of(data)
        year = lines[0].split(b",").index(b"2020")
        for i, line in enumerate(lines):
            fields = line.split(b",")
            if line.startswith(b' "01000"') and fields[4] == b"1":
                fields[year] = f"{float(fields[year]) * 1.05:.1f}".encode()
                lines[i] = b",".join(fields)
                return b"\n".join(lines)
        raise AssertionError("Alabama line 1 not found")

    rewrite(project, BEA2, change)


def _gdp_from_another_year(project: Path) -> None:
    """California's 2019 GDP (SAGDP2N line 1) replaced by its 2015 value: a plausible wrong
    value (right magnitude, right format) that no range or identity test catches."""

    def change(data: bytes) -> bytes:
        lines = lines_of(data)
        header = lines[0].split(b",")
        year, source = header.index(b"2019"), header.index(b"2015")
        for i, line in enumerate(lines):
            fields = line.split(b",")
            if line.startswith(b' "06000"') and fields[4] == b"1":
                fields[year] = fields[source]
                lines[i] = b",".join(fields)
                return b"\n".join(lines)
        raise AssertionError("California line 1 not found")

    rewrite(project, BEA2, change)


def _flip_published_strong_flag(project: Path) -> None:
    """One published USCM strong_b flag flipped (a traded state x cluster row marked strong)."""

    def change(data: bytes) -> bytes:
        lines = lines_of(data)
        header = lines[0].split(b",")
        strong = header.index(b"strong_b")
        for i, line in enumerate(lines[1:], start=1):
            fields = line.split(b",")
            if fields[-1].strip() == b"traded" and fields[strong] == b"False":
                fields[strong] = b"True"
                lines[i] = b",".join(fields)
                return b"\n".join(lines)
        raise AssertionError("no traded row with strong_b False")

    rewrite(project, USCM, change)


# A refused publish only needs the DID estimates and the raw fingerprints: build just those,
# without dbt tests, and with few bootstrap draws (the headline specs do not bootstrap).
DID_ONLY = ("--select", "+est_did_coefficients", "dim_raw_file", "--exclude",
            "resource_type:test", "resource_type:unit_test", "--vars", "{bootstrap_reps: 99}")


def _bom(project: Path) -> None:
    rewrite(project, BEA2, lambda data: b"\xef\xbb\xbf" + data)


def _crlf(project: Path) -> None:
    rewrite(project, BLS, lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


CASES: list[Case] = [
    # ---------------------------------------------------------------- the file itself
    Case("missing_file", delete_file(CBP_ST), "gx",
         r"econdata_CBP_state_total\.csv \(dbt source cbp\.state_total\): missing file"),
    Case("empty_file", empty_file(BLS), "gx",
         r"bls_ces_sm_state_annual_avg_all_employees_2010_2020\.csv.*empty file \(0 bytes\)"),
    Case("header_only", edit_lines(EXPORTS, lambda lines: lines[:1] + [b""]), "gx",
         r"census_state_exports_naics_2013_2018\.csv.*expect_table_row_count_to_be_between"
         r".*observed: 0"),
    Case("truncated_mid_line", truncate_bytes(IMPORTS, 0.6), "gx",
         r"census_state_imports_naics_2013_2018\.csv.*"
         r"(expect_table_row_count_to_be_between.*observed: 2\d{4}|cannot read)"),
    Case("truncated_at_line_no_footer", edit_lines(BEA2, lambda lines: lines[:3001] + [b""]),
         "gx", r"SAGDP2N__ALL_AREAS_1997_2022\.csv.*column='GeoFIPS'.*observed: 33.*"
         r"line 2998: a data row where footer line 'note' is expected"),
    Case("footer_missing", edit_lines(BEA9, lambda lines: lines[:-5] + [b""]), "gx",
         r"SAGDP9N__ALL_AREAS_1997_2021\.csv.*footer_line.*missing: \['agency', 'last updated', "
         r"'note', 'title'\]"),
    Case("footer_moved_into_data", edit_lines(BEA2, _footer_moved), "gx",
         r"SAGDP2N__ALL_AREAS_1997_2022\.csv.*line 101: footer line 'note' where a data row is "
         r"expected"),
    Case("footer_text_changed",
         replace_once(BEA2, b'"Last updated: March 31, 2023', b'"Revised: March 31, 2023'), "gx",
         r"SAGDP2N__ALL_AREAS_1997_2022\.csv.*line 5528: footer line 'unrecognised footer text' "
         r"where footer line 'last updated' is expected"),
    # ---------------------------------------------------------------- header and columns
    Case("renamed_column", replace_once(BLS, b",stname,value\n", b",stname,val\n"), "gx",
         r"bls_ces_sm.*missing: \['value'\]; unexpected: \['val'\]"),
    Case("reordered_columns", swap_columns(CBP_ST, 1, 2), "gx",
         r"econdata_CBP_state_total\.csv.*same names, different order"),
    Case("dropped_column", drop_column(EXPORTS, 1), "gx",
         r"census_state_exports.*missing: \['CountryName'\]"),
    Case("extra_column",
         edit_lines(SUBCLUSTERS, lambda lines: [line + b",x" if line else line for line in lines]),
         "gx", r"uscm_subclusters\.csv.*unexpected: \['x'\]"),
    Case("header_row_duplicated", edit_lines(BLS, _header_duplicated), "gx",
         r"bls_ces_sm.*line 1000: .*year='year'"),
    # ---------------------------------------------------------------- values
    Case("non_numeric_value", replace_once(BLS, b",Alaska,325.0\n", b",Alaska,abc\n"), "gx",
         r"bls_ces_sm.*line 2: value='abc'"),
    Case("new_suppression_code", replace_once(BEA2, b",(L),", b",(T),"), "gx",
         r"SAGDP2N.*suppression codes.*line \d+, column \d{4}: '\(T\)'"),
    Case("negative_employment",
         replace_once(CBP_ST, b'1,"Alabama",2002,1581117', b'1,"Alabama",2002,-1581117'), "gx",
         r"econdata_CBP_state_total\.csv.*never negative.*line 3: employment_march='-1581117'"),
    Case("thousands_separator",
         replace_once(BLS, b",Alaska,325.0\n", b',Alaska,"1,325.0"\n'), "gx",
         r"bls_ces_sm.*no thousands separator.*line 2: value='1,325.0'"),
    Case("scientific_notation_in_a_count",
         replace_once(CBP_ST3, b'1,"Alabama",2001,113,1266,', b'1,"Alabama",2001,113,1.266e+03,'),
         "gx", r"econdata_CBP_state_industry3\.csv.*line 2: employment_march='1\.266e\+03'"),
    Case("null_key", replace_once(CBP_US, b"115061184,7095302,1012792300000,2001",
                                  b"115061184,7095302,1012792300000,"), "gx",
         r"econdata_CBP_national_total\.csv.*expect_column_values_to_not_be_null\(column='year'\)"
         r".*line 2:"),
    Case("year_out_of_range", replace_once(BLS, b"2010,01,", b"2099,01,"), "gx",
         r"bls_ces_sm.*a year from 1990 to \d{4} \(macros/source_years\.sql.*line 2: year='2099'"),
    Case("two_digit_year", replace_once(IMPORTS, b"Alabama,18940757351.0,2013", b"Alabama,"
                                        b"18940757351.0,13"), "gx",
         r"census_state_imports.*four-digit year.*line 2: Year='13'"),
    Case("unit_changed", replace_once(BEA2, b'"Millions of current dollars"',
                                      b'"Thousands of current dollars"'), "gx",
         r"SAGDP2N.*Unit='Thousands of current dollars'"),
    Case("boolean_garbage", replace_once(USCM, b"True,False,False,False,traded",
                                         b"True,False,Yes,False,traded"), "gx",
         r"uscm_state_cluster_2016\.csv.*strong_b='Yes'"),
    Case("lq_negative", replace_once(USCM, b",1.5356029,", b",-1.5356029,"), "gx",
         r"uscm_state_cluster_2016\.csv.*location quotient.*lq_tf='-1\.5356029'"),
    # ---------------------------------------------------------------- keys and codes
    Case("duplicate_state_year", edit_lines(CBP_ST2, _duplicate_row), "gx",
         r"econdata_CBP_state_industry2\.csv.*one row per naics x state_fips x year"
         r".*line 500: .*line 501: "),
    Case("unknown_state_fips", replace_once(CBP_ST, b'1,"Alabama",2001', b'57,"Alabama",2001'),
         "gx", r"econdata_CBP_state_total\.csv.*line 2: state_fips='57'"),
    Case("unknown_state_name", replace_once(EXPORTS, b"TOTAL FOR ALL COUNTRIES,Alabama,",
                                            b"TOTAL FOR ALL COUNTRIES,Albama,"), "gx",
         r"census_state_exports.*line 2: State='Albama'"),
    Case("unknown_bea_area", replace_once(BEA9, b' "01000","Alabama"', b' "03000","Alabama"'),
         "gx", r"SAGDP9N.*GeoFIPS='03000'"),
    Case("unknown_naics", replace_once(CBP_US6, b'"113110",3203,', b'"999999",3203,'), "gx",
         r"econdata_CBP_national_industry6\.csv.*crosswalk.*line 2: naics='999999'"),
    Case("unknown_cluster_code", replace_once(USCM, b"cluster/state/01/116/2016,cluster,Local "
                                              b"Industrial Products and Services,116,",
                                              b"cluster/state/01/116/2016,cluster,Local "
                                              b"Industrial Products and Services,152,"), "gx",
         r"uscm_state_cluster_2016\.csv.*line 2: cluster_code_t='152'"),
    Case("state_missing", edit_lines(CBP_ST, _drop_state), "gx",
         r"econdata_CBP_state_total\.csv.*expect_column_unique_value_count_to_be_between"
         r"\(column='state_fips'.*observed: 50"),
    Case("manufacturing_series_missing",
         edit_lines(BLS, lambda lines: [line for line in lines if b",30000000," not in line]),
         "gx", r"bls_ces_sm.*missing values: \['30000000'\]"),
    Case("state_name_mismatch", replace_once(CBP_ST, b'1,"Alabama",2001', b'1,"Alaska",2001'),
         "gx", r"econdata_CBP_state_total\.csv.*state_fips and state_name name the same state"
         r".*line 2: state_fips='1', state_name='Alaska'"),
    Case("latin1_encoding", _latin1, "gx",
         r"uscm_cluster_naics_crosswalk\.csv.*not utf-8 encoded: byte 0xE9 at line \d+, "
         r"column \d+"),
    Case("gzip_compressed", _gzip, "gx",
         r"uscm_subclusters\.csv.*the file is gzip-compressed \(first bytes 1f 8b\)"),
    # ---------------------------------------------------------------- vintages
    Case("year_gap", edit_lines(BLS, _drop_year(b"2015")), "gx",
         r"bls_ces_sm_state_annual_avg_all_employees_2010_2020\.csv.*"
         r"expect_column_values_to_not_be_null\(column='file_line'\).*missing years: 2015.*"
         r"year=2015: no row in the file \(no row at all in this year.*"
         r"stcode='01', ind='00000000', year=2015: no row"),
    Case("duplicated_key_year_row", edit_lines(BLS, _duplicate_row), "gx",
         r"bls_ces_sm.*one row per year x stcode x ind.*line 500: year='2013', stcode='02'"
         r".*line 501: year='2013', stcode='02'"),
    Case("file_ends_before_published_release", edit_lines(BLS, _drop_year(b"2020")), "gx",
         r"bls_ces_sm.*the file ends no earlier than the published release \(column year reach "
         r"2020\).*column year: 2010-2019; missing at the end: 2020"),
    Case("two_releases_of_one_table", _two_bea_releases, "gx",
         r"SAGDP2N__ALL_AREAS_\*\.csv \(dbt source bea\.sagdp2n\): 2 files match.*"
         r"SAGDP2N__ALL_AREAS_1997_2023\.csv looks like a newer release \(its name runs to "
         r"2023\): to accept it, move data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022\.csv out"),
    Case("renamed_release_not_found",
         lambda project: (project / BEA9).rename(project / BEA9.replace("SAGDP9N", "SAGDP9")),
         "gx", r"SAGDP9N__ALL_AREAS_\*\.csv \(dbt source bea\.sagdp9n\): missing file.*holds: "
         r"SAGDP2N__ALL_AREAS_1997_2022\.csv, SAGDP9__ALL_AREAS_1997_2021\.csv.*rename it to "
         r"match SAGDP9N__ALL_AREAS_\*\.csv"),
    Case("newer_release_with_a_broken_value", _bls_newer_with_bad_value, "gx",
         r"bls_ces_sm.*value='12O\.5'.*note: this looks like a newer BLS release with years "
         r"through 2022.*passes once the failures above are fixed"),
    Case("bls_later_years", lambda project: extend_bls(project, rename=False), "newer", r"",
         dbt_args=NEWER_RELEASE, slow=True,
         check=_published_years("bls.ces_state_annual", 2010, 2022, "employment")),
    Case("bea_one_more_year_column", extend_bea, "newer", r"", dbt_args=NEWER_RELEASE,
         slow=True, check=_published_years("bea.sagdp2n", 1997, 2023, "gdp")),
    # ---------------------------------------------------------------- vars
    Case("var_misspelled", nothing, "vars",
         r"Invalid dbt var name\(s\) \['bootstrap_rep'\].*Allowed: .*bootstrap_reps",
         dbt_args=("--vars", "{bootstrap_rep: 999}")),
    Case("var_wrong_type", nothing, "vars",
         r"Invalid dbt var 'bootstrap_reps': got \"many\"\. Allowed: an integer between",
         dbt_args=("--vars", "{bootstrap_reps: many}")),
    Case("window_end_before_start", set_window("shock", 2020, 2018), "vars",
         r"Invalid dbt var 'windows\.shock'.*post_year after pre_year"),
    Case("window_year_not_a_year", set_window("recovery", 20, 2022), "vars",
         r"Invalid dbt var 'windows\.recovery\.pre_year': got 20\. Allowed: a four-digit year"),
    Case("removed_list_var", set_vars(min_states_per_period="30\n  outcomes: [gdp, happiness]"),
         "vars",
         r"dbt var 'outcomes' no longer exists: outcomes, specs, factors and treatment rules are "
         r"the registry seeds"),
    Case("rule_without_its_sql_expression",
         edit_lines("seeds/treatment_rules.csv", lambda lines: [
             *lines, b"biggest_cluster,state_cluster,binary,false,nothing,Biggest,9,no SQL yet"]),
         "dbt",
         r"'biggest_cluster' is in seeds/treatment_rules\.csv but "
         r"int_treatment__state_cluster_rules has no column 'biggest_cluster'",
         dbt_args=("--select", "+fct_state_cluster_treatment", "--exclude",
                   "resource_type:test", "resource_type:unit_test"),
         cli_args=("--allow-partial",)),
    Case("percentile_out_of_range", set_vars(uscm_strong_lq_percentile="1.5"), "vars",
         r"Invalid dbt var 'uscm_strong_lq_percentile': got 1\.5\. Allowed: a number in \(0, 1\)"),
    Case("rdd_placebo_after_outcome_start", nothing, "vars",
         r"Invalid dbt var 'rdd_placebo_windows\[1\]': got .*2020.*Allowed: a window that ends "
         r"by the outcome's pre_year 2019",
         dbt_args=("--vars", "{rdd_placebo_windows: [{pre_year: 2015, post_year: 2016}, "
                             "{pre_year: 2018, post_year: 2020}]}")),
    Case("rdd_break_years_not_a_list", set_vars(rdd_cbp_coverage_break_years="2015"), "vars",
         r"Invalid dbt var 'rdd_cbp_coverage_break_years': got 2015\. Allowed: a list of "
         r"distinct years"),
    # ---------------------------------------------------------------- caught by dbt tests
    Case("manufacturing_gdp_above_total", _manufacturing_above_total, "dbt",
         r"DBT BUILD FAILED.*test assert_bea_gdp_states_sum_to_us on model stg_bea__state_gdp"
         r".*raw files upstream: [^\n]*data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022\.csv"
         r".*failing rows.*year=2019", dbt_args=("--select", "+stg_bea__state_gdp", "states"),
         cli_args=("--allow-partial",), slow=True),
    # ---------------------------------------------------------------- legal but unusual
    Case("utf8_bom", _bom, "success", r"", dbt_args=MODELS_ONLY, slow=True),
    Case("windows_line_endings", _crlf, "success", r"", dbt_args=MODELS_ONLY, slow=True),
    # ---------------------------------------------------------------- changed numbers
    Case("value_from_another_year", _gdp_from_another_year, "refused",
         r"REFUSED \(--refuse-changes\).*headline estimates moved",
         dbt_args=("--select", "+est_did_coefficients", "+mart_data_anomalies", "dim_raw_file",
                   "--exclude", "resource_type:test", "resource_type:unit_test",
                   "--vars", "{bootstrap_reps: 99}"),
         cli_args=("--refuse-changes", "--allow-partial"), slow=True,
         report=(r"SAGDP2N__ALL_AREAS_1997_2022\.csv: 1 cells changed",
                 r"\| gdp shock DID, layout paper, spec paper[^|]*\| "
                 r"(?P<before>[-0-9.e]+) [^|]*\| (?!(?P=before) )[-0-9.e]+ "),
         printed=(r"WARNING: \d+ value\(s\) look wrong.*SAGDP2N__ALL_AREAS_1997_2022\.csv: "
                  r"state 06, gdp 2019: value equals its 2015 value",)),
    Case("published_uscm_flag_flipped", _flip_published_strong_flag, "dbt",
         r"DBT BUILD FAILED.*assert_uscm_flags_agree_exactly.*failing rows.*flag='strong_b'",
         dbt_args=("--select", "+assert_uscm_flags_agree_exactly"),
         cli_args=("--allow-partial",)),
    Case("changed_value_refused", _alabama_gdp_2020_up, "refused",
         r"REFUSED \(--refuse-changes\).*tables changed:.*main\.est_did_coefficients.*"
         r"SAGDP2N__ALL_AREAS_1997_2022\.csv: 1 cells changed.*headline estimates moved:.*"
         r"gdp shock DID, layout state, spec state_clustered",
         dbt_args=DID_ONLY, cli_args=("--refuse-changes", "--allow-partial"), slow=True,
         report=(r"### data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022\.csv \(bea\.sagdp2n\)\n\n"
                 r"- data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022\.csv: 1 cells changed, 0 rows "
                 r"added, 0 removed\n- cells changed by column: 2020 \(1\)",
                 r"- e\.g\. line \d+ \(GeoFIPS='01000', LineCode='1'\), column 2020: "
                 r"'\d+\.\d' -> '\d+\.\d'",
                 r"\| gdp shock DID, layout state, spec state_clustered[^|]*\| "
                 r"(?P<before>[-0-9.e]+) [^|]*\| (?!(?P=before) )[-0-9.e]+ ",
                 r"main\.est_did_coefficients: .*values changed in estimate")),
]

assert len({case.name for case in CASES}) == len(CASES)

# Everything a case's temp project needs (python/ is importable from the venv already).
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/data",
                 "analyses")


def copy_project(root: Path, destination: Path) -> Path:
    """A temp copy of the project: config, models, macros, seeds and dbt tests copied; the raw
    files hard-linked (mutations replace a file, never edit the shared inode)."""
    import shutil

    destination.mkdir(parents=True, exist_ok=True)
    for relative in PROJECT_FILES:
        source = root / relative
        if source.is_dir():
            shutil.copytree(source, destination / relative,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / relative)
    raw = destination / "data" / "raw"
    raw.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(root / "data" / "raw", raw, copy_function=os.link)
    except OSError:  # another file system: copy
        shutil.rmtree(raw, ignore_errors=True)
        shutil.copytree(root / "data" / "raw", raw)
    return destination
