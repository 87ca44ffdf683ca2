"""Profil Potensi in the individual report (SPEC §6.1): the eight aspects with an X and the uraian as points."""

from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader

from core import db, demo, reports, talent, talent_store
from core.i18n import t

SELEKSI, PEMETAAN = 1, 2  # event ids of the demo
ASPECTS = [a["name"] for a in talent.potensi_reference()["aspects"]]


def admin(database) -> dict:
    return db.one(database, "SELECT * FROM users WHERE role = 'admin'")


def first_final(database, event_id: int, with_potensi: bool) -> dict:
    """The first finalised registration of an event whose person has (or has no) potensi scores."""
    found = db.rows(database, """SELECT r.id, r.candidate_id FROM registrations r JOIN results res
        ON res.registration_id = r.id WHERE r.event_id = ? AND res.finalized_at IS NOT NULL ORDER BY r.id""",
                    (event_id,))
    return next(r for r in found if bool(talent_store.potensi_of(database, r["candidate_id"])) == with_potensi)


def pdftotext(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def plain(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_pemetaan_report_shows_the_profil_potensi(demo_db):
    reg = first_final(demo_db, PEMETAAN, with_potensi=True)
    pdf, _record = reports.issue_individual(demo_db, admin(demo_db), reg["id"])
    text = pdftotext(pdf)
    assert "PROFIL POTENSI" in text
    flat = plain(pdf)
    assert all(name in flat for name in ASPECTS)
    scores = talent_store.potensi_of(demo_db, reg["candidate_id"])
    assert all(f"{name}: {scores[code]['uraian']}" in flat for code, name in zip(talent.POTENSI_CODES, ASPECTS,
                                                                                 strict=True))
    # before III (the Perban layout: the psikogram follows the competency profile)
    assert text.index("PROFIL POTENSI") < text.index(t("report.section.jpm"))


def test_one_x_per_aspect_in_the_column_of_its_level(demo_db):
    reg = first_final(demo_db, PEMETAAN, with_potensi=True)
    data = reports.individual_data(demo_db, reg["id"])
    scores = talent_store.potensi_of(demo_db, reg["candidate_id"])
    assert [a["level"] for a in data["potensi"]["aspects"]] == [scores[c]["level"] for c in talent.POTENSI_CODES]
    lines = [line for line in pdftotext(reports.draft_individual(demo_db, admin(demo_db), reg["id"])).splitlines()
             if any(line.strip().startswith(f"{i} ") for i in range(1, 9))]
    aspect_lines = [line for line in lines if any(name[:20] in line for name in ASPECTS)]
    assert len(aspect_lines) >= 6 and all(line.count("X") == 1 for line in aspect_lines)


def test_no_potensi_no_section_and_the_same_content(demo_db):
    """A person without potensi gets no section; the data (and so the content hash) have no potensi key."""
    reg = first_final(demo_db, SELEKSI, with_potensi=False)
    data = reports.individual_data(demo_db, reg["id"])
    assert "potensi" not in data
    assert "PROFIL POTENSI" not in pdftotext(reports.draft_individual(demo_db, admin(demo_db), reg["id"]))


def test_a_new_potensi_changes_what_the_report_shows(demo_db):
    reg = first_final(demo_db, PEMETAAN, with_potensi=True)
    before = reports.content_hash(reports.individual_data(demo_db, reg["id"]))
    levels = {c: v["level"] for c, v in talent_store.potensi_of(demo_db, reg["candidate_id"]).items()}
    levels["P.01"] = 5 if levels["P.01"] != 5 else 4
    talent_store.set_potensi(demo_db, admin(demo_db), reg["candidate_id"], levels)
    after = reports.individual_data(demo_db, reg["id"])
    assert reports.content_hash(after) != before
    assert after["potensi"]["aspects"][0]["level"] == levels["P.01"] and not after["potensi"]["aspects"][0]["uraian"]


def test_the_demo_person_without_potensi_has_no_section(demo_db):
    [index] = [i for i, gap in demo.MAPPING_GAPS.items() if gap == "potensi"]
    reg = db.rows(demo_db, "SELECT id FROM registrations WHERE event_id = ? ORDER BY id", (PEMETAAN,))[index]
    assert "potensi" not in reports.individual_data(demo_db, reg["id"])
