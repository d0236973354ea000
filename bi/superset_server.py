"""Start and stop the cluster resilience Superset (run with the BI venv's python, .venv-bi).

    python bi/superset_server.py start --warehouse W --port 8088 --state-dir target/bi
    python bi/superset_server.py stop --state-dir target/bi

``start`` builds a FRESH metadata database in the state directory (never committed): Superset's
schema, an admin user (password from SUPERSET_ADMIN_PASSWORD, else generated once into
<state-dir>/admin_password), then imports the dashboard kept as code in bi/superset/assets/ (the
database entry pointed at the warehouse W, opened read-only). It then starts Superset (gunicorn)
in its own process group, waits until it answers, prints the URL and returns; the server keeps
running. ``stop`` ends that process group. Nothing here reaches the network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import yaml

BI_DIR = Path(__file__).resolve().parent
ROOT = BI_DIR.parent
ASSETS = BI_DIR / "superset" / "assets"
CONFIG = BI_DIR / "superset_config.py"
BIN = Path(sys.executable).parent
ADMIN_USER = "admin"
DASHBOARD_SLUG = "cluster-resilience"
EXPORT_ROOT = "cluster_resilience_dashboard"  # top folder inside the import zip


def _say(message: str) -> None:
    print(f"[bi] {message}", flush=True)


def environment(state_dir: Path) -> dict[str, str]:
    """The environment every Superset command of this state directory runs with."""
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(CONFIG),
        "CLUSTER_BI_STATE_DIR": str(state_dir),
        "FLASK_APP": "superset.app:create_app()",
        "SUPERSET_HOME": str(state_dir),
        "PYTHONWARNINGS": "ignore",
    }


def admin_password(state_dir: Path) -> str:
    """SUPERSET_ADMIN_PASSWORD, else a password generated once into the state directory."""
    from_env = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if from_env:
        return from_env
    path = state_dir / "admin_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(16))
        path.chmod(0o600)
    return path.read_text().strip()


def warehouse_uri(warehouse: Path) -> str:
    """SQLAlchemy URI of the published warehouse, opened read-only by DuckDB."""
    return f"duckdb:///{warehouse.resolve()}?access_mode=read_only"


def assets_zip(warehouse: Path, out: Path) -> Path:
    """The committed assets as the zip `superset import-dashboards` reads, with the database
    entry pointed at ``warehouse`` (the committed YAML names the default relative path)."""
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(ASSETS.rglob("*.yaml")):
            relative = path.relative_to(ASSETS)
            text = path.read_text()
            if relative.parts[0] == "databases":
                content = yaml.safe_load(text)
                content["sqlalchemy_uri"] = warehouse_uri(warehouse)
                text = yaml.safe_dump(content, sort_keys=False)
            archive.writestr(f"{EXPORT_ROOT}/{relative}", text)
    return out


def _superset(state_dir: Path, *args: str, log) -> None:
    """Run one `superset` CLI command of this state directory; raise with its log on failure."""
    command = [str(BIN / "superset"), *args]
    result = subprocess.run(
        command, env=environment(state_dir), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    if result.returncode != 0:
        log.flush()
        tail = "\n".join(Path(log.name).read_text().splitlines()[-40:])
        raise RuntimeError(f"`superset {' '.join(args[:2])}` failed ({result.returncode}):\n{tail}")


def _template_path() -> Path:
    """The empty metadata database (Superset's schema, roles and permissions) cached in the BI
    venv: built once per Superset version and configuration, copied on every start."""
    from importlib.metadata import version

    key = hashlib.sha256(CONFIG.read_bytes()).hexdigest()[:12]
    return BIN.parent / "superset-metadata" / f"superset-{version('apache-superset')}-{key}.db"


def _metadata_template(state_dir: Path, log) -> Path:
    template = _template_path()
    if template.exists():
        _say(f"metadata schema: cached ({template.name})")
        return template
    started = time.perf_counter()
    _superset(state_dir, "db", "upgrade", log=log)
    _superset(state_dir, "init", log=log)
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_suffix(".partial")
    shutil.copyfile(state_dir / "superset.db", partial)
    partial.replace(template)
    _say(f"metadata schema, roles and permissions: {time.perf_counter() - started:.1f} s (cached)")
    return template


def load(bundle: Path, password: str) -> None:
    """In the app context of a metadata database: the admin user, then the dashboard bundle
    (what `superset fab create-admin` and `superset import-dashboards` do, in one process)."""
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from flask import g
        from superset import security_manager
        from superset.commands.dashboard.importers.dispatcher import ImportDashboardsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle

        user = security_manager.find_user(username=ADMIN_USER)
        if user is None:
            user = security_manager.add_user(
                ADMIN_USER, "Cluster", "Admin", "admin@localhost",
                security_manager.find_role("Admin"), password=password,
            )  # fmt: skip
        if not user:
            raise RuntimeError("could not create the admin user")
        g.user = user
        with zipfile.ZipFile(bundle) as archive:
            contents = get_contents_from_bundle(archive)
        ImportDashboardsCommand(contents, overwrite=True).run()


def check_readable(warehouse: Path) -> None:
    """Open the warehouse read-only with the BI venv's DuckDB, as Superset will: a clear error
    now (e.g. a storage version this DuckDB cannot read) instead of empty charts later."""
    import duckdb

    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `make build` first")
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
        connection.execute("select count(*) from information_schema.tables").fetchone()
        connection.close()
    except duckdb.Error as error:
        raise RuntimeError(
            f"DuckDB {duckdb.__version__} (the BI venv's reader) cannot open {warehouse}: "
            f"{error}. The published warehouse must be readable by DuckDB 1.x readers."
        ) from error


def prepare(state_dir: Path, warehouse: Path) -> None:
    """A fresh metadata database with the admin user and the imported dashboard."""
    check_readable(warehouse)
    state_dir.mkdir(parents=True, exist_ok=True)
    database = state_dir / "superset.db"
    database.unlink(missing_ok=True)
    with (state_dir / "setup.log").open("w") as log:
        template = _metadata_template(state_dir, log)
        shutil.copyfile(template, database)
        started = time.perf_counter()
        env = {**environment(state_dir), "SUPERSET_ADMIN_PASSWORD": admin_password(state_dir)}
        with tempfile.TemporaryDirectory() as scratch:
            bundle = assets_zip(warehouse, Path(scratch) / "assets.zip")
            result = subprocess.run(
                [sys.executable, __file__, "load", "--bundle", str(bundle)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            log.flush()
            tail = "\n".join(Path(log.name).read_text().splitlines()[-40:])
            raise RuntimeError(f"importing bi/superset/assets failed:\n{tail}")
        seconds = time.perf_counter() - started
        _say(f"admin user and dashboard from bi/superset/assets: {seconds:.1f} s")


def _pid_file(state_dir: Path) -> Path:
    return state_dir / "superset.pid"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start(state_dir: Path, warehouse: Path, port: int, timeout: float = 240) -> str:
    """Prepare, then run Superset in its own process group; return its URL once it answers."""
    state_dir = state_dir.resolve()
    warehouse = warehouse.resolve()
    if _pid_file(state_dir).exists():
        stop(state_dir)
    started = time.perf_counter()
    prepare(state_dir, warehouse)
    log = (state_dir / "superset.log").open("w")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--worker-class", "gthread", "--threads", "8", "--timeout", "120",
            "superset.app:create_app()",
        ],
        env=environment(state_dir),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: `stop` ends the whole group
    )  # fmt: skip
    _pid_file(state_dir).write_text(str(process.pid))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while not _answers(f"{base}/health"):
        if process.poll() is not None:
            _pid_file(state_dir).unlink(missing_ok=True)
            tail = (state_dir / "superset.log").read_text().splitlines()[-40:]
            raise RuntimeError(f"superset exited with {process.returncode}:\n" + "\n".join(tail))
        if time.monotonic() > deadline:
            stop(state_dir)
            raise TimeoutError(f"superset did not answer on {base} within {timeout:.0f} s")
        time.sleep(0.5)
    _say(f"started in {time.perf_counter() - started:.1f} s (pid {process.pid}, own process group)")
    return f"{base}/superset/dashboard/{DASHBOARD_SLUG}/"


def stop(state_dir: Path, timeout: float = 20) -> bool:
    """End the process group started by ``start``; False when none was running."""
    pid_file = _pid_file(state_dir.resolve())
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="fresh metadata DB, import, serve")
    start_parser.add_argument("--warehouse", type=Path, required=True)
    start_parser.add_argument("--port", type=int, default=8088)
    start_parser.add_argument("--state-dir", type=Path, default=ROOT / "target" / "bi")
    load_parser = commands.add_parser("load", help="(internal) admin user + import, in one app")
    load_parser.add_argument("--bundle", type=Path, required=True)
    stop_parser = commands.add_parser("stop", help="stop the server's process group")
    stop_parser.add_argument("--state-dir", type=Path, default=ROOT / "target" / "bi")
    args = parser.parse_args(argv)
    if args.command == "load":
        load(args.bundle, os.environ["SUPERSET_ADMIN_PASSWORD"])
        return 0
    if args.command == "stop":
        _say("stopped" if stop(args.state_dir) else "no Superset was running")
        return 0
    try:
        url = start(args.state_dir, args.warehouse, args.port)
    except (FileNotFoundError, RuntimeError, TimeoutError) as error:
        print(f"BI FAILED: {error}", file=sys.stderr)
        return 1
    state = args.state_dir.resolve()
    _say(f"dashboard: {url}")
    password_file = state / "admin_password"
    _say(f"log in as {ADMIN_USER}, password in {password_file} (or $SUPERSET_ADMIN_PASSWORD)")
    _say("stop it with `make bi-stop`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
