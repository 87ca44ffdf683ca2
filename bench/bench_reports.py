"""Benchmark of the reports (SPEC §8, issue 13): one individual PDF warm (≤ 100 ms median, p90 shown), beside a
plain-fpdf2 document of the same content built in the same run (the reference), the ZIP of the demo event's 120
reports (≤ 8 s on 2 cores), the recap of a 120-candidate event (≤ 3 s).

    python bench/bench_reports.py            # full run
    python bench/bench_reports.py --quick    # smoke run for CI (fewer repetitions)

The demo leaves part of its seleksi event unfinished; the benchmark first completes it (ratings,
submissions, consensus, finalisation through core) so that all 120 reports can be issued.
"""

from __future__ import annotations

import random

from common import demo_database, median_ms, run_main, timed


def finish_event(path, event_id: int = 1) -> None:
    """Rate what is missing, submit, and let the Ketua Tim integrate every candidate of the event."""
    from core import assessment, db, demo, rating
    from core.db import rows

    database = db.connect(path)
    users = {u["id"]: u for u in rows(database, "SELECT * FROM users")}
    lead = users[assessment.lead_of(database, event_id)]
    rng = random.Random(1)
    open_regs = [r["id"] for r in rows(database, """SELECT r.id FROM registrations r
        LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.event_id = ? AND res.finalized_at IS NULL""", (event_id,))]
    for reg in open_regs:
        for a in rows(database, "SELECT * FROM assignments WHERE registration_id = ?", (reg,)):
            assessor = users[a["assessor_id"]]
            if rating.is_submitted(database, reg, assessor["id"]):
                continue
            form = rating.rating_form(database, assessor, reg, a["exercise_id"])
            missing = {c["code"]: {"level": rng.choice([3, 4]), "evidence": "Bukti perilaku (benchmark).",
                                   "version": 0} for c in form["competencies"] if not c["rating"]}
            if missing:
                rating.save_ratings(database, assessor, reg, a["exercise_id"], missing)
        for assessor_id in {a["assessor_id"] for a in rows(database, "SELECT assessor_id FROM assignments"
                                                                        " WHERE registration_id = ?", (reg,))}:
            if not rating.is_submitted(database, reg, assessor_id):
                rating.submit(database, users[assessor_id], reg)
    demo._integrate(database, lead, open_regs, rng)
    database.close()


def measure(quick: bool = False) -> list[tuple]:
    """The rows ``(what, bar, measured, ok)`` of this benchmark."""
    from core import db, report_recap, reports

    path = demo_database()
    finish_event(path)
    database = db.connect(path)
    admin = dict(database.execute("SELECT * FROM users WHERE username = 'admin'").fetchone())
    regs = [r[0] for r in database.execute("SELECT id FROM registrations WHERE event_id = 1 ORDER BY id")]
    reports.issue_individual(database, admin, regs[0])  # warms the chart engine (first vl-convert call)
    sample = regs[1:6] if quick else regs[1:40]
    samples = sorted(t for reg in sample for t in timed(lambda r=reg: reports.issue_individual(database, admin, r), 1))
    one_pdf, p90 = median_ms(samples), samples[int(len(samples) * 0.9)] * 1000
    datas = [reports.individual_data(database, reg) for reg in sample]
    plain = median_ms([t for data in datas for t in timed(lambda d=data: plain_reference(d), 1)])
    zip_ms = median_ms(timed(lambda: reports.zip_individual(database, admin, 1), 1))
    recap_ms = median_ms(timed(lambda: report_recap.recap_pdf(database, admin, 1), 1 if quick else 3))
    rows = [("one individual PDF (warm, median; p90)", "<= 100 ms", f"{one_pdf:.0f} ms; p90 {p90:.0f} ms",
             one_pdf <= 100),
            ("plain fpdf2, same content (reference, median)", "–", f"{plain:.0f} ms (ratio {one_pdf / plain:.2f})",
             True),
            (f"ZIP of {len(regs)} individual reports", "<= 8 s", f"{zip_ms / 1000:.1f} s", zip_ms <= 8_000),
            (f"recap PDF of a {len(regs)}-candidate event", "<= 3 s", f"{recap_ms / 1000:.2f} s", recap_ms <= 3000)]
    return rows


def plain_reference(data: dict) -> bytes:
    """The same content with plain fpdf2: the full DejaVu faces, a table per section, no house code."""
    from fpdf import FPDF

    from core.pdf import font_file

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(font_file("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(font_file("DejaVuSans-Bold.ttf")))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    for text in (data["letterhead"].get("instansi", ""), "LAPORAN INDIVIDU HASIL PENILAIAN KOMPETENSI"):
        pdf.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    with pdf.table(col_widths=(44, 4, 126), borders_layout="NONE", first_row_as_headings=False) as table:
        for key, value in data["candidate"].items():
            table.row([str(key), ":", str(value or "-")])
    with pdf.table(col_widths=(7, 45, 19, 19, 19, 19, 19, 15, 12)) as table:
        table.row(["No", "Kompetensi", "1", "2", "3", "4", "5", "Standar", "Gap"])
        for index, cell in enumerate(data["profile"], start=1):
            marks = ["X" if cell["consensus"] == level else "" for level in range(1, 6)]
            table.row([str(index), cell["name"], *marks, str(cell["standard"]), str(cell["gap"])])
    for text in data["narrative"].values():
        pdf.multi_cell(0, 5.2, text or "-", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


if __name__ == "__main__":
    raise SystemExit(run_main(measure))
