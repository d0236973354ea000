"""The benchmark's SQL, rendered by dbt from the project (models/bench/ and macros/): the exact
SQL the warehouse's macros produce, for DuckDB or Spark.

dbt parses the project once per engine (the bench models are enabled by var ``bench_enabled``)
and compiles the bench models once per size (var ``bench_rows``) from the parsed manifest; the
benchmark then executes the compiled SELECTs itself, one child process per step, so the step
timings are the engine's work and not dbt's start-up (reported separately as ``render_s``).
The profile is written into the scratch directory: the project's profiles.yml is not touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

PROFILE = "cluster_resilience"
MODELS = ("bench_panel", "bench_cells", "bench_design", "bench_moments", "bench_residual_moments")
PARAMS_SOURCE = ("bench_solver", "bench_params")
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class RenderedSql:
    """One engine's compiled bench models at one size: relation name and SELECT per model, and
    the relation the solve step writes the coefficients to."""

    engine: str
    rows: int
    panel: dict
    relations: dict[str, str]
    selects: dict[str, str]
    params_relation: str

    def to_json(self) -> dict:
        return {
            "engine": self.engine, "rows": self.rows, "panel": self.panel,
            "relations": self.relations, "selects": self.selects,
            "params_relation": self.params_relation,
        }

    @classmethod
    def from_json(cls, payload: dict) -> RenderedSql:
        return cls(**payload)


def default_panel(project_dir: Path) -> dict:
    """Var bench_panel as dbt_project.yml defines it (the panel's shape and planted effect)."""
    variables = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    return dict(variables["bench_panel"])


def duckdb_path(work_dir: Path) -> Path:
    """The scratch DuckDB file (its name is the database name in the compiled SQL)."""
    return work_dir / "bench.duckdb"


def spark_warehouse(work_dir: Path) -> Path:
    return work_dir / "spark-warehouse"


def write_profiles(work_dir: Path) -> Path:
    """A profiles.yml for the scratch database: DuckDB file, or Spark in-process (session)."""
    directory = work_dir / "profiles"
    directory.mkdir(parents=True, exist_ok=True)
    profiles = {
        PROFILE: {
            "target": "duckdb",
            "outputs": {
                "duckdb": {
                    "type": "duckdb", "path": str(duckdb_path(work_dir)), "threads": 2,
                    "extensions": [],
                },
                "spark": {
                    "type": "spark", "method": "session", "host": "NA", "schema": "bench",
                    "threads": 1,
                },
            },
        }
    }
    (directory / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))
    return directory


class BenchRenderer:
    """Parses the project once for ``engine``; :meth:`render` compiles the bench models at a
    size."""

    def __init__(self, project_dir: Path, work_dir: Path, engine: str):
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
        from dbt.cli.main import dbtRunner

        self.engine = engine
        self._runner_class = dbtRunner
        self._default_panel = default_panel(project_dir)
        profiles_dir = write_profiles(work_dir)
        self._common = [
            "--project-dir", str(project_dir),
            "--profiles-dir", str(profiles_dir),
            "--target", engine,
            "--target-path", str(work_dir / f"dbt-target-{engine}"),
            "--log-path", str(work_dir / "logs"),
            "--quiet",
        ]
        result = dbtRunner().invoke(
            ["parse", *self._common, "--vars", json.dumps({"bench_enabled": True})]
        )
        if not result.success:
            raise RuntimeError(f"dbt parse of the bench models failed: {result.exception}")
        self._manifest = result.result

    def render(self, rows: int, panel: dict | None = None) -> RenderedSql:
        """The bench models compiled at ``rows`` rows; ``panel`` replaces var bench_panel (the
        whole mapping: the panel's shape and planted effect)."""
        panel = dict(self._default_panel if panel is None else panel)
        variables = {"bench_enabled": True, "bench_rows": rows, "bench_panel": panel}
        result = self._runner_class(manifest=self._manifest).invoke(
            [
                "compile", *self._common, "--no-populate-cache", "--select", "path:models/bench",
                "--vars", json.dumps(variables),
            ]
        )
        if not result.success:
            raise RuntimeError(f"dbt compile of the bench models failed: {result.exception}")
        nodes = {run.node.name: run.node for run in result.result.results}
        missing = [name for name in MODELS if name not in nodes]
        if missing:
            raise RuntimeError(f"dbt compiled no {missing} (is models/bench/ enabled?)")
        source = next(
            node for node in self._manifest.sources.values()
            if (node.source_name, node.name) == PARAMS_SOURCE
        )
        return RenderedSql(
            engine=self.engine,
            rows=rows,
            panel=panel,
            relations={name: nodes[name].relation_name for name in MODELS},
            selects={name: nodes[name].compiled_code for name in MODELS},
            params_relation=source.relation_name,
        )
