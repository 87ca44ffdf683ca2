"""AppTest tests of Hasil, Talenta, Kualitas Penilaian and Presentasi on the demo, per role."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from apptest_helpers import open_app, open_page, open_script, texts
from google.protobuf import text_format
from streamlit.testing.v1.element_tree import Dataframe, Table

from core import auth, db, demo, quality, results
from core.i18n import format_number, format_percent, t
from core.textutil import escape_markdown, initials

HASIL, TALENTA, KUALITAS, PRESENTASI = "pages/hasil.py", "pages/talenta.py", "pages/kualitas.py", "pages/presentasi.py"
BERANDA, AKUN = "pages/beranda.py", "pages/akun.py"
SELEKSI, PEMETAAN = 1, 2  # event ids of the demo


def unescaped(markdown: str) -> str:
    """The text a reader sees: user text reaches markdown backslash-escaped (core.textutil.escape_markdown)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def user(database, username: str) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def no_crash(at) -> bool:
    return not at.exception and t("app.unexpected_error") not in texts(at.error)


def on_event(at, event_id: int):
    return at.radio(key="sidebar_event").set_value(event_id).run()


def show(at, key: str, view: str):
    return at.segmented_control(key=key).set_value(view).run()


def everything(at) -> str:
    """All an AppTest run holds: every element's proto (labels, values, chart specs) and every table."""
    parts = []
    for node in [*at.main, *at.sidebar]:
        if node.proto is not None:  # the root blocks have none
            parts.append(text_format.MessageToString(node.proto, as_utf8=True))
        if isinstance(node, Dataframe | Table):
            parts.append(node.value.to_csv())
    return "\n".join(parts)


def readable(at) -> str:
    """``everything`` as read: markdown escapes (doubled in the protos' text form) taken away."""
    return re.sub(r"\\+(.)", r"\1", everything(at))


def finals(database, event_id: int = SELEKSI) -> pd.DataFrame:
    table = results.event_results(database, event_id)
    return table[table["finalized_at"].notna()]


# Hasil ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda", "asesor.rini"])
def test_hasil_ranking_has_one_table_per_position(demo_db, username):
    final = finals(demo_db)
    at = open_page(demo_db, user(demo_db, username), HASIL)
    assert no_crash(at)
    assert at.title[0].value == t("hasil.title")
    sizes = final.groupby("position_id", sort=False).size()
    assert [len(d.value) for d in at.dataframe] == list(sizes) == [10, 10, 10, 10]
    first = at.dataframe[0].value
    top = final[final["position_id"] == sizes.index[0]].sort_values("rank")
    assert list(first[t("field.name")]) == list(top["name"])
    assert list(first[t("hasil.top3")]) == ["★"] * 3 + [""] * 7


def test_hasil_one_position_adds_the_gap_heat_map(demo_db):
    position_id = int(finals(demo_db).iloc[0]["position_id"])
    at = open_page(demo_db, user(demo_db, "admin"), HASIL)
    at = at.selectbox(key="hasil_position").set_value(position_id).run()
    assert no_crash(at)
    assert len(at.dataframe) == 1
    assert [e for e in at.main if e.type == "vega_lite_chart"]


@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda"])
def test_hasil_candidate_view_states_the_jpm(demo_db, username):
    person = finals(demo_db).iloc[0]
    at = show(open_page(demo_db, user(demo_db, username), HASIL), "hasil_view", "candidate")
    assert no_crash(at)
    sentence = t("hasil.sentence", name=escape_markdown(person["name"]), achieved=int(person["achieved_total"]),
                 standard=int(person["standard_total"]), jpm=format_percent(person["jpm"]),
                 category=t(f"category.{person['category']}"))
    assert sentence in [m.value for m in at.markdown]
    # the final score the rank follows first (the demo's seleksi has stages), then JPM, the category by name
    shown = {m.label: m.value for m in at.metric}
    assert [m.label for m in at.metric][:2] == [t("hasil.final_score"), "JPM"]
    assert shown["JPM"] == format_percent(person["jpm"])
    assert shown[t("field.category")] == f"{t('category.' + person['category'])} ({person['category']})"


def test_hasil_views_by_role(demo_db):
    admin = open_page(demo_db, user(demo_db, "admin"), HASIL)
    boss = open_page(demo_db, user(demo_db, "pimpinan.sekda"), HASIL)
    views = [t(f"hasil.view_{v}") for v in ("ranking", "candidate", "stages")]
    assert admin.segmented_control(key="hasil_view").options == views
    assert boss.segmented_control(key="hasil_view").options == views[:2]


@pytest.mark.parametrize("page", [HASIL, KUALITAS])
def test_lead_asesor_sees_hasil_and_kualitas(demo_db, page):
    at = open_page(demo_db, user(demo_db, "asesor.rini"), page)
    assert no_crash(at)
    assert not at.error
    assert at.title[0].value == t("hasil.title" if page == HASIL else "kualitas.title")


@pytest.mark.parametrize("page", [HASIL, KUALITAS])
def test_asesor_leading_another_event_is_refused_here(demo_db, page):
    """asesor.bambang chairs the pemetaan event, not the seleksi the sidebar shows."""
    at = on_event(open_page(demo_db, user(demo_db, "asesor.bambang"), page), SELEKSI)
    assert no_crash(at)
    assert texts(at.error) == [t("integration.lead_only")]
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize("page", [HASIL, KUALITAS])
def test_asesor_who_leads_nothing_is_refused(demo_db, page):
    cookie = auth.start_session(demo_db, user(demo_db, "asesor.hasan"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(cookie).switch_page(page)
    at = open_script(page, cookie)
    at.session_state["event_id"] = SELEKSI
    at = at.run()
    assert no_crash(at)
    assert texts(at.error) == [t("integration.lead_only")]
    assert not at.dataframe


def test_hasil_stages_view_saves_an_entered_score(demo_db):
    admin = user(demo_db, "admin")
    stage = next(s for s in results.list_stages(demo_db, SELEKSI) if not s["is_ac"])
    first = results.event_results(demo_db, SELEKSI).sort_values(["position_sort", "participant_no"]).iloc[0]
    at = show(open_page(demo_db, admin, HASIL), "hasil_view", "stages")
    assert no_crash(at)
    key = f"hasil_stage_grid_{SELEKSI}"
    at.session_state[key] = {"edited_rows": {0: {stage["name"]: 12.25}}, "added_rows": [], "deleted_rows": []}
    at = at.button(key="hasil_save_stages").click().run()
    assert no_crash(at) and not at.error
    saved = db.one(demo_db, "SELECT score FROM stage_scores WHERE registration_id = ? AND stage_id = ?",
                   (int(first["registration_id"]), stage["id"]))
    assert saved["score"] == 12.25
    assert t("common.saved") in texts(at.success)


def test_hasil_ranking_without_final_scores_shows_a_dash_for_rank(demo_db):
    """A new stage nobody has a score for yet: no final score, so no rank — shown as "–", like the candidate view."""
    admin = user(demo_db, "admin")
    stages = [{"name": s["name"], "weight": s["weight"] - 5 * s["is_ac"], "is_ac": s["is_ac"]}
              for s in results.list_stages(demo_db, SELEKSI)]
    results.set_stages(demo_db, admin, SELEKSI, [*stages, {"name": "Psikotes", "weight": 5}])
    at = open_page(demo_db, admin, HASIL)
    assert no_crash(at)
    ranks = set(at.dataframe[0].value[t("hasil.rank")])
    assert ranks == {"–"}


def test_a_write_from_elsewhere_shows_on_the_next_run(demo_db):
    """No cache outlives a change: a stage added through core (another connection) reaches an open Hasil."""
    admin = user(demo_db, "admin")
    at = open_page(demo_db, admin, HASIL)
    assert "–" not in set(at.dataframe[0].value[t("hasil.rank")])
    stages = [{"name": s["name"], "weight": s["weight"] - 5 * s["is_ac"], "is_ac": s["is_ac"]}
              for s in results.list_stages(demo_db, SELEKSI)]
    results.set_stages(demo_db, admin, SELEKSI, [*stages, {"name": "Psikotes", "weight": 5}])
    at = at.run()
    assert no_crash(at)
    assert set(at.dataframe[0].value[t("hasil.rank")]) == {"–"}


@pytest.mark.parametrize("page", [TALENTA, PRESENTASI, HASIL])
def test_pemetaan_pages_with_a_missing_skp_predikat(demo_db, page):
    """The admin clears one SKP predikat: Talenta lists that person among those with missing data; no page breaks."""
    [first] = demo_db.execute("""SELECT min(res.registration_id) FROM results res
                                 JOIN registrations r ON r.id = res.registration_id WHERE r.event_id = ?""",
                              (PEMETAAN,)).fetchone()
    results.set_skp_predikat(demo_db, user(demo_db, "admin"), PEMETAAN, {first: None})
    at = on_event(open_page(demo_db, user(demo_db, "admin"), page), PEMETAAN)
    assert no_crash(at)
    if page == TALENTA:
        assert t("talenta.incomplete_n", n=len(demo.MAPPING_GAPS) + 1) in texts(at.warning)


@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda"])
def test_hasil_of_a_pemetaan_never_ranks(demo_db, username):
    """SPEC §4.6: no rank, no ★, no top three and no robustness of it; number order, box and recommendation."""
    at = on_event(open_page(demo_db, user(demo_db, username), HASIL), PEMETAAN)
    assert no_crash(at)
    seen = readable(at)
    for word in ("Peringkat", "peringkat", "★", t("hasil.top3"), "tiga besar", "Uji ketahanan"):
        assert word not in seen, word
    assert t("hasil.no_rank_note") in seen and t("hasil.view_mapping") in seen
    final = finals(demo_db, PEMETAAN)
    boxes = {b["box"]: b for b in results.ninebox_summary(demo_db, PEMETAAN)}
    for shown, (_position, group) in zip(at.dataframe, final.groupby("position_id", sort=False), strict=True):
        table = shown.value
        assert list(table.columns) == [t("field.participant_no"), t("field.name"), "JPM", t("field.category"),
                                       t("recap.col.box"), t("recap.col.recommendation")]
        assert list(table[t("field.participant_no")]) == sorted(group["participant_no"])
        for row in table.to_dict("records"):
            box = row[t("recap.col.box")]
            said = boxes[int(box)]["action"] if box != "–" else t("recap.mapping.no_box")
            assert row[t("recap.col.recommendation")] == said
    at = show(at, "hasil_view", "candidate")
    assert no_crash(at) and [m.label for m in at.metric] == ["JPM", t("field.category"), t("recap.col.box")]


def test_hasil_warns_about_a_peserta_over_the_age_limit(demo_db):
    from core import registry

    admin = user(demo_db, "admin")
    person = registry.list_registrations(demo_db, SELEKSI)[0]
    registry.update_candidate(demo_db, admin, person["id"], "196801012000031001", person["name"], person["golongan"],
                              person["current_position"], person["current_unit"])  # 58 on the event's first day
    at = open_page(demo_db, admin, HASIL)
    assert no_crash(at)
    note = [w for w in texts(at.warning) if "batas usia" in w]
    assert len(note) == 1 and f"{person['name']} ({person['participant_no']}), 58 tahun" in unescaped(note[0])
    marks = [m for d in at.dataframe for m in d.value[t("recap.col.age")] if m]
    assert marks == ["58 th*"]
    at = show(at, "hasil_view", "candidate")
    at = at.selectbox(key="hasil_candidate").set_value(person["registration_id"]).run()
    assert any("batas usia" in w for w in texts(at.warning))


# Pimpinan never sees an individual rating -------------------------------------------------------

def pimpinan_runs(database):
    """(page, run) for every page and view a pimpinan can reach, on both demo events."""
    at = open_app(auth.start_session(database, user(database, "pimpinan.sekda")))
    for event_id in (SELEKSI, PEMETAAN):
        at = on_event(at, event_id)
        for page in (BERANDA, HASIL, TALENTA, PRESENTASI, AKUN):
            at = at.switch_page(page).run()
            yield page, at
            if page == HASIL:
                yield page, show(at, "hasil_view", "candidate")
                at = show(at, "hasil_view", "ranking")
                position_id = int(finals(database, event_id).iloc[0]["position_id"])
                yield page, at.selectbox(key="hasil_position").set_value(position_id).run()
            if page == TALENTA and event_id == PEMETAAN:
                yield page, at.selectbox(key="talenta_box").set_value(7).run()
            if page == PRESENTASI:
                yield page, at.toggle(key="presentasi_initials").set_value(True).run()


def test_pimpinan_never_sees_ratings_or_assessors(demo_db):
    evidence = [r[0] for r in demo_db.execute(
        "SELECT DISTINCT evidence FROM ratings ORDER BY registration_id, id LIMIT 400")][::40]
    assessors = [name for _, name, _nip in demo.ASSESSORS]
    runs = []
    for page, at in pimpinan_runs(demo_db):
        runs.append(page)
        assert no_crash(at)
        shown = everything(at)
        assert not [e for e in evidence if e in shown], page
        if page != BERANDA:  # Beranda's progress table names each assessor with counts only (SPEC §5)
            assert not [a for a in assessors if a in shown], page
    assert len(runs) == 2 * 5 + 2 * 2 + 1 + 2


# Talenta --------------------------------------------------------------------------------------

def test_talenta_on_a_seleksi_says_it_is_for_pemetaan(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "admin"), TALENTA), SELEKSI)
    assert no_crash(at)
    assert texts(at.info) == [t("talenta.only_pemetaan")]


@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda"])
def test_talenta_on_the_pemetaan_shows_the_pool(demo_db, username):
    summary = results.ninebox_summary(demo_db, PEMETAAN)
    pool = sum(b["count"] for b in summary if b["succession"])
    at = on_event(open_page(demo_db, user(demo_db, username), TALENTA), PEMETAAN)
    assert no_crash(at)
    assert f"#### {t('talenta.pool', n=pool)}" in [m.value for m in at.markdown]
    assert len(at.table[0].value) == len(demo.MAPPING_GAPS)  # first the people with missing data
    assert pool > 0 and len(at.table[1].value) == pool


# Kualitas Penilaian -------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "asesor.rini"])
def test_kualitas_warns_about_the_harsh_and_the_lenient_assessor(demo_db, username):
    lenient = {r["assessor"]: r["leniency"] for r in quality.event_quality(demo_db, SELEKSI)["leniency"]}
    expected = [t("kualitas.flag_harsh", name="Dr. Hasan Basri, M.Si.",
                  value=format_number(lenient["Dr. Hasan Basri, M.Si."], 2)),
                t("kualitas.flag_lenient", name="Andreas Simatupang, S.E., M.AP",
                  value=format_number(lenient["Andreas Simatupang, S.E., M.AP"], 2))]
    at = on_event(open_page(demo_db, user(demo_db, username), KUALITAS), SELEKSI)
    assert no_crash(at)
    assert [unescaped(w) for w in texts(at.warning)] == expected


# Presentasi -----------------------------------------------------------------------------------

def test_presentasi_shows_the_three_best_of_the_first_position(demo_db):
    final = finals(demo_db)
    best, _ = results.top_three(final, int(final.iloc[0]["position_id"]))
    at = open_page(demo_db, user(demo_db, "pimpinan.sekda"), PRESENTASI)
    assert no_crash(at)
    shown = [(unescaped(m.label), m.value) for m in at.metric]
    # The demo seleksi has stages: the large number is the final score that ranks them, not JPM.
    assert shown == [(f"{p['rank']}. {p['name']}", format_number(p["final"], 2)) for p in best]
    scores = [p["final"] for p in best]
    assert scores == sorted(scores, reverse=True)
    assert all(p["name"] in readable(at) for p in best)  # what the initials test relies on to see names


def test_presentasi_with_initials_shows_no_full_name(demo_db):
    final = finals(demo_db)
    best, _ = results.top_three(final, int(final.iloc[0]["position_id"]))
    at = open_page(demo_db, user(demo_db, "pimpinan.sekda"), PRESENTASI)
    at = at.toggle(key="presentasi_initials").set_value(True).run()
    assert no_crash(at)
    assert [unescaped(m.label) for m in at.metric] == [f"{p['rank']}. {initials(p['name'])}" for p in best]
    shown = readable(at)
    assert not [p["name"] for p in best if p["name"] in shown]
    assert not [p["name"].split(",")[0] for p in best if p["name"].split(",")[0] in shown]


def test_presentasi_on_the_pemetaan_adds_the_ninebox(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "admin"), PRESENTASI), PEMETAAN)
    assert no_crash(at)
    assert t("talenta.title") in texts(at.header)
