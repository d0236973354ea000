"""``python -m cluster_resilience.bench`` (``make bench``): run the benchmark, print the tables.

Sizes from ``--sizes`` (``BENCH_SIZES`` in the Makefile); Spark runs at ``--spark-sizes`` when the
spark extra is installed (and says so when it is not). Scratch files go to ``--work-dir``
(default target/bench); the figures also go to ``<work-dir>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from cluster_resilience.bench import report
from cluster_resilience.bench.render import BenchRenderer, duckdb_path, spark_warehouse
from cluster_resilience.bench.spark import spark_unavailable_reason
from cluster_resilience.bench.steps import run_step

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"sizes must be comma-separated row counts, got {text!r}"
        ) from error
    if any(size < 1000 for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be at least 1000 rows, got {text!r}")
    return sizes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cluster_resilience.bench",
        description="County-scale benchmark of in-engine estimation on a SYNTHETIC panel.",
    )
    parser.add_argument("--sizes", type=_sizes, default=_sizes("1000000,5000000,20000000"))
    parser.add_argument("--spark-sizes", type=_sizes, default=_sizes("5000000,20000000"),
                        help="sizes also run on Spark local[2] (empty string: none)")
    parser.add_argument("--reps", type=int, default=999, help="wild bootstrap draws")
    parser.add_argument("--seed", type=int, default=20200311, help="wild bootstrap seed")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads, Spark local[N]")
    parser.add_argument("--no-pyfixest", action="store_true", help="skip the pyfixest side")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "target" / "bench")
    return parser


def _remove_duckdb(work_dir: Path) -> None:
    path = duckdb_path(work_dir)
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    work_dir = args.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    start = time.perf_counter()
    duckdb_renderer = BenchRenderer(PROJECT_DIR, work_dir, "duckdb")
    notes.append(f"dbt parse of the project (DuckDB): {time.perf_counter() - start:.1f} s, once; "
                 "each size is then compiled from the parsed manifest (not in the step times).")
    spark_sizes = [size for size in args.spark_sizes if size in args.sizes]
    ignored = [size for size in args.spark_sizes if size not in args.sizes]
    if ignored:
        notes.append(f"Spark sizes {ignored} are not among --sizes: not run.")
    spark_reason = spark_unavailable_reason() if spark_sizes else None
    spark_renderer = None
    if spark_sizes and spark_reason is None:
        spark_renderer = BenchRenderer(PROJECT_DIR, work_dir, "spark")
    elif spark_sizes:
        notes.append(f"Spark part skipped: {spark_reason}.")
    if args.no_pyfixest:
        notes.append("pyfixest side skipped (--no-pyfixest).")

    records = []
    for rows in args.sizes:
        _say(f"[bench] {rows:,} rows: rendering the SQL with dbt")
        sql = duckdb_renderer.render(rows)
        base = {
            "duckdb_path": str(duckdb_path(work_dir)), "threads": args.threads,
            "reps": args.reps, "seed": args.seed, "work_dir": str(work_dir),
            "sql": sql.to_json(),
        }
        record = {"rows": rows, "load_before": os.getloadavg(), "duckdb": {}}
        _remove_duckdb(work_dir)
        for name, step_name in (("generate", "duckdb_generate"), ("moments", "duckdb_moments"),
                                ("solve", "duckdb_solve")):
            record["duckdb"][name] = run_step(step_name, base, work_dir)
            _say(f"[bench] {rows:,} rows: DuckDB {name} "
                 f"{record['duckdb'][name]['work_s']:.1f} s")
        if record["duckdb"]["generate"]["rows"] != rows:
            raise RuntimeError(
                f"the panel has {record['duckdb']['generate']['rows']} rows, not {rows}"
            )
        if not args.no_pyfixest:
            record["pyfixest"] = run_step("pyfixest", base, work_dir)
            _say(f"[bench] {rows:,} rows: pyfixest {record['pyfixest']['work_s']:.1f} s")
        if spark_renderer is not None and rows in spark_sizes:
            shutil.rmtree(spark_warehouse(work_dir), ignore_errors=True)
            spark_config = {
                **base,
                "sql": spark_renderer.render(rows).to_json(),
                "spark_warehouse": str(spark_warehouse(work_dir)),
                "duckdb_moments_relation": sql.relations["bench_moments"],
            }
            record["spark"] = run_step("spark", spark_config, work_dir)
            _say(f"[bench] {rows:,} rows: Spark {record['spark']['work_s']:.1f} s")
        record["load_after"] = os.getloadavg()
        records.append(record)
    _remove_duckdb(work_dir)
    shutil.rmtree(spark_warehouse(work_dir), ignore_errors=True)
    return records, notes


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    records, notes = run(args)
    machine = report.machine()
    (args.work_dir / "results.json").write_text(
        json.dumps({"machine": machine, "records": records, "notes": notes}, indent=2)
    )
    print(report.format_report(records, machine, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
