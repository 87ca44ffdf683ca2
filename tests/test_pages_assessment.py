"""AppTest tests of Alat Ukur, Penilaian and Integrasi: each view renders, the flows write, guards hold."""

from __future__ import annotations

import pytest
from apptest_helpers import open_app, open_page, open_script, shown_text, texts
from assessment_fixtures import PASSWORD

from core import assessment, auth, db, integration, rating, registry
from core.errors import DomainError
from core.i18n import t
from core.textutil import escape_markdown

ALAT, PENILAIAN, INTEGRASI = "pages/alat_ukur.py", "pages/penilaian.py", "pages/integrasi.py"
CODES = ("M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01")
NIPS = ("197501012000031001", "198203152006042003", "198807212012121002")
NAMES = ("Budi Santoso, S.Kom.", "Siti Rahayu, S.E., M.M.", "Dedi Kurniawan, S.T.")
EVIDENCE = "Peserta menyusun rencana kerja yang runtut dan menyampaikannya dengan jelas."


# Fixtures -------------------------------------------------------------------------------------

@pytest.fixture
def setup(fresh_db, admin):
    """A small event in persiapan: 1 JPT Pratama post, 3 candidates, 2 exercises (all 9), 3 assessors + lead."""
    event_id = registry.create_event(fresh_db, admin, "Seleksi Terbuka JPT Pratama 2026", "pengisian",
                                     "2026-11-16", "2026-11-20", "Gedung AC", "BKPSDM")
    position_id = registry.create_position(fresh_db, admin, event_id, "Kepala Dinas Pendidikan",
                                           "Dinas Pendidikan", "jpt_pratama")
    registrations = [registry.register(fresh_db, admin, event_id, registry.create_candidate(fresh_db, admin, n, m),
                                       position_id) for n, m in zip(NIPS, NAMES, strict=True)]
    exercises = [assessment.create_exercise(fresh_db, admin, event_id, f"Latihan {i}", "custom") for i in (1, 2)]
    assessment.set_matrix(fresh_db, admin, event_id, {ex: set(CODES) for ex in exercises})
    assessors = [auth.create_user(fresh_db, admin, f"asesor.{i}", f"Asesor Nomor {i}, S.Psi.", "asesor", PASSWORD)
                 for i in (1, 2, 3)]
    assessment.set_assessors(fresh_db, admin, event_id, [a["id"] for a in assessors], assessors[0]["id"])
    return {"event_id": event_id, "registrations": registrations, "exercises": exercises, "assessors": assessors}


@pytest.fixture
def rating_open(fresh_db, admin, setup):
    """The small event with balanced assignments, moved to penilaian."""
    assessment.auto_assign(fresh_db, admin, setup["event_id"])
    assessment.advance_state(fresh_db, admin, setup["event_id"])
    return setup


@pytest.fixture
def all_submitted(fresh_db, rating_open):
    """Every assessor rated every assigned cell 3 and submitted: every candidate is open for integration."""
    for registration_id in rating_open["registrations"]:
        for assessor in rating_open["assessors"]:
            if rate_all(fresh_db, assessor, registration_id):
                rating.submit(fresh_db, assessor, registration_id)
    return rating_open


# Helpers --------------------------------------------------------------------------------------

def user_named(database, username: str) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def no_crash(at) -> bool:
    """No traceback, no "unexpected error" apology."""
    return not at.exception and t("app.unexpected_error") not in texts(at.error)


def show(at, key: str, view: str):
    """Pick a view of a segmented control and rerun."""
    return at.segmented_control(key=key).set_value(view).run()


def rate_all(database, assessor: dict, registration_id: int, level: int | None = 3) -> bool:
    """Rate every cell the assessor has for the candidate; ``False`` when they have none."""
    exercises = [r[0] for r in database.execute(
        "SELECT exercise_id FROM assignments WHERE registration_id = ? AND assessor_id = ?",
        (registration_id, assessor["id"]))]
    for exercise_id in exercises:
        rating.save_ratings(database, assessor, registration_id, exercise_id,
                            {c: {"level": level, "evidence": EVIDENCE, "version": 0} for c in CODES})
    return bool(exercises)


def stored(database, assessor_id: int, registration_id: int, exercise_id: int) -> dict[str, tuple]:
    """Competency → (level, evidence, version) of one assessor's ratings of a cell."""
    return {r["competency"]: (r["level"], r["evidence"], r["version"]) for r in db.rows(
        database, "SELECT * FROM ratings WHERE assessor_id = ? AND registration_id = ? AND exercise_id = ?",
        (assessor_id, registration_id, exercise_id))}


def domain_message(action, *args) -> str:
    """The Indonesian message of the domain error ``action(*args)`` raises: what the page must show."""
    with pytest.raises(DomainError) as err:
        action(*args)
    return err.value.message("id")


def form_ids(at) -> list[str]:
    return [f.proto.form.form_id for f in at.form]


def count(database, table: str) -> int:
    return database[table].count


# Alat Ukur & Penugasan ------------------------------------------------------------------------

ALAT_VIEWS = ["exercises", "matrix", "assessors", "assignments", "checks"]


@pytest.mark.parametrize("view", ALAT_VIEWS)
def test_alat_each_view_renders_while_setting_up(fresh_db, admin, setup, view):
    at = show(open_page(fresh_db, admin, ALAT), "alat_view", view)
    assert no_crash(at)
    assert at.title[0].value == t("alat.title")
    assert at.segmented_control(key="alat_view").value == view


@pytest.mark.parametrize("view", ALAT_VIEWS)
def test_alat_each_view_renders_read_only_at_demo_scale(demo_db, view):
    at = show(open_page(demo_db, user_named(demo_db, "admin"), ALAT), "alat_view", view)
    assert no_crash(at)
    assert t("alat.locked", state=t("state.penilaian")) in texts(at.info)


def test_alat_new_exercise_through_the_form_is_written(fresh_db, admin, setup):
    at = open_page(fresh_db, admin, ALAT)
    form = at.form(key="alat_new_exercise")
    form.selectbox[0].set_value("lgd")
    form.text_input[0].set_value("LGD Kebijakan Pendidikan")
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    assert t("common.saved") in texts(at.success)
    exercises = assessment.list_exercises(fresh_db, setup["event_id"])
    assert [e["kind"] for e in exercises if e["name"] == "LGD Kebijakan Pendidikan"] == ["lgd"]


def test_alat_checks_fail_before_and_pass_after_auto_assign(fresh_db, admin, setup):
    at = show(open_page(fresh_db, admin, ALAT), "alat_view", "checks")
    assert t("check.two_assessors_fail", n=3) in texts(at.error)  # says what is wrong, not a negated claim
    assert t("check.two_assessors") not in texts(at.success)

    at = show(at, "alat_view", "assignments")
    at = at.button(key="alat_auto").click().run()
    assert no_crash(at)
    assert t("common.saved") in texts(at.success)
    assert count(fresh_db, "assignments") == 3 * 2 * 2

    at = show(at, "alat_view", "checks")
    assert no_crash(at)
    assert t("check.two_assessors") in texts(at.success)
    assert not at.error


def test_alat_is_read_only_once_rating_is_open(fresh_db, admin, rating_open):
    at = show(open_page(fresh_db, admin, ALAT), "alat_view", "assignments")
    assert no_crash(at)
    assert t("alat.locked", state=t("state.penilaian")) in texts(at.info)
    assert "alat_auto" not in [b.key for b in at.button]
    assert "alat_save_assign" not in [b.key for b in at.button]
    at = show(at, "alat_view", "exercises")
    assert "alat_new_exercise" not in form_ids(at)
    assert "alat_del" not in [b.key for b in at.button]


@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
def test_alat_refuses_asesor_and_pimpinan(fresh_db, admin, setup, role):
    user = setup["assessors"][0] if role == "asesor" else auth.create_user(
        fresh_db, admin, "pimpinan", "Pimpinan Daerah", "pimpinan", PASSWORD)
    cookie = auth.start_session(fresh_db, user)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(cookie).switch_page(ALAT)
    at = open_script(ALAT, cookie)
    assert no_crash(at)
    assert texts(at.error) == [t("auth.forbidden")]
    assert not at.title
    assert "Latihan 1" not in shown_text(at)


# Penilaian ------------------------------------------------------------------------------------

def work_of(database, assessor: dict) -> list[tuple[int, int]]:
    """The assessor's (registration, exercise) cells in worklist order."""
    event_id = db.one(database, "SELECT id FROM events")["id"]
    return [(w["registration_id"], w["exercise_id"]) for w in rating.worklist(database, assessor, event_id)]


def exercise_name(database, exercise_id: int) -> str:
    return assessment.get_exercise(database, exercise_id)["name"]


def rating_key(prefix: str, cell: tuple[int, int], code: str) -> str:
    return f"{prefix}_{cell[0]}_{cell[1]}_{code.replace('.', '_')}"


def fill_rating(at, cell: tuple[int, int], levels: dict[str, str | None], evidence: dict[str, str]):
    """Set the radios and evidence notes of the open form (``None`` leaves a radio untouched)."""
    for code, level in levels.items():
        if level is not None:
            at.radio(key=rating_key("pn_lvl", cell, code)).set_value(level)
    for code, text in evidence.items():
        at.text_area(key=rating_key("pn_ev", cell, code)).set_value(text)
    return at


def save_draft(at, cell: tuple[int, int]):
    return at.form(key=f"penilaian_form_{cell[0]}_{cell[1]}").form_submit_button[0].click().run()


def open_cell(database, assessor: dict, cell: tuple[int, int]):
    at = open_page(database, assessor, PENILAIAN)
    return at.selectbox(key="penilaian_pick").set_value(cell).run()


def test_penilaian_worklist_is_only_the_assessors_own(fresh_db, rating_open):
    me, other = rating_open["assessors"][:2]
    shared = next(c for c in work_of(fresh_db, me) if c in work_of(fresh_db, other))
    secret = "Catatan rahasia asesor lain yang tidak boleh terlihat."
    rating.save_ratings(fresh_db, other, *shared, {"M.01": {"level": 5, "evidence": secret, "version": 0}})
    at = open_cell(fresh_db, me, shared)
    assert no_crash(at)
    assert at.selectbox(key="penilaian_pick").options == [
        at.selectbox(key="penilaian_pick").format_func(c) for c in work_of(fresh_db, me)]
    assert len(at.dataframe[0].value) == len(work_of(fresh_db, me)) < count(fresh_db, "assignments")
    shown = shown_text(at)
    assert secret not in shown and other["full_name"] not in shown
    assert at.radio(key=rating_key("pn_lvl", shared, "M.01")).value is None


def test_penilaian_form_has_one_radio_per_measured_competency(fresh_db, admin, setup):
    narrow = assessment.create_exercise(fresh_db, admin, setup["event_id"], "Wawancara", "wawancara")
    matrix = dict.fromkeys(setup["exercises"], set(CODES)) | {narrow: {"M.01", "M.03", "M.08"}}
    assessment.set_matrix(fresh_db, admin, setup["event_id"], matrix)
    assessment.auto_assign(fresh_db, admin, setup["event_id"])
    assessment.advance_state(fresh_db, admin, setup["event_id"])
    me = setup["assessors"][0]
    cells = work_of(fresh_db, me)
    for cell in [next(c for c in cells if c[1] == narrow), next(c for c in cells if c[1] != narrow)]:
        at = open_cell(fresh_db, me, cell)
        wanted = ("M.01", "M.03", "M.08") if cell[1] == narrow else CODES
        assert [r.key for r in at.main.radio] == [rating_key("pn_lvl", cell, c) for c in wanted]
        assert all(r.options[-1] == "TB" for r in at.main.radio)


def test_penilaian_save_draft_writes_every_rating_at_version_one(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    cell = work_of(fresh_db, me)[0]
    at = open_cell(fresh_db, me, cell)
    levels = dict(zip(CODES, ["1", "2", "3", "4", "5", "TB", "3", "4", "2"], strict=True))
    at = save_draft(fill_rating(at, cell, levels, {c: f"{EVIDENCE} ({c})" for c in CODES}), cell)
    assert no_crash(at)
    assert t("penilaian.saved") in texts(at.success)
    assert stored(fresh_db, me["id"], *cell) == {
        c: (None if v == "TB" else int(v), f"{EVIDENCE} ({c})", 1) for c, v in levels.items()}
    assert at.radio(key=rating_key("pn_lvl", cell, "M.05")).value == "5"

    at = save_draft(fill_rating(at, cell, {"M.05": "4"}, {}), cell)  # a second save from the same tab
    assert no_crash(at) and not at.error
    assert stored(fresh_db, me["id"], *cell)["M.05"] == (4, f"{EVIDENCE} (M.05)", 2)
    assert stored(fresh_db, me["id"], *cell)["M.01"][2] == 1


def test_penilaian_level_without_evidence_is_refused(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    cell = work_of(fresh_db, me)[0]
    at = open_cell(fresh_db, me, cell)
    at = save_draft(fill_rating(at, cell, {"M.01": "3", "M.02": "4"}, {"M.01": EVIDENCE, "M.02": "   "}), cell)
    assert no_crash(at)
    assert texts(at.error) == [t("rating.evidence_required", code="M.02")]
    assert count(fresh_db, "ratings") == 0


def test_penilaian_evidence_without_level_is_refused(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    cell = work_of(fresh_db, me)[0]
    at = open_cell(fresh_db, me, cell)
    at = save_draft(fill_rating(at, cell, {"M.01": "3"}, {"M.01": EVIDENCE, "M.04": EVIDENCE, "SK.01": EVIDENCE}),
                    cell)
    assert no_crash(at)
    assert texts(at.error) == [t("penilaian.level_missing", codes="M.04, SK.01")]
    assert count(fresh_db, "ratings") == 0


def test_penilaian_stale_tab_cannot_overwrite_the_other_tab(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    cell = work_of(fresh_db, me)[0]
    tab_a, tab_b = open_cell(fresh_db, me, cell), open_cell(fresh_db, me, cell)
    tab_a = save_draft(fill_rating(tab_a, cell, dict.fromkeys(CODES, "4"), dict.fromkeys(CODES, "Tab A.")), cell)
    assert t("penilaian.saved") in texts(tab_a.success)
    tab_b = save_draft(fill_rating(tab_b, cell, dict.fromkeys(CODES, "2"), dict.fromkeys(CODES, "Tab B.")), cell)
    assert no_crash(tab_b)
    assert texts(tab_b.error) == [t("rating.stale", code="M.01")]
    assert stored(fresh_db, me["id"], *cell) == dict.fromkeys(CODES, (4, "Tab A.", 1))

    tab_b = tab_b.button(key="penilaian_reload").click().run()  # B takes the newest versions, then saves
    assert tab_b.radio(key=rating_key("pn_lvl", cell, "M.01")).value == "4"
    assert tab_b.text_area(key=rating_key("pn_ev", cell, "M.01")).value == "Tab A."
    tab_b = save_draft(fill_rating(tab_b, cell, {"M.01": "2"}, {"M.01": "Tab B."}), cell)
    assert no_crash(tab_b) and not tab_b.error
    assert stored(fresh_db, me["id"], *cell)["M.01"] == (2, "Tab B.", 2)


def test_penilaian_submit_after_everything_is_rated_makes_the_form_read_only(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    registration_id = work_of(fresh_db, me)[0][0]
    cells = [c for c in work_of(fresh_db, me) if c[0] == registration_id]
    for cell in cells[:-1]:
        rating.save_ratings(fresh_db, me, *cell, {c: {"level": 3, "evidence": EVIDENCE, "version": 0} for c in CODES})
    at = open_cell(fresh_db, me, cells[-1])
    here = exercise_name(fresh_db, cells[-1][1])
    where = t("penilaian.missing_in_this", exercise=here, n=len(CODES))
    assert escape_markdown(t("penilaian.missing_where", n=len(CODES), where=where)) in texts(at.caption)
    at = save_draft(fill_rating(at, cells[-1], dict.fromkeys(CODES, "4"), dict.fromkeys(CODES, EVIDENCE)), cells[-1])
    at.checkbox(key=f"penilaian_sure_{registration_id}").check().run()
    at = at.button(key="penilaian_submit").click().run()
    assert no_crash(at)
    assert rating.is_submitted(fresh_db, registration_id, me["id"])
    assert t("penilaian.submitted") in texts(at.success)
    # The page moves on to open work; the submitted cell, shown again, is a compact read-only table.
    assert at.selectbox(key="penilaian_pick").value not in cells
    at.toggle(key="penilaian_only_open").set_value(False).run()
    at = at.selectbox(key="penilaian_pick").set_value(cells[-1]).run()
    assert t("penilaian.read_only") in texts(at.success)
    assert not at.main.radio and not at.text_area and not at.form
    assert "penilaian_submit" not in [b.key for b in at.button]


def test_penilaian_missing_ratings_are_named_where_they_are(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    work = work_of(fresh_db, me)
    cells = max(([c for c in work if c[0] == reg] for reg in {c[0] for c in work}), key=len)
    assert len(cells) >= 2, "the fixture gives this assessor two exercises of one candidate"
    rating.save_ratings(fresh_db, me, *cells[0], {c: {"level": 3, "evidence": EVIDENCE, "version": 0} for c in CODES})
    at = open_cell(fresh_db, me, cells[0])
    others = "; ".join(t("penilaian.missing_in", exercise=exercise_name(fresh_db, c[1]), n=len(CODES))
                       for c in cells[1:])
    expected = t("penilaian.missing_where", n=len(CODES) * len(cells[1:]), where=others)
    assert escape_markdown(expected) in texts(at.caption)


def test_penilaian_opens_on_open_work_and_a_save_leads_to_the_next(fresh_db, rating_open):
    me = rating_open["assessors"][0]
    work = work_of(fresh_db, me)
    first_reg = work[0][0]
    for cell in [c for c in work if c[0] == first_reg]:
        rating.save_ratings(fresh_db, me, *cell, {c: {"level": 3, "evidence": EVIDENCE, "version": 0} for c in CODES})
    rating.submit(fresh_db, me, first_reg)
    at = open_page(fresh_db, me, PENILAIAN)
    open_cells = [c for c in work if c[0] != first_reg]
    assert at.selectbox(key="penilaian_pick").value == open_cells[0]  # not the submitted first row
    assert len(at.selectbox(key="penilaian_pick").options) == len(open_cells)
    at = save_draft(fill_rating(at, open_cells[0], dict.fromkeys(CODES, "3"), dict.fromkeys(CODES, EVIDENCE)),
                    open_cells[0])
    assert t("penilaian.saved") in texts(at.success)
    at = at.button(key="penilaian_next").click().run()
    assert at.selectbox(key="penilaian_pick").value == open_cells[1]


def test_penilaian_without_assignments_says_so(fresh_db, admin, rating_open):
    idle = auth.create_user(fresh_db, admin, "asesor.cadangan", "Asesor Cadangan, S.Psi.", "asesor", PASSWORD)
    at = open_page(fresh_db, idle, PENILAIAN)
    assert no_crash(at)
    assert texts(at.info) == [t("penilaian.no_work")]
    assert not at.main.radio and not at.form


def test_penilaian_refuses_an_admin(fresh_db, admin, rating_open):
    cookie = auth.start_session(fresh_db, admin)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(cookie).switch_page(PENILAIAN)
    at = open_script(PENILAIAN, cookie)
    assert no_crash(at)
    assert texts(at.error) == [t("auth.forbidden")]
    assert not at.title and not at.main.radio
    assert NAMES[0] not in shown_text(at)


# Integrasi ------------------------------------------------------------------------------------

def meeting_of(database, user: dict, registration_id: int | None = None):
    """The meeting view, on ``registration_id`` when given (otherwise the first open candidate)."""
    at = show(open_page(database, user, INTEGRASI), "integrasi_view", "meeting")
    if registration_id is not None:
        at = at.selectbox(key="integrasi_pick").set_value(registration_id).run()
    return at


def consensus_form(at, registration_id: int, code: str):
    return at.form(key=f"integrasi_cs_{registration_id}_{code}")


def decide(at, registration_id: int, code: str, level: int, rationale: str = ""):
    key = f"{registration_id}_{code.replace('.', '_')}"
    at.radio(key=f"ig_lvl_{key}").set_value(level)
    at.text_area(key=f"ig_why_{key}").set_value(rationale)
    return consensus_form(at, registration_id, code).form_submit_button[0].click().run()


def consensus_row(database, registration_id: int, code: str) -> dict | None:
    return db.one(database, "SELECT * FROM consensus WHERE registration_id = ? AND competency = ?",
                  (registration_id, code))


def result_row(database, registration_id: int) -> dict | None:
    return db.one(database, "SELECT * FROM results WHERE registration_id = ?", (registration_id,))


def agree_all(database, lead: dict, registration_id: int, level: int = 3) -> None:
    for code in CODES:
        integration.set_consensus(database, lead, registration_id, code, level)


@pytest.mark.parametrize("view", ["agenda", "meeting", "progress"])
@pytest.mark.parametrize("username", ["asesor.rini", "admin"])
def test_integrasi_each_view_renders_at_demo_scale(demo_db, username, view):
    at = show(open_page(demo_db, user_named(demo_db, username), INTEGRASI), "integrasi_view", view)
    assert no_crash(at)
    assert at.title[0].value == t("integrasi.title")
    assert at.segmented_control(key="integrasi_view").value == view


def test_integrasi_lead_sees_the_agenda(fresh_db, all_submitted):
    at = open_page(fresh_db, all_submitted["assessors"][0], INTEGRASI)
    assert no_crash(at)
    assert at.segmented_control(key="integrasi_view").value == "agenda"
    assert t("integrasi.agenda_note", n=0, total=3 * len(CODES)) in texts(at.caption)  # all agree: nothing to discuss
    at = at.toggle(key="integrasi_only").set_value(False).run()
    assert t("integrasi.agenda_note", n=3 * len(CODES), total=3 * len(CODES)) in texts(at.caption)
    assert len(at.dataframe[0].value) == 3 * len(CODES)


def test_integrasi_demo_agenda_has_cells_to_discuss(demo_db):
    lead = user_named(demo_db, "asesor.rini")
    event_id = registry.list_events(demo_db)[0]["id"]
    cells = integration.agenda(demo_db, lead, event_id)
    discuss = sum(bool(c["must_discuss"]) for c in cells)
    at = open_page(demo_db, lead, INTEGRASI)
    assert no_crash(at)
    assert discuss >= 1
    assert t("integrasi.agenda_note", n=discuss, total=len(cells)) in texts(at.caption)
    assert len(at.dataframe[0].value) == discuss


def test_integrasi_asesor_lead_elsewhere_is_refused_here(demo_db):
    """asesor.bambang chairs the pemetaan event, not the seleksi the sidebar opens on."""
    at = open_page(demo_db, user_named(demo_db, "asesor.bambang"), INTEGRASI)
    assert no_crash(at)
    assert texts(at.error) == [t("integration.lead_only")]
    assert not at.dataframe and not at.metric


def test_integrasi_asesor_who_is_no_lead_is_refused(fresh_db, all_submitted):
    member = all_submitted["assessors"][1]
    cookie = auth.start_session(fresh_db, member)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(cookie).switch_page(INTEGRASI)
    at = open_script(INTEGRASI, cookie)  # run directly, past the navigation, on the event
    at.session_state["event_id"] = all_submitted["event_id"]
    at = at.run()
    assert no_crash(at)
    assert texts(at.error) == [t("integration.lead_only")]
    assert NAMES[0] not in shown_text(at)


def test_integrasi_refuses_pimpinan(fresh_db, admin, all_submitted):
    boss = auth.create_user(fresh_db, admin, "pimpinan", "Pimpinan Daerah", "pimpinan", PASSWORD)
    at = open_script(INTEGRASI, auth.start_session(fresh_db, boss))
    assert no_crash(at)
    assert texts(at.error) == [t("auth.forbidden")]
    assert not at.title and not at.dataframe


def test_integrasi_with_nothing_open_says_so(fresh_db, rating_open):
    at = open_page(fresh_db, rating_open["assessors"][0], INTEGRASI)
    assert no_crash(at)
    assert t("integrasi.agenda_note", n=0, total=0) in texts(at.caption)
    at = show(at, "integrasi_view", "meeting")
    assert no_crash(at)
    assert t("integrasi.none_open") in texts(at.info)


def test_integrasi_agenda_shows_whole_levels(demo_db):
    """Consensus and suggestion are levels 1–5 ("–" when none), never "4.0" or "None"."""
    at = open_page(demo_db, user_named(demo_db, "asesor.rini"), INTEGRASI)
    table = at.toggle(key="integrasi_only").set_value(False).run().dataframe[0].value
    assert set(table[t("integrasi.suggested")]) <= {"1", "2", "3", "4", "5", "–"}
    assert set(table[t("integrasi.consensus")]) <= {"1", "2", "3", "4", "5", "–"}
    assert "–" in set(table[t("integrasi.consensus")])  # part of the demo is still undecided


@pytest.fixture
def nothing_observed(fresh_db, rating_open):
    """Candidate 1 is open for integration; every rating of M.01 is TB (nothing observed), the rest 3."""
    reg = rating_open["registrations"][0]
    for assessor in rating_open["assessors"]:
        exercises = [r[0] for r in fresh_db.execute(
            "SELECT exercise_id FROM assignments WHERE registration_id = ? AND assessor_id = ?", (reg, assessor["id"]))]
        for exercise_id in exercises:
            rating.save_ratings(fresh_db, assessor, reg, exercise_id, {
                c: {"level": None if c == "M.01" else 3, "evidence": EVIDENCE, "version": 0} for c in CODES})
        if exercises:
            rating.submit(fresh_db, assessor, reg)
    return rating_open


def test_integrasi_meeting_with_a_cell_of_only_tb(fresh_db, nothing_observed):
    lead = nothing_observed["assessors"][0]
    reg = nothing_observed["registrations"][0]
    at = meeting_of(fresh_db, lead)
    assert no_crash(at)
    labels = [e.label for e in at.expander if e.label.startswith("M.01")]
    assert len(labels) == 1 and "None" not in labels[0]
    at = decide(at, reg, "M.01", 4, "Tidak ada bukti pada semua latihan; tim memakai standar.")
    assert no_crash(at)
    assert consensus_row(fresh_db, reg, "M.01")["level"] == 4


def test_integrasi_agenda_with_a_cell_of_only_tb(fresh_db, nothing_observed):
    at = open_page(fresh_db, nothing_observed["assessors"][0], INTEGRASI)
    table = at.toggle(key="integrasi_only").set_value(False).run().dataframe[0].value
    assert no_crash(at)
    suggested = dict(zip(table[t("field.competency")], table[t("integrasi.suggested")], strict=True))
    assert suggested.pop("Integritas") == "–"
    assert set(suggested.values()) == {"3"}


def test_integrasi_admin_watches_without_deciding(fresh_db, admin, all_submitted):
    at = meeting_of(fresh_db, admin)
    assert no_crash(at)
    assert t("integrasi.admin_view") in texts(at.info)
    assert at.expander  # the ratings side by side are there
    assert not [f for f in form_ids(at) if f.startswith("integrasi_cs_")]
    assert not at.main.radio
    assert "integrasi_final" not in [b.key for b in at.button]
    assert all(a.disabled for a in at.text_area)


def test_integrasi_consensus_equal_to_the_suggestion_is_saved(fresh_db, all_submitted):
    lead = all_submitted["assessors"][0]
    at = meeting_of(fresh_db, lead)
    reg = at.selectbox(key="integrasi_pick").value
    assert at.radio(key=f"ig_lvl_{reg}_M_01").value == 3  # the suggestion is the default
    at = decide(at, reg, "M.01", 3)
    assert no_crash(at)
    assert t("common.saved") in texts(at.success)
    saved = consensus_row(fresh_db, reg, "M.01")
    assert (saved["level"], saved["suggested_level"], saved["rationale"], saved["decided_by"]) == (3, 3, "", lead["id"])


def test_integrasi_departure_needs_a_rationale(fresh_db, all_submitted):
    lead = all_submitted["assessors"][0]
    reg = all_submitted["registrations"][1]
    at = decide(meeting_of(fresh_db, lead, reg), reg, "M.04", 5)
    assert no_crash(at)
    assert texts(at.error) == [t("consensus.rationale_required", suggested=3)]
    assert consensus_row(fresh_db, reg, "M.04") is None

    why = "Bukti pada wawancara lebih kuat daripada latihan tertulis."
    at = decide(at, reg, "M.04", 5, why)
    assert no_crash(at)
    assert not at.error
    saved = consensus_row(fresh_db, reg, "M.04")
    assert (saved["level"], saved["suggested_level"], saved["rationale"]) == (5, 3, why)


def test_integrasi_finalise_with_confirmation_locks_the_result(fresh_db, all_submitted):
    lead = all_submitted["assessors"][0]
    reg = all_submitted["registrations"][0]
    agree_all(fresh_db, lead, reg)
    at = meeting_of(fresh_db, lead, reg)
    assert at.button(key="integrasi_final").disabled
    at.checkbox(key=f"integrasi_sure_{reg}").check().run()
    at = at.button(key="integrasi_final").click().run()
    assert no_crash(at)
    result = result_row(fresh_db, reg)
    assert result["finalized_at"] and result["finalized_by"] == lead["id"]
    assert (result["achieved_total"], result["standard_total"], result["jpm"], result["category"]) == (27, 36, 75.0,
                                                                                                      "MMS")
    assert t("integrasi.finalised") in texts(at.success)
    assert not [f for f in form_ids(at) if f.startswith("integrasi_cs_")]
    assert "integrasi_final" not in [b.key for b in at.button]


def test_integrasi_admin_reopens_a_final_result_with_a_reason(fresh_db, admin, all_submitted):
    lead = all_submitted["assessors"][0]
    reg = all_submitted["registrations"][2]
    agree_all(fresh_db, lead, reg)
    integration.finalise(fresh_db, lead, reg)
    at = meeting_of(fresh_db, admin, reg)
    form = at.form(key=f"integrasi_reopen_{reg}")
    form.text_input[0].set_value("Salah input konsensus M.03, dikoreksi atas permintaan Ketua Tim.")
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    assert result_row(fresh_db, reg)["finalized_at"] is None
    entry = db.one(fresh_db, "SELECT * FROM audit_log WHERE entity = 'result' AND action = 'reopen'")
    assert (entry["entity_id"], entry["user_id"]) == (str(reg), admin["id"])
    assert entry["reason"] == "Salah input konsensus M.03, dikoreksi atas permintaan Ketua Tim."
    assert f"integrasi_reopen_{reg}" not in form_ids(at)


def test_integrasi_reopen_without_a_reason_changes_nothing(fresh_db, admin, all_submitted):
    lead = all_submitted["assessors"][0]
    reg = all_submitted["registrations"][0]
    agree_all(fresh_db, lead, reg)
    integration.finalise(fresh_db, lead, reg)
    at = meeting_of(fresh_db, admin, reg)
    at = at.form(key=f"integrasi_reopen_{reg}").form_submit_button[0].click().run()
    assert no_crash(at)
    assert texts(at.error) == [domain_message(integration.reopen_result, fresh_db, admin, reg, "")]
    assert result_row(fresh_db, reg)["finalized_at"]
    assert db.one(fresh_db, "SELECT * FROM audit_log WHERE action = 'reopen'") is None
