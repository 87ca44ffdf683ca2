"""AppTest of the talent pages (issue 12): Talenta, the Peserta talent forms, the Integrasi potensi view, the scheme
in Kegiatan and Pengaturan, Presentasi of a pemetaan, the SIASN export in Laporan — on the demo."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_helpers import open_page, texts
from test_pages_results import no_crash, on_event, unescaped, user

from core import audit, db, demo, results, talent, talent_store, talent_views
from core.i18n import t
from core.textutil import escape_markdown

SELEKSI, PEMETAAN = 1, 2  # event ids of the demo
TALENTA, PRESENTASI, KANDIDAT = "pages/talenta.py", "pages/presentasi.py", "pages/kandidat.py"
INTEGRASI, KEGIATAN, PENGATURAN, LAPORAN = ("pages/integrasi.py", "pages/kegiatan.py", "pages/pengaturan.py",
                                            "pages/laporan.py")


def talenta(database, username: str = "admin"):
    return on_event(open_page(database, user(database, username), TALENTA), PEMETAAN)


def mapped(database) -> list[dict]:
    return talent_store.event_talent_map(database, PEMETAAN)["rows"]


def gap_person(database, gap: str) -> dict:
    [index] = [i for i, g in demo.MAPPING_GAPS.items() if g == gap]
    return mapped(database)[index]


def plain(value):
    """What a reader sees: plain_table backslash-escapes markdown in every header and cell."""
    return unescaped(value) if isinstance(value, str) else value


def tables(at) -> list[pd.DataFrame]:
    return [tb.value.rename(columns=plain).map(plain) for tb in at.table]


def table_named(at, column: str) -> pd.DataFrame:
    """The one table of the run that has this column."""
    [found] = [table for table in tables(at) if column in table.columns]
    return found


# Talenta --------------------------------------------------------------------------------------

def test_talenta_lists_who_lacks_what(demo_db):
    at = talenta(demo_db)
    assert no_crash(at)
    assert t("talenta.incomplete_n", n=len(demo.MAPPING_GAPS)) in texts(at.warning)
    shown = table_named(at, t("talenta.col.missing"))
    expected = {r["name"]: ", ".join(talent.missing_labels(r["missing"])) for r in mapped(demo_db) if r["missing"]}
    assert dict(zip(shown[t("field.name")], shown[t("talenta.col.missing")], strict=True)) == expected
    assert "potensi" in expected[gap_person(demo_db, "potensi")["name"]]


def test_talenta_names_the_scheme_and_counts_the_placed(demo_db):
    at = talenta(demo_db, "pimpinan.sekda")
    rows = mapped(demo_db)
    captions = texts(at.caption)
    assert t("talenta.scheme", name="Terpadu — kompetensi, potensi, rekam jejak") in captions
    assert t("talenta.placed", n=sum(r["box"] is not None for r in rows), total=len(rows)) in captions


def test_a_box_shows_both_axes_inputs_of_its_people(demo_db):
    box = next(r["box"] for r in mapped(demo_db) if r["box"] == 8)
    at = talenta(demo_db).selectbox(key="talenta_box").set_value(box).run()
    people = [r for r in mapped(demo_db) if r["box"] == box]
    shown = [tb for tb in tables(at) if t("talenta.col.potensi") in tb.columns][-1]  # after the pool: the box
    assert list(shown[t("field.name")]) == [p["name"] for p in people]
    assert set(shown[t("talenta.col.potential")]) == {t("talenta.potential.tinggi")}
    assert set(shown[t("talenta.col.performance")]) == {t("talenta.performance.sesuai")}
    assert all(shown[t("talenta.col.potensi")] != "–") and all(shown["JPM"] != "–")


def test_why_explains_the_box_of_one_person(demo_db):
    person = next(r for r in mapped(demo_db) if r["box"] == 8)
    at = talenta(demo_db).selectbox(key="talenta_why").set_value(person["registration_id"]).run()
    assert no_crash(at)
    table = table_named(at, t("talenta.col.share"))
    weights = talent.shipped_scheme("terpadu")["weights"]
    assert len(table) == sum(1 for w in weights.values() if w) == 7
    shares = [float(v.replace(".", "").replace(",", ".")) for v in table[t("talenta.col.share")]]
    assert sum(shares) == pytest.approx(person["potential_index"], abs=0.05)
    assert escape_markdown(t("talenta.why.box", box=8, label=person["label"])) in [m.value for m in at.markdown]


def test_why_of_an_incomplete_person_says_what_is_missing(demo_db):
    person = gap_person(demo_db, "rekam_jejak")
    at = talenta(demo_db).selectbox(key="talenta_why").set_value(person["registration_id"]).run()
    assert escape_markdown(talent.missing_text(person["missing"])) in [m.value for m in at.markdown]


def test_successors_per_target_post(demo_db):
    at = talenta(demo_db)
    groups = talent_views.successor_groups(talent_store.event_successors(demo_db, PEMETAAN))
    shown = [tb for tb in tables(at) if t("talenta.col.current_post") in tb.columns]
    with_pool = [g for g in groups if g["successors"]]
    assert len(shown) == len(with_pool) > 0
    for table, group in zip(shown, with_pool, strict=True):
        assert list(table[t("field.name")]) == [s["name"] for s in group["successors"]]
        assert set(table[t("talenta.col.box")]) <= {7, 8, 9}
    headings = [m.value for m in at.markdown]
    assert all(escape_markdown(", ".join(g["posts"])) in " ".join(headings) for g in groups)
    assert sum(len(g["posts"]) for g in groups) == len(talent_store.event_successors(demo_db, PEMETAAN))


def test_admin_enters_the_missing_skp_and_the_person_gets_a_box(demo_db):
    person = gap_person(demo_db, "skp_latest")
    at = talenta(demo_db).toggle(key="talenta_edit").set_value(True).run()
    assert no_crash(at) and at.button(key="talenta_save_skp")
    # AppTest cannot type into a data editor: write what its save button sends, then read the page back
    results.set_skp_predikat(demo_db, user(demo_db, "admin"), PEMETAAN, {person["registration_id"]: "baik"})
    at = talenta(demo_db)
    after = next(r for r in mapped(demo_db) if r["registration_id"] == person["registration_id"])
    assert after["box"] is not None
    assert person["name"] not in list(table_named(at, t("talenta.col.missing"))[t("field.name")])


def test_a_two_year_scheme_gets_one_skp_column_per_year_in_the_editor(demo_db):
    """A scheme that reads two SKP years is edited in one table (before: only the latest year could be entered)."""
    admin = user(demo_db, "admin")
    scheme = talent_store.event_scheme(demo_db, PEMETAAN)
    two = dict(scheme["definition"]) | {"name": "Terpadu dua tahun", "performance_years": 2}
    talent_store.set_event_scheme(demo_db, admin, PEMETAAN, talent_store.save_scheme(demo_db, admin, None, two))
    at = talenta(demo_db).toggle(key="talenta_edit").set_value(True).run()
    assert no_crash(at)
    year = int(db.one(demo_db, "SELECT end_date FROM events WHERE id = ?", (PEMETAAN,))["end_date"][:4])
    shown = " ".join(c.value for c in at.caption)
    assert f"{year - 1}, {year - 2}" in shown
    person = gap_person(demo_db, "skp_latest")
    # AppTest cannot type into a data editor: send what its save button sends for both years
    results.set_skp_years(demo_db, admin, PEMETAAN, {person["registration_id"]: {year - 1: "baik", year - 2: "baik"}})
    stored = talent_store.skp_of(demo_db, person["candidate_id"])
    assert (stored[year - 1], stored[year - 2]) == ("baik", "baik")


# Presentasi of a pemetaan ------------------------------------------------------------------------

def test_presentasi_of_a_pemetaan_has_no_top_three_but_successors(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "pimpinan.sekda"), PRESENTASI), PEMETAAN)
    assert no_crash(at)
    assert not at.metric  # no ranked names
    headers = texts(at.header)
    assert t("talenta.title") in headers and not [h for h in headers if "tiga" in h.lower()]
    post = talent_store.event_successors(demo_db, PEMETAAN)[0]
    assert any(h.startswith(t("presentasi.successors", position="")[:10]) for h in headers)
    if post["successors"]:
        names = list(tables(at)[0][t("field.name")])
        assert names == [s["name"] for s in post["successors"]]


def test_presentasi_pemetaan_with_initials_hides_successor_names(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "pimpinan.sekda"), PRESENTASI), PEMETAAN)
    at = at.toggle(key="presentasi_initials").set_value(True).run()
    post = talent_store.event_successors(demo_db, PEMETAAN)[0]
    shown = "".join(tb.to_csv() for tb in tables(at))
    assert post["successors"] and not [s["name"] for s in post["successors"] if s["name"] in shown]


# Integrasi: the potensi, read-only --------------------------------------------------------------

def lead_of(database, event_id: int) -> dict:
    return db.one(database, """SELECT u.* FROM users u JOIN event_assessors a ON a.user_id = u.id
                               WHERE a.event_id = ? AND a.is_lead = 1""", (event_id,))


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_integrasi_meeting_shows_the_potensi_read_only(demo_db, who):
    actor = user(demo_db, "admin") if who == "admin" else lead_of(demo_db, PEMETAAN)
    at = on_event(open_page(demo_db, actor, INTEGRASI), PEMETAAN)
    at = at.segmented_control(key="integrasi_view").set_value("meeting").run()
    reg = at.selectbox(key="integrasi_pick").value
    candidate = db.one(demo_db, "SELECT candidate_id FROM registrations WHERE id = ?", (reg,))["candidate_id"]
    potensi = talent_store.potensi_of(demo_db, candidate)
    assert no_crash(at)
    table = table_named(at, t("talenta.col.uraian"))
    assert list(table[t("talenta.col.uraian")]) == [potensi[c]["uraian"] for c in talent.POTENSI_CODES]
    assert not [f for f in at.form if f.key and f.key.startswith("peserta_potensi")]


# Peserta: the talent forms -----------------------------------------------------------------------

def open_person(database, nip: str):
    """Peserta, searched by NIP, the one row picked (as a click in the browser would)."""
    at = open_page(database, user(database, "admin"), KANDIDAT)
    at = at.text_input(key="kandidat_q").set_value(nip).run()
    at.session_state[f"kandidat_table_{nip}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    return at.run()


def test_peserta_potensi_form_writes_and_audits(demo_db):
    person = gap_person(demo_db, "potensi")
    at = open_person(demo_db, person["nip"])
    assert no_crash(at)
    form = at.form(key=f"peserta_potensi_{person['candidate_id']}")
    for code in talent.POTENSI_CODES:
        form.selectbox(key=f"pp_{person['candidate_id']}_{code}").set_value(4)
    form.text_input(key=f"pu_{person['candidate_id']}_P.01").set_value("Menalar runtut.")
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    stored = talent_store.potensi_of(demo_db, person["candidate_id"])
    assert {c: v["level"] for c, v in stored.items()} == dict.fromkeys(talent.POTENSI_CODES, 4)
    assert stored["P.01"]["uraian"] == "Menalar runtut."
    assert audit.entries(demo_db, "potensi")[0]["entity_id"] == str(person["candidate_id"])


def person_form(database, gap: str, form: str):
    """The demo person lacking ``gap``, opened on Peserta, and one of the talent forms (potensi, skp, rekam)."""
    person = gap_person(database, gap)
    return person, open_person(database, person["nip"]).form(key=f"peserta_{form}_{person['candidate_id']}")


def test_peserta_uraian_without_level_is_refused_and_writes_nothing(demo_db):
    person, form = person_form(demo_db, "potensi", "potensi")
    form.text_input(key=f"pu_{person['candidate_id']}_P.02").set_value("Tanpa level.")
    at = form.form_submit_button[0].click().run()
    assert t("talent.potensi.uraian_without_level", aspect="P.02") in texts(at.error)
    assert talent_store.potensi_of(demo_db, person["candidate_id"]) == {}


def test_peserta_skp_form_writes_one_year(demo_db):
    person, form = person_form(demo_db, "skp", "skp")
    form.number_input[0].set_value(2025)
    form.selectbox[0].set_value("sangat_baik")
    assert no_crash(form.form_submit_button[0].click().run())
    assert talent_store.skp_of(demo_db, person["candidate_id"]) == {2025: "sangat_baik"}


def test_peserta_rekam_jejak_needs_a_date_for_a_hukuman(demo_db):
    person, form = person_form(demo_db, "rekam_jejak", "rekam")
    form.selectbox(key=f"pr_huk_{person['candidate_id']}").set_value("ringan")
    at = form.form_submit_button[0].click().run()
    assert t("talent.rekam.hukdis_needs_date") in texts(at.error)
    assert talent_store.rekam_jejak_of(demo_db, person["candidate_id"]) is None


# Kegiatan and Pengaturan: the scheme ------------------------------------------------------------

def test_kegiatan_chooses_the_scheme_of_a_pemetaan(demo_db):
    at = open_page(demo_db, user(demo_db, "admin"), KEGIATAN)
    at = at.selectbox(key="kegiatan_edit_id").set_value(PEMETAAN).run()
    form = at.form(key=f"kegiatan_scheme_{PEMETAAN}")
    jpm_only = next(s for s in talent_store.list_schemes(demo_db) if s["key"] == "jpm_saja")
    form.selectbox[0].set_value(jpm_only["id"])
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    assert talent_store.event_scheme(demo_db, PEMETAAN)["key"] == "jpm_saja"
    assert audit.entries(demo_db, "event_talent_scheme")[0]["entity_id"] == str(PEMETAAN)


def test_kegiatan_offers_no_scheme_for_a_seleksi(demo_db):
    at = open_page(demo_db, user(demo_db, "admin"), KEGIATAN)
    at = at.selectbox(key="kegiatan_edit_id").set_value(SELEKSI).run()
    assert not [f for f in at.form if f.key == f"kegiatan_scheme_{SELEKSI}"]


def scheme_form(database):
    at = open_page(database, user(database, "admin"), PENGATURAN)
    terpadu = next(s for s in talent_store.list_schemes(database) if s["key"] == "terpadu")
    at = at.selectbox(key="pengaturan_scheme").set_value(terpadu["id"]).run()
    return at, terpadu, at.form(key=f"pengaturan_scheme_{terpadu['id']}_{terpadu['version']}")


def test_pengaturan_refuses_weights_that_do_not_sum_to_100(demo_db):
    at, terpadu, form = scheme_form(demo_db)
    [potensi] = [n for n in form.number_input if n.label == talent_views.component_name("potensi")]
    potensi.set_value(30.0)
    at = form.form_submit_button[0].click().run()
    assert t("talent.scheme.weights_sum", total="105") in texts(at.error)
    assert talent_store.get_scheme(demo_db, terpadu["id"])["version"] == terpadu["version"]


def test_pengaturan_saves_a_scheme_and_audits_the_old_one(demo_db):
    at, terpadu, form = scheme_form(demo_db)
    by_label = {n.label: n for n in form.number_input}
    by_label[talent_views.component_name("potensi")].set_value(30.0)
    by_label[talent_views.component_name("integritas")].set_value(10.0)
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    saved = talent_store.get_scheme(demo_db, terpadu["id"])
    assert (saved["definition"]["weights"]["potensi"], saved["version"]) == (30.0, terpadu["version"] + 1)
    entry = audit.entries(demo_db, "talent_scheme")[0]
    assert '"potensi": 25' in entry["old_value"] and entry["entity_id"] == str(terpadu["id"])


# Laporan: the SIASN export ----------------------------------------------------------------------

def test_laporan_offers_the_siasn_files_to_the_admin(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "admin"), LAPORAN), PEMETAAN)
    at = at.segmented_control(key="laporan_view").set_value("siasn").run()
    at = at.button(key=f"make_siasn_json_{PEMETAAN}").click().run()
    assert no_crash(at)
    made = at.session_state[f"file_siasn_json_{PEMETAAN}"]
    assert made[1].endswith(".json") and b'"baris"' in made[0]


def test_laporan_has_no_siasn_view_for_the_pimpinan(demo_db):
    at = on_event(open_page(demo_db, user(demo_db, "pimpinan.sekda"), LAPORAN), PEMETAAN)
    assert "siasn" not in at.segmented_control(key="laporan_view").options


def test_talent_views_rows_are_strings_a_table_can_escape():
    row = {"participant_no": "001", "name": "A *b*", "position_name": "P", "jpm": 88.888, "potential_index": 79.995,
           "potential": "tinggi", "performance": "sesuai", "skp_used": {2025: "baik"},
           "components": {"potensi": 75.0}}
    [shown] = talent_views.person_rows([row], {"baik": "Baik"})
    assert shown["JPM"] == "88,89%" and shown[t("talenta.col.index")] == "80,00" and shown["SKP"] == "2025: Baik"
