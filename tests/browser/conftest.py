"""Browser tests: a real server per test and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not start in {timeout} s")


class LiveApp:
    """A running ``streamlit run app.py`` on its own database file."""

    def __init__(self, db_path: Path, log_path: Path):
        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"DASBOR_DB": str(db_path)}
        self.log = open(log_path, "w")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--browser.serverAddress", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_up(self.url, self.process)

    def database(self):
        from core.setup import open_database

        return open_database(self.db_path)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def live_app(tmp_path):
    """A fresh server on an empty database (no accounts yet)."""
    app = LiveApp(tmp_path / "dasbor.db", tmp_path / "server.log")
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # A Streamlit rerun on a busy 2-core machine can take seconds: wait for the page, not a fixed 5 s.
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A new browser context (own cookies) and page; a screenshot is kept for every test."""
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
