"""Build entry point: write, audit, publish.

``python -m cluster_resilience.build`` runs ``dbt build`` (models and every data test) into a
fresh staging DuckDB file next to the published one, and only when that succeeds replaces the
published file with an atomic rename. A failed build or test leaves the published warehouse as
it was; the previous published file is kept as ``<name>.prev`` for ``make rollback``. Readers
that hold the published file open keep reading the file they opened.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WAREHOUSE = Path("warehouse/cluster_resilience.duckdb")


class BuildError(RuntimeError):
    """The build or its tests failed; the published warehouse was not touched."""


@dataclass(frozen=True)
class WarehousePaths:
    """The published file and its siblings: the staging file a build writes, the rollback copy."""

    published: Path

    @property
    def staging(self) -> Path:
        return self.published.with_name(self.published.stem + ".staging.duckdb")

    @property
    def previous(self) -> Path:
        return self.published.with_name(self.published.name + ".prev")


def _remove_duckdb_file(path: Path) -> None:
    for candidate in (path, Path(str(path) + ".wal")):
        candidate.unlink(missing_ok=True)


def _dbt_executable() -> str:
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else "dbt"


def run_dbt(args: list[str], *, project_dir: Path, warehouse: Path) -> None:
    """Run one dbt command against ``warehouse``; raise BuildError when it fails."""
    env = dict(os.environ)
    env.update(
        CLUSTER_WAREHOUSE_PATH=str(warehouse.resolve()),
        DBT_PROFILES_DIR=str(project_dir.resolve()),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_PROJECT_DIR=str(project_dir.resolve()),
    )
    completed = subprocess.run([_dbt_executable(), *args], cwd=project_dir, env=env, check=False)
    if completed.returncode != 0:
        raise BuildError(f"dbt {' '.join(args)} failed (exit {completed.returncode}); see above")


def publish(paths: WarehousePaths) -> None:
    """Atomically make the staging file the published warehouse, keeping the old one as .prev."""
    if paths.published.exists():
        paths.previous.unlink(missing_ok=True)
        os.link(paths.published, paths.previous)
    os.replace(paths.staging, paths.published)


def rollback(paths: WarehousePaths) -> None:
    """Restore the previous published warehouse (one step)."""
    if not paths.previous.exists():
        raise BuildError(f"nothing to roll back to: {paths.previous} does not exist")
    os.replace(paths.previous, paths.published)


def build_warehouse(
    project_dir: Path = Path("."),
    published: Path = DEFAULT_WAREHOUSE,
    dbt_args: list[str] | None = None,
) -> float:
    """Build, test and publish the warehouse; return the wall time in seconds."""
    started = time.perf_counter()
    paths = WarehousePaths(published if published.is_absolute() else project_dir / published)
    paths.published.parent.mkdir(parents=True, exist_ok=True)
    _remove_duckdb_file(paths.staging)
    try:
        run_dbt(["build", *(dbt_args or [])], project_dir=project_dir, warehouse=paths.staging)
    except BuildError:
        _remove_duckdb_file(paths.staging)
        raise
    publish(paths)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("CLUSTER_PUBLISHED_PATH", DEFAULT_WAREHOUSE)),
        help="published DuckDB file (default: %(default)s)",
    )
    parser.add_argument("--rollback", action="store_true", help="restore the .prev warehouse")
    parser.add_argument("dbt_args", nargs="*", help="extra arguments for dbt build (after --)")
    args = parser.parse_args(argv)
    paths = WarehousePaths(args.project_dir / args.warehouse)
    try:
        if args.rollback:
            rollback(paths)
            print(f"rolled back: {paths.published} restored from {paths.previous}")
            return 0
        seconds = build_warehouse(args.project_dir, args.warehouse, args.dbt_args)
    except BuildError as error:
        print(f"BUILD FAILED, published warehouse unchanged: {error}", file=sys.stderr)
        return 1
    print(f"published {paths.published} (previous kept as {paths.previous.name})")
    print(f"build wall time: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
