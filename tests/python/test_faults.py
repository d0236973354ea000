"""Fault tests of write-audit-publish, against the REAL project and data, through the CLI
(``python -m cluster_resilience.warehouse.build``) in separate processes:

- SIGKILL of the whole build (its process group: the build and dbt) during staging, and at three
  points inside publish: the published file is intact, readable, and either the old file byte
  for byte or (after the rename) the new complete one;
- Ctrl-C (SIGINT to the process group) during staging and SIGTERM to the build during a Python
  estimate model: "build aborted (...); published warehouse unchanged", no traceback, a
  non-zero exit, nothing left behind;
- a full disk (a small tmpfs, ``unshare -rm``) is reported as such, with the directory;
- a data engineer's plain ``dbt build`` (no CLUSTER_WAREHOUSE_PATH: the profile's
  warehouse/dev.duckdb) and its ``--publish-from``, while a reader holds the published file open
  read-only: the build never touches the published file, the reader is neither blocked nor
  sees a torn warehouse, and keeps the old build until it reconnects;
- both run with the network blocked (``unshare -rn``: no interface but loopback; where
  unavailable, a socket guard in sitecustomize blocks non-local connects);
- and the estimate tables equal the session build's in every column but the run metadata
  (run_id, run_started_at, git_revision): the build is deterministic (seeded bootstrap).

The publish points are reached by a test-only sitecustomize that pauses ``os.link`` /
``os.replace`` on the published path until the test kills the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from bad_inputs.cases import copy_project  # noqa: E402
from bad_inputs.compare import compare_warehouses  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RUN_METADATA = ("run_id", "run_started_at", "git_revision")
SMALL_BUILD = ["--allow-partial", "--", "--select", "+dim_state"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PAUSE_HOOK = textwrap.dedent(
    """
    # Test-only fault injection (tests/python/test_faults.py): pause the build at a point of
    # publish so the test can SIGKILL it there.
    import os, time
    _point, _published = os.environ.get("WAP_PAUSE_AT"), os.environ.get("WAP_PUBLISHED")
    if _point and _published:
        _link, _replace = os.link, os.replace
        def _is_published(path):
            return os.path.abspath(os.fspath(path)) == os.path.abspath(_published)
        def _pause(name):
            open(_published + ".paused-" + name, "w").close()
            time.sleep(600)
        def link(src, dst, *args, **kwargs):
            if _point == "before_prev_link" and _is_published(src):
                _pause(_point)
            return _link(src, dst, *args, **kwargs)
        def replace(src, dst, *args, **kwargs):
            if _point == "before_replace" and _is_published(dst):
                _pause(_point)
            result = _replace(src, dst, *args, **kwargs)
            if _point == "after_replace" and _is_published(dst):
                _pause(_point)
            return result
        os.link, os.replace = link, replace
    """
)

SOCKET_GUARD = textwrap.dedent(
    """
    # Test-only network guard (used where `unshare -rn` is unavailable): refuse every
    # connection to a non-loopback address from any Python process of the build.
    import errno, ipaddress, socket
    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
    def _allowed(sock, address):
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True
        host = address[0]
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"
    def connect(self, address):
        if not _allowed(self, address):
            raise OSError(errno.ENETUNREACH, f"network blocked by the test guard: {address}")
        return _connect(self, address)
    def connect_ex(self, address):
        if not _allowed(self, address):
            return errno.ENETUNREACH
        return _connect_ex(self, address)
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    """
)

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb
    path, stop, out = sys.argv[1:4]
    connection = duckdb.connect(path, read_only=True)
    def fingerprint():
        return list(connection.execute(
            "select (select min(run_id) from est_did_coefficients),"
            " (select count(*) from est_did_coefficients),"
            " (select round(sum(estimate), 9) from est_did_coefficients),"
            " (select count(*) from fct_state_outcome_year)").fetchone())
    first, seen, reads, errors = fingerprint(), set(), 0, []
    open(out + ".ready", "w").close()
    while not os.path.exists(stop):
        try:
            seen.add(json.dumps(fingerprint()))
            reads += 1
        except Exception as error:
            errors.append(repr(error))
        time.sleep(0.5)
    seen.add(json.dumps(fingerprint()))
    json.dump({"first": first, "seen": sorted(seen), "reads": reads, "errors": errors},
              open(out, "w"))
    """
)


def sha256(path: Path) -> str | None:
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readable(path: Path) -> list[str]:
    """Open read-only and read every base table; return their names."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        tables = [row[0] for row in connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'").fetchall()]
        for table in tables:
            connection.execute(f"select count(*) from {table}").fetchone()
        return tables
    finally:
        connection.close()


class Build:
    """The build CLI in its own process group, its output collected line by line."""

    def __init__(self, published: Path, scratch: Path, args: list[str], cache: Path,
                 env: dict[str, str] | None = None, prefix: list[str] | None = None,
                 project: Path = ROOT, target: Path | None = None) -> None:
        environment = dict(os.environ)
        environment.update(
            DBT_TARGET_PATH=str(target or scratch / "target"),
            DBT_LOG_PATH=str(scratch / "logs"),
            CLUSTER_GX_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        )
        environment.update(env or {})
        command = [*(prefix or []), sys.executable, "-m", "cluster_resilience.warehouse.build",
                   "--project-dir", str(project), "--warehouse", str(published), *args]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(ANSI.sub("", line.rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str | None = None, path: Path | None = None,
                 timeout: float = 900) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pattern and re.search(pattern, self.output):
                return
            if path is not None and path.exists():
                return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"build ended before {pattern or path}:\n{self.output[-4000:]}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {pattern or path}")

    def kill(self, signum: int = signal.SIGKILL, group: bool = True) -> int:
        if group:
            os.killpg(self.process.pid, signum)
        else:
            os.kill(self.process.pid, signum)
        code = self.process.wait(timeout=120)
        self._reader.join(timeout=10)
        return code

    def finish(self, timeout: float = 1800) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """One place for the kill and concurrency tests: the same published path and dbt target
    each time, so dbt's partial parse (keyed on the profile, which names the staging file next
    to the published one) carries over from one test build to the next."""
    return tmp_path_factory.mktemp("fault_site")


@pytest.fixture
def published(built_warehouse, site) -> Path:
    """A fresh byte copy of the session's real warehouse at the site's published path."""
    path = site / "warehouse" / "cluster_resilience.duckdb"
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir()
    shutil.copyfile(built_warehouse, path)
    return path


@pytest.fixture(scope="module")
def gx_cache(built_warehouse) -> Path:
    return built_warehouse.parent / "target" / "gx_cache"


def _staging_files(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f"{published.stem}.staging*"))


@pytest.mark.parametrize(
    "point, pattern, delay, signum, group",
    [
        ("staging", r"START sql (view|table) model staging\.", 0.0, signal.SIGKILL, True),
        ("staging", r"START sql (view|table) model staging\.", 0.0, signal.SIGINT, True),  # Ctrl-C
        ("python_estimate_model", r"START python (table|incremental) model ", 2.0,
         signal.SIGTERM, False),  # a scheduler stopping the build
    ],
    ids=["sigkill-staging", "sigint-staging", "sigterm-python-model"],
)
def test_kill_during_the_build_leaves_the_published_file_intact(
    point, pattern, delay, signum, group, published, site, gx_cache
):
    before = sha256(published)
    build = Build(published, site, [], gx_cache)
    build.wait_for(pattern)
    time.sleep(delay)
    assert _staging_files(published), "the build writes a staging file, not the published one"
    code = build.kill(signum, group)
    assert sha256(published) == before, f"killed {point}: published file changed"
    assert "main.est_did_coefficients" in readable(published)
    assert not published.with_name(published.name + ".prev").exists()
    if signum != signal.SIGKILL:
        name = signal.Signals(signum).name
        assert code == 128 + signum, build.output[-3000:]
        assert f"build aborted ({name}); published warehouse unchanged" in build.output
        assert "Traceback" not in build.output, build.output[-3000:]
        assert _staging_files(published) == [], "an aborted build removes its staging file"
        return
    # The next run (here validate-only) clears what the killed build left behind.
    follow_up = Build(published, site, ["--validate-only"], gx_cache)
    assert follow_up.finish() == 0, follow_up.output
    assert _staging_files(published) == []
    assert sha256(published) == before


@pytest.mark.parametrize("point", ["before_prev_link", "before_replace", "after_replace"])
def test_kill_during_publish_leaves_a_complete_file(point, published, site, tmp_path,
                                                    gx_cache):
    before = sha256(published)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(PAUSE_HOOK)
    env = {"PYTHONPATH": str(hooks), "WAP_PAUSE_AT": point, "WAP_PUBLISHED": str(published)}
    build = Build(published, site, SMALL_BUILD, gx_cache, env=env)
    build.wait_for(path=published.with_name(published.name + f".paused-{point}"))
    build.kill()
    previous = published.with_name(published.name + ".prev")
    tables = readable(published)
    if point == "after_replace":
        assert sha256(published) != before
        assert "main.dim_state" in tables and "main.est_did_coefficients" not in tables
        assert sha256(previous) == before
        rollback = subprocess.run(
            [sys.executable, "-m", "cluster_resilience.warehouse.build",
             "--warehouse", str(published), "--rollback"],
            cwd=ROOT, capture_output=True, text=True, check=False)
        assert rollback.returncode == 0, rollback.stderr
        assert sha256(published) == before
    else:
        assert sha256(published) == before
        assert "main.est_did_coefficients" in tables
        assert sha256(previous) in (None, before)


DISK_FULL_SCRIPT = textwrap.dedent(
    """
    set -e
    mount -t tmpfs -o size="$DISK_BYTES" tmpfs "$DISK"
    cp "$BASELINE" "$DISK/cluster_resilience.duckdb"
    echo "before $(sha256sum < "$DISK/cluster_resilience.duckdb")"
    set +e
    "$PYTHON" -m cluster_resilience.warehouse.build --project-dir "$ROOT" \\
        --warehouse "$DISK/cluster_resilience.duckdb" --allow-partial -- --select +dim_state
    echo "exit code $?"
    echo "after $(sha256sum < "$DISK/cluster_resilience.duckdb")"
    echo "left: $(ls -A "$DISK" | tr '\\n' ' ')"
    """
)


def test_a_full_disk_is_reported_as_such_and_changes_nothing(built_warehouse, tmp_path,
                                                             gx_cache):
    """The warehouse directory is a tmpfs (in a private mount namespace) with 256 KB free
    beside the published file: the staging file cannot be written."""
    unshare = shutil.which("unshare")
    if not unshare or subprocess.run([unshare, "-rm", "true"], check=False).returncode != 0:
        pytest.skip("needs `unshare -rm` (a private mount namespace) to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    environment = dict(
        os.environ, DISK=str(disk), BASELINE=str(built_warehouse), PYTHON=sys.executable,
        ROOT=str(ROOT), DISK_BYTES=str(built_warehouse.stat().st_size + 256 * 1024),
        DBT_TARGET_PATH=str(tmp_path / "target"), DBT_LOG_PATH=str(tmp_path / "logs"),
        CLUSTER_GX_CACHE_DIR=str(gx_cache), DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    completed = subprocess.run([unshare, "-rm", "sh", "-c", DISK_FULL_SCRIPT], cwd=ROOT,
                               env=environment, capture_output=True, text=True, timeout=900,
                               check=False)
    output = completed.stdout + completed.stderr
    assert "exit code 1" in output, output[-4000:]
    assert re.search(r"DISK FULL: no space left on device while writing \S*"
                     + re.escape(str(disk)), output), output[-4000:]
    assert re.search(re.escape(str(disk)) + r": [0-9.,]+ MB free", output), output[-4000:]
    before = re.search(r"before (\w+)", output).group(1)
    assert re.search(r"after (\w+)", output).group(1) == before, "published file changed"
    assert re.search(r"left: (.*)", output).group(1).split() == [
        "cluster_resilience.duckdb", "cluster_resilience.duckdb.lock"]
    assert "Traceback" not in output


def test_concurrent_builds_do_not_clobber_each_other(published, site, gx_cache):
    first = Build(published, site, SMALL_BUILD, gx_cache)
    first.wait_for(r"staging file: ")
    second = Build(published, site, SMALL_BUILD, gx_cache)
    assert first.finish() == 0, first.output
    assert second.finish() == 0, second.output
    # The second build waited for the first: they wrote the staging file one after the other.
    assert "waiting for build pid" in second.output
    first_done = first.output.index("published ")
    assert "waiting for build pid" not in first.output
    assert first_done >= 0 and _staging_files(published) == []
    assert "main.dim_state" in readable(published)


# ---------------------------------------------------------------------- one offline rebuild
def _network_isolation(scratch: Path) -> tuple[list[str], dict[str, str], str]:
    """(command prefix, env, description): unshare -rn where it works, else the socket guard."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], check=False).returncode == 0:
        return [unshare, "-rn"], {}, "unshare -rn (new network namespace, loopback only)"
    guard = scratch / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(SOCKET_GUARD)
    return [], {"PYTHONPATH": str(guard)}, "sitecustomize socket guard"


@pytest.fixture(scope="module")
def offline_rebuild(built_warehouse, tmp_path_factory, gx_cache) -> dict:
    """A data engineer's plain `dbt build` (in a copy of the project, no build variables: the
    profile's default warehouse/dev.duckdb) and then `--publish-from warehouse/dev.duckdb`
    (every raw file re-validated), both with the network blocked, while a reader holds the
    published file open read-only from before the build until after the publish."""
    scratch = tmp_path_factory.mktemp("offline_rebuild")
    project = copy_project(ROOT, scratch / "project")
    published = project / "warehouse" / "cluster_resilience.duckdb"
    published.parent.mkdir()
    shutil.copyfile(built_warehouse, published)
    before = sha256(published)
    stop, out = scratch / "stop-reader", scratch / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop), str(out)])
    deadline = time.monotonic() + 120
    while not Path(str(out) + ".ready").exists():
        assert reader.poll() is None and time.monotonic() < deadline, "reader did not start"
        time.sleep(0.1)
    prefix, env, isolation = _network_isolation(scratch)
    probe = subprocess.run(
        [*prefix, sys.executable, "-c",
         "import socket; socket.create_connection(('1.1.1.1', 53), timeout=5)"],
        env={**os.environ, **env}, capture_output=True, text=True, check=False)
    plain = {key: value for key, value in os.environ.items()
             if not key.startswith(("CLUSTER_", "DBT_"))}
    plain.update(env, DBT_PROFILES_DIR=".", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    started = time.perf_counter()
    dbt = subprocess.run([*prefix, str(Path(sys.executable).with_name("dbt")), "build"],
                         cwd=project, env=plain, capture_output=True, text=True, check=False)
    dbt_seconds = time.perf_counter() - started
    after_dbt = sha256(published)
    started = time.perf_counter()
    build = Build(published, scratch, ["--publish-from", "warehouse/dev.duckdb", "--revalidate"],
                  gx_cache, env=env, prefix=prefix, project=project, target=project / "target")
    code = build.finish()
    publish_seconds = time.perf_counter() - started
    time.sleep(1.5)  # a few reads of the old build after the publish
    stop.touch()
    reader.wait(timeout=120)
    return {
        "dbt": dbt, "dbt_seconds": dbt_seconds, "after_dbt": after_dbt,
        "code": code, "output": build.output, "seconds": publish_seconds, "before": before,
        "published": published, "dev": project / "warehouse" / "dev.duckdb",
        "reader": json.loads(out.read_text()), "isolation": isolation, "probe": probe,
    }


def test_build_runs_with_the_network_blocked(offline_rebuild):
    probe = offline_rebuild["probe"]
    assert probe.returncode != 0, f"{offline_rebuild['isolation']} did not block the network"
    dbt = offline_rebuild["dbt"]
    assert dbt.returncode == 0, dbt.stdout[-5000:]
    assert offline_rebuild["code"] == 0, offline_rebuild["output"][-5000:]
    assert re.search(r"build wall time: [0-9.]+ s", offline_rebuild["output"])
    print(f"\noffline ({offline_rebuild['isolation']}): plain dbt build "
          f"{offline_rebuild['dbt_seconds']:.0f} s, publish with every raw file revalidated "
          f"{offline_rebuild['seconds']:.0f} s")


def test_a_plain_dbt_build_never_touches_the_published_file(offline_rebuild):
    assert offline_rebuild["dbt"].returncode == 0, offline_rebuild["dbt"].stdout[-5000:]
    assert offline_rebuild["after_dbt"] == offline_rebuild["before"], (
        "the published file changed before it was published")
    assert offline_rebuild["dev"].exists()
    assert "Could not set lock" not in offline_rebuild["dbt"].stdout


def test_reader_holding_the_file_neither_blocks_nor_sees_a_torn_warehouse(offline_rebuild):
    assert offline_rebuild["code"] == 0, offline_rebuild["output"][-5000:]
    reader = offline_rebuild["reader"]
    assert reader["errors"] == []
    assert reader["reads"] > 10
    # A connection opened before the publish keeps reading the previous build.
    assert reader["seen"] == [json.dumps(reader["first"])], "the reader saw the file change"
    published = offline_rebuild["published"]
    assert sha256(published) != offline_rebuild["before"]
    assert sha256(published.with_name(published.name + ".prev")) == offline_rebuild["before"]
    connection = duckdb.connect(str(published), read_only=True)
    try:
        run_id = connection.execute("select min(run_id) from est_did_coefficients").fetchone()[0]
    finally:
        connection.close()
    assert run_id != reader["first"][0], "a new reader must see the newly published build"
    assert "Connections opened before this publish keep reading the previous build" in \
        offline_rebuild["output"]


def test_two_builds_give_identical_estimate_tables(offline_rebuild, built_warehouse):
    """Every estimate table of the offline rebuild equals the session build's, column by column,
    except the run metadata. Floats are compared to 1e-9 relative: upstream marts sum doubles in
    parallel (DuckDB), which can change the last bits between runs; any real difference (a seed
    not honoured, a different sample) is far larger. Bitwise differences are printed."""
    assert offline_rebuild["code"] == 0, offline_rebuild["output"][-5000:]
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_name like 'est\\_%' escape '\\' and table_type = 'BASE TABLE' "
            "order by 1, 2").fetchall()
    finally:
        connection.close()
    assert ("main", "est_did_coefficients") in tables
    diffs = compare_warehouses(built_warehouse, offline_rebuild["published"], tables,
                               exclude=RUN_METADATA)
    assert "change report: 0 of " in offline_rebuild["output"], offline_rebuild["output"][-3000:]
    problems = {diff.table: diff.problems for diff in diffs if diff.problems}
    noise = {diff.table: diff.bitwise_float_differences for diff in diffs
             if diff.bitwise_float_differences}
    print(f"\ndeterminism: {len(diffs)} estimate tables equal; floats differing only in the last "
          f"bits: {noise or 'none'}")
    assert problems == {}, problems
