"""Accounts, passwords, sign-in throttling, sessions and role checks (SPEC §1, §8)."""

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher, Type

from core import audit, auth, registry
from core.errors import AuthError, Conflict, PermissionDenied, ValidationError
from tests.conftest import PASSWORD

T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "baru2026rahasia"
PRODUCTION_HASHER = auth._hasher




def error_key(call, *args, error=Exception, **kwargs) -> str:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value.key


def user_count(database) -> int:
    return database.execute("SELECT count(*) FROM users").fetchone()[0]


def session_count(database, user_id: int) -> int:
    return database.execute("SELECT count(*) FROM sessions WHERE user_id = ?", (user_id,)).fetchone()[0]


def fail_logins(database, username: str, times: int, start: dt.datetime = T0) -> dt.datetime:
    """``times`` wrong passwords a second apart; returns the moment of the last one."""
    at = start
    for i in range(times):
        at = start + dt.timedelta(seconds=i)
        with pytest.raises(AuthError):
            auth.login(database, username, "salah-sandi-1", now=at)
    return at


def audit_actions(database, user_id: int) -> list[str]:
    return [e["action"] for e in audit.entries(database, "user") if e["entity_id"] == str(user_id)]


@pytest.fixture
def cookie(fresh_db, asesor):
    """A session cookie of the asesor, opened at T0."""
    return auth.start_session(fresh_db, asesor, now=T0)


@pytest.fixture
def event_id(fresh_db, admin):
    return registry.create_event(fresh_db, admin, "Pemetaan 2026", "pemetaan", "2026-11-16", "2026-11-20")


# Passwords ------------------------------------------------------------------------------------

def test_hash_is_argon2id():
    assert auth.hash_password(PASSWORD).startswith("$argon2id$")


def test_production_hasher_is_argon2id_with_a_real_cost():
    """OWASP's floor for argon2id: 19 MiB memory, 2 iterations."""
    assert (PRODUCTION_HASHER.type, PRODUCTION_HASHER.memory_cost >= 19 * 1024, PRODUCTION_HASHER.time_cost >= 2) \
        == (Type.ID, True, True)


def test_production_hash_is_argon2id():
    assert PRODUCTION_HASHER.hash(PASSWORD).startswith("$argon2id$")


def test_hash_is_salted():
    assert auth.hash_password(PASSWORD) != auth.hash_password(PASSWORD)


@pytest.mark.parametrize("attempt, expected", [(PASSWORD, True), ("rahasia124", False), ("", False)])
def test_verify_password(attempt, expected):
    assert auth.verify_password(auth.hash_password(PASSWORD), attempt) is expected


def test_verify_password_with_a_broken_hash_is_false():
    assert auth.verify_password("bukan-hash", PASSWORD) is False


@pytest.mark.parametrize("password, username, key", [
    ("abc12", "", "auth.password_short"),
    ("", "", "auth.password_short"),
    ("tanpaangka", "", "auth.password_weak"),
    ("12345678", "", "auth.password_weak"),
    ("budi2026", "budi2026", "auth.password_is_username"),
    ("BUDI2026", "budi2026", "auth.password_is_username"),
])
def test_password_rules(password, username, key):
    assert error_key(auth.check_password_rules, password, username, error=ValidationError) == key


def test_password_that_keeps_the_rules_passes():
    assert auth.check_password_rules("rahasia123", "budi") is None


@pytest.mark.parametrize("password", ["abc12", "tanpaangka", "asesor.dua"])
def test_create_user_with_a_bad_password_writes_nothing(fresh_db, admin, password):
    with pytest.raises(ValidationError):
        auth.create_user(fresh_db, admin, "asesor.dua", "Asesor Dua", "asesor", password)
    assert user_count(fresh_db) == 1


@pytest.mark.parametrize("username, full_name, role, key", [
    ("a", "Asesor", "asesor", "auth.username_invalid"),
    ("dengan spasi", "Asesor", "asesor", "auth.username_invalid"),
    ("asesor.dua", "   ", "asesor", "auth.full_name_required"),
    ("asesor.dua", "Asesor Dua", "raja", "auth.role_invalid"),
])
def test_create_user_validates_the_account(fresh_db, admin, username, full_name, role, key):
    assert error_key(auth.create_user, fresh_db, admin, username, full_name, role, PASSWORD,
                     error=ValidationError) == key


def test_stored_password_is_a_hash(fresh_db, admin):
    stored = fresh_db.execute("SELECT password_hash FROM users WHERE id = ?", (admin["id"],)).fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


# Accounts -------------------------------------------------------------------------------------

def test_needs_first_admin_until_an_account_exists(fresh_db):
    before = auth.needs_first_admin(fresh_db)
    auth.create_first_admin(fresh_db, "admin", "Admin BKPSDM", PASSWORD)
    assert (before, auth.needs_first_admin(fresh_db)) == (True, False)


def test_first_admin_is_an_admin(admin):
    assert (admin["role"], admin["active"]) == ("admin", 1)


def test_first_admin_only_once(fresh_db, admin):
    key = error_key(auth.create_first_admin, fresh_db, "admin2", "Admin Dua", PASSWORD, error=Conflict)
    assert (key, user_count(fresh_db)) == ("auth.first_admin_exists", 1)


def test_first_admin_is_refused_after_any_account(fresh_db, admin):
    """Even when the first account is not called 'admin', a second 'first admin' is refused."""
    assert error_key(auth.create_first_admin, fresh_db, "lain", "Lain", PASSWORD,
                     error=Conflict) == "auth.first_admin_exists"


def test_admin_creates_user(fresh_db, asesor):
    assert (asesor["username"], asesor["role"]) == ("asesor.satu", "asesor")


@pytest.mark.parametrize("role_fixture", ["asesor", "pimpinan"])
def test_create_user_requires_admin(fresh_db, request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    count = user_count(fresh_db)
    key = error_key(auth.create_user, fresh_db, actor, "baru.satu", "Baru", "asesor", PASSWORD,
                    error=PermissionDenied)
    assert (key, user_count(fresh_db)) == ("auth.forbidden", count)


def test_create_user_refuses_an_inactive_admin(fresh_db, admin):
    second = auth.create_user(fresh_db, admin, "admin.dua", "Admin Dua", "admin", PASSWORD)
    auth.set_active(fresh_db, admin, second["id"], False)
    inactive = auth.get_user(fresh_db, second["id"])
    assert error_key(auth.create_user, fresh_db, inactive, "baru.satu", "Baru", "asesor", PASSWORD,
                     error=PermissionDenied) == "auth.forbidden"


def test_create_user_refuses_no_actor(fresh_db, admin):
    assert error_key(auth.create_user, fresh_db, None, "baru.satu", "Baru", "asesor", PASSWORD,
                     error=PermissionDenied) == "auth.forbidden"


@pytest.mark.parametrize("username", ["asesor.satu", "ASESOR.SATU", " Asesor.Satu "])
def test_duplicate_username_case_insensitive(fresh_db, admin, asesor, username):
    key = error_key(auth.create_user, fresh_db, admin, username, "Lagi", "asesor", PASSWORD, error=Conflict)
    assert (key, user_count(fresh_db)) == ("auth.username_taken", 2)


def test_list_users_has_no_password_hash(fresh_db, admin, asesor):
    assert all("password_hash" not in u for u in auth.list_users(fresh_db, admin))


def test_list_users_requires_admin(fresh_db, asesor):
    assert error_key(auth.list_users, fresh_db, asesor, error=PermissionDenied) == "auth.forbidden"


def test_admin_cannot_deactivate_self(fresh_db, admin):
    assert error_key(auth.set_active, fresh_db, admin, admin["id"], False, error=Conflict) == \
        "auth.cannot_deactivate_self"


@pytest.mark.parametrize("role_fixture", ["asesor", "pimpinan"])
def test_reset_password_of_another_requires_admin(fresh_db, admin, request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    assert error_key(auth.reset_password, fresh_db, actor, admin["id"], NEW_PASSWORD,
                     error=PermissionDenied) == "auth.forbidden"


# Sign-in --------------------------------------------------------------------------------------

def test_login_returns_the_user(fresh_db, asesor):
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0)["id"] == asesor["id"]


def test_login_ignores_case_and_spaces_of_the_username(fresh_db, asesor):
    assert auth.login(fresh_db, "  Asesor.Satu ", PASSWORD, now=T0)["id"] == asesor["id"]


@pytest.mark.parametrize("username, password", [
    ("asesor.satu", "salah-sandi-1"),
    ("asesor.satu", ""),
    ("tidak.ada", PASSWORD),
    ("", ""),
])
def test_login_failure_has_one_key(fresh_db, asesor, username, password):
    """Wrong password and unknown account look the same to the caller."""
    assert error_key(auth.login, fresh_db, username, password, now=T0, error=AuthError) == \
        "auth.wrong_credentials"


def test_login_of_an_inactive_account_fails(fresh_db, admin, asesor):
    auth.set_active(fresh_db, admin, asesor["id"], False)
    assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, now=T0, error=AuthError) == \
        "auth.wrong_credentials"


def test_login_upgrades_an_outdated_hash(fresh_db, asesor):
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    fresh_db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (old, asesor["id"]))
    auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0)
    stored = auth.get_user(fresh_db, asesor["id"])["password_hash"]
    assert stored != old and not auth._hasher.check_needs_rehash(stored)


def test_login_attempts_are_recorded(fresh_db, asesor):
    fail_logins(fresh_db, "asesor.satu", 2)
    auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0 + dt.timedelta(seconds=5))
    recorded = [r[0] for r in fresh_db.execute(
        "SELECT success FROM login_attempts WHERE username = 'asesor.satu' ORDER BY id")]
    assert recorded == [0, 0, 1]


def test_five_failures_lock_even_the_right_password(fresh_db, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, now=last + dt.timedelta(seconds=1),
                     error=AuthError) == "auth.locked"


def test_four_failures_do_not_lock(fresh_db, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 4)
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=last + dt.timedelta(seconds=1))["id"] == asesor["id"]


def test_lock_tells_the_minutes_left(fresh_db, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    with pytest.raises(AuthError) as caught:
        auth.login(fresh_db, "asesor.satu", PASSWORD, now=last + dt.timedelta(minutes=5))
    assert caught.value.params["minutes"] == 10


def test_locked_until_is_fifteen_minutes_after_the_last_failure(fresh_db, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    assert auth.locked_until(fresh_db, "asesor.satu", now=last) == last + dt.timedelta(minutes=15)


@pytest.mark.parametrize("minutes, locked", [(14, True), (16, False)])
def test_lock_opens_after_fifteen_minutes(fresh_db, asesor, minutes, locked):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    later = last + dt.timedelta(minutes=minutes)
    if locked:
        assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, now=later, error=AuthError) == "auth.locked"
    else:
        assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=later)["id"] == asesor["id"]


def test_a_success_in_between_resets_the_count(fresh_db, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 4)
    auth.login(fresh_db, "asesor.satu", PASSWORD, now=last + dt.timedelta(seconds=1))
    last = fail_logins(fresh_db, "asesor.satu", 4, start=last + dt.timedelta(seconds=2))
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=last + dt.timedelta(seconds=1))["id"] == asesor["id"]


def test_lock_is_per_account(fresh_db, asesor, pimpinan):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    assert auth.login(fresh_db, "pimpinan", PASSWORD, now=last)["id"] == pimpinan["id"]


def test_lock_ignores_the_case_of_the_username(fresh_db, asesor):
    last = fail_logins(fresh_db, "ASESOR.SATU", 5)
    assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, now=last, error=AuthError) == "auth.locked"


def test_reset_password_lifts_the_lock(fresh_db, admin, asesor):
    last = fail_logins(fresh_db, "asesor.satu", 5)
    auth.reset_password(fresh_db, admin, asesor["id"], NEW_PASSWORD)
    assert auth.login(fresh_db, "asesor.satu", NEW_PASSWORD, now=last)["id"] == asesor["id"]


# Sessions -------------------------------------------------------------------------------------

def test_start_session_returns_a_signed_cookie(cookie):
    token, _, signature = cookie.partition(".")
    assert len(token) >= 32 and len(signature) == 64


def test_sessions_store_only_a_hash_of_the_token(fresh_db, cookie):
    token = cookie.partition(".")[0]
    stored = [r[0] for r in fresh_db.execute("SELECT token_hash FROM sessions")]
    assert stored and token not in stored


def test_session_user_returns_the_user(fresh_db, asesor, cookie):
    assert auth.session_user(fresh_db, cookie, now=T0)["id"] == asesor["id"]


def test_session_user_has_no_password_hash(fresh_db, cookie):
    assert "password_hash" not in auth.session_user(fresh_db, cookie, now=T0)


def flip_last(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def flip_first(text: str) -> str:
    return ("A" if text[0] != "A" else "B") + text[1:]


@pytest.mark.parametrize("forge", [
    pytest.param(flip_last, id="tampered-signature"),
    pytest.param(flip_first, id="tampered-token"),
    pytest.param(lambda c: c.partition(".")[0], id="token-without-signature"),
    pytest.param(lambda c: "." + c.partition(".")[2], id="signature-without-token"),
    pytest.param(lambda c: "sampah", id="garbage"),
    pytest.param(lambda c: "", id="empty"),
    pytest.param(lambda c: None, id="none"),
    pytest.param(lambda c: 12345, id="not-text"),
])
def test_forged_cookie_gives_no_user(fresh_db, cookie, forge):
    assert auth.session_user(fresh_db, forge(cookie), now=T0) is None


def test_cookie_of_another_installation_gives_no_user(fresh_db, cookie):
    fresh_db.execute("UPDATE settings SET value = '\"lain\"' WHERE key = 'cookie_secret'")
    assert auth.session_user(fresh_db, cookie, now=T0) is None


@pytest.mark.parametrize("hours, alive", [(7, True), (9, False)])
def test_session_expires_after_idle_time(fresh_db, cookie, hours, alive):
    found = auth.session_user(fresh_db, cookie, now=T0 + dt.timedelta(hours=hours))
    assert (found is not None) == alive


def test_activity_keeps_the_session_alive(fresh_db, cookie):
    for hours in (6, 11):
        auth.session_user(fresh_db, cookie, now=T0 + dt.timedelta(hours=hours))
    assert auth.session_user(fresh_db, cookie, now=T0 + dt.timedelta(hours=11, minutes=59)) is not None


def test_session_expires_at_the_absolute_limit_despite_activity(fresh_db, cookie):
    for hours in (6, 11):
        assert auth.session_user(fresh_db, cookie, now=T0 + dt.timedelta(hours=hours)) is not None
    assert auth.session_user(fresh_db, cookie, now=T0 + dt.timedelta(hours=13)) is None


def test_end_session_signs_out(fresh_db, cookie):
    auth.end_session(fresh_db, cookie)
    assert auth.session_user(fresh_db, cookie, now=T0) is None


def test_end_session_leaves_other_sessions(fresh_db, asesor, cookie):
    other = auth.start_session(fresh_db, asesor, now=T0)
    auth.end_session(fresh_db, cookie)
    assert auth.session_user(fresh_db, other, now=T0)["id"] == asesor["id"]


@pytest.mark.parametrize("cookie_value", [None, "", "sampah"])
def test_end_session_with_a_bad_cookie_is_harmless(fresh_db, cookie, cookie_value):
    auth.end_session(fresh_db, cookie_value)
    assert auth.session_user(fresh_db, cookie, now=T0) is not None


def test_deactivated_user_has_no_session(fresh_db, admin, asesor, cookie):
    auth.set_active(fresh_db, admin, asesor["id"], False)
    assert (auth.session_user(fresh_db, cookie, now=T0), session_count(fresh_db, asesor["id"])) == (None, 0)


def test_reactivated_user_can_sign_in_again(fresh_db, admin, asesor):
    auth.set_active(fresh_db, admin, asesor["id"], False)
    auth.set_active(fresh_db, admin, asesor["id"], True)
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0)["id"] == asesor["id"]


def test_reset_password_ends_sessions(fresh_db, admin, asesor, cookie):
    auth.reset_password(fresh_db, admin, asesor["id"], NEW_PASSWORD)
    assert (auth.session_user(fresh_db, cookie, now=T0), session_count(fresh_db, asesor["id"])) == (None, 0)


@pytest.mark.parametrize("password, works", [(NEW_PASSWORD, True), (PASSWORD, False)])
def test_reset_password_replaces_the_old_one(fresh_db, admin, asesor, password, works):
    auth.reset_password(fresh_db, admin, asesor["id"], NEW_PASSWORD)
    if works:
        assert auth.login(fresh_db, "asesor.satu", password, now=T0)["id"] == asesor["id"]
    else:
        assert error_key(auth.login, fresh_db, "asesor.satu", password, now=T0, error=AuthError) == \
            "auth.wrong_credentials"


def test_reset_password_keeps_the_rules(fresh_db, admin, asesor):
    assert error_key(auth.reset_password, fresh_db, admin, asesor["id"], "asesor.satu",
                     error=ValidationError) == "auth.password_is_username"


def test_change_own_password_needs_the_current_one(fresh_db, asesor):
    assert error_key(auth.change_own_password, fresh_db, asesor, "salah-sandi-1", NEW_PASSWORD,
                     error=AuthError) == "auth.current_wrong"


def test_change_own_password_with_a_wrong_current_keeps_the_old(fresh_db, asesor):
    with pytest.raises(AuthError):
        auth.change_own_password(fresh_db, asesor, "salah-sandi-1", NEW_PASSWORD)
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0)["id"] == asesor["id"]


def test_change_own_password(fresh_db, asesor, cookie):
    auth.change_own_password(fresh_db, asesor, PASSWORD, NEW_PASSWORD)
    assert auth.login(fresh_db, "asesor.satu", NEW_PASSWORD, now=T0)["id"] == asesor["id"]


@pytest.mark.parametrize("language, key", [("en", None), ("fr", "auth.language_invalid")])
def test_set_language(fresh_db, asesor, language, key):
    if key:
        assert error_key(auth.set_language, fresh_db, asesor, language, error=ValidationError) == key
    else:
        auth.set_language(fresh_db, asesor, language)
        assert auth.get_user(fresh_db, asesor["id"])["language"] == language


# Role checks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role, roles, allowed", [
    ("admin", ("admin",), True),
    ("asesor", ("admin",), False),
    ("pimpinan", ("admin",), False),
    ("asesor", ("admin", "asesor"), True),
    ("pimpinan", ("admin", "asesor"), False),
    ("pimpinan", ("admin", "asesor", "pimpinan"), True),
])
def test_require(role, roles, allowed):
    actor = {"id": 1, "username": "x", "role": role, "active": 1}
    if allowed:
        assert auth.require(actor, *roles) is actor
    else:
        assert error_key(auth.require, actor, *roles, error=PermissionDenied) == "auth.forbidden"


@pytest.mark.parametrize("actor", [None, {}, {"id": 1, "role": "admin", "active": 0}])
def test_require_refuses_no_or_inactive_actor(actor):
    assert error_key(auth.require, actor, "admin", error=PermissionDenied) == "auth.forbidden"


def add_assessor(database, event_id: int, user_id: int, lead: bool) -> None:
    database.execute("INSERT INTO event_assessors (event_id, user_id, is_lead) VALUES (?, ?, ?)",
                     (event_id, user_id, int(lead)))


@pytest.mark.parametrize("lead", [True, False])
def test_is_lead_of_the_event(fresh_db, asesor, event_id, lead):
    add_assessor(fresh_db, event_id, asesor["id"], lead)
    assert auth.is_lead(fresh_db, asesor["id"], event_id) is lead


def test_is_lead_of_any_event(fresh_db, asesor, event_id):
    add_assessor(fresh_db, event_id, asesor["id"], True)
    assert auth.is_lead(fresh_db, asesor["id"]) is True


def test_lead_of_one_event_is_not_lead_of_another(fresh_db, admin, asesor, event_id):
    other = registry.create_event(fresh_db, admin, "Lain", "pengisian", "2026-12-01", "2026-12-02")
    add_assessor(fresh_db, event_id, asesor["id"], True)
    assert auth.is_lead(fresh_db, asesor["id"], other) is False


def test_nobody_is_lead_without_assignment(fresh_db, asesor):
    assert auth.is_lead(fresh_db, asesor["id"]) is False


# Audit ----------------------------------------------------------------------------------------

def test_audit_records_user_creation(fresh_db, admin, asesor):
    assert "create" in audit_actions(fresh_db, asesor["id"])


def test_audit_records_first_admin(fresh_db, admin):
    assert "create" in audit_actions(fresh_db, admin["id"])


def test_audit_records_deactivation_with_old_and_new(fresh_db, admin, asesor):
    auth.set_active(fresh_db, admin, asesor["id"], False)
    entry = audit.entries(fresh_db, "user")[0]
    assert (entry["action"], json.loads(entry["old_value"]), json.loads(entry["new_value"])) == \
        ("deactivate", {"active": 1}, {"active": 0})


def test_audit_records_password_reset_by_whom(fresh_db, admin, asesor):
    auth.reset_password(fresh_db, admin, asesor["id"], NEW_PASSWORD)
    entry = audit.entries(fresh_db, "user")[0]
    assert (entry["action"], entry["entity_id"], entry["user_id"]) == ("reset_password", str(asesor["id"]), admin["id"])


def test_no_password_or_hash_in_the_audit_log(fresh_db, admin, asesor):
    auth.reset_password(fresh_db, admin, asesor["id"], NEW_PASSWORD)
    auth.change_own_password(fresh_db, asesor, NEW_PASSWORD, PASSWORD)
    auth.set_active(fresh_db, admin, asesor["id"], False)
    text = " ".join(f"{e['old_value']} {e['new_value']} {e['reason']}" for e in audit.entries(fresh_db))
    assert not any(secret in text for secret in ("$argon2", "password_hash", PASSWORD, NEW_PASSWORD))


# Bounded password work, the per-address limit, and the attempt recorded before the check (issue 10) ----

@pytest.fixture
def cheap_dummy(monkeypatch):
    """Unknown names are checked against a dummy hash of production cost: make it cheap like the rest."""
    monkeypatch.setattr(auth, "_DUMMY_HASH", auth.hash_password("tidak-ada-akun"))


def fail_from(database, client: str, times: int, start: dt.datetime = T0) -> dt.datetime:
    """``times`` failed sign-ins from one address, each with a different unknown user name."""
    at = start
    for i in range(times):
        at = start + dt.timedelta(seconds=i)
        with pytest.raises(AuthError):
            auth.login(database, f"tidak.ada.{i}", "salah-sandi-1", client=client, now=at)
    return at


@pytest.mark.parametrize(("failures", "locked"), [(auth.CLIENT_MAX_FAILURES - 1, False),
                                                   (auth.CLIENT_MAX_FAILURES, True)])
def test_an_address_is_limited_beside_the_account(fresh_db, asesor, cheap_dummy, failures, locked):
    last = fail_from(fresh_db, "10.0.0.7", failures)
    later = last + dt.timedelta(seconds=1)
    if locked:
        assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, client="10.0.0.7", now=later,
                         error=AuthError) == "auth.client_locked"
    else:
        assert auth.login(fresh_db, "asesor.satu", PASSWORD, client="10.0.0.7", now=later)["id"] == asesor["id"]


def test_the_address_limit_leaves_other_addresses_alone(fresh_db, asesor, cheap_dummy):
    last = fail_from(fresh_db, "10.0.0.7", auth.CLIENT_MAX_FAILURES)
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, client="10.0.0.8",
                      now=last + dt.timedelta(seconds=1))["id"] == asesor["id"]


@pytest.mark.parametrize(("minutes", "locked"), [(14, True), (15, False)])
def test_the_address_limit_opens_after_the_window(fresh_db, asesor, cheap_dummy, minutes, locked):
    fail_from(fresh_db, "10.0.0.7", auth.CLIENT_MAX_FAILURES)
    # the oldest of the 20 failures leaves the 15-minute window first
    assert (auth.client_locked_until(fresh_db, "10.0.0.7", T0 + dt.timedelta(minutes=minutes)) is not None) == locked


def test_an_address_lock_checks_no_password(fresh_db, asesor, cheap_dummy, monkeypatch):
    last = fail_from(fresh_db, "10.0.0.7", auth.CLIENT_MAX_FAILURES)
    checked = []
    monkeypatch.setattr(auth, "verify_password", lambda *a: checked.append(a) or True)
    with pytest.raises(AuthError):
        auth.login(fresh_db, "asesor.satu", PASSWORD, client="10.0.0.7", now=last + dt.timedelta(seconds=1))
    assert checked == []


def test_the_attempt_is_recorded_before_the_password_is_checked(fresh_db, asesor, monkeypatch):
    seen = []

    def spy(password_hash, password):
        seen.append(fresh_db.execute("SELECT username, success FROM login_attempts").fetchall())
        return False

    monkeypatch.setattr(auth, "verify_password", spy)
    with pytest.raises(AuthError):
        auth.login(fresh_db, "asesor.satu", "salah-sandi-1", now=T0)
    assert [[tuple(r) for r in rows] for rows in seen] == [[("asesor.satu", 0)]]


def test_parallel_wrong_passwords_get_at_most_the_limit_of_checks(db_path, fresh_db, asesor, monkeypatch):
    """30 wrong passwords at once, each on its own connection: 5 checks, the rest locked; then the right one too."""
    import threading

    from core import db

    checks, barrier, outcomes = [], threading.Barrier(30), []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda h, p: checks.append(p) or real(h, p))

    def attempt():
        database = db.connect(db_path)
        barrier.wait()
        try:
            auth.login(database, "asesor.satu", "salah-sandi-1", client="10.0.0.9")
        except AuthError as err:
            outcomes.append(err.key)
        finally:
            database.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = auth.settings.get(fresh_db, "login_max_failures")
    assert len(checks) == limit
    assert sorted(outcomes) == ["auth.locked"] * (30 - limit) + ["auth.wrong_credentials"] * limit
    assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, error=AuthError) == "auth.locked"
    assert len(checks) == limit


def test_password_checks_are_bounded_and_a_busy_server_says_so(fresh_db, asesor, monkeypatch):
    monkeypatch.setattr(auth, "CHECK_WAIT_SECONDS", 0.05)
    taken = [auth._checks.acquire(blocking=False) for _ in range(auth.PASSWORD_CHECKS)]
    try:
        assert all(taken) and not auth._checks.acquire(blocking=False)
        assert error_key(auth.login, fresh_db, "asesor.satu", PASSWORD, now=T0, error=AuthError) == "auth.busy"
    finally:
        for _ in taken:
            auth._checks.release()
    assert fresh_db.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 0
    assert auth.login(fresh_db, "asesor.satu", PASSWORD, now=T0)["username"] == "asesor.satu"


def test_the_per_address_check_reads_an_index_not_every_attempt(fresh_db):
    """Each sign-in asks how often its address failed: with attempts piling up on a LAN, that must stay a search."""
    plan = " ".join(str(tuple(r)) for r in fresh_db.execute(
        "EXPLAIN QUERY PLAN " + auth.CLIENT_FAILURES_SQL, ("10.0.0.9", "2026-12-01T00:00:00", 20)).fetchall())
    assert "USING INDEX login_attempts_client" in plan and "SCAN login_attempts" not in plan
