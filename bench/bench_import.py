"""Benchmark of the import reader (SPEC §8, §9; issue 10 item 9, issue 11):

- a 5,000-row peserta file in each format (xlsx, xls, ods, HTML-as-xls, CSV in four encodings and
  separators), read, checked and written all-or-nothing to a new database: ≤ 5 s each;
- the densest XLSX under the upload limit (and a tiny ODS that repeats a cell ten million times)
  refused, measured in a fresh subprocess: ≤ 5 s and ≤ 300 MB peak RSS.

    python bench/bench_import.py            # full run
    python bench/bench_import.py --quick    # smoke run (1,000 rows)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import ROOT, run_main

sys.path.insert(0, str(ROOT / "tests"))

HEADER = ["PNS ID", "NIP BARU", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TANGGAL LAHIR", "GOL AKHIR NAMA",
          "JABATAN NAMA", "UNOR NAMA", "NOMOR HP", "EMAIL", "AGAMA NAMA", "JENIS KELAMIN", "TMT CPNS",
          "PENDIDIKAN NAMA", "INSTANSI INDUK NAMA", "KEDUDUKAN HUKUM NAMA"]
GOLONGAN = ["III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]

REFUSE = """
import json, sys, time
sys.path.insert(0, {root!r})
from core import reader
from core.errors import ValidationError
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    reader.load_sheets(sys.argv[2], data)
    key = "read"
except ValidationError as err:
    key = err.key
# VmHWM: this process's own peak (ru_maxrss would carry the forking parent's peak across exec).
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"key": key, "seconds": time.perf_counter() - started, "rss_mb": peak / 1024}}))
"""


def peserta_rows(count: int) -> list[list]:
    """``count`` SIASN-shaped rows with valid, distinct NIPs."""
    rows = [["DAFTAR PESERTA SELEKSI TERBUKA"], [], HEADER]
    for i in range(count):
        born = date(1960, 1, 1) + timedelta(days=i)
        nip = f"{born:%Y%m%d}199501{1 + i % 2}{1 + i % 999:03d}"
        rows.append([f"id{i}", nip, f"Pegawai Nomor {i}", "Dr." if i % 7 == 0 else "", "S.E., M.Si.",
                     f"{born:%d-%m-%Y}", GOLONGAN[i % len(GOLONGAN)], "Kepala Seksi", f"Dinas {i % 40}",
                     f"0812{i:08d}", f"pegawai{i}@contoh.go.id", "Islam", "L", "01-01-1985", "S1",
                     "Pemerintah Kota Contoh", "Aktif"])
    rows += [[], ["", "", "Jumlah", count], ["", "", "", "", "", "", "", "Kepala BKPSDM"]]
    return rows


def import_seconds(fmt: str, rows: list[list]) -> tuple[float, float, int]:
    """Wall and CPU time of ``registry.import_candidates`` on a new database; the candidates written."""
    import filegen

    from core import auth, registry, setup

    data = filegen.build(fmt, [("Peserta", rows)])
    path = Path(tempfile.mkdtemp(prefix="dasbor-import-")) / "dasbor.db"
    database = setup.open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin Benchmark", "rahasia123")
    started, cpu = time.perf_counter(), time.process_time()
    result = registry.import_candidates(database, admin, "peserta" + filegen.extension(fmt), data)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = database.execute("SELECT count(*) FROM candidates").fetchone()[0]
    database.close()
    if not result.ok:
        raise SystemExit(f"{fmt}: {[e.text() for e in result.errors[:3]]}")
    return seconds, cpu, written


def refuse_in_subprocess(data: bytes, filename: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=filename, delete=False) as handle:
        handle.write(data)
    out = subprocess.run([sys.executable, "-c", REFUSE.format(root=str(ROOT)), handle.name, filename],
                         capture_output=True, text=True, timeout=120, check=True)
    Path(handle.name).unlink()
    return json.loads(out.stdout)


def measure(quick: bool = False) -> list[tuple]:
    import filegen

    count = 1000 if quick else 5000
    rows = peserta_rows(count)
    results = []
    for fmt in filegen.FORMATS:
        seconds, cpu, written = import_seconds(fmt, rows)
        results.append((f"import {count:,} rows, {fmt}", "<= 5 s",
                        f"{seconds:.2f} s (CPU {cpu:.2f} s, {written:,} written)",
                         seconds <= 5 and written == count))
    dense = filegen.dense_xlsx()
    for label, data, name in [(f"densest XLSX under the limit ({len(dense) / 2**20:.1f} MB)", dense, "padat.xlsx"),
                              (f"ODS repeating one cell 10 million times ({len(filegen.ods_bomb())} B)",
                               filegen.ods_bomb(), "bom.ods")]:
        got = refuse_in_subprocess(data, name)
        ok = got["key"] == "reader.too_many_cells" and got["seconds"] <= 5 and got["rss_mb"] <= 300
        results.append((f"refuse {label}", "<= 5 s, <= 300 MB",
                         f"{got['seconds']:.2f} s, {got['rss_mb']:.0f} MB ({got['key']})", ok))
    return results


if __name__ == "__main__":
    raise SystemExit(run_main(measure))
