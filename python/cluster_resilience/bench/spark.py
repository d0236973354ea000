"""The benchmark's generation and moments SQL on Spark local[2] (the ``spark`` extra: pyspark and
dbt-spark; Java 17).

The same compiled models as on DuckDB (rendered by dbt-spark from the same project files), each
executed as ``create table ... using parquet as <select>`` in one SparkSession, then the same
Python solve from the collected moment tables (the residual pass on Spark too). The panel's draws
are integer arithmetic, so Spark generates the same rows as DuckDB and the parent compares the two
engines' moments.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

from cluster_resilience.bench.steps import _self_peak_rss_bytes, step

SPARK_CONF = {
    "spark.driver.memory": "2g",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    # tables live for one session: no Hive metastore (Derby files) in the working directory
    "spark.sql.catalogImplementation": "in-memory",
    # pyarrow is not a dependency: the moment tables are small, pandas conversion is plain
    "spark.sql.execution.arrow.pyspark.enabled": "false",
}


def spark_unavailable_reason() -> str | None:
    """None when the Spark part can run, else why not."""
    missing = [
        package for package, module in (("pyspark", "pyspark"), ("dbt-spark", "dbt.adapters.spark"))
        if _find_spec(module) is None
    ]
    if missing:
        return (f"{' and '.join(missing)} not installed (the spark extra: "
                "pip install -c constraints.txt -e '.[spark]')")
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


def _find_spec(module: str):
    try:
        return importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None


def _jvm_peak_rss_bytes(session) -> int | None:
    """VmHWM of the driver JVM (pyspark's gateway child), read before the session stops."""
    process = getattr(session.sparkContext._gateway, "proc", None)
    if process is None:
        return None
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def compare_moments(spark_rows, config: dict) -> dict | None:
    """Largest absolute and relative difference between Spark's and DuckDB's moment rows of the
    same size (None when the DuckDB moments are absent)."""
    import duckdb
    import numpy as np

    path = Path(config["duckdb_path"])
    if not path.exists():
        return None
    connection = duckdb.connect(str(path), read_only=True)
    duckdb_rows = connection.execute(
        f"select * from {config['duckdb_moments_relation']}"
    ).df()
    connection.close()
    keys = ["fit_id", "cluster_id", "moment", "term_a", "term_b"]
    spark_rows = spark_rows.assign(cluster_id=spark_rows["cluster_id"].astype("int64"))
    duckdb_rows = duckdb_rows.assign(cluster_id=duckdb_rows["cluster_id"].astype("int64"))
    merged = duckdb_rows.fillna({"term_a": "", "term_b": ""}).merge(
        spark_rows.fillna({"term_a": "", "term_b": ""}), on=keys, how="outer",
        suffixes=("_duckdb", "_spark"), indicator=True,
    )
    unmatched = int((merged["_merge"] != "both").sum())
    both = merged[merged["_merge"] == "both"]
    difference = (both["value_duckdb"] - both["value_spark"]).abs()
    scale = np.maximum(both["value_duckdb"].abs(), 1.0)
    return {
        "rows": int(len(both)),
        "unmatched_rows": unmatched,
        "max_abs_diff": float(difference.max()),
        "max_rel_diff": float((difference / scale).max()),
    }


@step("spark")
def spark_step(config: dict) -> dict:
    """Start Spark local[N], generate, moments, solve; every phase timed."""
    import warnings

    from pyspark.sql import SparkSession

    # pyspark 4.3 warns that it does not fully support pandas 3; it converts small tables only
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

    from cluster_resilience.bench.did import solve_did

    sql = config["sql"]
    relations = sql["relations"]
    timings = {}
    start = time.perf_counter()
    builder = SparkSession.builder.master(f"local[{int(config['threads'])}]").appName("bench")
    for key, value in {**SPARK_CONF, "spark.sql.warehouse.dir": config["spark_warehouse"]}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sql("create database if not exists bench")
    timings["start_s"] = time.perf_counter() - start

    def create(models):
        for model in models:
            model_start = time.perf_counter()
            session.sql(f"drop table if exists {relations[model]}")
            session.sql(
                f"create table {relations[model]} using parquet as\n{sql['selects'][model]}"
            )
            timings[f"{model}_s"] = time.perf_counter() - model_start

    start = time.perf_counter()
    create(["bench_panel"])
    timings["generate_s"] = time.perf_counter() - start
    start = time.perf_counter()
    create(["bench_cells", "bench_design", "bench_moments"])
    timings["moments_s"] = time.perf_counter() - start

    start = time.perf_counter()
    moment_rows = session.table(relations["bench_moments"]).toPandas()
    n_absorbed = session.sql(
        f"select count(distinct fe_id) from {relations['bench_cells']}"
    ).collect()[0][0]

    def residual_pass(params):
        session.sql(f"drop table if exists {sql['params_relation']}")
        session.createDataFrame(params).write.format("parquet").saveAsTable(
            sql["params_relation"]
        )
        create(["bench_residual_moments"])
        return session.table(relations["bench_residual_moments"]).toPandas()

    result = solve_did(
        moment_rows, int(n_absorbed), residual_pass, reps=config["reps"], seed=config["seed"],
        planted_effect=float(sql["panel"]["effect"]),
    )
    timings["solve_s"] = time.perf_counter() - start
    rows = session.table(relations["bench_panel"]).count()
    jvm_peak = _jvm_peak_rss_bytes(session)
    session.stop()
    return {
        "moments_vs_duckdb": compare_moments(moment_rows, config),
        **result,
        **timings,
        "work_s": timings["generate_s"] + timings["moments_s"] + timings["solve_s"],
        "rows": int(rows),
        "jvm_peak_rss_bytes": jvm_peak,
        "python_peak_rss_bytes": _self_peak_rss_bytes(),
        "spark_conf": SPARK_CONF,
    }
