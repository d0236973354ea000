"""The HTML report: rendered from the REAL built warehouse (every section present, the paper's
tables beside ours, nothing loaded from the network), plus the sections whose tables are still
being added (event study, RDD) on SYNTHETIC tables written into a copy of the warehouse."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from cluster_resilience.report import format_value
from cluster_resilience.report.__main__ import main
from cluster_resilience.report.data import Warehouse
from cluster_resilience.report.explain import (
    Context,
    explain_model_row,
    printed_precision,
)
from cluster_resilience.report.headline import headline_sentences, spec_curve_sentences
from cluster_resilience.report.sections import (
    data_anomalies_section,
    event_study_section,
    rdd_section,
    spec_curve_section,
)

ROOT = Path(__file__).resolve().parents[2]
SECTION_IDS = [
    "headline",
    "spec-curve",
    "paper-table-2",
    "paper-table-3",
    "paper-table-4",
    "paper-table-5",
    "paper-table-6",
    "did-coefficients",
    "factor-coefficients",
    "event-study",
    "rdd",
    "treatment-map",
    "coverage",
    "data-anomalies",
    "provenance",
]
PENDING_TABLES = [
    "est_event_study",
    "est_event_study_pretrend",
    "est_rdd",
    "est_rdd_checks",
    "est_rdd_plot_data",
]


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, f"section {section_id} missing"
    return match.group(0)


# ---------------------------------------------------------------- the real warehouse --


@pytest.fixture(scope="module")
def report(built_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "cluster_resilience_report.html"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(
            ["--warehouse", str(built_warehouse), "--out", str(out), "--project-dir", str(ROOT)]
        )
    assert code == 0
    print(printed.getvalue())
    return out.read_text(encoding="utf-8"), printed.getvalue()


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.mark.e2e
def test_every_section_is_present_in_order(report):
    html, printed = report
    positions = [html.find(f'<section id="{section_id}"') for section_id in SECTION_IDS]
    assert all(p >= 0 for p in positions), dict(zip(SECTION_IDS, positions, strict=True))
    assert positions == sorted(positions)
    for section_id in SECTION_IDS:
        assert f'href="#{section_id}"' in html  # listed in the contents
    assert re.search(r"wrote .* \(\d+\.\d+ MB, 15 sections\) in \d+\.\d s", printed)


@pytest.mark.e2e
def test_report_is_self_contained(report):
    html, _ = report
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "loads from the network"
    assert "<script src" not in html and "<link" not in html
    images = re.findall(r'<img src="([^"]*)"', html)
    assert len(images) >= 6
    assert all(src.startswith("data:image/png;base64,") for src in images)


@pytest.mark.e2e
def test_paper_tables_sit_beside_the_published_numbers(report, warehouse):
    html, _ = report
    estimate = warehouse.execute(
        """
        select estimate from est_did_coefficients
        where spec = 'paper' and layout = 'paper' and window_name = 'shock'
          and outcome = 'gdp' and term = 'interaction'
        """
    ).fetchone()[0]
    table_3 = _section(html, "paper-table-3")
    assert f">{format_value(estimate)}<" in table_3
    assert ">-0.022<" in table_3  # the paper's printed GDP interaction (Table 3)
    assert "large difference" in table_3 and "[P]" in table_3 and "[T]" in table_3
    for number in (2, 3, 4, 5, 6):
        section = _section(html, f"paper-table-{number}")
        assert section.count("<tr") > 30, number
        assert "Why it differs" in section
    # Trade ends in 2018: Table 5's exports rows say why there is no estimate.
    assert "exports (data 2013-2018) has growth rates for 0" in _section(html, "paper-table-5")


@pytest.mark.e2e
def test_plots_map_and_coverage_sections_have_content(report):
    html, _ = report
    for section_id in ("did-coefficients", "factor-coefficients", "treatment-map", "coverage"):
        assert "<img" in _section(html, section_id), section_id
    coverage = _section(html, "coverage")
    assert "Estimability by window and outcome" in coverage
    assert "not in this warehouse" not in _section(html, "did-coefficients")
    provenance = _section(html, "provenance")
    assert "run_id" in provenance and "SAGDP2N" in provenance


def test_cli_fails_cleanly_without_a_warehouse(tmp_path, capsys):
    assert main(["--warehouse", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r")]) == 1
    assert "REPORT FAILED" in capsys.readouterr().err


# ------------------------------------------ pending tables: absent, then SYNTHETIC --


def _copy_without_pending(built_warehouse: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, copy)
    con = duckdb.connect(str(copy))
    objects = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    for name, kind in objects:
        if name in PENDING_TABLES:
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} if exists {name} cascade")
    con.close()
    return copy


@pytest.mark.e2e
def test_pending_sections_say_not_yet_available(built_warehouse, tmp_path):
    copy = _copy_without_pending(built_warehouse, tmp_path)
    with Warehouse(copy, ROOT) as warehouse:
        events = event_study_section(warehouse)
        rdd = rdd_section(warehouse)
    assert events["missing"].startswith("Not yet available: est_event_study")
    assert not events["figures"]
    assert "est_rdd" in rdd["missing"] and "est_rdd_plot_data" in rdd["missing"]
    assert not rdd["figures"]


def _write_synthetic_pending_tables(path: Path) -> None:
    """SYNTHETIC event-study and RDD tables in the shapes the estimate models produce."""
    rng = np.random.default_rng(20200311)
    rows = []
    for spec in ("state_clustered", "state_wild_bootstrap"):
        for rule in ("uscm_strong_b", "strong_share_above_median"):
            for outcome in ("gdp", "employment"):
                for year in range(2014, 2023):
                    if year == 2019:
                        continue
                    estimate = rng.normal(0, 0.01) + (0.02 if year >= 2020 else 0.0)
                    rows.append(
                        dict(
                            spec=spec,
                            treatment_rule=rule,
                            outcome=outcome,
                            reference_year=2019,
                            year=year,
                            relative_year=year - 2020,
                            term=f"treated_x_{year}",
                            estimate=estimate,
                            std_error=0.01,
                            conf_low=estimate - 0.02,
                            conf_high=estimate + 0.02,
                            n_obs=450,
                            n_clusters=50,
                        )
                    )
    events = pd.DataFrame(rows)
    pretrend = (
        events[["spec", "treatment_rule", "outcome"]]
        .drop_duplicates()
        .assign(statistic=1.2, df=5, p_value=0.31)
    )
    plot_rows = []
    for spec, design, plotted, jump in (
        ("rdd_sharp_itt_mserd_triangular", "sharp", "outcome", 0.04),
        ("rdd_fuzzy_mserd_triangular", "fuzzy", "first_stage", 0.8),
    ):
        key = dict(spec=spec, design=design, outcome="outcome_emp_change_2019_2021",
                   running_variable="running_variable", plotted=plotted)  # fmt: skip
        for side, sign in (("left", -1), ("right", 1)):
            edges = np.linspace(0, sign * 1.2, 13)
            level = jump if side == "right" else 0.0
            for point in range(12):
                low, high = sorted(edges[point : point + 2])
                plot_rows.append(
                    dict(key, element="bin", side=side, point=point + 1, x=(low + high) / 2,
                         y=level + rng.normal(0, 0.01), bin_low=low, bin_high=high,
                         n_in_bin=20)  # fmt: skip
                )
            for point, x in enumerate(np.linspace(0, sign * 0.4, 5)):
                plot_rows.append(
                    dict(key, element="fit", side=side, point=point + 1, x=x, y=level + 0.1 * x)
                )
    plot_data = pd.DataFrame(plot_rows)
    common = dict(
        outcome="outcome_emp_change_2019_2021",
        running_variable="running_variable",
        conf_low_robust=0.01,
        conf_high_robust=0.09,
        h_left=0.4,
        h_right=0.4,
        n_left=80,
        n_right=90,
        kernel="triangular",
        p=1,
    )
    rdd = pd.DataFrame(
        [
            dict(spec="rdd_sharp_itt_mserd_triangular", design="sharp", treatment=None,
                 estimate=0.04, first_stage_estimate=None, **common),
            dict(spec="rdd_fuzzy_mserd_triangular", design="fuzzy", treatment="is_strong",
                 estimate=0.05, first_stage_estimate=0.8, first_stage_conf_low=0.6,
                 first_stage_conf_high=1.0, **common),
            dict(spec="rdd_sharp_itt_mserd_triangular", design="sharp", treatment=None,
                 estimate=None, first_stage_estimate=None,
                 **{**common, "outcome": "outcome_not_estimable"}),
        ]
    )  # fmt: skip
    checks = pd.DataFrame(
        [dict(check="density_test", statistic=0.4, p_value=0.69, note="SYNTHETIC")]
    )
    con = duckdb.connect(str(path))
    for name, frame in (
        ("est_event_study", events),
        ("est_event_study_pretrend", pretrend),
        ("est_rdd_plot_data", plot_data),
        ("est_rdd", rdd),
        ("est_rdd_checks", checks),
    ):
        con.register("frame", frame)
        con.execute(f"create table main.{name} as select * from frame")
        con.unregister("frame")
    con.close()


@pytest.mark.e2e
def test_pending_sections_render_when_their_tables_exist(built_warehouse, tmp_path):
    copy = _copy_without_pending(built_warehouse, tmp_path)
    _write_synthetic_pending_tables(copy)
    with Warehouse(copy, ROOT) as warehouse:
        events = event_study_section(warehouse)
        rdd = rdd_section(warehouse)
    assert events["missing"] is None and events["notes"] == []
    assert len(events["figures"]) == 2  # one per treatment rule
    assert all(f["src"].startswith("data:image/png;base64,") for f in events["figures"])
    pretrend_rows = events["tables"][0]["rows"]
    assert len(pretrend_rows) == 8 and {row["p_value"] for row in pretrend_rows} == {0.31}
    assert rdd["missing"] is None and rdd["notes"] == []
    sharp, fuzzy = rdd["figures"]  # the row without an estimate has no plot
    assert "estimate 0.04, robust 95 % CI [0.01, 0.09], h = 0.4" in sharp["caption"]
    assert "(first stage," in fuzzy["caption"] and "first stage 0.8" in fuzzy["caption"]
    assert [t["caption"] for t in rdd["tables"]][0] == "est_rdd"
    assert len(rdd["tables"][0]["rows"]) == 3


# ------------------------------------------------------------------------ units --


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.0063801, "num", "0.00638"),
        (-14390.2, "num", "-14,390"),
        (6700, "int", "6,700"),
        (0.00002, "p", "< 0.001"),
        (0.0271, "p", "0.027"),
        (0.98123, "pct", "98.12 %"),
        (None, "num", ""),
        (float("nan"), "num", ""),
        (True, "text", "yes"),
    ],
)
def test_format_value(value, kind, shown):
    assert format_value(value, kind) == shown


def test_printed_precision():
    assert printed_precision("0.070") == pytest.approx(0.0005)
    assert printed_precision("-15,700") == 0.5


CONTEXT = Context("uscm_strong_b", "strong_share_above_median", {}, "")


def test_explanations_flag_sign_flips_and_name_the_coverage_reason():
    flipped = explain_model_row(
        dict(
            outcome="gdp",
            term="interaction",
            paper_estimate=-0.022,
            paper_std_error=0.003,
            paper_printed="-0.022",
            ours_estimate=0.0064,
            ours_std_error=0.0017,
            clustered_std_error=0.0028,
            clustered_p_value=0.027,
            n_obs=6700,
        ),
        model="did",
        context=CONTEXT,
    )
    assert flipped["status"] == "large difference"
    assert flipped["explanation"].startswith("other sign [P] [T] [D]")
    close = explain_model_row(
        dict(
            outcome="gdp",
            term="period",
            paper_estimate=-0.033,
            paper_std_error=0.002,
            paper_printed="-0.033",
            ours_estimate=-0.034,
            ours_std_error=0.002,
        ),
        model="did",
        context=CONTEXT,
    )
    assert close == {"status": "ok", "explanation": ""}
    missing = explain_model_row(
        dict(
            outcome="exports",
            term="interaction",
            paper_estimate=-0.237,
            coverage_reason="exports (2013-2018 in the shipped data) has no 2020",
        ),
        model="did",
        context=CONTEXT,
    )
    assert missing["status"] == "not estimable"
    assert "2013-2018" in missing["explanation"]


# --------------------------------------------------------------------- headline --


@pytest.mark.e2e
def test_headline_is_generated_from_the_estimates(report, warehouse):
    html, _ = report
    headline = _section(html, "headline")
    assert html.find('<section id="headline"') < html.find('<section id="paper-table-2"')
    own, paper_printed, low, high = warehouse.execute(
        """
        select estimate, paper_printed, conf_low, conf_high from est_coefficients_vs_paper
        where model = 'did' and spec = 'paper' and layout = 'paper' and window_name = 'shock'
          and outcome = 'gdp' and term = 'interaction'
        """
    ).fetchone()
    assert f"printed as {paper_printed}" in headline
    assert f"we estimate {own:.4f}, 95 % CI [{low:.4f}, {high:.4f}]" in headline
    n_estimates = warehouse.execute(
        """
        select count(*) from est_coefficients_vs_paper
        where model = 'did' and window_name = 'shock' and outcome = 'gdp' and term = 'interaction'
          and compared_with_paper
        """
    ).fetchone()[0]
    assert f"of our {n_estimates} estimates" in headline
    assert "<img" in headline and "Paper&#39;s sign" in headline


def _headline_rows(estimates: dict[tuple[str, str], tuple[float, float, float]]) -> pd.DataFrame:
    """SYNTHETIC est_coefficients_vs_paper rows of the headline (paper number -0.022, SE 0.003)."""
    rows = []
    for (spec, layout), (estimate, low, high) in estimates.items():
        rows.append(
            dict(
                spec=spec,
                layout=layout,
                treatment_rule="rule_" + layout,
                estimate=estimate,
                conf_low=low,
                conf_high=high,
                n_clusters=50,
                paper_table="Table 3",
                paper_estimate=-0.022,
                paper_std_error=0.003,
                paper_printed="-0.022",
                same_sign_as_paper=estimate < 0,
                conf_int_excludes_zero=low > 0 or high < 0,
                conf_int_contains_paper=low <= -0.022 <= high,
            )
        )
    return pd.DataFrame(rows)


def test_headline_says_which_specs_replicate_the_sign():
    rows = _headline_rows(
        {
            ("paper", "paper"): (-0.03, -0.04, -0.02),
            ("state_clustered", "paper"): (-0.03, -0.07, 0.01),
            ("state_clustered", "state"): (0.01, 0.002, 0.018),
        }
    )
    text = " ".join(headline_sentences(rows, {"pre_year": 2018, "post_year": 2020}))
    assert "(2018 vs 2020)" in text and "printed as -0.022" in text
    assert "we estimate -0.0300, 95 % CI [-0.0400, -0.0200]: the paper's sign" in text
    assert "contains the paper's number" in text
    assert "2 of our 3 estimates" in text
    assert "1 of them a 95 % interval that excludes zero: paper (paper)" in text
    assert "[-0.0700, 0.0100], 0.0800 wide: 4.0 times the iid interval" in text
    assert "state-clustered estimate is 0.0100" in text and "which excludes zero" in text


def test_headline_says_when_nothing_replicates():
    rows = _headline_rows(
        {
            ("paper", "paper"): (0.0064, 0.003, 0.0098),
            ("state_clustered", "paper"): (0.0064, 0.0008, 0.012),
        }
    )
    text = " ".join(headline_sentences(rows))
    assert "the opposite sign" in text and "does not contain the paper's number" in text
    assert "None of our 2 estimates" in text and "does not replicate" in text
    assert "2 of them have the opposite sign with a 95 % interval that excludes zero" in text


def test_presentation_modules_hold_no_sql_of_their_own():
    """Only report/data.py composes a query, and only `select * from <table> [where] [order by]`:
    joins, aggregations and layouts live in contracted dbt models."""
    package = ROOT / "python" / "cluster_resilience" / "report"
    query = re.compile(r"\b(select|join|group\s+by|string_agg|union)\b\s+[\w*(]", re.I)
    offenders = {}
    for path in package.glob("*.py"):
        if path.name == "data.py":
            continue
        hits = [line.strip() for line in path.read_text().splitlines() if query.search(line)]
        if hits:
            offenders[path.name] = hits
    assert offenders == {}
    data = (package / "data.py").read_text()
    composed = re.findall(r'f?"(select [^"]*)"', data)
    assert composed == [
        "select table_schema, table_name from information_schema.tables",
        "select * from {self.relation(table)}",
    ], composed


# ------------------------- specification curve and anomalies: absent, then SYNTHETIC --


def _synthetic_spec_curve() -> pd.DataFrame:
    """SYNTHETIC est_spec_curve rows in the contracted shape: the paper's sign (negative) only
    under the state layout with local clusters excluded."""
    rows = []
    for rule, label in (("uscm_strong_b", "USCM strong"), ("share_median", "share > median")):
        for layout in ("paper", "state"):
            for local in ("untreated", "excluded"):
                for spec in ("paper", "state_clustered"):
                    negative = layout == "state" and local == "excluded"
                    estimate = -0.01 if negative else 0.006
                    half = 0.002 if spec == "paper" else 0.008
                    rows.append(
                        dict(
                            treatment_rule=rule, treatment_label=label, treatment_type="binary",
                            rule_level="state", layout=layout, local_clusters=local,
                            window_name="shock", outcome="gdp", outcome_concept="gdp",
                            outcome_definition="BEA real GDP growth", spec=spec,
                            spec_label=spec.replace("_", " "), estimate=estimate,
                            std_error=half / 1.96, conf_low=estimate - half,
                            conf_high=estimate + half, p_value=0.01, p_value_is_bound=False,
                            n_obs=100, n_clusters=50, paper_estimate=-0.022,
                            same_sign_as_paper=negative,
                        )
                    )  # fmt: skip
    return pd.DataFrame(rows)


def _write_tables(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    con = duckdb.connect(str(path))
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"create or replace table main.{name} as select * from frame")
        con.unregister("frame")
    con.close()


@pytest.mark.e2e
def test_spec_curve_and_anomalies_wait_for_their_tables_then_render(built_warehouse, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, copy)
    with Warehouse(copy, ROOT) as warehouse:
        if not warehouse.has("est_spec_curve"):
            assert spec_curve_section(warehouse)["missing"].startswith(
                "Not yet available: est_spec_curve"
            )
        if not warehouse.has("mart_data_anomalies"):
            assert "mart_data_anomalies" in data_anomalies_section(warehouse)["missing"]
    anomalies = pd.DataFrame(
        [dict(source_file="data/raw/bea/x.csv", outcome="gdp", state_fips="01", year=2020,
              value=-5.0, reason="SYNTHETIC: negative GDP")]
    )  # fmt: skip
    tables = {"est_spec_curve": _synthetic_spec_curve(), "mart_data_anomalies": anomalies}
    _write_tables(copy, tables)
    with Warehouse(copy, ROOT) as warehouse:
        curve = spec_curve_section(warehouse)
        flagged = data_anomalies_section(warehouse)
    assert curve["missing"] is None
    (figure,) = curve["figures"]
    assert (
        figure["src"].startswith("data:image/png;base64,")
        and "16 specifications" in (figure["caption"])
    )
    text = " ".join(curve["sentences"])
    assert "4 of the 16 specifications reproduce the paper's sign, 4 of them" in text
    assert "All of them use layout state, local clusters excluded." in text
    (summary,) = curve["tables"]
    assert summary["rows"] == [
        dict(window_name="shock", outcome="gdp", n_specs=16, n_same_sign=4,
             n_same_sign_significant=4)
    ]  # fmt: skip
    assert flagged["missing"] is None and flagged["tables"][0]["rows"][0]["year"] == 2020


def test_spec_curve_sentences_when_no_single_choice_decides():
    curve = _synthetic_spec_curve()
    curve["same_sign_as_paper"] = curve["spec"].eq("paper") & curve["layout"].eq("state") | (
        curve["spec"].eq("state_clustered") & curve["layout"].eq("paper")
    )
    text = " ".join(spec_curve_sentences(curve, [("layout", "layout"), ("spec", "inference")]))
    assert "8 of the 16 specifications reproduce the paper's sign" in text
    assert "No single choice decides the sign" in text
    curve["same_sign_as_paper"] = False
    assert spec_curve_sentences(curve, [("layout", "layout")]) == [
        "None of the 16 specifications reproduces the paper's sign."
    ]
