"""``python -m cluster_resilience.warehouse.spark_build``: the warehouse on Apache Spark (dbt
target ``spark``, or ``--target spark_cluster``) from the same raw files, with every dbt test.

1. **Door.** The same Great Expectations checks of the raw files as the DuckDB build
   (``cluster_resilience.warehouse.raw_checks``): engine-independent, before dbt reads a file.
   This matters more on Spark: dbt-spark runs Spark SQL with ANSI mode off, so a malformed number
   would become NULL in a cast instead of failing it as in DuckDB; the door rejects it first.
2. **Build.** ``dbt build --target spark``: seeds, every model (Parquet tables in the session's
   metastore, Python models in dbt's own SparkSession), every data and unit test.

Not write-audit-publish: Parquet tables in a Hive metastore have no atomic swap (dbt-spark drops
and recreates each table), so a reader during a build may find a table missing, and a failed
build leaves the schema partly rebuilt. The DuckDB file stays the published warehouse; the Spark
target is for teams whose data lives on Spark (docs/spark.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from cluster_resilience.warehouse.build import BuildError, target_path


def _dbt_executable() -> str:
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else "dbt"


def build_spark_warehouse(
    project_dir: Path = Path("."),
    *,
    target: str = "spark",
    dbt_args: list[str] | None = None,
    validate: bool = True,
    env: dict[str, str] | None = None,
) -> float:
    """Validate the raw inputs, then ``dbt build`` the Spark target; return the wall seconds.
    ``env`` adds environment variables for dbt (CLUSTER_SPARK_DIR, CLUSTER_SPARK_MASTER...).
    Raises BuildError when a raw file fails its checks or dbt fails."""
    started = time.perf_counter()
    project_dir = Path(project_dir)
    if validate:
        from cluster_resilience.warehouse.raw_checks import validate_raw_inputs

        target_dir = target_path(project_dir)
        report = validate_raw_inputs(project_dir, target_dir / "gx_data_docs",
                                     cache_dir=target_dir / "gx_cache")
        if not report.success:
            raise BuildError(report.format())
        print(report.summary(), flush=True)
    command = [_dbt_executable(), "build", "--target", target, *(dbt_args or [])]
    completed = subprocess.run(command, cwd=project_dir, env={**os.environ, **(env or {})})
    if completed.returncode != 0:
        raise BuildError(
            f"DBT BUILD FAILED: {' '.join(command[1:])} exited {completed.returncode} (the failing "
            "models and tests are listed above; target/run_results.json has them all)."
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument("--target", default="spark",
                        help="dbt target: spark (local, default) or spark_cluster (SPARK_MASTER)")
    parser.add_argument("dbt_args", nargs="*", help="extra arguments for dbt build (after --)")
    args = parser.parse_args(argv)
    try:
        seconds = build_spark_warehouse(args.project_dir, target=args.target,
                                        dbt_args=args.dbt_args)
    except BuildError as error:
        print(f"SPARK BUILD FAILED:\n{error}", file=sys.stderr)
        return 1
    print(f"spark build wall time: {seconds:.1f} s (target {args.target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
