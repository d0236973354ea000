"""The BI dashboard (dashboard/app.py, Dash) in a real headless browser, on the REAL warehouse.

Starts the app on a free localhost port against the session's built warehouse, opens it in
Debian's chromium through selenium + chromedriver, checks that the page shows the numbers that are
in the warehouse (and follows a control), and saves a screenshot to target/dashboard_screenshot.png.

Chromium is not downloadable here (playwright's and selenium-manager's browser downloads fail), so
the test uses Debian's ``chromium`` and ``chromium-driver`` and installs them with apt-get when
they are missing (as root, e.g. in CI); without them and without root it skips, saying why.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
SCREENSHOT = ROOT / "target" / "dashboard_screenshot.png"
DEBIAN_PACKAGES = ["chromium", "chromium-driver"]


def _browser_paths() -> tuple[str | None, str | None]:
    return shutil.which("chromium"), shutil.which("chromedriver")


def ensure_chromium() -> tuple[str, str]:
    """Paths of Debian's chromium and chromedriver, installing them with apt-get if needed."""
    chromium, driver = _browser_paths()
    if chromium and driver:
        return chromium, driver
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip(
            "headless browser test needs Debian's chromium and chromium-driver "
            f"(found chromium={chromium}, chromedriver={driver}); not root, so cannot "
            f"`apt-get install {' '.join(DEBIAN_PACKAGES)}`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    started = time.perf_counter()
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=900)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES], check=True, env=env, timeout=1800
    )
    print(f"installed {' '.join(DEBIAN_PACKAGES)} in {time.perf_counter() - started:.0f} s")
    chromium, driver = _browser_paths()
    assert chromium and driver, "apt-get installed chromium but the binaries are not on PATH"
    return chromium, driver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _load_app_module():
    spec = importlib.util.spec_from_file_location("cluster_dashboard_app", APP)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dashboard_url(built_warehouse, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "dashboard.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, str(APP), "--warehouse", str(built_warehouse), "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"dashboard exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard did not answer on {url} in 90 s:\n{log.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = ensure_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1500",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _warehouse_interaction(path: Path, window: str, spec: str) -> float:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            """
            select estimate from est_did_coefficients
            where spec = ? and layout = 'paper' and window_name = ? and outcome = 'gdp'
              and term = 'interaction'
            """,
            [spec, window],
        ).fetchone()[0]
    finally:
        con.close()


def test_dashboard_shows_the_warehouse_numbers(dashboard_url, browser, built_warehouse):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    app = _load_app_module()
    before = os.stat(built_warehouse).st_mtime_ns
    started = time.perf_counter()
    browser.get(dashboard_url)
    wait = WebDriverWait(browser, 60)

    # Shock window, GDP, paper layout (the defaults): one table row per spec.
    expected = {
        spec: app.format_estimate(_warehouse_interaction(built_warehouse, "shock", spec))
        for spec in ("paper", "state_clustered")
    }
    for spec, shown in expected.items():
        cell = (By.CSS_SELECTOR, f"#row-{spec} td.estimate")
        wait.until(ec.text_to_be_present_in_element(cell, shown))
        assert browser.find_element(*cell).text == shown
    assert "DID interaction" in browser.find_element(By.ID, "coef-title").text

    # The treatment map draws a tile for every state, and the coefficient plot is drawn.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#treatment-map text")) >= 51)
    tiles = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, "#treatment-map text"))
    assert all(postal in tiles for postal in ("CA", "TX", "RI", "DC")), tiles
    assert browser.find_elements(By.CSS_SELECTOR, "#coef-plot .main-svg")
    # The event study panel either plots est_event_study or says it is not built yet.
    wait.until(lambda d: d.find_element(By.ID, "event-note").text.strip())
    note = browser.find_element(By.ID, "event-note").text
    assert "not yet available" in note or "pre-trend" in note

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000

    # Switching to the recovery window shows the recovery estimate.
    recovery = app.format_estimate(_warehouse_interaction(built_warehouse, "recovery", "paper"))
    browser.find_element(By.CSS_SELECTOR, "#window input[value='recovery']").click()
    wait.until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#row-paper td.estimate"), recovery)
    )
    assert "recovery" in browser.find_element(By.ID, "coef-title").text

    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [e for e in severe if "favicon" not in e["message"]], severe
    assert os.stat(built_warehouse).st_mtime_ns == before, "the dashboard wrote to the warehouse"
    print(f"dashboard checked in the browser in {time.perf_counter() - started:.1f} s")
