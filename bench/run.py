"""All SPEC §8 bars in one table: ``python bench/run.py`` (full) or ``python bench/run.py --quick`` (CI smoke).

Besides the three topic benchmarks it measures, against a real server and Debian's Chromium:
cold start → first page rendered, the server's memory with 20 open browser sessions, and its peak
memory while 40 sign-ins with unknown user names arrive at once.
Each figure is a median of several runs where the bar allows; page runs are ratios to a trivial
page measured in the same run, so the machine's noise cancels out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, demo_database, report

sys.path.insert(0, str(ROOT / "tests" / "browser"))


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    import os

    total = 0
    pids = [pid] + [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == pid]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def cold_start(path: Path, browser) -> float:
    """Seconds from starting the server process to the first page rendered (the sign-in form)."""
    from conftest import LiveApp

    start = time.perf_counter()
    app = LiveApp(path, path.parent / "cold.log")
    try:
        page = browser.new_page()
        page.goto(app.url)
        page.wait_for_selector("#username", timeout=30_000)
        elapsed = time.perf_counter() - start
        page.close()
    finally:
        app.stop()
    return elapsed


def sessions_rss(path: Path, browser, count: int) -> float:
    """Server RSS (MB) with ``count`` signed-in browser sessions on Beranda at once."""
    from conftest import LiveApp

    from core import auth, db

    app = LiveApp(path, path.parent / "rss.log")
    contexts = []
    try:
        database = db.connect(path)
        admin = dict(database.execute("SELECT * FROM users WHERE username = 'admin'").fetchone())
        for _ in range(count):
            context = browser.new_context()
            context.add_cookies([{"name": auth.COOKIE_NAME, "value": auth.start_session(database, admin),
                                  "url": app.url}])
            page = context.new_page()
            page.goto(app.url)
            page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
            contexts.append(context)
        time.sleep(2)
        return rss_mb(app.process.pid)
    finally:
        for context in contexts:
            context.close()
        app.stop()


def unknown_sign_ins_rss(count: int = 40) -> float:
    """Peak server RSS (MB) while ``count`` sign-ins with unknown user names arrive at once (own database)."""
    from conftest import LiveApp
    from test_attack import unknown_sign_in_burst

    path = demo_database()  # its own file: the burst's failed attempts must not lock the other figures out
    app = LiveApp(path, path.parent / "burst.log")
    try:
        return unknown_sign_in_burst(app, count)["peak"]
    finally:
        app.stop()


def browser_rows(quick: bool) -> list[tuple]:
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    path = demo_database()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        starts = [cold_start(path, browser) for _ in range(1 if quick else 3)]
        sessions = 3 if quick else 20
        rss = sessions_rss(path, browser, sessions)
        browser.close()
    cold = statistics.median(starts)
    burst = unknown_sign_ins_rss()
    return [("cold start -> first page in Chromium", "<= 5 s", f"{cold:.1f} s", cold <= 5),
            (f"server RSS with {sessions} open sessions", "<= 400 MB", f"{rss:.0f} MB", rss <= 400),
            ("server RSS during 40 parallel unknown sign-ins", "<= 400 MB", f"{burst:.0f} MB", burst <= 400)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer repetitions, smaller data")
    quick = parser.parse_args().quick
    import bench_assessment
    import bench_import
    import bench_reports
    import bench_results
    import bench_talent

    rows = []
    for measure in (bench_assessment.measure, bench_results.measure, bench_reports.measure, bench_import.measure,
                    bench_talent.measure):
        rows += measure(quick)
    rows += browser_rows(quick)
    return 0 if report(rows) or quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
