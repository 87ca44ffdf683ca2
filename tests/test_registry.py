"""The registry: events, positions and standards, candidates, registrations, import (SPEC §2 step 1)."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from core import audit, registry
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.importer import COLUMNS

NIP_BUDI = "197501012000031001"   # born 1975-01-01, TMT 2000-03, male
NIP_SITI = "198203152006042003"   # born 1982-03-15, TMT 2006-04, female
NIP_DEDI = "196812311995121002"   # born 1968-12-31, TMT 1995-12, male
COMPETENCIES = ["M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01"]
HEADER = [column.header for column in COLUMNS]




def error_key(call, *args, error=Exception, **kwargs) -> str:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value.key


def count(database, table: str) -> int:
    return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def set_state(database, event_id: int, state: str) -> None:
    database.execute("UPDATE events SET state = ? WHERE id = ?", (state, event_id))


def last_audit(database, entity: str) -> dict:
    entry = audit.entries(database, entity, limit=1)[0]
    return entry | {"old": json.loads(entry["old_value"] or "null"), "new": json.loads(entry["new_value"] or "null")}


def add_candidate(database, actor, nip=NIP_BUDI, name="Budi Santoso, S.Kom.", **fields) -> int:
    return registry.create_candidate(database, actor, nip, name, **fields)


@pytest.fixture
def event_id(fresh_db, admin):
    return registry.create_event(fresh_db, admin, "Seleksi Terbuka JPT Pratama 2026", "pengisian",
                                 "2026-11-16", "2026-11-20", "Gedung AC", "BKPSDM")


@pytest.fixture
def other_event_id(fresh_db, admin):
    return registry.create_event(fresh_db, admin, "Pemetaan 2026", "pemetaan", "2026-12-01", "2026-12-03")


@pytest.fixture
def position_id(fresh_db, admin, event_id):
    return registry.create_position(fresh_db, admin, event_id, "Kepala Dinas Pendidikan", "Dinas Pendidikan",
                                    "jpt_pratama")


@pytest.fixture
def candidate_id(fresh_db, admin):
    return add_candidate(fresh_db, admin, current_unit="Bappeda", current_position="Sekretaris")


@pytest.fixture
def registration_id(fresh_db, admin, event_id, position_id, candidate_id):
    return registry.register(fresh_db, admin, event_id, candidate_id, position_id)


@pytest.fixture
def ids(event_id, position_id, candidate_id, registration_id) -> dict:
    """Every kind of record once: an event, a position, a candidate and their registration."""
    return {"event": event_id, "position": position_id, "candidate": candidate_id, "registration": registration_id}


# Events ----------------------------------------------------------------------------------------

def test_create_event_starts_in_persiapan(fresh_db, event_id):
    assert registry.get_event(fresh_db, event_id)["state"] == "persiapan"


def test_create_event_is_audited(fresh_db, event_id):
    entry = last_audit(fresh_db, "event")
    assert (entry["action"], entry["entity_id"], entry["new"]["name"]) == \
        ("create", str(event_id), "Seleksi Terbuka JPT Pratama 2026")


def test_create_event_accepts_dates(fresh_db, admin):
    event_id = registry.create_event(fresh_db, admin, "Acara", "pemetaan", dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    assert registry.get_event(fresh_db, event_id)["start_date"] == "2026-01-05"


def test_create_event_collapses_spaces_in_the_name(fresh_db, admin):
    event_id = registry.create_event(fresh_db, admin, "  Seleksi   Terbuka ", "pengisian", "2026-01-05", "2026-01-06")
    assert registry.get_event(fresh_db, event_id)["name"] == "Seleksi Terbuka"


@pytest.mark.parametrize("name, purpose, start, end, key", [
    ("", "pengisian", "2026-11-16", "2026-11-20", "form.required"),
    ("   ", "pengisian", "2026-11-16", "2026-11-20", "form.required"),
    ("x" * 301, "pengisian", "2026-11-16", "2026-11-20", "form.too_long"),
    ("Seleksi", "seleksi", "2026-11-16", "2026-11-20", "event.bad_purpose"),
    ("Seleksi", "", "2026-11-16", "2026-11-20", "event.bad_purpose"),
    ("Seleksi", "pengisian", "2026-11-20", "2026-11-16", "event.end_before_start"),
    ("Seleksi", "pengisian", "besok", "2026-11-16", "form.bad_date"),
    ("Seleksi", "pengisian", "2026-11-16", "2026-02-30", "form.bad_date"),
])
def test_create_event_validation_writes_nothing(fresh_db, admin, name, purpose, start, end, key):
    audit_before = count(fresh_db, "audit_log")
    assert error_key(registry.create_event, fresh_db, admin, name, purpose, start, end, error=ValidationError) == key
    assert (count(fresh_db, "events"), count(fresh_db, "audit_log")) == (0, audit_before)


def test_update_event_changes_fields(fresh_db, admin, event_id):
    registry.update_event(fresh_db, admin, event_id, "Nama Baru", "pemetaan", "2026-11-17", "2026-11-21")
    event = registry.get_event(fresh_db, event_id)
    assert (event["name"], event["purpose"], event["end_date"]) == ("Nama Baru", "pemetaan", "2026-11-21")


def test_update_event_audits_old_and_new(fresh_db, admin, event_id):
    registry.update_event(fresh_db, admin, event_id, "Nama Baru", "pengisian", "2026-11-16", "2026-11-20")
    entry = last_audit(fresh_db, "event")
    assert (entry["old"]["name"], entry["new"]["name"]) == ("Seleksi Terbuka JPT Pratama 2026", "Nama Baru")


@pytest.mark.parametrize("state", ["penilaian", "integrasi", "final"])
def test_update_event_purpose_locked_after_persiapan(fresh_db, admin, event_id, state):
    set_state(fresh_db, event_id, state)
    key = error_key(registry.update_event, fresh_db, admin, event_id, "Seleksi", "pemetaan",
                    "2026-11-16", "2026-11-20", error=Conflict)
    assert (key, registry.get_event(fresh_db, event_id)["purpose"]) == ("event.purpose_locked", "pengisian")


def test_update_event_other_fields_allowed_after_persiapan(fresh_db, admin, event_id):
    set_state(fresh_db, event_id, "penilaian")
    registry.update_event(fresh_db, admin, event_id, "Nama Baru", "pengisian", "2026-11-16", "2026-11-20")
    assert registry.get_event(fresh_db, event_id)["name"] == "Nama Baru"


def test_archived_event_cannot_be_edited(fresh_db, admin, event_id):
    set_state(fresh_db, event_id, "arsip")
    assert error_key(registry.update_event, fresh_db, admin, event_id, "Nama Baru", "pengisian",
                     "2026-11-16", "2026-11-20", error=Conflict) == "event.archived"


def test_update_unknown_event(fresh_db, admin):
    assert error_key(registry.update_event, fresh_db, admin, 999, "Nama", "pengisian", "2026-11-16", "2026-11-20",
                     error=NotFound) == "event.not_found"


def test_list_events_counts_positions_and_candidates(fresh_db, ids):
    event = next(e for e in registry.list_events(fresh_db) if e["id"] == ids["event"])
    assert (event["n_positions"], event["n_candidates"]) == (1, 1)


# Positions and standards -----------------------------------------------------------------------

@pytest.mark.parametrize("job_class, manajerial, sosial_kultural", [
    ("jpt_madya", 5, 5),
    ("jpt_pratama", 4, 4),
    ("administrator", 3, 3),
    ("pengawas", 2, 2),
    ("pelaksana", 1, 1),
])
def test_position_gets_the_job_class_default_standard(fresh_db, admin, event_id, job_class, manajerial,
                                                      sosial_kultural):
    position_id = registry.create_position(fresh_db, admin, event_id, "Jabatan", "", job_class)
    expected = {c: manajerial for c in COMPETENCIES[:8]} | {"SK.01": sosial_kultural}
    assert registry.get_standard(fresh_db, position_id) == expected


def test_standard_is_in_dictionary_order(fresh_db, position_id):
    assert list(registry.get_standard(fresh_db, position_id)) == COMPETENCIES


def test_unknown_job_class_is_refused(fresh_db, admin, event_id):
    assert error_key(registry.create_position, fresh_db, admin, event_id, "Jabatan", "", "raja",
                     error=ValidationError) == "position.bad_job_class"


def test_position_name_is_required(fresh_db, admin, event_id):
    assert error_key(registry.create_position, fresh_db, admin, event_id, " ", "", "jpt_pratama",
                     error=ValidationError) == "form.required"


@pytest.mark.parametrize("name", ["Kepala Dinas Pendidikan", "KEPALA DINAS PENDIDIKAN", " kepala dinas  pendidikan "])
def test_duplicate_position_name_is_refused(fresh_db, admin, event_id, position_id, name):
    key = error_key(registry.create_position, fresh_db, admin, event_id, name, "", "pengawas", error=Conflict)
    assert (key, count(fresh_db, "positions")) == ("position.duplicate", 1)


def test_same_position_name_in_another_event_is_fine(fresh_db, admin, position_id, other_event_id):
    registry.create_position(fresh_db, admin, other_event_id, "Kepala Dinas Pendidikan", "", "jpt_pratama")
    assert count(fresh_db, "positions") == 2


def test_update_position_to_a_taken_name_is_refused(fresh_db, admin, event_id, position_id):
    other = registry.create_position(fresh_db, admin, event_id, "Kepala Dinas Kesehatan", "", "jpt_pratama")
    assert error_key(registry.update_position, fresh_db, admin, other, "kepala dinas pendidikan", "", "jpt_pratama",
                     error=Conflict) == "position.duplicate"


def test_update_position_may_keep_its_own_name(fresh_db, admin, position_id):
    registry.update_position(fresh_db, admin, position_id, "Kepala Dinas Pendidikan", "Disdik", "jpt_pratama")
    assert registry.get_position(fresh_db, position_id)["unit"] == "Disdik"


def test_positions_are_listed_in_creation_order(fresh_db, admin, event_id, position_id):
    registry.create_position(fresh_db, admin, event_id, "Asisten Pemerintahan", "", "jpt_pratama")
    names = [p["name"] for p in registry.list_positions(fresh_db, event_id)]
    assert names == ["Kepala Dinas Pendidikan", "Asisten Pemerintahan"]


@pytest.mark.parametrize("standard, key", [
    ({"M.01": 0}, "position.bad_level"),
    ({"M.01": 6}, "position.bad_level"),
    ({"M.01": -1}, "position.bad_level"),
    ({"M.01": "3"}, "position.bad_level"),
    ({"M.01": 3.5}, "position.bad_level"),
    ({"M.99": 3}, "position.bad_standard"),
    ({}, "position.bad_standard"),
])
def test_set_standard_validation(fresh_db, admin, position_id, standard, key):
    before = registry.get_standard(fresh_db, position_id)
    assert error_key(registry.set_standard, fresh_db, admin, position_id, standard, error=ValidationError) == key
    assert registry.get_standard(fresh_db, position_id) == before


def test_set_standard_overrides(fresh_db, admin, position_id):
    new = {c: 3 for c in COMPETENCIES} | {"M.01": 5}
    registry.set_standard(fresh_db, admin, position_id, new)
    assert registry.get_standard(fresh_db, position_id) == new


def test_set_standard_is_audited_with_old_new_and_reason(fresh_db, admin, position_id):
    old = registry.get_standard(fresh_db, position_id)
    new = old | {"M.01": 5}
    registry.set_standard(fresh_db, admin, position_id, new, reason="SKJ Pemkot")
    entry = last_audit(fresh_db, "position_standard")
    assert (entry["old"], entry["new"], entry["reason"], entry["entity_id"]) == \
        (old, new, "SKJ Pemkot", str(position_id))


@pytest.mark.parametrize("state", ["penilaian", "integrasi", "final", "arsip"])
def test_standard_frozen_outside_persiapan(fresh_db, admin, event_id, position_id, state):
    set_state(fresh_db, event_id, state)
    before = registry.get_standard(fresh_db, position_id)
    assert error_key(registry.set_standard, fresh_db, admin, position_id, before | {"M.01": 5},
                     error=Conflict) == "event.wrong_state"
    assert registry.get_standard(fresh_db, position_id) == before


FROZEN_WRITES = {
    "create_position": lambda d, a, i: registry.create_position(d, a, i["event"], "Baru", "", "pengawas"),
    "update_position": lambda d, a, i: registry.update_position(d, a, i["position"], "Nama Lain", "", "pengawas"),
    "delete_position": lambda d, a, i: registry.delete_position(d, a, i["position"]),
    "set_standard": lambda d, a, i: registry.set_standard(d, a, i["position"], {c: 2 for c in COMPETENCIES}),
    "register": lambda d, a, i: registry.register(d, a, i["event"], i["spare_candidate"], i["position"]),
    "unregister": lambda d, a, i: registry.unregister(d, a, i["registration"]),
}


@pytest.mark.parametrize("write", FROZEN_WRITES.values(), ids=FROZEN_WRITES.keys())
def test_setup_is_frozen_once_rating_starts(fresh_db, admin, ids, write):
    ids = ids | {"spare_candidate": add_candidate(fresh_db, admin, NIP_SITI, "Siti")}
    set_state(fresh_db, ids["event"], "penilaian")
    audit_before = count(fresh_db, "audit_log")
    assert error_key(write, fresh_db, admin, ids, error=Conflict) == "event.wrong_state"
    assert count(fresh_db, "audit_log") == audit_before


def test_delete_position_refused_with_registrations(fresh_db, admin, ids):
    key = error_key(registry.delete_position, fresh_db, admin, ids["position"], error=Conflict)
    assert (key, count(fresh_db, "positions")) == ("position.has_candidates", 1)


def test_delete_position_removes_its_standard(fresh_db, admin, position_id):
    registry.delete_position(fresh_db, admin, position_id)
    assert (count(fresh_db, "positions"), count(fresh_db, "position_standards")) == (0, 0)


def test_delete_position_is_audited(fresh_db, admin, position_id):
    registry.delete_position(fresh_db, admin, position_id)
    entry = last_audit(fresh_db, "position")
    assert (entry["action"], entry["old"]["name"]) == ("delete", "Kepala Dinas Pendidikan")


# Candidates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("nip, birth_date, gender, tmt_cpns", [
    (NIP_BUDI, "1975-01-01", "L", "2000-03"),
    (NIP_SITI, "1982-03-15", "P", "2006-04"),
    (NIP_DEDI, "1968-12-31", "L", "1995-12"),
])
def test_create_candidate_derives_from_the_nip(fresh_db, admin, nip, birth_date, gender, tmt_cpns):
    candidate = registry.get_candidate(fresh_db, add_candidate(fresh_db, admin, nip))
    assert (candidate["birth_date"], candidate["gender"], candidate["tmt_cpns"]) == (birth_date, gender, tmt_cpns)


def test_nip_with_separators_is_stored_as_18_digits(fresh_db, admin):
    candidate_id = add_candidate(fresh_db, admin, "19750101 200003 1 001")
    assert registry.get_candidate(fresh_db, candidate_id)["nip"] == NIP_BUDI


@pytest.mark.parametrize("nip, key", [
    ("", "nip.empty"),
    ("19750101200003100", "nip.length"),
    ("197513012000031001", "nip.birth_date_invalid"),
    ("197501012000033001", "nip.gender_invalid"),
    (197501012000031001, "nip.spreadsheet_number"),
    ("1.97501E+17", "nip.spreadsheet_number"),
])
def test_invalid_nip_writes_nothing(fresh_db, admin, nip, key):
    assert error_key(add_candidate, fresh_db, admin, nip, error=ValidationError) == key
    assert count(fresh_db, "candidates") == 0


@pytest.mark.parametrize("fields, key", [
    ({"name": " "}, "form.required"),
    ({"golongan": "V/a"}, "candidate.bad_golongan"),
    ({"email": "bukan-email"}, "form.bad_email"),
    ({"phone": "telepon"}, "form.bad_phone"),
])
def test_candidate_field_validation(fresh_db, admin, fields, key):
    assert error_key(add_candidate, fresh_db, admin, **({"nip": NIP_BUDI} | fields), error=ValidationError) == key


@pytest.mark.parametrize("nip", [NIP_BUDI, "19750101 200003 1 001"])
def test_duplicate_nip_is_refused(fresh_db, admin, candidate_id, nip):
    key = error_key(add_candidate, fresh_db, admin, nip, "Orang Lain", error=Conflict)
    assert (key, count(fresh_db, "candidates")) == ("candidate.duplicate_nip", 1)


def test_update_candidate_to_a_taken_nip_is_refused(fresh_db, admin, candidate_id):
    other = add_candidate(fresh_db, admin, NIP_SITI, "Siti")
    assert error_key(registry.update_candidate, fresh_db, admin, other, NIP_BUDI, "Siti",
                     error=Conflict) == "candidate.duplicate_nip"


def test_update_candidate_audits_only_changed_fields(fresh_db, admin, candidate_id):
    registry.update_candidate(fresh_db, admin, candidate_id, NIP_BUDI, "Budi Santoso, S.Kom., M.T.", None,
                              "Sekretaris", "Bappeda", "", "0812-1111-2222")
    entry = last_audit(fresh_db, "candidate")
    assert (entry["action"], entry["old"], entry["new"]) == (
        "update",
        {"name": "Budi Santoso, S.Kom.", "phone": ""},
        {"name": "Budi Santoso, S.Kom., M.T.", "phone": "0812-1111-2222"})


def test_update_candidate_rederives_from_a_new_nip(fresh_db, admin, candidate_id):
    registry.update_candidate(fresh_db, admin, candidate_id, NIP_SITI, "Budi Santoso, S.Kom.", None,
                              "Sekretaris", "Bappeda")
    candidate = registry.get_candidate(fresh_db, candidate_id)
    assert (candidate["nip"], candidate["birth_date"], candidate["gender"]) == (NIP_SITI, "1982-03-15", "P")


def test_update_candidate_without_change_writes_no_audit(fresh_db, admin, candidate_id):
    before = count(fresh_db, "audit_log")
    registry.update_candidate(fresh_db, admin, candidate_id, NIP_BUDI, "Budi Santoso, S.Kom.", None,
                              "Sekretaris", "Bappeda")
    assert count(fresh_db, "audit_log") == before


def test_update_unknown_candidate(fresh_db, admin):
    assert error_key(registry.update_candidate, fresh_db, admin, 999, NIP_BUDI, "Budi",
                     error=NotFound) == "candidate.not_found"


@pytest.fixture
def three_candidates(fresh_db, admin):
    add_candidate(fresh_db, admin, NIP_BUDI, "Budi Santoso", current_unit="Dinas Pendidikan")
    add_candidate(fresh_db, admin, NIP_SITI, "Siti Rahmawati", current_unit="Bappeda")
    add_candidate(fresh_db, admin, NIP_DEDI, "Dedi Kurniawan", current_unit="Dinas Kesehatan",
                  current_position="Sekretaris Dinas")


@pytest.mark.parametrize("query, names", [
    ("budi", ["Budi Santoso"]),
    ("RAHMA", ["Siti Rahmawati"]),
    ("198203", ["Siti Rahmawati"]),
    (NIP_DEDI, ["Dedi Kurniawan"]),
    ("dinas", ["Budi Santoso", "Dedi Kurniawan"]),
    ("bappeda", ["Siti Rahmawati"]),
    ("sekretaris", ["Dedi Kurniawan"]),
    ("", ["Budi Santoso", "Dedi Kurniawan", "Siti Rahmawati"]),
    ("tidak ada", []),
])
def test_search_candidates(fresh_db, three_candidates, query, names):
    assert [c["name"] for c in registry.search_candidates(fresh_db, query)] == names


def test_search_shows_the_registration_in_the_event(fresh_db, ids):
    found = registry.search_candidates(fresh_db, "budi", ids["event"])[0]
    assert (found["participant_no"], found["position_name"]) == ("001", "Kepala Dinas Pendidikan")


def test_search_without_the_event_shows_no_registration(fresh_db, ids, other_event_id):
    assert registry.search_candidates(fresh_db, "budi", other_event_id)[0]["participant_no"] is None


# Registrations --------------------------------------------------------------------------------

def test_register_numbers_participants_in_order(fresh_db, admin, event_id, position_id):
    numbers = []
    for nip, name in [(NIP_BUDI, "Budi"), (NIP_SITI, "Siti"), (NIP_DEDI, "Dedi")]:
        registration_id = registry.register(fresh_db, admin, event_id, add_candidate(fresh_db, admin, nip, name),
                                            position_id)
        numbers.append(fresh_db.execute("SELECT participant_no FROM registrations WHERE id = ?",
                                        (registration_id,)).fetchone()[0])
    assert numbers == ["001", "002", "003"]


def test_register_keeps_a_given_number(fresh_db, admin, event_id, position_id, candidate_id):
    registry.register(fresh_db, admin, event_id, candidate_id, position_id, " JPT-007 ")
    assert registry.list_registrations(fresh_db, event_id)[0]["participant_no"] == "JPT-007"


def test_next_number_skips_taken_ones(fresh_db, admin, event_id, position_id, candidate_id):
    registry.register(fresh_db, admin, event_id, candidate_id, position_id, "001")
    registry.register(fresh_db, admin, event_id, add_candidate(fresh_db, admin, NIP_SITI, "Siti"), position_id, "002")
    assert registry.next_participant_no(fresh_db, event_id) == "003"


@pytest.mark.parametrize("taken", [["002"], ["001", "003"], ["002", "003"]])
def test_next_number_is_free_and_three_digits(fresh_db, admin, event_id, position_id, taken):
    for nip, number in zip([NIP_BUDI, NIP_SITI], taken, strict=False):
        registry.register(fresh_db, admin, event_id, add_candidate(fresh_db, admin, nip, "Nama"), position_id, number)
    number = registry.next_participant_no(fresh_db, event_id)
    assert (len(number), number.isdigit(), number in taken) == (3, True, False)


def test_numbers_are_per_event(fresh_db, admin, ids, other_event_id):
    assert registry.next_participant_no(fresh_db, other_event_id) == "001"


def test_duplicate_registration_is_refused(fresh_db, admin, ids):
    key = error_key(registry.register, fresh_db, admin, ids["event"], ids["candidate"], ids["position"],
                    error=Conflict)
    assert (key, count(fresh_db, "registrations")) == ("registration.duplicate", 1)


def test_duplicate_participant_number_is_refused(fresh_db, admin, ids):
    other = add_candidate(fresh_db, admin, NIP_SITI, "Siti")
    key = error_key(registry.register, fresh_db, admin, ids["event"], other, ids["position"], "001", error=Conflict)
    assert (key, count(fresh_db, "registrations")) == ("registration.duplicate_no", 1)


def test_position_of_another_event_is_refused(fresh_db, admin, event_id, other_event_id, candidate_id):
    foreign = registry.create_position(fresh_db, admin, other_event_id, "Kepala Bappeda", "", "jpt_pratama")
    key = error_key(registry.register, fresh_db, admin, event_id, candidate_id, foreign, error=ValidationError)
    assert (key, count(fresh_db, "registrations")) == ("registration.position_not_in_event", 0)


@pytest.mark.parametrize("missing, key", [
    ("event", "event.not_found"),
    ("position", "position.not_found"),
    ("candidate", "candidate.not_found"),
])
def test_register_unknown_record(fresh_db, admin, event_id, position_id, candidate_id, missing, key):
    args = {"event": event_id, "candidate": candidate_id, "position": position_id} | {missing: 999}
    assert error_key(registry.register, fresh_db, admin, args["event"], args["candidate"], args["position"],
                     error=NotFound) == key


def test_register_is_audited(fresh_db, ids):
    entry = last_audit(fresh_db, "registration")
    assert (entry["entity_id"], entry["new"]["candidate_id"]) == (str(ids["registration"]), ids["candidate"])


def test_candidate_may_register_in_two_events(fresh_db, admin, ids, other_event_id):
    other_position = registry.create_position(fresh_db, admin, other_event_id, "Kepala Bappeda", "", "jpt_pratama")
    registry.register(fresh_db, admin, other_event_id, ids["candidate"], other_position)
    assert len(registry.candidate_registrations(fresh_db, ids["candidate"])) == 2


def test_unregister(fresh_db, admin, ids):
    registry.unregister(fresh_db, admin, ids["registration"])
    assert registry.list_registrations(fresh_db, ids["event"]) == []


def test_unregister_frees_the_number(fresh_db, admin, ids):
    registry.unregister(fresh_db, admin, ids["registration"])
    assert registry.next_participant_no(fresh_db, ids["event"]) == "001"


def test_unregister_unknown(fresh_db, admin):
    assert error_key(registry.unregister, fresh_db, admin, 999, error=NotFound) == "registration.not_found"


def test_list_registrations_of_one_position(fresh_db, admin, ids):
    other = registry.create_position(fresh_db, admin, ids["event"], "Kepala Dinas Kesehatan", "", "jpt_pratama")
    registry.register(fresh_db, admin, ids["event"], add_candidate(fresh_db, admin, NIP_SITI, "Siti"), other)
    names = [r["name"] for r in registry.list_registrations(fresh_db, ids["event"], other)]
    assert names == ["Siti"]


# Role checks on every write -------------------------------------------------------------------

WRITES = {
    "create_event": lambda d, a, i: registry.create_event(d, a, "Acara", "pengisian", "2026-01-01", "2026-01-02"),
    "update_event": lambda d, a, i: registry.update_event(d, a, i["event"], "Acara", "pengisian",
                                                          "2026-01-01", "2026-01-02"),
    "create_position": lambda d, a, i: registry.create_position(d, a, i["event"], "Baru", "", "pengawas"),
    "update_position": lambda d, a, i: registry.update_position(d, a, i["position"], "Lain", "", "pengawas"),
    "delete_position": lambda d, a, i: registry.delete_position(d, a, i["position"]),
    "set_standard": lambda d, a, i: registry.set_standard(d, a, i["position"], {"M.01": 5}),
    "create_candidate": lambda d, a, i: registry.create_candidate(d, a, NIP_SITI, "Siti"),
    "update_candidate": lambda d, a, i: registry.update_candidate(d, a, i["candidate"], NIP_BUDI, "Nama Lain"),
    "register": lambda d, a, i: registry.register(d, a, i["event"], i["candidate"], i["position"], "X-1"),
    "unregister": lambda d, a, i: registry.unregister(d, a, i["registration"]),
    "import_candidates": lambda d, a, i: registry.import_candidates(d, a, "k.xlsx", xlsx_bytes(row(NIP_SITI))),
}


@pytest.mark.parametrize("role_fixture", ["asesor", "pimpinan"])
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_write_refuses_non_admin(fresh_db, request, ids, role_fixture, write):
    actor = request.getfixturevalue(role_fixture)
    audit_before = count(fresh_db, "audit_log")
    assert error_key(write, fresh_db, actor, ids, error=PermissionDenied) == "auth.forbidden"
    assert count(fresh_db, "audit_log") == audit_before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_write_refuses_no_actor(fresh_db, ids, write):
    assert error_key(write, fresh_db, None, ids, error=PermissionDenied) == "auth.forbidden"


# Import ---------------------------------------------------------------------------------------

def row(nip, name="Nama Peserta", **values) -> list:
    """One data row in template column order."""
    values = {"nip": nip, "name": name, **values}
    return [values.get(column.key, "") for column in COLUMNS]


def xlsx_bytes(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for cells in [HEADER, *rows]:
        workbook.active.append([None if cell == "" else cell for cell in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    return buffer.getvalue().encode("utf-8")


FORMATS = [("kandidat.xlsx", xlsx_bytes), ("kandidat.csv", csv_bytes)]
GOOD_ROWS = [
    row(NIP_BUDI, "Budi Santoso, S.Kom.", golongan="IV/a", position="Kepala Dinas Pendidikan"),
    row(NIP_SITI, "Siti Rahmawati, S.E.", position="kepala dinas pendidikan", participant_no="JPT-007"),
    row(NIP_DEDI, "Dedi Kurniawan", current_unit="Bappeda"),
]


@pytest.mark.parametrize("filename, build", FORMATS, ids=["xlsx", "csv"])
def test_import_with_one_bad_row_writes_nothing(fresh_db, admin, event_id, position_id, filename, build):
    data = build(GOOD_ROWS[0], row("19750101200003100", "Rusak"), GOOD_ROWS[1])
    audit_before = count(fresh_db, "audit_log")
    result = registry.import_candidates(fresh_db, admin, filename, data, event_id)
    assert [(e.row, e.key) for e in result.errors] == [(3, "nip.length")]
    assert (count(fresh_db, "candidates"), count(fresh_db, "registrations"), count(fresh_db, "audit_log")) == \
        (0, 0, audit_before)


@pytest.mark.parametrize("filename, build", FORMATS, ids=["xlsx", "csv"])
def test_import_good_file_writes_every_row(fresh_db, admin, event_id, position_id, filename, build):
    result = registry.import_candidates(fresh_db, admin, filename, build(*GOOD_ROWS), event_id)
    assert (result.ok, count(fresh_db, "candidates")) == (True, 3)


def test_import_derives_from_the_nip(fresh_db, admin):
    registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(GOOD_ROWS[1]))
    candidate = registry.search_candidates(fresh_db, NIP_SITI)[0]
    assert (candidate["birth_date"], candidate["gender"], candidate["tmt_cpns"]) == ("1982-03-15", "P", "2006-04")


def test_import_registers_rows_naming_a_position(fresh_db, admin, event_id, position_id):
    registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(*GOOD_ROWS), event_id)
    registered = {r["nip"]: (r["position_id"], r["participant_no"])
                  for r in registry.list_registrations(fresh_db, event_id)}
    assert registered == {NIP_BUDI: (position_id, "001"), NIP_SITI: (position_id, "JPT-007")}


def test_import_without_an_event_registers_nobody(fresh_db, admin, event_id, position_id):
    registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(*GOOD_ROWS))
    assert (count(fresh_db, "candidates"), count(fresh_db, "registrations")) == (3, 0)


def test_import_is_audited_once(fresh_db, admin, event_id, position_id):
    registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(*GOOD_ROWS), event_id)
    entry = last_audit(fresh_db, "candidate")
    assert (entry["action"], entry["new"]) == ("import", {"file": "k.xlsx", "rows": 3})


def test_import_reports_nips_already_in_the_registry(fresh_db, admin, candidate_id):
    result = registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(*GOOD_ROWS))
    assert ([(e.row, e.key) for e in result.errors], count(fresh_db, "candidates")) == \
        ([(2, "import.nip_registered")], 1)


def test_import_reports_participant_numbers_already_used(fresh_db, admin, event_id, position_id, candidate_id):
    registry.register(fresh_db, admin, event_id, candidate_id, position_id, "JPT-007")
    result = registry.import_candidates(fresh_db, admin, "k.xlsx", xlsx_bytes(GOOD_ROWS[1]), event_id)
    assert [(e.row, e.key) for e in result.errors] == [(2, "import.participant_no_registered")]


def test_import_reports_unknown_positions(fresh_db, admin, event_id, position_id):
    data = xlsx_bytes(row(NIP_BUDI, "Budi", position="Kepala Dinas Antah"))
    result = registry.import_candidates(fresh_db, admin, "k.xlsx", data, event_id)
    assert ([e.key for e in result.errors], count(fresh_db, "candidates")) == (["import.position_unknown"], 0)


def test_import_auto_numbers_avoid_numbers_given_later_in_the_file(fresh_db, admin, event_id, position_id):
    """A valid file imports whole: an auto-numbered row must not take a number a later row asks for."""
    data = xlsx_bytes(row(NIP_BUDI, "Budi", position="Kepala Dinas Pendidikan"),
                      row(NIP_SITI, "Siti", position="Kepala Dinas Pendidikan", participant_no="001"))
    result = registry.import_candidates(fresh_db, admin, "k.xlsx", data, event_id)
    numbers = {r["nip"]: r["participant_no"] for r in registry.list_registrations(fresh_db, event_id)}
    assert (result.ok, numbers[NIP_SITI], numbers[NIP_BUDI] != "001") == (True, "001", True)


def test_import_into_a_frozen_event_writes_nothing(fresh_db, admin, event_id, position_id):
    set_state(fresh_db, event_id, "penilaian")
    assert error_key(registry.import_candidates, fresh_db, admin, "k.xlsx", xlsx_bytes(*GOOD_ROWS), event_id,
                     error=Conflict) == "event.wrong_state"
    assert count(fresh_db, "candidates") == 0


def test_import_of_a_file_without_rows_is_refused(fresh_db, admin):
    assert error_key(registry.import_candidates, fresh_db, admin, "k.xlsx", xlsx_bytes(),
                     error=ValidationError) == "import.no_rows"
