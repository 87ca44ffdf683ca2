"""The whole assessment journey in Chromium: open rating, two assessors rate blind, the Ketua Tim integrates."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from core import assessment, auth, refdata, registry
from core.i18n import t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name=t("beranda.title"), exact=True)).to_be_visible()


def go(page, nav_key: str, title_key: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(nav_key), exact=True).click()
    expect(page.get_by_role("heading", name=t(title_key), exact=True)).to_be_visible()


@pytest.fixture
def event_ready(live_app):
    """An event set up through core (position, candidate, 2 exercises × 9 competencies, 2 assessors)."""
    database = live_app.database()
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    lead = auth.create_user(database, admin, "asesor.satu", "Asesor Satu, S.Psi.", "asesor", PASSWORD)
    second = auth.create_user(database, admin, "asesor.dua", "Asesor Dua, M.Psi.", "asesor", PASSWORD)
    event_id = registry.create_event(database, admin, "Seleksi Uji Coba", "pengisian", "2026-11-23", "2026-11-24")
    position_id = registry.create_position(database, admin, event_id, "Kepala Dinas Uji", "Dinas Uji", "jpt_pratama")
    candidate_id = registry.create_candidate(database, admin, "197501012000031001", "Drs. Budi Santoso, M.Si.")
    registration_id = registry.register(database, admin, event_id, candidate_id, position_id)
    codes = {c["code"] for c in refdata.competencies(database)}
    exercises = [assessment.create_exercise(database, admin, event_id, name, kind)
                 for name, kind in (("In-basket", "inbasket"), ("Wawancara Kompetensi", "wawancara"))]
    assessment.set_matrix(database, admin, event_id, {ex: codes for ex in exercises})
    assessment.set_assessors(database, admin, event_id, [lead["id"], second["id"]], lead["id"])
    assessment.auto_assign(database, admin, event_id)
    return {"app": live_app, "event_id": event_id, "registration_id": registration_id, "exercises": exercises,
            "codes": sorted(codes)}


def rate_cell(page, reg: int, exercise: int, codes: list[str], levels: dict[str, str]) -> None:
    """Fill the rating form of one candidate × exercise and save the draft."""
    for code in codes:
        key = f"{reg}_{exercise}_{code.replace('.', '_')}"
        page.locator(f".st-key-pn_lvl_{key}").get_by_text(re.compile(rf"^{levels.get(code, '3')} ")).click()
        page.locator(f".st-key-pn_ev_{key} textarea").fill(f"Peserta menunjukkan perilaku pada {code}.")
    page.get_by_role("button", name=t("penilaian.save_draft")).click()
    expect(page.get_by_text(t("penilaian.saved"))).to_be_visible()


def pick_cell(page, exercise_name: str) -> None:
    """Choose a worklist cell in the selectbox by typing part of its label."""
    page.locator(".st-key-penilaian_pick input").click()
    page.keyboard.type(exercise_name)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(exercise_name))).to_be_visible()


def wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_rating_and_integration_journey(event_ready, browser):
    app, reg, codes = event_ready["app"], event_ready["registration_id"], event_ready["codes"]
    database = app.database()
    contexts = [browser.new_context(viewport={"width": 1300, "height": 1000}) for _ in range(3)]
    admin, lead, second = (c.new_page() for c in contexts)
    for page in (admin, lead, second):
        page.set_default_timeout(20_000)

    sign_in(admin, app.url, "admin")
    go(admin, "nav.kegiatan", "kegiatan.title")
    admin.get_by_role("button", name=t("kegiatan.advance", state=t("state.penilaian"))).click()
    wait_for(lambda: registry.get_event(database, event_ready["event_id"])["state"] == "penilaian")

    sign_in(lead, app.url, "asesor.satu")
    sign_in(second, app.url, "asesor.dua")
    for page in (lead, second):
        go(page, "nav.penilaian", "penilaian.title")
    disagreement = {"M.01": "5"}  # the second assessor sees Integritas two levels higher
    for index, (exercise_id, name) in enumerate(zip(event_ready["exercises"], ["In-basket", "Wawancara"],
                                                    strict=True)):
        for page, levels in ((lead, {}), (second, disagreement)):
            if index:
                pick_cell(page, name)
            rate_cell(page, reg, exercise_id, codes, levels)
    for page in (lead, second):
        page.get_by_text(t("penilaian.confirm_submit")).click()
        page.get_by_role("button", name=t("penilaian.submit")).click()
        expect(page.get_by_text(t("penilaian.submitted")).first).to_be_visible()
        expect(page.get_by_text(t("penilaian.read_only"))).to_be_visible()

    go(lead, "nav.integrasi", "integrasi.title")
    expect(lead.get_by_text(t("integrasi.agenda_note", n=1, total=9))).to_be_visible()
    lead.get_by_text(t("integrasi.tab_meeting")).click()
    key = f"{reg}_M_01"  # the one cell to discuss is open; the rest take their suggestions in one action
    lead.locator(f".st-key-ig_lvl_{key}").get_by_text("5", exact=True).click()
    lead.locator(f".st-key-ig_why_{key} textarea").fill("Bukti wawancara menunjukkan level ahli.")
    lead.locator(f".st-key-ig_save_{key} button").click()
    wait_for(lambda: database.execute("SELECT 1 FROM consensus WHERE registration_id = ? AND competency = 'M.01'",
                                      (reg,)).fetchone())
    lead.get_by_role("button", name=t("integrasi.accept_all", n=len(codes) - 1)).click()
    wait_for(lambda: database.execute("SELECT count(*) FROM consensus WHERE registration_id = ?",
                                      (reg,)).fetchone()[0] == len(codes))
    lead.get_by_text(t("integrasi.confirm_final")).click()
    lead.get_by_role("button", name=t("integrasi.finalise")).click()
    expect(lead.get_by_text(re.compile("JPM 80,56%"))).to_be_visible()
    result = database.execute("SELECT * FROM results WHERE registration_id = ?", (reg,)).fetchone()
    assert result["finalized_at"] and result["category"] == "MS" and round(result["jpm"], 2) == 80.56
    consensus = database.execute("SELECT rationale FROM consensus WHERE registration_id = ? AND competency = 'M.01'",
                                 (reg,)).fetchone()
    assert consensus["rationale"].startswith("Bukti wawancara")
    for context in contexts:
        context.close()
