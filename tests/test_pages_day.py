"""Issue 14 in AppTest: the first-run form, Pengaturan's account choice, the checks in words, the Ketua Tim's
words and headers, the robustness sentence, Petunjuk on every page."""

from __future__ import annotations

import pytest
from apptest_helpers import fill, open_app, open_page, submit, texts

import app
from core import assessment, db, integration, results
from core.i18n import t
from core.textutil import escape_markdown

SELEKSI = 1


def user(database, username: str) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def page_file(key: str) -> str:
    return app.PAGES[key][0]


def first_admin(confirm: str):
    """The first-run form filled in and sent; ``confirm`` is the repeated password."""
    at = open_app()
    return submit(fill(at.form(key="mulai_form"), {
        t("field.username"): "kepala.ac", t("field.full_name"): "Kepala AC",
        t("field.password"): "rahasia789", t("field.password_confirm"): confirm}))


def test_first_run_form_is_gone_once_the_admin_exists(fresh_db):
    at = first_admin("rahasia789")
    assert t("mulai.done") in texts(at.success)
    assert not at.text_input and not at.checkbox  # no filled-in fields left on screen


def test_first_run_refused_form_stays_filled(fresh_db):
    at = first_admin("rahasia788")
    assert t("mulai.password_mismatch") in texts(at.error)
    assert [w.value for w in at.text_input][:2] == ["kepala.ac", "Kepala AC"]


def test_pengaturan_preselects_no_account_and_never_offers_to_deactivate_oneself(fresh_db, admin, asesor):
    at = open_page(fresh_db, admin, page_file("pengaturan"))
    assert at.selectbox(key="pengaturan_user").value is None
    assert "pengaturan_toggle" not in [b.key for b in at.button]
    at = at.selectbox(key="pengaturan_user").set_value(admin["id"]).run()
    assert "pengaturan_toggle" not in [b.key for b in at.button]
    assert t("pengaturan.own_account") in texts(at.caption)
    at = at.selectbox(key="pengaturan_user").set_value(asesor["id"]).run()
    assert at.button(key="pengaturan_toggle").label == t("pengaturan.deactivate")


def test_kegiatan_check_says_who_has_not_submitted_whom(demo_db):
    at = open_page(demo_db, user(demo_db, "admin"), page_file("kegiatan"))
    [check] = assessment.state_checks(demo_db, SELEKSI)
    assert not check.ok
    assert t("check.all_submitted_fail", n=len(check.problems)) in texts(at.error)
    assert t("check.all_submitted") not in texts(at.error)  # not a negated claim
    shown = "\n".join(texts(at.caption))
    for line in check.problems:  # every assessor, every candidate: nothing cut with "…"
        assert escape_markdown(line) in shown
    assert len(check.problems) == 8 and "…" not in shown


def test_integrasi_says_the_category_by_name_and_explains_its_statistics(demo_db):
    lead = user(demo_db, "asesor.rini")
    final = db.one(demo_db, """SELECT r.registration_id, r.category FROM results r JOIN registrations g
                               ON g.id = r.registration_id WHERE g.event_id = ? AND r.finalized_at IS NOT NULL""",
                   (SELEKSI,))
    at = open_page(demo_db, lead, page_file("integrasi"))
    columns = list(at.dataframe[0].value.columns)
    assert {t("integrasi.spread"), t("integrasi.sd"), t("integrasi.rwg")} <= set(columns)
    assert not {"Spread", "SD", "r_wg"} & set(columns)
    at = at.segmented_control(key="integrasi_view").set_value("meeting").run()
    at = at.selectbox(key="integrasi_pick").set_value(final["registration_id"]).run()
    note = next(s for s in texts(at.success) if s.startswith(t("integrasi.finalised_note", jpm="", category="")[:12]))
    assert note.endswith(t("category." + final["category"]) + ".")


def test_integrasi_opens_on_a_candidate_still_to_finalise(demo_db):
    lead = user(demo_db, "asesor.rini")
    at = open_page(demo_db, lead, page_file("integrasi"))
    at = at.segmented_control(key="integrasi_view").set_value("meeting").run()
    picked = at.selectbox(key="integrasi_pick").value
    assert not integration.meeting(demo_db, lead, picked)["finalised"]


def test_hasil_robustness_names_the_assessor_whose_absence_changes_the_top_three(demo_db):
    changes = results.robustness(demo_db, SELEKSI)["changes"]
    assert changes, "the demo has one assessor whose absence changes a top three"
    names = {u["user_id"]: u["full_name"] for u in assessment.list_assessors(demo_db, SELEKSI)}
    at = open_page(demo_db, user(demo_db, "admin"), page_file("hasil"))
    expected = escape_markdown(t("hasil.robust_changes", names=names[changes[0]["assessor_id"]]))
    assert expected in texts(at.caption)


@pytest.mark.parametrize(("key", "username"), [("verifikasi", "asesor.rini"), ("akun", "asesor.rini"),
                                               ("presentasi", "pimpinan.sekda")])
def test_petunjuk_is_on_the_page(demo_db, key, username):
    at = open_page(demo_db, user(demo_db, username), page_file(key))
    assert t("common.petunjuk") in [e.label for e in at.expander]
