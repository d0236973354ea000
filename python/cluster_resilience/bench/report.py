"""The benchmark's printed tables (markdown, so docs/benchmarks.md can quote them as printed)."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from cluster_resilience.bench import SYNTHETIC_NOTE

GIB = 1024**3
TARGET_SECONDS = 60.0
TARGET_RSS_GIB = 4.0
TARGET_SPEEDUP = 10.0
TARGET_ROWS = 20_000_000


def machine() -> dict:
    """Cores, RAM, CPU model, versions and the date of the run."""
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) * 1024 / GIB
    except OSError:
        pass
    versions = {}
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "numpy", "pyfixest", "wildboottest",
                    "pyspark", "dbt-spark"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib, 1),
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "versions": versions,
    }


def _s(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _gib(value) -> str:
    return "-" if value is None else f"{value / GIB:.2f}"


def _load(record: dict) -> str:
    before, after = record["load_before"][0], record["load_after"][0]
    return f"{before:.1f} / {after:.1f}"


def ours_total(record: dict, *, with_generate: bool) -> float:
    steps = record["duckdb"]
    total = steps["moments"]["work_s"] + steps["solve"]["work_s"]
    return total + (steps["generate"]["work_s"] if with_generate else 0.0)


def ours_peak(record: dict) -> int:
    return max(step["peak_rss_bytes"] for step in record["duckdb"].values())


def _timing_rows(record: dict) -> list[str]:
    rows_label = f"{record['rows']:,}"
    steps = record["duckdb"]
    gen, mom, sol = steps["generate"], steps["moments"], steps["solve"]
    lines = [
        f"| {rows_label} | DuckDB (ours) | generate {_s(gen['work_s'])} | moments "
        f"{_s(mom['work_s'])} | solve+inference {_s(sol['work_s'])} | "
        f"{_s(ours_total(record, with_generate=True))} | {_gib(ours_peak(record))} | "
        f"{_load(record)} |"
    ]
    pyfixest = record.get("pyfixest")
    if pyfixest and "skipped" not in pyfixest:
        lines.append(
            f"| {rows_label} | pyfixest | pull {_s(pyfixest['pull_s'])} | fit "
            f"{_s(pyfixest['fit_s'])} | bootstrap {_s(pyfixest['bootstrap_s'])} | "
            f"{_s(pyfixest['work_s'])} | {_gib(pyfixest['peak_rss_bytes'])} | "
            f"{_load(record)} |"
        )
    spark = record.get("spark")
    if spark and "skipped" not in spark:
        peak = (spark.get("jvm_peak_rss_bytes") or 0) + spark["python_peak_rss_bytes"]
        lines.append(
            f"| {rows_label} | Spark local[2] (ours) | generate {_s(spark['generate_s'])} | "
            f"moments {_s(spark['moments_s'])} | solve+inference {_s(spark['solve_s'])} | "
            f"{_s(spark['work_s'])} (+ start-up {_s(spark['start_s'])}) | {_gib(peak)} | "
            f"{_load(record)} |"
        )
    return lines


def _p(value: float, is_bound: bool = False) -> str:
    return f"<={value:.3f}" if is_bound else f"{value:.3f}"


def _agreement_row(record: dict) -> str | None:
    pyfixest = record.get("pyfixest")
    ours = record["duckdb"]["solve"]
    if not pyfixest or "skipped" in pyfixest:
        return None
    coef_diff = abs(ours["estimate"] - pyfixest["estimate"])
    se_diff = abs(ours["crv1_se"] - pyfixest["crv1_se"])
    speedup = pyfixest["work_s"] / ours_total(record, with_generate=False)
    return (
        f"| {record['rows']:,} | {ours['estimate']:.6f} | {coef_diff:.1e} | "
        f"{ours['crv1_se']:.6f} | {se_diff:.1e} ({se_diff / ours['crv1_se']:.1e}) | "
        f"{_p(ours['boot_p'], ours['boot_p_is_bound'])} / {_p(pyfixest['boot_p'])} | "
        f"{_p(ours['boot_p_planted'])} / {_p(pyfixest['boot_p_planted'])} | "
        f"[{ours['boot_ci'][0]:.4f}, {ours['boot_ci'][1]:.4f}] | {speedup:.1f}x |"
    )


def _targets(records: list[dict]) -> list[str]:
    lines = []
    by_rows = {record["rows"]: record for record in records}
    largest = by_rows.get(TARGET_ROWS)
    if largest is not None:
        seconds = ours_total(largest, with_generate=True)
        peak = ours_peak(largest) / GIB
        lines.append(
            f"- 20M rows end to end on DuckDB (generate + moments + solve+inference): "
            f"{seconds:.1f} s (target <= {TARGET_SECONDS:.0f} s: "
            f"{'met' if seconds <= TARGET_SECONDS else 'NOT met'}); peak RSS {peak:.2f} GiB "
            f"(target <= {TARGET_RSS_GIB:.0f} GiB: "
            f"{'met' if peak <= TARGET_RSS_GIB else 'NOT met'})."
        )
    compared = [
        (record["duckdb"]["solve"], record["pyfixest"]) for record in records
        if record.get("pyfixest") and "skipped" not in record["pyfixest"]
    ]
    if compared:
        coef = max(abs(ours["estimate"] - theirs["estimate"]) for ours, theirs in compared)
        se = max(abs(ours["crv1_se"] - theirs["crv1_se"]) / ours["crv1_se"]
                 for ours, theirs in compared)
        boot = max(abs(ours["boot_p_planted"] - theirs["boot_p_planted"])
                   for ours, theirs in compared)
        lines.append(
            f"- Agreement with pyfixest, largest over the sizes: coefficient {coef:.1e} "
            f"(absolute), CRV1 SE {se:.1e} (relative) (target ~1e-8: "
            f"{'met' if max(coef, se) <= 1e-8 else 'NOT met'}); bootstrap p-values of H0: "
            f"planted effect differ by at most {boot:.3f}."
        )
    speedups = []
    for record in records:
        pyfixest = record.get("pyfixest")
        if pyfixest and "skipped" not in pyfixest:
            speedups.append(
                (record["rows"], pyfixest["work_s"] / ours_total(record, with_generate=False))
            )
    if speedups:
        worst = min(speedup for _, speedup in speedups)
        lines.append(
            "- Speed-up over pyfixest on the same rows (pyfixest pull + fit + bootstrap vs ours "
            "moments + solve+inference; the panel is generated once for both): "
            + ", ".join(f"{rows:,}: {speedup:.1f}x" for rows, speedup in speedups)
            + f" (target >= {TARGET_SPEEDUP:.0f}x at every size: "
            + f"{'met' if worst >= TARGET_SPEEDUP else 'NOT met'})."
        )
    if len(records) > 1:
        lines.append(
            "- Cost per million rows (DuckDB generate / moments / solve+inference, seconds): "
            + "; ".join(
                f"{record['rows']:,}: "
                + " / ".join(
                    f"{record['duckdb'][name]['work_s'] / (record['rows'] / 1e6):.2f}"
                    for name in ("generate", "moments", "solve")
                )
                for record in records
            )
            + "."
        )
    return lines


def format_report(records: list[dict], machine_info: dict, notes: list[str]) -> str:
    lines = [
        f"# Benchmark: two-way FE DID on a county panel ({machine_info['date']})",
        "",
        SYNTHETIC_NOTE,
        "",
        f"Machine: {machine_info['cores']} cores, {machine_info['ram_gib']} GiB RAM, "
        f"{machine_info['cpu_model']}; Python {machine_info['python']}; "
        + ", ".join(f"{name} {version}" for name, version in machine_info["versions"].items()
                    if version),
        "",
        "Wall seconds of each step's work (each step a child process of its own, timed after "
        "its imports; pyfixest after an untimed warm-up fit that compiles its numba code); "
        "total = the sum of the steps; peak RSS = the largest step's peak resident set size "
        "(Spark: driver JVM + Python). Load = 1-minute load average before / after the size.",
        "",
        "| rows | engine | step 1 (s) | step 2 (s) | step 3 (s) | total (s) | peak RSS (GiB) "
        "| load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        lines.extend(_timing_rows(record))
    agreement = [row for row in (_agreement_row(record) for record in records) if row]
    if agreement:
        lines += [
            "",
            "DID coefficient (treated_x_post): ours (DuckDB) and its difference from pyfixest on "
            "the same rows (CRV1 by state, every fixed-effect level counted); restricted wild "
            "cluster bootstrap p-values, ours / pyfixest, 999 Rademacher draws with the same "
            "seed, of H0: effect = 0 and of H0: effect = the planted effect (true by "
            "construction); speed-up = pyfixest (pull + fit + bootstrap) / ours (moments + "
            "solve+inference).",
            "",
            "| rows | estimate | abs diff | CRV1 SE | abs (rel) diff | boot p H0: 0 | "
            "boot p H0: planted | boot 95% CI (ours) | speed-up |",
            "|---|---|---|---|---|---|---|---|---|",
            *agreement,
        ]
    spark_checks = [
        (record["rows"], record["spark"]["moments_vs_duckdb"]) for record in records
        if record.get("spark") and "skipped" not in record["spark"]
        and record["spark"].get("moments_vs_duckdb")
    ]
    if spark_checks:
        lines += ["", *[
            f"Spark vs DuckDB moments at {rows:,} rows: {check['rows']} rows compared, "
            f"{check['unmatched_rows']} unmatched, largest difference {check['max_abs_diff']:.1e} "
            f"(relative to max(|value|, 1): {check['max_rel_diff']:.1e})."
            for rows, check in spark_checks
        ]]
    for record in records:
        spark = record.get("spark")
        if spark and "skipped" not in spark:
            ours = record["duckdb"]["solve"]
            lines.append(
                f"Spark vs DuckDB DID at {record['rows']:,} rows: estimate differs by "
                f"{abs(spark['estimate'] - ours['estimate']):.1e}, CRV1 SE by "
                f"{abs(spark['crv1_se'] - ours['crv1_se']):.1e}; bootstrap p (H0: planted) "
                f"{_p(spark['boot_p_planted'])} / {_p(ours['boot_p_planted'])}."
            )
    overheads = [
        step["process_s"] - step["work_s"] for record in records
        for step in record["duckdb"].values()
    ]
    if overheads:
        lines += ["", f"Python start-up and imports per DuckDB step's child process (not in the "
                  f"step times): {min(overheads):.1f}-{max(overheads):.1f} s."]
    targets = _targets(records)
    if targets:
        lines += ["", "Targets (2 cores):", *targets]
    if notes:
        lines += ["", "Notes:", *[f"- {note}" for note in notes]]
    return "\n".join(lines)
