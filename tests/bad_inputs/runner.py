"""Runs one catalogue case through the real build entry point, in a worker process.

``run_case`` copies the project, applies the mutation, puts a byte copy of the shared baseline
warehouse at the published path (and links its stored raw files beside it, for the change
report), runs ``cluster_resilience.warehouse.build.main``
(the CLI's own function)
and returns what the test asserts on: exit code, messages, hashes of the published file before
and after. Workers are spawned processes (see the test module), so the GX import is paid once
per worker and each case has its own environment (target path, log path).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import sys
import time
from pathlib import Path

from bad_inputs.cases import CASES, copy_project

PUBLISHED = Path("warehouse/cluster_resilience.duckdb")


def sha256(path: Path) -> str | None:
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Tee(io.TextIOBase):
    """Collect what the build prints (the dbt log is long: keep the head and the tail)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def value(self) -> str:
        return "".join(self.parts)


def _main_module_looks_initialised() -> None:
    """A spawned worker's ``__main__`` has neither ``__spec__`` nor ``__file__``; when pyspark is
    installed (the spark extra), Great Expectations imports pyspark.sql.connect, whose doctest
    check takes such a process for a doctest run and calls sys.exit(0). Give it a file name."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = __file__


def run_case(name: str, root: str, baseline: str, workdir: str, gx_cache: str) -> dict:
    _main_module_looks_initialised()
    case = next(case for case in CASES if case.name == name)
    project = copy_project(Path(root), Path(workdir) / "project")
    published = project / PUBLISHED
    published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(baseline, published)
    stored_raw = Path(baseline).with_name(Path(baseline).stem + ".published_raw")
    if stored_raw.is_dir():  # content-addressed, never edited in place: links are safe
        shutil.copytree(stored_raw, published.with_name(published.stem + ".published_raw"),
                        copy_function=os.link)
    before = sha256(published)
    case.mutate(project)

    os.environ.update(
        DBT_TARGET_PATH=str(project / "target"),
        DBT_LOG_PATH=str(project / "logs"),
        CLUSTER_GX_CACHE_DIR=gx_cache,
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    from cluster_resilience.warehouse.build import main

    out, err = _Tee(), _Tee()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--project-dir", str(project), "--warehouse", str(PUBLISHED),
                         *(["--allow-partial"] if case.dbt_args
                           and case.stage in ("success", "newer") else []),
                         *case.cli_args, "--", *case.dbt_args])
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
    seconds = time.perf_counter() - started
    sys.stdout.flush()
    previous = published.with_name(published.name + ".prev")
    change_report = project / "target" / "change_report.md"
    return {
        "name": name,
        "exit_code": code,
        "stdout": out.value()[-20000:],
        "stderr": err.value(),
        "seconds": seconds,
        "hash_before": before,
        "hash_after": sha256(published),
        "hash_prev": sha256(previous),
        "published": str(published),
        "dbt_started": "Running with dbt=" in out.value(),
        "leftovers": sorted(p.name for p in published.parent.glob("*.staging*"))
        + sorted(p.name for p in published.parent.glob("*.publication*")),
        "change_report": change_report.read_text() if change_report.exists() else "",
    }
