"""CI's short run of the benchmark harness: it works and prints every SPEC §8 bar (the full run is manual)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARS = ["save one rating", "30 concurrent writers", "page pages/penilaian.py", "page pages/integrasi.py",
        "JPM+consensus+ranking+9-box", "rater statistics", "page pages/hasil.py", "page pages/talenta.py",
        "one individual PDF", "ZIP of", "recap PDF", "import 1,000 rows", "refuse densest XLSX",
        "talent map + successors", "cold start", "server RSS"]


def test_bench_quick_run_reports_every_bar():
    done = subprocess.run([sys.executable, "bench/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if "|" in line]
    for bar in BARS:
        assert any(line.startswith(bar) for line in table), f"{bar!r} missing from:\n{done.stdout}"
