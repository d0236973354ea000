"""Fault tests of write-audit-publish, against the REAL project and data, through the CLI
(``python -m cluster_resilience.warehouse.build``) in separate processes:

- SIGKILL of the whole build (its process group: the build and dbt) during staging, during a
  Python estimate model, and at three points inside publish: the published file is intact,
  readable, and either the old file byte for byte or (after the rename) the new complete one;
- a reader holding the published file open read-only for a whole build neither blocks nor
  breaks it, and sees one consistent warehouse throughout;
- that same build runs with the network blocked (``unshare -rn``: no interface but loopback;
  where unavailable, a socket guard in sitecustomize blocks non-local connects);
- and its estimate tables equal the session build's in every column but the run metadata
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

from bad_inputs.compare import compare_warehouses  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RUN_METADATA = ("run_id", "run_started_at", "git_revision")
SMALL_BUILD = ["--allow-partial", "--", "--select", "+dim_state",
               "--indirect-selection", "cautious"]

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
            " (select count(*) from fct_state_year)").fetchone())
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
                 env: dict[str, str] | None = None, prefix: list[str] | None = None) -> None:
        environment = dict(os.environ)
        environment.update(
            DBT_TARGET_PATH=str(scratch / "target"), DBT_LOG_PATH=str(scratch / "logs"),
            CLUSTER_GX_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        )
        environment.update(env or {})
        command = [*(prefix or []), sys.executable, "-m", "cluster_resilience.warehouse.build",
                   "--project-dir", str(ROOT), "--warehouse", str(published), *args]
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

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self._reader.join(timeout=10)

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
    "point, pattern, delay",
    [
        ("staging", r"START sql view model staging\.", 0.0),
        ("python_estimate_model", r"START python (table|incremental) model ", 2.0),
    ],
)
def test_kill_during_the_build_leaves_the_published_file_intact(
    point, pattern, delay, published, site, gx_cache
):
    before = sha256(published)
    build = Build(published, site, [], gx_cache)
    build.wait_for(pattern)
    time.sleep(delay)
    assert _staging_files(published), "the build writes a staging file, not the published one"
    build.kill()
    assert sha256(published) == before, f"killed {point}: published file changed"
    assert "main.est_did_coefficients" in readable(published)
    assert not published.with_name(published.name + ".prev").exists()
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
    """A full real build over a copy of the session warehouse, with the network blocked and a
    reader holding the published file open read-only from before the build until after it."""
    scratch = tmp_path_factory.mktemp("offline_rebuild")
    published = scratch / "warehouse" / "cluster_resilience.duckdb"
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
    started = time.perf_counter()
    build = Build(published, scratch, ["--revalidate"], gx_cache, env=env, prefix=prefix)
    code = build.finish()
    seconds = time.perf_counter() - started
    stop.touch()
    reader.wait(timeout=120)
    return {
        "code": code, "output": build.output, "seconds": seconds, "before": before,
        "published": published, "reader": json.loads(out.read_text()),
        "isolation": isolation, "probe": probe,
    }


def test_build_runs_with_the_network_blocked(offline_rebuild):
    probe = offline_rebuild["probe"]
    assert probe.returncode != 0, f"{offline_rebuild['isolation']} did not block the network"
    assert offline_rebuild["code"] == 0, offline_rebuild["output"][-5000:]
    assert re.search(r"build wall time: [0-9.]+ s", offline_rebuild["output"])
    print(f"\noffline build ({offline_rebuild['isolation']}, GX revalidating every file): "
          f"{offline_rebuild['seconds']:.0f} s")


def test_reader_holding_the_file_neither_blocks_nor_sees_a_torn_warehouse(offline_rebuild):
    assert offline_rebuild["code"] == 0, offline_rebuild["output"][-5000:]
    reader = offline_rebuild["reader"]
    assert reader["errors"] == []
    assert reader["reads"] > 10
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
    problems = {diff.table: diff.problems for diff in diffs if diff.problems}
    noise = {diff.table: diff.bitwise_float_differences for diff in diffs
             if diff.bitwise_float_differences}
    print(f"\ndeterminism: {len(diffs)} estimate tables equal; floats differing only in the last "
          f"bits: {noise or 'none'}")
    assert problems == {}, problems
