"""Shared pieces of the benchmarks: a demo database, medians, AppTest page timings."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def demo_database(directory: str | None = None) -> Path:
    """A new database file with the demo data set loaded (kota scale)."""
    from core import auth, demo, setup

    path = Path(directory or tempfile.mkdtemp(prefix="dasbor-bench-")) / "dasbor.db"
    os.environ[setup.ENV_VAR] = str(path)  # the pages of page_runs() open the app's database
    database = setup.open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin Benchmark", "rahasia123")
    demo.load(database, admin)
    database.close()
    return path


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def page_runs(path: Path, username: str, pages: list[str], repeat: int = 7,
              event: int | None = None) -> dict[str, float]:
    """Median script-run time (ms) of each page for a signed-in user, measured in one AppTest session."""
    from streamlit.testing.v1 import AppTest, app_test

    import routing

    app_test.PagesManager = routing.FrameRoutedPagesManager  # the frame is the only router (routing.py)

    from core import auth, setup

    database = setup.open_database(path)
    user = dict(database.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["auth_cookie"] = auth.start_session(database, user)
    if event is not None:
        at.session_state["sidebar_event"] = event
    at.run()
    result = {}
    for page in pages:
        at.switch_page(page)
        at.run()  # warm: imports and caches of the first view are not the steady state
        result[page] = median_ms(timed(at.run, repeat))
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")
    return result


def report(rows: list[tuple[str, str, str, bool]]) -> bool:
    """Print ``what | bar | measured | pass`` and return whether every bar passed."""
    width = max(len(r[0]) for r in rows)
    print(f"{'what'.ljust(width)} | {'bar':>22} | {'measured':>22} | ok")
    for what, bar, measured, ok in rows:
        print(f"{what.ljust(width)} | {bar:>22} | {measured:>22} | {'PASS' if ok else 'FAIL'}")
    return all(r[3] for r in rows)


def run_main(measure) -> int:
    """The command line of a topic benchmark: ``--quick`` for the smoke run; exit 1 when a bar fails."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    return 0 if report(measure(parser.parse_args().quick)) else 1
