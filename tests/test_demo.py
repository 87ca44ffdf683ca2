"""The demo data set (SPEC §1, §7): a realistic seleksi terbuka, loaded with one call."""

import datetime as dt
from collections import Counter

import pytest
from argon2 import PasswordHasher

from core import auth, db, demo, registry
from core.errors import Conflict, PermissionDenied
from core.nip import parse_nip
from core.setup import open_database

TODAY = dt.date(2026, 11, 23)
MALE_PREFIXES = {"Drs.", "H."}
FEMALE_PREFIXES = {"Dra.", "Hj."}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One database with the demo set loaded: ``(database, admin, credentials)``."""
    patch = pytest.MonkeyPatch()
    patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    database = open_database(tmp_path_factory.mktemp("demo") / "dasbor.db")
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", "rahasia123")
    credentials = demo.load(database, admin)
    yield database, admin, credentials
    database.close()
    patch.undo()


@pytest.fixture(scope="module")
def database(loaded):
    return loaded[0]


@pytest.fixture(scope="module")
def credentials(loaded):
    return loaded[2]


@pytest.fixture(scope="module")
def event(database):
    return next(e for e in registry.list_events(database) if e["name"] == demo.EVENT_NAME)


@pytest.fixture(scope="module")
def registrations(database, event):
    return registry.list_registrations(database, event["id"])


@pytest.fixture(scope="module")
def people():
    return demo.demo_candidates(120)


def name_parts(name: str) -> tuple[str, str]:
    """'Dr. Budi Santoso, S.E., M.M.' → ('Dr.', 'Budi'): the prefix title (or '') and the first name."""
    words = name.split(",")[0].split()
    prefix = words[0] if words[0].endswith(".") else ""
    return prefix, words[1] if prefix else words[0]


# The data set ----------------------------------------------------------------------------------

def test_the_main_event_is_a_seleksi_terbuka(event):
    assert event["purpose"] == "pengisian"


def test_twelve_positions(database, event):
    assert len(registry.list_positions(database, event["id"])) == 12


def test_ten_candidates_per_position(database, event):
    assert {p["n_candidates"] for p in registry.list_positions(database, event["id"])} == {10}


def test_positions_have_the_jpt_pratama_standard(database, event):
    standards = [registry.get_standard(database, p["id"]) for p in registry.list_positions(database, event["id"])]
    assert all(set(s.values()) == {4} and len(s) == 9 for s in standards)


def test_120_candidates_registered(registrations):
    assert len(registrations) == 120


def test_every_registered_candidate_is_in_the_registry(database, registrations):
    assert registry.count_candidates(database) >= len({r["id"] for r in registrations}) == 120


def test_participant_numbers_run_from_001_to_120(registrations):
    assert sorted(r["participant_no"] for r in registrations) == [f"{n:03d}" for n in range(1, 121)]


def test_nips_are_unique(registrations):
    assert len({r["nip"] for r in registrations}) == 120


def test_every_nip_is_valid(database):
    invalid = []
    for r in db.rows(database, "SELECT nip FROM candidates"):
        try:
            parse_nip(r["nip"], TODAY)
        except Exception as err:  # noqa: BLE001 — collect every failure for the message
            invalid.append((r["nip"], err))
    assert invalid == []


def test_stored_fields_agree_with_the_nip(registrations):
    derived = [(parse_nip(r["nip"], TODAY).birth_date.isoformat(), parse_nip(r["nip"], TODAY).gender)
               for r in registrations]
    assert derived == [(r["birth_date"], r["gender"]) for r in registrations]


def test_both_genders_appear(registrations):
    assert set(Counter(r["gender"] for r in registrations)) == {"L", "P"}


def test_names_have_a_space_and_titles_after_a_comma(registrations):
    assert [r["name"] for r in registrations if " " not in r["name"] or ", " not in r["name"]] == []


def test_first_names_match_the_nip_gender(registrations):
    wrong = [r["name"] for r in registrations
             if name_parts(r["name"])[1] not in (demo.MALE if r["gender"] == "L" else demo.FEMALE)]
    assert wrong == []


def test_gendered_titles_match_the_nip_gender(registrations):
    forbidden = {"L": FEMALE_PREFIXES, "P": MALE_PREFIXES}
    assert [r["name"] for r in registrations if name_parts(r["name"])[0] in forbidden[r["gender"]]] == []


def test_golongan_are_known(database, registrations):
    known = {g["code"] for g in database.execute("SELECT code FROM golongan").fetchall()}
    assert {r["golongan"] for r in registrations} <= known


def test_candidates_have_a_current_position_and_unit(registrations):
    assert all(r["current_position"] and r["current_unit"] for r in registrations)


# Accounts --------------------------------------------------------------------------------------

def test_eight_assessors_and_one_pimpinan(database):
    roles = Counter(r[0] for r in database.execute("SELECT role FROM users WHERE username != 'admin'"))
    assert roles == {"asesor": 8, "pimpinan": 1}


def test_a_password_is_returned_for_every_demo_account(credentials):
    assert sorted(credentials) == sorted([u for u, _name, _nip in demo.ASSESSORS] + [demo.PIMPINAN[0]])


def test_passwords_are_different(credentials):
    assert len(set(credentials.values())) == len(credentials)


def test_passwords_keep_the_rules(credentials):
    assert [auth.check_password_rules(p, u) for u, p in credentials.items()] == [None] * len(credentials)


def test_returned_passwords_work(database, credentials):
    signed_in = {u: auth.login(database, u, p)["username"] for u, p in credentials.items()}
    assert signed_in == {u: u for u in credentials}


# Loading rules ---------------------------------------------------------------------------------

def test_loading_twice_is_refused(loaded):
    database, admin, _ = loaded
    before = (database.execute("SELECT count(*) FROM users").fetchone()[0], registry.count_candidates(database),
              len(registry.list_events(database)))
    with pytest.raises(Conflict) as caught:
        demo.load(database, admin)
    after = (database.execute("SELECT count(*) FROM users").fetchone()[0], registry.count_candidates(database),
             len(registry.list_events(database)))
    assert (caught.value.key, after) == ("demo.already_loaded", before)


@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
def test_only_an_admin_loads_the_demo(database, role):
    actor = {"id": 99, "username": "x", "role": role, "active": 1}
    with pytest.raises(PermissionDenied):
        demo.load(database, actor)


def test_demo_candidates_are_deterministic(people):
    assert demo.demo_candidates(120) == people


def test_another_seed_gives_other_candidates(people):
    assert demo.demo_candidates(120, seed=demo.SEED + 1) != people


def test_demo_candidates_are_distinct(people):
    assert len({p["nip"] for p in people}) == 120


@pytest.mark.parametrize("n", [0, 1, 12])
def test_demo_candidates_count(n):
    assert len(demo.demo_candidates(n)) == n


# Realism a reader checks (issue 13 item 9) ---------------------------------------------------

KIND_OF_UNIT = {"Camat": "Kecamatan", "Sekretaris Dinas": "Dinas", "Kepala Bagian": "Sekretariat Daerah",
                "Inspektur Pembantu": "Inspektorat", "Sekretaris Bappeda": "Bappeda"}


def test_every_current_post_exists_in_the_unit_named(database):
    from core.db import rows

    for person in rows(database, "SELECT current_position, current_unit FROM candidates"):
        for post, unit in KIND_OF_UNIT.items():
            if person["current_position"].startswith(post):
                assert person["current_unit"].startswith(unit), person
        if person["current_position"].startswith("Camat "):
            assert person["current_unit"].startswith("Kecamatan " + person["current_position"][len("Camat "):])


def test_no_post_in_a_unit_has_two_holders(database):
    """A Sekretaris Dinas Kesehatan is one person: applicants from other regions hold theirs elsewhere."""
    from core.db import rows

    held = [(p["current_position"], p["current_unit"]) for p in rows(
        database, "SELECT current_position, current_unit FROM candidates WHERE current_position != ''")]
    assert len(held) == len(set(held)) and len(held) > 100


def test_pemetaan_people_hold_a_post_of_the_kind_they_are_mapped_against(database):
    from core.db import rows

    mapped = rows(database, """SELECT p.name AS target, c.current_position FROM registrations r
        JOIN events e ON e.id = r.event_id JOIN positions p ON p.id = r.position_id
        JOIN candidates c ON c.id = r.candidate_id WHERE e.purpose = 'pemetaan'""")
    assert len(mapped) == 24 + len(demo.MAPPING_PENGAWAS)
    assert all(m["current_position"].startswith(m["target"]) for m in mapped)


def test_jpt_applicants_are_within_the_age_limit(database):
    from core import eligibility
    from core.db import one

    event = one(database, "SELECT id FROM events WHERE purpose = 'pengisian'")["id"]
    assert eligibility.age_warnings(database, event) == {}


def test_signatories_have_names_and_nips(database):
    from core import letterhead, nip
    from core.db import rows

    boss = letterhead.current(database)["pimpinan"]
    assert boss["name"] and nip.parse_nip(boss["nip"])
    for user in rows(database, "SELECT nip FROM users WHERE role IN ('asesor', 'pimpinan')"):
        assert nip.parse_nip(user["nip"])


# The pemetaan's talent data (issue 12): every state of the Talenta page ---------------------------------------------

@pytest.fixture(scope="module")
def talent_map(database):
    from core import talent_store

    event = next(e for e in registry.list_events(database) if e["name"] == demo.MAPPING_NAME)
    return talent_store.event_talent_map(database, event["id"]) | {"event": event}


def test_pemetaan_runs_on_the_terpadu_scheme(talent_map):
    assert talent_map["scheme"]["key"] == demo.MAPPING_SCHEME == "terpadu"


def test_pemetaan_lacks_exactly_the_data_left_out_on_purpose(talent_map):
    missing = {i: r["missing"] for i, r in enumerate(talent_map["rows"]) if r["missing"]}
    assert set(missing) == set(demo.MAPPING_GAPS)
    assert missing[5] == missing[11] == ["potensi"]
    assert missing[17] == ["pengembangan_kompetensi", "pengalaman_jabatan", "pendidikan", "kesesuaian_bidang",
                           "integritas"]
    assert missing[23] == missing[26] == ["skp:2025"]


def test_pemetaan_people_have_two_years_of_skp_and_eight_aspects(database, talent_map):
    from core import talent_store

    complete = [r for r in talent_map["rows"] if not r["missing"]]
    assert len(complete) == len(talent_map["rows"]) - len(demo.MAPPING_GAPS)
    for row in complete:
        assert set(talent_store.skp_of(database, row["candidate_id"])) == {2025, 2024}
        potensi = talent_store.potensi_of(database, row["candidate_id"])
        assert len(potensi) == 8 and all(v["uraian"] for v in potensi.values())


def test_pemetaan_fills_high_and_low_boxes_and_has_successors(database, talent_map):
    from core import talent_store

    boxes = {r["box"] for r in talent_map["rows"] if r["box"]}
    assert boxes & {7, 8, 9} and boxes & {1, 2, 4} and boxes & {3, 5, 6}
    posts = talent_store.event_successors(database, talent_map["event"]["id"])
    administrator = [p for p in posts if p["job_class"] == "administrator"]
    assert administrator and all(p["successors"] for p in administrator)
    assert all(s["job_class"] == "pengawas" and s["box"] in (7, 8, 9) for p in administrator for s in p["successors"])
