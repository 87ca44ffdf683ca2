"""The Pansel of a seleksi terbuka (SPEC §6.3): its record, its members and the numbering of its papers."""

from __future__ import annotations

import datetime as dt

import pytest

from core import audit, pansel, registry
from core.db import one, rows
from core.errors import Conflict, PermissionDenied, ValidationError

NIPS = ("197001012000031001", "197102022000032002", "197203032000031003")
FIELDS = {"heading": "PANITIA SELEKSI TERBUKA JABATAN PIMPINAN TINGGI PRATAMA PEMERINTAH KOTA UJI",
          "sk_number": "800.1.3.3/412/BKPSDM/2026", "sk_date": "2026-10-01", "ppk": "Wali Kota Uji",
          "number_format": pansel.DEFAULT_NUMBER_FORMAT}


@pytest.fixture
def seleksi(fresh_db, admin):
    """An empty seleksi terbuka (purpose pengisian)."""
    return registry.create_event(fresh_db, admin, "Seleksi Uji", "pengisian", "2026-11-16", "2026-11-20")


def members(*roles: str) -> list[dict]:
    return [{"name": f"Anggota {i}", "nip": "", "role": role} for i, role in enumerate(roles, start=1)]


def count(database, table: str) -> int:
    return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# The record ------------------------------------------------------------------------------------

def test_a_fresh_database_has_the_pansel_tables(fresh_db):
    assert {"pansel", "pansel_members", "pansel_papers"} <= set(fresh_db.table_names())


def test_save_records_the_pansel_and_audits_the_old_value(fresh_db, admin, seleksi):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS | {"sk_number": "800/2/2026"})
    assert pansel.get_pansel(fresh_db, seleksi)["sk_number"] == "800/2/2026"
    entries = [e for e in audit.entries(fresh_db, "pansel")]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert '"sk_number": "800.1.3.3/412/BKPSDM/2026"' in entries[0]["old_value"]
    assert entries[1]["old_value"] is None


def test_a_pemetaan_has_no_pansel(fresh_db, admin):
    event = registry.create_event(fresh_db, admin, "Pemetaan Uji", "pemetaan", "2026-11-16", "2026-11-20")
    with pytest.raises(Conflict) as err:
        pansel.save_pansel(fresh_db, admin, event, FIELDS)
    assert "seleksi terbuka" in str(err.value)
    assert count(fresh_db, "pansel") == 0


@pytest.mark.parametrize(("field", "value", "key"), [
    ("heading", "", "form.required"), ("heading", "   ", "form.required"), ("heading", "P" * 300, None),
    ("heading", "P" * 301, "form.too_long"), ("sk_number", "", "form.required"), ("ppk", "", "form.required"),
    ("sk_date", "2026-02-30", "form.bad_date"), ("sk_date", "01/10/2026", "form.bad_date"),
    ("number_format", "800/Pansel/{year}", "pansel.bad_format"),
    ("number_format", "{seq}/{tahun}", "pansel.bad_format"),
    ("number_format", "{seq}/{month_roman}/{year}", None), ("number_format", "{seq:03d}", None),
])
def test_pansel_fields_boundaries(fresh_db, admin, seleksi, field, value, key):
    if key is None:
        pansel.save_pansel(fresh_db, admin, seleksi, FIELDS | {field: value})
        assert pansel.get_pansel(fresh_db, seleksi)[field] == value
        return
    with pytest.raises(ValidationError) as err:
        pansel.save_pansel(fresh_db, admin, seleksi, FIELDS | {field: value})
    assert err.value.key == key
    assert count(fresh_db, "pansel") == 0


@pytest.mark.parametrize("username", ["pimpinan", "asesor"])
def test_only_the_admin_records_the_pansel(fresh_db, admin, seleksi, request, username):
    actor = request.getfixturevalue(username)
    with pytest.raises(PermissionDenied):
        pansel.save_pansel(fresh_db, actor, seleksi, FIELDS)
    with pytest.raises(PermissionDenied):
        pansel.set_members(fresh_db, actor, seleksi, members("ketua"))
    assert count(fresh_db, "pansel") == count(fresh_db, "pansel_members") == 0


# Members ---------------------------------------------------------------------------------------

def test_members_keep_their_order_and_are_audited(fresh_db, admin, seleksi):
    given = [{"name": " Dr.  Ketua Uji ", "nip": NIPS[0], "role": "Ketua"},
             {"name": "Sekretaris Uji", "nip": "", "role": "sekretaris"},
             {"name": "Anggota Uji", "nip": f"'{NIPS[1]}", "role": "anggota"}]
    pansel.set_members(fresh_db, admin, seleksi, given)
    assert pansel.list_members(fresh_db, seleksi) == [
        {"name": "Dr. Ketua Uji", "nip": NIPS[0], "role": "ketua"},
        {"name": "Sekretaris Uji", "nip": "", "role": "sekretaris"},
        {"name": "Anggota Uji", "nip": NIPS[1], "role": "anggota"}]
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    entry = audit.entries(fresh_db, "pansel_members")[0]
    assert "Dr. Ketua Uji" in entry["old_value"] and "Anggota 1" in entry["new_value"]


def test_saving_the_same_members_again_writes_nothing(fresh_db, admin, seleksi):
    pansel.set_members(fresh_db, admin, seleksi, members("ketua", "anggota"))
    pansel.set_members(fresh_db, admin, seleksi, members("ketua", "anggota"))
    assert len(audit.entries(fresh_db, "pansel_members")) == 1


@pytest.mark.parametrize(("roles", "key"), [
    ((), "pansel.no_members"),
    (("anggota", "anggota"), "pansel.one_ketua"),
    (("ketua", "ketua"), "pansel.one_ketua"),
    (("ketua", "sekretaris", "sekretaris"), "pansel.one_sekretaris"),
    (("ketua", "bendahara"), "pansel.bad_role"),
    (("ketua",) + ("anggota",) * pansel.MAX_MEMBERS, "pansel.too_many"),
])
def test_member_lists_a_pansel_cannot_have(fresh_db, admin, seleksi, roles, key):
    with pytest.raises(ValidationError) as err:
        pansel.set_members(fresh_db, admin, seleksi, members(*roles))
    assert err.value.key == key
    assert count(fresh_db, "pansel_members") == 0


@pytest.mark.parametrize("roles", [("ketua",), ("ketua", "sekretaris"), ("anggota", "ketua", "sekretaris"),
                                   ("ketua",) + ("anggota",) * (pansel.MAX_MEMBERS - 1)])
def test_member_lists_a_pansel_may_have(fresh_db, admin, seleksi, roles):
    pansel.set_members(fresh_db, admin, seleksi, members(*roles))
    assert [m["role"] for m in pansel.list_members(fresh_db, seleksi)] == list(roles)


@pytest.mark.parametrize(("member", "message"), [
    ({"name": "", "nip": "", "role": "anggota"}, "baris 2"),
    ({"name": "Anggota Dua", "nip": "12345", "role": "anggota"}, "NIP"),
    ({"name": "Anggota Dua", "nip": NIPS[0], "role": "anggota"}, "lebih dari sekali"),
])
def test_a_bad_member_row_is_named_and_nothing_changes(fresh_db, admin, seleksi, member, message):
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    with pytest.raises(ValidationError) as err:
        pansel.set_members(fresh_db, admin, seleksi, [{"name": "Ketua", "nip": NIPS[0], "role": "ketua"}, member])
    assert message in str(err.value)
    assert pansel.list_members(fresh_db, seleksi) == members("ketua")


# Numbering of the papers -----------------------------------------------------------------------

def issue(database, actor, event_id, day="2026-11-27", place="Ruang Rapat"):
    return pansel.record_paper(database, actor, event_id, "berita_acara", None, (day, place),
                               lambda row, number, d, p: {"number": number, "heading": row["heading"]})


def test_papers_are_numbered_in_the_pansel_format_with_the_month_of_the_meeting(fresh_db, admin, seleksi):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    first, second = issue(fresh_db, admin, seleksi), issue(fresh_db, admin, seleksi, day="2026-12-01")
    assert first["number"] == "800/001/Pansel.JPT/XI/2026"
    assert second["number"] == "800/002/Pansel.JPT/XII/2026"
    assert pansel.get_paper(fresh_db, first["id"])["content"] == {"number": first["number"],
                                                                  "heading": FIELDS["heading"]}
    assert [e["action"] for e in audit.entries(fresh_db, "pansel_paper")] == ["issue", "issue"]


@pytest.mark.parametrize(("day", "place"), [("", "Ruang Rapat"), ("27-11-2026", "Ruang Rapat"), ("2026-11-27", " ")])
def test_a_paper_needs_a_meeting_date_and_place(fresh_db, admin, seleksi, day, place):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    with pytest.raises(ValidationError):
        issue(fresh_db, admin, seleksi, day, place)
    assert count(fresh_db, "pansel_papers") == 0


def test_no_paper_before_the_pansel_and_its_ketua_are_recorded(fresh_db, admin, seleksi):
    with pytest.raises(Conflict) as err:
        issue(fresh_db, admin, seleksi)
    assert "Kegiatan" in str(err.value)
    assert rows(fresh_db, "SELECT * FROM pansel_papers") == []
    assert one(fresh_db, "SELECT count(*) AS n FROM audit_log WHERE entity = 'pansel_paper'")["n"] == 0


def test_a_missing_meeting_date_is_called_required_not_invalid(fresh_db, admin, seleksi):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    for missing in (None, "", "  "):
        with pytest.raises(ValidationError) as err:
            issue(fresh_db, admin, seleksi, missing)
        assert err.value.key == "pansel.meeting_date_missing" and "wajib" in str(err.value)
    assert count(fresh_db, "pansel_papers") == 0


# The meeting's date: after the assessment and the SK, not after today ---------------------------

END, SK_DATE, TODAY = "2026-11-20", "2026-10-01", dt.date(2026, 12, 2)


@pytest.mark.parametrize(("day", "key"), [
    ("2026-11-20", None),  # the last assessment day: the Pansel may meet once the last exercise is done
    ("2026-11-19", "pansel.meeting_before_end"),
    ("2026-12-02", None),  # today: the meeting just held
    ("2026-12-03", "pansel.meeting_in_future"),
    ("2027-11-27", "pansel.meeting_in_future"),
    ("2026-09-01", "pansel.meeting_before_sk"),  # before the SK and before the assessment: the SK is named
])
def test_meeting_date_boundaries(day, key):
    if key is None:
        pansel.check_meeting_date(day, assessment_end=END, sk_date=SK_DATE, today=TODAY)
        return
    with pytest.raises(ValidationError) as err:
        pansel.check_meeting_date(day, assessment_end=END, sk_date=SK_DATE, today=TODAY)
    assert err.value.key == key


@pytest.mark.parametrize(("day", "key"), [("2026-11-09", "pansel.meeting_before_sk"), ("2026-11-10", None)])
def test_a_meeting_on_the_sk_day_is_allowed_one_before_it_is_not(day, key):
    """An SK signed after the assessment ended: the Pansel exists from the SK's own day."""
    if key is None:
        pansel.check_meeting_date(day, assessment_end="2026-11-06", sk_date="2026-11-10", today=TODAY)
        return
    with pytest.raises(ValidationError) as err:
        pansel.check_meeting_date(day, assessment_end="2026-11-06", sk_date="2026-11-10", today=TODAY)
    assert err.value.key == key


def test_the_refusal_names_both_dates_in_indonesian():
    with pytest.raises(ValidationError) as err:
        pansel.check_meeting_date("2026-09-01", assessment_end=END, sk_date="2026-10-01", today=TODAY)
    assert str(err.value) == ("Tanggal 1 September 2026 mendahului Keputusan pembentukan Pansel tanggal 1 Oktober 2026:"
                              " Pansel belum terbentuk pada hari itu.")


@pytest.mark.parametrize(("day", "key"), [("2026-11-19", "pansel.meeting_before_end"),
                                          ("2026-09-01", "pansel.meeting_before_sk"),
                                          ((dt.date.today() + dt.timedelta(days=2)).isoformat(),
                                           "pansel.meeting_in_future")])
def test_issuing_checks_the_meeting_date_and_a_refusal_writes_nothing(fresh_db, admin, seleksi, day, key):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    with pytest.raises(ValidationError) as err:
        issue(fresh_db, admin, seleksi, day)
    assert err.value.key == key
    assert count(fresh_db, "pansel_papers") == 0 and audit.entries(fresh_db, "pansel_paper") == []
    assert issue(fresh_db, admin, seleksi, "2026-11-20")["number"] == "800/001/Pansel.JPT/XI/2026"  # no gap


def test_find_paper_is_the_newest_paper_of_the_same_meeting(fresh_db, admin, seleksi):
    pansel.save_pansel(fresh_db, admin, seleksi, FIELDS)
    pansel.set_members(fresh_db, admin, seleksi, members("ketua"))
    assert pansel.find_paper(fresh_db, seleksi, "berita_acara", None, ("2026-11-27", "Ruang Rapat")) is None
    issue(fresh_db, admin, seleksi)
    newest = issue(fresh_db, admin, seleksi)
    issue(fresh_db, admin, seleksi, place="Aula")
    found = pansel.find_paper(fresh_db, seleksi, "berita_acara", None, (dt.date(2026, 11, 27), " Ruang Rapat "))
    assert found["id"] == newest["id"]
    assert pansel.find_paper(fresh_db, seleksi, "pengantar", None, ("2026-11-27", "Ruang Rapat")) is None
    assert pansel.find_paper(fresh_db, seleksi, "berita_acara", None, ("2026-11-26", "Ruang Rapat")) is None
