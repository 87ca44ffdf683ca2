"""Age at registration against the jenjang's limit (SPEC §3.3; PP 11/2017 as amended by PP 17/2020)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import eligibility, registry
from core.db import one

LIMITS = {"jpt_pratama": 56}
DAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(("birth", "age"), [
    (dt.date(1970, 11, 16), 56),  # the 56th birthday on the reference day
    (dt.date(1970, 11, 17), 55),  # one day before it
    (dt.date(1969, 11, 16), 57),
    (dt.date(2000, 2, 29), 26),
])
def test_age_on(birth, age):
    assert eligibility.age_on(birth, DAY) == age


def test_leap_day_birthday_counts_from_the_first_of_march():
    assert eligibility.age_on(dt.date(2000, 2, 29), dt.date(2025, 2, 28)) == 24
    assert eligibility.age_on(dt.date(2000, 2, 29), dt.date(2025, 3, 1)) == 25


@pytest.mark.parametrize(("birth", "expected"), [
    (dt.date(1970, 1, 1), None),  # 56 is still allowed
    (dt.date(1969, 11, 17), None),  # 56 until the day before the 57th birthday
    (dt.date(1969, 11, 16), 57),  # 57 on the reference day: over
    (dt.date(1960, 5, 1), 66),
])
def test_over_the_jpt_pratama_limit(birth, expected):
    assert eligibility.over_age_limit(birth, DAY, "jpt_pratama", LIMITS) == expected


def test_a_jenjang_without_a_limit_never_warns():
    assert eligibility.over_age_limit(dt.date(1960, 1, 1), DAY, "administrator", LIMITS) is None


def test_age_warnings_of_an_event(demo_db):
    event = one(demo_db, "SELECT id FROM events WHERE purpose = 'pengisian'")["id"]
    assert eligibility.age_warnings(demo_db, event) == {}  # the demo's applicants are all within the limit
    admin = one(demo_db, "SELECT * FROM users WHERE username = 'admin'")
    person = registry.list_registrations(demo_db, event)[0]
    older = "196801012000031001"  # 58 on the event's first day
    registry.update_candidate(demo_db, admin, person["id"], older, person["name"], person["golongan"],
                              person["current_position"], person["current_unit"])
    assert eligibility.age_warnings(demo_db, event) == {
        person["registration_id"]: {"age": 58, "limit": 56, "on": "2026-11-16"}}


@pytest.mark.parametrize(("birth", "expected"), [
    (dt.date(1970, 11, 16), None),  # exactly 56 years on the assessment day: within the limit
    (dt.date(1970, 11, 15), None),  # 56 years and 1 day: still 56 whole years, within it
    (dt.date(1969, 11, 17), None),  # the last day of being 56
    (dt.date(1969, 11, 16), 57),  # 57 on the assessment day: over
])
def test_the_limit_counts_whole_years_on_the_assessment_day(birth, expected):
    assert eligibility.over_age_limit(birth, DAY, "jpt_pratama", LIMITS) == expected


def test_a_pemetaan_has_no_age_limit(demo_db):
    event = one(demo_db, "SELECT id FROM events WHERE purpose = 'pemetaan'")["id"]
    admin = one(demo_db, "SELECT * FROM users WHERE username = 'admin'")
    person = registry.list_registrations(demo_db, event)[0]
    registry.update_candidate(demo_db, admin, person["id"], "195801012000031001", person["name"], person["golongan"],
                              person["current_position"], person["current_unit"])
    assert eligibility.age_warnings(demo_db, event) == {}  # mapping who holds a post is no application


def test_the_mark_and_the_note():
    flag = {"age": 58, "limit": 56, "on": "2026-11-16"}
    assert eligibility.age_mark(flag) == "58 th*" and eligibility.age_mark(None) == ""
    assert eligibility.age_mark(flag, "en") == "58 y*"
    note = eligibility.age_note([{"name": "Budi", "participant_no": "007", "age_flag": flag}])
    assert note.startswith("* Melebihi batas usia 56 tahun pada hari pertama penilaian (16 November 2026;")
    assert "Budi (007), 58 tahun" in note and "peserta" in note and eligibility.age_note([]) == ""
