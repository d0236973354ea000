"""Build entry point: write, audit, publish.

``python -m cluster_resilience.warehouse.build`` (``make build``):

1. **Lock.** Takes an exclusive lock on ``<published>.lock`` for the whole build; a second
   build of the same warehouse waits for the first, so two builds never write the same staging
   file. The lock dies with its process (flock), and so does dbt (PR_SET_PDEATHSIG on Linux):
   a killed build leaves nothing running and nothing locked.
2. **Door.** Validates every raw file the dbt sources read with Great Expectations
   (``cluster_resilience.warehouse.raw_checks``), before dbt reads any of them, one progress
   line per file; GX Data Docs are written to ``<target>/gx_data_docs/index.html``. A failure
   names the file, the expectation and up to 10 offending rows, and stops the build. The years
   of each file are read from the file and compared with the published warehouse's
   ``dim_source_vintage``: a file may not end earlier than the release it replaces, and one that
   goes further is reported as a newer release.
3. **Write.** Runs ``dbt build`` (vars checked at run start, every model, seed, data and unit
   test) into a fresh staging DuckDB file next to the published one, streaming dbt's progress.
   A dbt failure is explained from ``run_results.json`` and the manifest: the failing model or
   test, its column, and the raw files upstream of it. (``--publish-from FILE`` skips this step
   and takes a development file built by a plain ``dbt build``: see ``check_dev_build``.)
4. **Audit.** Checkpoints the built file, reads every relation dbt reported as built, and checks
   that ``dim_raw_file`` fingerprints exactly the raw files the door validated.
5. **Publication copy.** Copies the public tables (schemas ``main`` and ``reference``) with their
   comments into a new file in DuckDB storage version 1.1 (``publication.py``), and audits it:
   readable by DuckDB 1.1 and later, no view reading a file, every table and column commented,
   every table equal to the built one.
6. **Change report.** Compares the copy with the published warehouse (``change_report.py``):
   ``<target>/change_report.md`` and a few printed lines. ``--refuse-changes`` stops here when
   any table changed.
7. **Publish.** Hard-links the published file to ``<published>.prev`` (one step of rollback)
   and moves the copy over the published one with an atomic ``os.replace``, then fsyncs the
   directory. Readers holding the old file open keep reading the old, complete file until they
   reconnect; the build never opens the published file for writing, so their locks cannot block
   it. The full dbt database of the build is kept as ``<stem>.build.duckdb`` (for ``dbt docs``
   and debugging; BI tools read the published file).

A failure, a signal (SIGINT, SIGTERM) or a kill at any moment before step 7 leaves the published
file exactly as it was: everything before it only touches the staging and publication files, and
step 7 is a rename.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WAREHOUSE = Path("warehouse/cluster_resilience.duckdb")
SELECTION_FLAGS = ("-s", "--select", "--exclude", "--selector", "-m", "--models")
FAILED_STATUSES = ("error", "fail", "runtime error")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BuildError(RuntimeError):
    """The build or its tests failed; the published warehouse was not touched."""


class BuildAborted(BaseException):
    """SIGINT or SIGTERM arrived during the build (raised by the CLI's signal handler)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.published = False  # set when the signal came after the atomic rename


@dataclass(frozen=True)
class WarehousePaths:
    """The published file and its siblings: staging files, the rollback copy, the lock."""

    published: Path

    @property
    def staging(self) -> Path:
        """The one staging file of this warehouse. Only the build holding ``lock`` writes it,
        so two builds never share it; its name is stable, so dbt's partial parsing (keyed on
        the rendered profile, which includes this path) survives from one build to the next."""
        return self.published.with_name(self.published.stem + ".staging.duckdb")

    @property
    def publication(self) -> Path:
        """The publication copy being written and audited (renamed to ``published``)."""
        return self.published.with_name(self.published.stem + ".publication.duckdb")

    @property
    def build_copy(self) -> Path:
        """The full dbt database of the last published build (all schemas and views)."""
        return self.published.with_name(self.published.stem + ".build.duckdb")

    @property
    def raw_store(self) -> Path:
        """Copies of the raw files of the published builds, by sha256 (change report)."""
        return self.published.with_name(self.published.stem + ".published_raw")

    def stale_staging(self) -> list[Path]:
        """What a killed build may have left: staging and publication files, their WALs, a
        half-made .prev."""
        directory, stem = self.published.parent, self.published.stem
        return sorted([*directory.glob(f"{stem}.staging.duckdb*"),
                       *directory.glob(f"{stem}.publication.duckdb*"),
                       *directory.glob(f"{self.previous.name}.*")])

    @property
    def previous(self) -> Path:
        return self.published.with_name(self.published.name + ".prev")

    @property
    def lock(self) -> Path:
        return self.published.with_name(self.published.name + ".lock")


# ------------------------------------------------------------------------------ helpers
DISK_FULL = "No space left on device"


def is_disk_full(error: BaseException) -> bool:
    return (isinstance(error, OSError) and error.errno == errno.ENOSPC) or DISK_FULL in str(error)


def disk_full_message(text: str, directories: Iterable[Path]) -> str:
    """A full disk, said as such: what could not be written, and the free space of each
    directory the build writes to."""
    written = re.findall(r"[\"']((?:/|\.{1,2}/)[^\"']+)[\"']", text)
    lines = ["DISK FULL: no space left on device"
             + (f" while writing {written[0]}" if written else "") + "."]
    for directory in dict.fromkeys(Path(d).resolve() for d in directories):
        try:
            free = shutil.disk_usage(directory).free
            lines.append(f"  {directory}: {free / 1e6:,.1f} MB free")
        except OSError:
            lines.append(f"  {directory}: free space unknown")
    lines.append("Free space there (a build needs about three times the warehouse size: the "
                 "staging file, the publication copy and the kept build file), or point "
                 "--warehouse / DBT_TARGET_PATH at another disk, and build again.")
    detail = " ".join(text.split())[:300]
    if detail:
        lines.append(f"  ({detail})")
    return "\n".join(lines)


def _remove_duckdb_file(path: Path) -> None:
    for candidate in (path, Path(str(path) + ".wal")):
        candidate.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _dbt_executable() -> str:
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else "dbt"


def target_path(project_dir: Path) -> Path:
    """dbt's target directory: $DBT_TARGET_PATH (relative to the project) or ``target/``."""
    configured = os.environ.get("DBT_TARGET_PATH")
    path = Path(configured) if configured else Path("target")
    return (path if path.is_absolute() else project_dir / path).resolve()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the dbt child is killed when the build process dies (even by SIGKILL), so no
    orphaned dbt keeps writing after its build is gone."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class BuildLock:
    """Exclusive flock on ``<published>.lock`` for the whole build (released if we die)."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path, self.timeout, self.handle = path, timeout, None

    def __enter__(self) -> BuildLock:
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another build"
            print(f"waiting for {holder} to release {self.path} ...", flush=True)
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        self.handle.close()
                        raise BuildError(
                            f"{self.path} is still held by {holder} after {self.timeout:.0f} s"
                        ) from None
                    time.sleep(0.5)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"build pid {os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


# ------------------------------------------------------------------------------ dbt
def run_dbt(
    args: list[str],
    *,
    project_dir: Path,
    warehouse: Path,
    target: Path | None = None,
    echo: bool = True,
) -> None:
    """Run one dbt command against ``warehouse``; on failure raise a BuildError that names the
    failing models, tests, columns and the raw files upstream of them."""
    target = target or target_path(project_dir)
    env = dict(os.environ)
    env.update(
        CLUSTER_WAREHOUSE_PATH=str(warehouse.resolve()),
        DBT_PROFILES_DIR=str(project_dir.resolve()),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_PROJECT_DIR=str(project_dir.resolve()),
        DBT_TARGET_PATH=str(target),
        PYTHONUNBUFFERED="1",  # dbt's progress lines arrive as they are printed
    )
    (target / "run_results.json").unlink(missing_ok=True)
    tail: deque[str] = deque(maxlen=600)
    process = subprocess.Popen(
        [_dbt_executable(), *args], cwd=project_dir, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(ANSI.sub("", line.rstrip("\n")))
            if echo:
                print(line, end="", flush=True)
        returncode = process.wait()
    except BaseException:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    if returncode != 0:
        if any(DISK_FULL in line for line in tail):
            raise BuildError(disk_full_message(
                "\n".join(line for line in tail if DISK_FULL in line),
                [warehouse.parent, target]))
        explanation = explain_dbt_failure(project_dir, target, list(tail), warehouse)
        raise BuildError(
            f"DBT BUILD FAILED: dbt {' '.join(args)} exited {returncode}.\n{explanation}"
        )


def _load_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _raw_files_upstream(manifest: dict, unique_id: str,
                        project_dir: Path | None = None) -> list[str]:
    """Raw files (source external_location paths) the node reads, directly or via parents; a
    globbed location is resolved to the file it matches in ``project_dir``."""
    from cluster_resilience.warehouse.raw_checks.sources import resolve_location

    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    sources = manifest.get("sources", {})
    seen, stack, files = set(), [unique_id], []
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in sources:
            source = sources[current]
            location = (source.get("meta") or {}).get("external_location") or (
                (source.get("config") or {}).get("meta") or {}).get("external_location", "")
            match = re.search(r"read_csv\(\s*'([^']+)'", location or "")
            if match and project_dir is not None:
                files.append(resolve_location(project_dir, match.group(1))[0])
            else:
                files.append(match.group(1) if match else current)
            continue
        stack.extend((nodes.get(current) or {}).get("depends_on", {}).get("nodes", []))
    return sorted(set(files))


def _locate_value(project_dir: Path, files: Iterable[str], value: str, limit: int = 5) -> list[str]:
    """Where a value DuckDB could not convert sits in the raw files: file, line and column."""
    hits = []
    for relative in files:
        path = project_dir / relative
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            header = next(handle, "").lstrip("\ufeff").rstrip("\r\n")
            names = [name.strip().strip('"') for name in header.split(",")]
            for number, line in enumerate(handle, start=2):
                if value not in line:
                    continue
                fields = [field.strip().strip('"') for field in line.rstrip("\r\n").split(",")]
                columns = [names[i] if i < len(names) else f"field {i + 1}"
                           for i, field in enumerate(fields) if field == value]
                hits.append(f"{relative} line {number}, column {', '.join(columns) or '?'}")
                if len(hits) >= limit:
                    return hits
    return hits


def _describe_node(manifest: dict, unique_id: str) -> tuple[str, str | None]:
    """('test not_null_x_y on model x, column y', model unique_id) or ('model x (path)', id)."""
    node = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}.get(unique_id, {})
    kind = node.get("resource_type", unique_id.split(".")[0])
    name = node.get("name", unique_id)
    if kind == "test":
        metadata = node.get("test_metadata") or {}
        kwargs = metadata.get("kwargs") or {}
        attached = node.get("attached_node")
        parents = [p for p in node.get("depends_on", {}).get("nodes", []) if p.startswith("model.")]
        model_id = attached or (parents[0] if parents else None)
        model = model_id.split(".")[-1] if model_id else "?"
        column = kwargs.get("column_name") or node.get("column_name")
        text = f"test {name} on model {model}"
        if column:
            text += f", column {column}"
        elif kwargs:
            shown = {k: v for k, v in kwargs.items() if k != "model"}
            text += f" ({shown})" if shown else ""
        if node.get("description"):
            text += f" - {node['description'].strip()}"
        return text, model_id
    if kind == "unit_test":
        return f"unit test {name} of model {node.get('model', '?')}", None
    path = node.get("original_file_path", "")
    return f"{kind} {name}" + (f" ({path})" if path else ""), unique_id


_FAILING_ROWS_SCRIPT = """
import json, sys, duckdb
warehouse, limit = sys.argv[1], int(sys.argv[2])
sql = sys.stdin.read().strip().rstrip(";")
connection = duckdb.connect(warehouse, read_only=True)
cursor = connection.execute(f"select * from (\\n{sql}\\n) as failing limit {limit}")
names = [column[0] for column in cursor.description]
print(json.dumps([[f"{n}={v!r}" for n, v in zip(names, row)] for row in cursor.fetchall()]))
"""


def _failing_rows(
    warehouse: Path, project_dir: Path, compiled_sql: str, limit: int = 10
) -> list[str]:
    """Re-run a failed test's compiled query on the staging file: up to ``limit`` of its rows.

    Runs in a child process whose working directory is the project, because the staging views
    read the raw files by project-relative paths (as dbt does)."""
    if not compiled_sql or not warehouse.exists():
        return []
    try:
        completed = subprocess.run(
            [sys.executable, "-c", _FAILING_ROWS_SCRIPT, str(warehouse.resolve()), str(limit)],
            input=compiled_sql, cwd=project_dir, capture_output=True, text=True, timeout=120,
            check=False,
        )
        rows = json.loads(completed.stdout) if completed.returncode == 0 else []
    except (subprocess.TimeoutExpired, ValueError):
        return []
    return [", ".join(row)[:300] for row in rows]


def explain_dbt_failure(
    project_dir: Path, target: Path, log: list[str], warehouse: Path | None = None
) -> str:
    """Turn a failed dbt run into one line per failing node naming model, column, raw files,
    and, for a failed data test, up to 10 of the rows it returned."""
    run_results = _load_json(target / "run_results.json")
    manifest = _load_json(target / "manifest.json") or {}
    lines = []
    if run_results:
        results = run_results.get("results", [])
        failed = [r for r in results if r.get("status") in FAILED_STATUSES]
        skipped = sum(1 for r in results if r.get("status") == "skipped")
        for result in failed:
            unique_id = result["unique_id"]
            description, model_id = _describe_node(manifest, unique_id)
            message = " ".join((result.get("message") or "").split())[:400]
            failures = result.get("failures")
            line = f"- {description}: {result['status']}"
            if failures:
                line += f" ({failures} failing rows)"
            line += f": {message}"
            files = _raw_files_upstream(manifest, model_id or unique_id, project_dir)
            if files:
                line += f"\n    raw files upstream: {', '.join(files)}"
            if result.get("status") == "fail" and warehouse is not None:
                rows = _failing_rows(warehouse, project_dir, result.get("compiled_code") or "")
                if rows:
                    line += "\n    failing rows (first 10):" + "".join(
                        f"\n      {row}" for row in rows)
            bad_value = re.search(r"Could not convert string '([^']*)'", message)
            if bad_value:
                hits = _locate_value(project_dir, files, bad_value.group(1))
                if hits:
                    line += f"\n    value {bad_value.group(1)!r} found at: {'; '.join(hits)}"
            lines.append(line)
        if failed and skipped:
            lines.append(f"({skipped} downstream nodes skipped)")
    if not lines:
        # dbt stopped before running nodes (a var check in on-run-start, a parse error): quote
        # the error block it printed.
        start = next((i for i, line in enumerate(log) if "Encountered an error" in line
                      or re.search(r"\b(Compilation|Runtime|Parsing) Error\b", line)), None)
        block = log[start:start + 12] if start is not None else log[-12:]
        lines = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).rstrip() for line in block
                 if line.strip() and not line.strip().startswith("> called by")]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ audit, publish
def audit_staging(staging: Path, target: Path) -> str:
    """Checkpoint the built file and prove it is complete and readable before publishing."""
    import duckdb

    try:
        connection = duckdb.connect(str(staging))
    except duckdb.Error as error:
        raise BuildError(f"audit: cannot open {staging} (is dbt still writing it?): "
                         f"{' '.join(str(error).split())[:300]}") from error
    try:
        connection.execute("checkpoint")
    finally:
        connection.close()
    wal = Path(str(staging) + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BuildError(f"audit: {wal} still holds un-checkpointed changes")
    wal.unlink(missing_ok=True)
    run_results = _load_json(target / "run_results.json") or {}
    built = {
        result["unique_id"].split(".")[-1]
        for result in run_results.get("results", [])
        if result["unique_id"].split(".")[0] in ("model", "seed") and result["status"] == "success"
    }
    connection = duckdb.connect(str(staging), read_only=True)
    try:
        relations = dict(connection.execute(
            "select table_name, table_schema || '.' || table_name from information_schema.tables"
        ).fetchall())
        missing = sorted(name for name in built if name not in relations)
        if missing:
            raise BuildError(f"audit: dbt reported {missing} as built, but they are not in "
                             f"{staging.name}")
        rows = 0
        for name in sorted(built):
            kind = connection.execute(
                "select table_type from information_schema.tables where table_name = ?", [name]
            ).fetchone()[0]
            if kind == "BASE TABLE":
                rows += connection.execute(f"select count(*) from {relations[name]}").fetchone()[0]
    finally:
        connection.close()
    _fsync_file(staging)
    return f"audit: {len(built)} models and seeds present, {rows} rows in their tables"


FULL_BUILD_ARGS = ("select", "exclude", "selector", "resource_types", "exclude_resource_types")
PASSING_STATUSES = ("success", "pass", "warn", "no-op")  # no-op: exposures


def check_dev_build(built: Path, target: Path, allow_partial: bool = False) -> str:
    """``--publish-from``: the file must come from the last dbt command, a full, passing
    ``dbt build``. run_results.json says what that command was and how every node ended; the
    file's ``dim_raw_file.run_id`` (the dbt invocation id) ties the file to that command, so a
    later ``dbt run --select ...`` on the file, or a build of another file, is caught."""
    import duckdb

    if not built.exists():
        raise BuildError(f"{built} does not exist: run `dbt build` first (a plain `dbt build` "
                         "writes warehouse/dev.duckdb)")
    run_results = _load_json(target / "run_results.json")
    if run_results is None:
        raise BuildError(f"{target / 'run_results.json'} is missing: run `dbt build` (it writes "
                         f"{built}) and publish right after it")
    args, invocation = run_results.get("args", {}), run_results["metadata"]["invocation_id"]
    problems = []
    if args.get("which") != "build":
        problems.append(f"the last dbt command was `dbt {args.get('which')}`, not `dbt build` "
                        "(every model, seed and test)")
    selected = {name: args.get(name) for name in FULL_BUILD_ARGS if args.get(name)}
    if selected and not allow_partial:
        problems.append(f"the last dbt build selected part of the project ({selected}); "
                        "publishing it would replace the full warehouse with a partial one")
    if args.get("empty"):
        problems.append("the last dbt build ran with --empty")
    failed = [f"{r['unique_id']} ({r['status']})" for r in run_results.get("results", [])
              if r.get("status") not in PASSING_STATUSES]
    if failed:
        problems.append(f"{len(failed)} nodes did not pass: {', '.join(failed[:8])}")
    try:
        connection = duckdb.connect(str(built), read_only=True)
    except duckdb.Error as error:
        raise BuildError(f"cannot open {built} read-only (is dbt still writing it?): "
                         f"{' '.join(str(error).split())[:300]}") from error
    try:
        runs = connection.execute(
            "select distinct run_id from main.dim_raw_file").fetchall()
    except duckdb.Error:
        runs = None
    finally:
        connection.close()
    if runs is None:
        if not allow_partial:
            problems.append(f"{built.name} has no main.dim_raw_file: it was not built by a full "
                            "`dbt build` of this project")
    elif [run for (run,) in runs] != [invocation]:
        problems.append(f"{built.name} was built by dbt invocation "
                        f"{', '.join(str(run) for (run,) in runs)}, but the last dbt command "
                        f"(invocation {invocation}) was another one: a later dbt command "
                        "changed or did not build this file")
    if problems:
        raise BuildError(f"{built} is not publishable:\n" + "\n".join(
            f"  - {problem}" for problem in problems)
            + "\nRun a full `dbt build` (it writes this file), then publish it.")
    generated = run_results["metadata"].get("generated_at", "?")
    return (f"{built.name}: built and tested by `dbt build` (invocation {invocation}, finished "
            f"{generated}), {len(run_results.get('results', []))} nodes passed")


def check_raw_fingerprints(built: Path, validated: dict[str, str], required: bool) -> str:
    """The raw files the build read (``dim_raw_file``) are exactly those the door validated."""
    import duckdb

    connection = duckdb.connect(str(built), read_only=True)
    try:
        rows = connection.execute(
            "select file_path, sha256 from main.dim_raw_file").fetchall()
    except duckdb.Error:
        rows = None
    finally:
        connection.close()
    if rows is None:
        if required:
            raise BuildError(f"{built.name} has no main.dim_raw_file (raw file fingerprints)")
        return "raw files: not fingerprinted by this (partial) build"
    changed = [path for path, sha in rows if validated.get(path) != sha]
    if changed:
        raise BuildError(
            f"the raw files changed after {built.name} was built from them: "
            f"{', '.join(changed)}. The door validated the files as they are now, so the build "
            "would publish numbers from files nobody validated: build again.")
    return f"raw files: the {len(rows)} files the build read are the ones the door validated"


def _raw_file_shas(warehouse: Path) -> dict[str, str]:
    """file_path -> sha256 from a warehouse's ``dim_raw_file`` (empty when it has none)."""
    import duckdb

    if not warehouse.exists():
        return {}
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return dict(connection.execute(
            "select file_path, sha256 from main.dim_raw_file").fetchall())
    except duckdb.Error:
        return {}
    finally:
        connection.close()


def _published_shas(paths: WarehousePaths) -> set[str]:
    """sha256 of the raw files behind the published warehouse and its .prev."""
    return {sha for path in (paths.published, paths.previous)
            for sha in _raw_file_shas(path).values()}


def _assert_no_writer(published: Path) -> None:
    """The build never writes the published file, but someone else might (an analyst pointing
    dbt at it): replacing it under a writer would orphan that writer's WAL. Read-only readers
    (BI tools) are fine and do not block this check."""
    import duckdb

    if not published.exists():
        return
    try:
        duckdb.connect(str(published), read_only=True).close()
    except duckdb.Error as error:
        raise BuildError(
            f"{published} is open for writing by another process; close it (readers may stay) "
            f"and build again: {error}"
        ) from error
    wal = Path(str(published) + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BuildError(f"{wal} exists: a writer crashed on the published file; open it once "
                         "with DuckDB to replay the WAL, then build again")


def publish(paths: WarehousePaths, staging: Path | None = None) -> None:
    """Atomically make the staging file the published warehouse, keeping the old one as .prev.

    Every step is a link or a rename in one directory: a kill between any two leaves either
    the old or the new complete file at the published path, never a partial one.
    """
    staging = staging or paths.staging
    if paths.published.exists():
        partial_prev = paths.previous.with_name(paths.previous.name + f".{os.getpid()}")
        partial_prev.unlink(missing_ok=True)
        os.link(paths.published, partial_prev)
        os.replace(partial_prev, paths.previous)
    os.replace(staging, paths.published)
    _fsync_directory(paths.published.parent)


def rollback(paths: WarehousePaths) -> None:
    """Restore the previous published warehouse (one step)."""
    if not paths.previous.exists():
        raise BuildError(f"nothing to roll back to: {paths.previous} does not exist")
    os.replace(paths.previous, paths.published)
    _fsync_directory(paths.published.parent)


# ------------------------------------------------------------------------------ entry point
def check_cli_vars(project_dir: Path, dbt_args: list[str]) -> None:
    """A var passed with ``--vars`` must be one dbt_project.yml declares: dbt silently ignores
    an unknown (misspelled) var, and the build would run with the default instead. The values
    themselves are checked by macros/validate_vars.sql at run start."""
    import yaml

    for position, arg in enumerate(dbt_args):
        if arg == "--vars" and position + 1 < len(dbt_args):
            text = dbt_args[position + 1]
        elif arg.startswith("--vars="):
            text = arg.split("=", 1)[1]
        else:
            continue
        try:
            given = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise BuildError(f"--vars {text!r} is not valid YAML: {error}") from error
        if not isinstance(given, dict):
            raise BuildError(f"--vars {text!r}: expected a mapping of var name to value")
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
        declared = set((project or {}).get("vars") or {})
        unknown = sorted(str(name) for name in given if name not in declared)
        if unknown:
            raise BuildError(
                f"Invalid dbt var name(s) {unknown} in --vars: not declared in dbt_project.yml. "
                f"Allowed: {', '.join(sorted(declared))}."
            )


def _is_partial(dbt_args: list[str]) -> bool:
    return any(arg in SELECTION_FLAGS or arg.split("=")[0] in SELECTION_FLAGS for arg in dbt_args)


def build_warehouse(
    project_dir: Path = Path("."),
    published: Path = DEFAULT_WAREHOUSE,
    dbt_args: list[str] | None = None,
    *,
    allow_partial: bool = False,
    validate_only: bool = False,
    revalidate: bool = False,
    lock_timeout: float = 3600.0,
    echo_dbt: bool = True,
    publish_from: Path | None = None,
    refuse_changes: bool = False,
) -> float:
    """Validate the raw inputs, build and test into staging (or take ``publish_from``, a file a
    plain ``dbt build`` made), audit, copy the public tables, report the changes, publish;
    return seconds.

    Raises BuildError (published warehouse untouched) when anything fails or, with
    ``refuse_changes``, when any published table would change.
    """
    started = time.perf_counter()
    project_dir = Path(project_dir)
    dbt_args = list(dbt_args or [])
    paths = WarehousePaths(published if published.is_absolute() else project_dir / published)
    paths.published.parent.mkdir(parents=True, exist_ok=True)
    target = target_path(project_dir)
    if publish_from is not None:
        publish_from = publish_from if publish_from.is_absolute() else project_dir / publish_from
        if dbt_args:
            raise BuildError(f"--publish-from takes a file dbt already built: dbt args "
                             f"{dbt_args} would not be used")
        if publish_from.resolve() in (paths.published.resolve(), paths.previous.resolve()):
            raise BuildError(f"--publish-from {publish_from}: that is the published file itself")
    if _is_partial(dbt_args) and not (allow_partial or validate_only):
        raise BuildError(
            f"dbt args {dbt_args} select part of the project; publishing that would replace the "
            "full warehouse with a partial one. Pass --allow-partial, or --warehouse <other file>."
        )
    check_cli_vars(project_dir, dbt_args)
    timings: dict[str, float] = {}
    say = _say

    from cluster_resilience.warehouse.raw_checks import previous_vintages, validate_raw_inputs

    with BuildLock(paths.lock, lock_timeout):
        for stale in paths.stale_staging():  # left by a killed build; we hold the lock
            stale.unlink(missing_ok=True)

        if publish_from is not None:  # cheap, and says at once what is wrong with the file
            say(check_dev_build(publish_from, target, allow_partial))
        phase = time.perf_counter()
        cache = Path(os.environ.get("CLUSTER_GX_CACHE_DIR") or target / "gx_cache")
        say("validating the raw inputs (Great Expectations door)")
        try:
            report = validate_raw_inputs(
                project_dir, target / "gx_data_docs", cache_dir=None if revalidate else cache,
                previous=previous_vintages(paths.published), progress=say,
            )
        except OSError as error:
            if is_disk_full(error):
                raise BuildError(disk_full_message(str(error), [target])) from error
            raise
        timings["validate raw inputs (GX)"] = time.perf_counter() - phase
        if not report.success:
            raise BuildError(report.format())
        say(report.summary())
        if validate_only:
            return time.perf_counter() - started

        staging = paths.staging
        built = publish_from or staging
        published_now = False
        try:
            phase = time.perf_counter()
            if publish_from is None:
                say(f"staging file: {staging}")
                say("dbt build: dbt parses the project first (10-30 s), then prints every model "
                    "and test as it runs (n of N)")
                run_dbt(["build", *dbt_args], project_dir=project_dir, warehouse=staging,
                        target=target, echo=echo_dbt)
                timings["dbt build (write + test)"] = time.perf_counter() - phase
            phase = time.perf_counter()
            say(audit_staging(built, target))
            from cluster_resilience.warehouse.anomalies import anomaly_warnings

            for line in anomaly_warnings(built, paths.published):  # warn, do not stop
                say(line)
            say(check_raw_fingerprints(built, report.fingerprints,
                                       required=not (allow_partial or _is_partial(dbt_args))))
            timings["audit"] = time.perf_counter() - phase

            from cluster_resilience.warehouse.change_report import RawStore, compare_publications
            from cluster_resilience.warehouse.publication import (
                PublicationError,
                audit_publication,
                write_publication,
            )

            phase = time.perf_counter()
            say(f"publication copy: public tables of {built.name} -> {paths.publication.name} "
                "(DuckDB storage v1.1)")
            try:
                copied = write_publication(built, paths.publication, project_dir, progress=say)
                say(audit_publication(paths.publication, built, copied))
            except PublicationError as error:
                raise BuildError(str(error)) from error
            timings["publication copy + audit"] = time.perf_counter() - phase

            phase = time.perf_counter()
            store = RawStore(paths.raw_store)
            say("comparing with the published warehouse ...")
            changes = compare_publications(
                paths.publication, paths.published if paths.published.exists() else None,
                manifest=target / "manifest.json", project_dir=project_dir, store=store)
            report_path = target / "change_report.md"
            report_path.parent.mkdir(parents=True, exist_ok=True)
            report_path.write_text(changes.markdown(), encoding="utf-8")
            for line in changes.summary_lines():
                say(line)
            say(f"  (details: {report_path})")
            timings["change report"] = time.perf_counter() - phase
            refusal = changes.refusal() if refuse_changes else ""
            if refusal:
                raise BuildError(f"REFUSED (--refuse-changes): nothing may change, but "
                                 f"{refusal}\nDetails: {report_path}")

            phase = time.perf_counter()
            try:  # keep the raw files behind this publish, for the next change report
                store.store(_raw_file_shas(paths.publication), project_dir)
            except RuntimeError as error:
                raise BuildError(str(error)) from error
            _assert_no_writer(paths.published)
            had_previous = paths.published.exists()
            publish(paths, paths.publication)
            published_now = True
            if publish_from is None:
                os.replace(staging, paths.build_copy)
                _remove_duckdb_file(staging)
            store.keep_only(_published_shas(paths))
            timings["publish"] = time.perf_counter() - phase
        except BuildAborted as aborted:
            aborted.published = published_now
            _clean_up(paths, publish_from is None and not published_now)
            raise
        except BaseException as error:
            _clean_up(paths, publish_from is None and not published_now)
            if published_now or isinstance(error, BuildError) or not is_disk_full(error):
                raise
            raise BuildError(disk_full_message(
                str(error), [paths.published.parent, target])) from error
    for name, seconds in timings.items():
        say(f"  {name}: {seconds:.1f} s")
    if had_previous:
        say(f"published {paths.published} (previous kept as {paths.previous.name}; "
            "`make rollback` restores it)")
    else:
        say(f"published {paths.published} (first publish: no previous version to roll back to)")
    say("Connections opened before this publish keep reading the previous build until they "
        "reconnect.")
    return time.perf_counter() - started


def _say(line: str) -> None:
    print(line, flush=True)


def _clean_up(paths: WarehousePaths, staging_too: bool) -> None:
    """Remove what a failed or aborted build wrote (never the published file or a dev file)."""
    _remove_duckdb_file(paths.publication)
    if staging_too:
        _remove_duckdb_file(paths.staging)


def _abort(signum: int, frame: object) -> None:
    # One message, no traceback: later signals are ignored while the build cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise BuildAborted(signum)


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
    parser.add_argument("--publish-from", type=Path, default=None, metavar="FILE",
                        help="publish FILE, built by a plain `dbt build` (e.g. "
                             "warehouse/dev.duckdb), through the same door, audit and atomic "
                             "publish, instead of building")
    parser.add_argument("--refuse-changes", action="store_true",
                        help="publish only if no published table changes (rows, or numbers "
                             "beyond 1e-9 relative); otherwise name what changed and stop")
    parser.add_argument("--validate-only", action="store_true",
                        help="only run the GX checks of the raw inputs (no dbt, no publish)")
    parser.add_argument("--revalidate", action="store_true",
                        help="validate every raw file with GX, ignoring cached passing results")
    parser.add_argument("--allow-partial", action="store_true",
                        help="allow publishing a build restricted by --select/--exclude")
    parser.add_argument("--lock-timeout", type=float, default=3600.0,
                        help="seconds to wait for another build of the same warehouse")
    parser.add_argument("dbt_args", nargs="*", help="extra arguments for dbt build (after --)")
    args = parser.parse_args(argv)
    handlers = {signum: signal.signal(signum, _abort) for signum in (signal.SIGINT,
                                                                     signal.SIGTERM)}
    paths = WarehousePaths(args.project_dir / args.warehouse)
    try:
        if args.rollback:
            with BuildLock(paths.lock, args.lock_timeout):
                rollback(paths)
            print(f"rolled back: {paths.published} restored from {paths.previous}")
            return 0
        seconds = build_warehouse(
            args.project_dir, args.warehouse, args.dbt_args, allow_partial=args.allow_partial,
            validate_only=args.validate_only, revalidate=args.revalidate,
            lock_timeout=args.lock_timeout, publish_from=args.publish_from,
            refuse_changes=args.refuse_changes,
        )
    except BuildAborted as aborted:
        name = signal.Signals(aborted.signum).name
        if aborted.published:
            print(f"build aborted ({name}) after publishing: {paths.published} is the new "
                  "build", file=sys.stderr)
        else:
            print(f"build aborted ({name}); published warehouse unchanged", file=sys.stderr)
        return 128 + aborted.signum
    except BuildError as error:
        print(f"BUILD FAILED, published warehouse unchanged:\n{error}", file=sys.stderr)
        return 1
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if args.validate_only:
        print(f"raw inputs valid (validate-only) in {seconds:.1f} s")
        return 0
    print(f"build wall time: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
