"""Accounts, passwords, sign-in throttling and sessions (SPEC §1, §8); role rules live in core.roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from core import audit, settings
from core.db import one, one_or_raise, rows, transaction
from core.errors import AuthError, Conflict, NotFound, ValidationError
from core.roles import ROLES, is_lead, require  # noqa: F401 -- is_lead: auth.is_lead stays valid

MIN_PASSWORD = 8
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A real hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("tidak-ada-akun")


# Passwords and accounts ---------------------------------------------------------------------

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, username: str = "") -> None:
    """At least 8 characters, not the username, letters and digits both present."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("auth.password_short", n=MIN_PASSWORD)
    if username and password.lower() == username.lower():
        raise ValidationError("auth.password_is_username")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationError("auth.password_weak")


def _clean_account(username: str, full_name: str, role: str) -> tuple[str, str]:
    username = (username or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    if not USERNAME_RE.match(username):
        raise ValidationError("auth.username_invalid")
    if not full_name:
        raise ValidationError("auth.full_name_required")
    if role not in ROLES:
        raise ValidationError("auth.role_invalid")
    return username, full_name


def _insert_user(db: Database, username, full_name, role, password, nip="") -> int:
    if one(db, "SELECT id FROM users WHERE username = ?", (username,)):
        raise Conflict("auth.username_taken", username=username)
    stamp = audit.now()
    cur = db.execute(
        "INSERT INTO users (username, full_name, nip, role, password_hash, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        (username, full_name, nip or None, role, hash_password(password), stamp, stamp))
    return cur.lastrowid


def needs_first_admin(db: Database) -> bool:
    """True until the first account exists (there is no default password anywhere)."""
    return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None


def create_first_admin(db: Database, username: str, full_name: str, password: str) -> dict:
    """Create the first admin; refused once any account exists."""
    username, full_name = _clean_account(username, full_name, "admin")
    check_password_rules(password, username)
    with transaction(db):
        if not needs_first_admin(db):
            raise Conflict("auth.first_admin_exists")
        user_id = _insert_user(db, username, full_name, "admin", password)
        user = get_user(db, user_id)
        audit.record(db, user, "create", "user", user_id, new=_public(user), reason="admin pertama")
    return user


def create_user(db: Database, actor: dict, username: str, full_name: str, role: str,
                password: str, nip: str = "") -> dict:
    """Admin adds an account."""
    require(actor, "admin")
    username, full_name = _clean_account(username, full_name, role)
    check_password_rules(password, username)
    with transaction(db):
        user_id = _insert_user(db, username, full_name, role, password, nip)
        user = get_user(db, user_id)
        audit.record(db, actor, "create", "user", user_id, new=_public(user))
    return user


def get_user(db: Database, user_id: int) -> dict:
    return one_or_raise(db, "SELECT * FROM users WHERE id = ?", (user_id,), NotFound("auth.user_not_found"))


def list_users(db: Database, actor: dict) -> list[dict]:
    require(actor, "admin")
    return [_public(u) for u in rows(db, "SELECT * FROM users ORDER BY role, full_name")]


def _public(user: dict) -> dict:
    """A user without the password hash."""
    return {k: v for k, v in user.items() if k != "password_hash"}


def set_active(db: Database, actor: dict, user_id: int, active: bool) -> None:
    """Deactivate or reactivate an account; deactivation ends its sessions."""
    require(actor, "admin")
    if user_id == actor["id"] and not active:
        raise Conflict("auth.cannot_deactivate_self")
    with transaction(db):
        before = _public(get_user(db, user_id))
        db.execute("UPDATE users SET active = ?, updated_at = ? WHERE id = ?",
                   (int(active), audit.now(), user_id))
        if not active:
            db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        audit.record(db, actor, "activate" if active else "deactivate", "user", user_id,
                     old={"active": before["active"]}, new={"active": int(active)})


def reset_password(db: Database, actor: dict, user_id: int, new_password: str) -> None:
    """Admin sets a new password (or a user their own); all sessions of that user end."""
    if not actor or actor.get("id") != user_id or not actor.get("active", 1):
        require(actor, "admin")
    user = get_user(db, user_id)
    check_password_rules(new_password, user["username"])
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                   (hash_password(new_password), audit.now(), user_id))
        db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        db.execute("DELETE FROM login_attempts WHERE username = ?", (user["username"],))
        audit.record(db, actor, "reset_password", "user", user_id)


def change_own_password(db: Database, user: dict, current: str, new_password: str) -> None:
    """A user changes their own password after proving the current one."""
    require(user, *ROLES)
    if not verify_password(get_user(db, user["id"])["password_hash"], current or ""):
        raise AuthError("auth.current_wrong")
    reset_password(db, user, user["id"], new_password)


def set_language(db: Database, user: dict, language: str) -> None:
    require(user, *ROLES)
    if language not in ("id", "en"):
        raise ValidationError("auth.language_invalid")
    with transaction(db):
        db.execute("UPDATE users SET language = ? WHERE id = ?", (language, user["id"]))


# Sign-in with throttling --------------------------------------------------------------------

def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def locked_until(db: Database, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account is locked by too many failures, the moment it opens again."""
    now = now or _utcnow()
    limit = settings.get(db, "login_max_failures")
    window = dt.timedelta(minutes=settings.get(db, "login_lock_minutes"))
    recent = rows(db, "SELECT at, success FROM login_attempts WHERE username = ?"
                      " ORDER BY id DESC LIMIT ?", (username, limit))
    failures = [r for r in recent if not r["success"]]
    if len(failures) < limit or len(recent) < limit:
        return None
    until = dt.datetime.fromisoformat(failures[0]["at"]) + window
    return until if until > now else None


# One address may fail this many sign-ins (any user names, known or not) per lock window. Stored in
# the database like the per-account lock: it survives a restart and holds across server processes.
CLIENT_MAX_FAILURES = 20
# The failures of one address within the lock window (index login_attempts_client, migration 0007).
CLIENT_FAILURES_SQL = ("SELECT at FROM login_attempts WHERE client = ? AND success = 0 AND at > ?"
                       " ORDER BY at DESC LIMIT ?")
# Each argon2 check takes 64 MiB: at most this many run at once; the others wait their turn.
PASSWORD_CHECKS = 2
CHECK_WAIT_SECONDS = 10.0
_checks = threading.BoundedSemaphore(PASSWORD_CHECKS)


def client_locked_until(db: Database, client: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When an address has failed too often within the lock window, the moment it may try again."""
    if not client:
        return None
    now = now or _utcnow()
    window = dt.timedelta(minutes=settings.get(db, "login_lock_minutes"))
    recent = rows(db, CLIENT_FAILURES_SQL, (client[:64], (now - window).isoformat(), CLIENT_MAX_FAILURES))
    if len(recent) < CLIENT_MAX_FAILURES:
        return None
    return dt.datetime.fromisoformat(recent[-1]["at"]) + window


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def _claim_attempt(db: Database, username: str, client: str, now: dt.datetime) -> tuple[dict | None, int]:
    """Check the locks and record the attempt as failed in one ``BEGIN IMMEDIATE`` transaction.

    Attempts arriving together queue on the write lock, so each sees the ones before it:
    at most ``login_max_failures`` password checks happen per lock window, however many arrive.
    """
    with transaction(db):
        until = locked_until(db, username, now)
        if until:
            raise AuthError("auth.locked", minutes=_minutes_left(until, now))
        until = client_locked_until(db, client, now)
        if until:
            raise AuthError("auth.client_locked", minutes=_minutes_left(until, now))
        attempt = db.execute("INSERT INTO login_attempts (username, at, success, client) VALUES (?, ?, 0, ?)",
                             (username, now.isoformat(), client[:64])).lastrowid
        return one(db, "SELECT * FROM users WHERE username = ?", (username,)), attempt


def _bounded_check(password_hash: str, password: str) -> bool | None:
    """The argon2 check with at most ``PASSWORD_CHECKS`` at once; ``None`` when no turn came in time."""
    if not _checks.acquire(timeout=CHECK_WAIT_SECONDS):
        return None
    try:
        return verify_password(password_hash, password)
    finally:
        _checks.release()


def login(db: Database, username: str, password: str, client: str = "",
          now: dt.datetime | None = None) -> dict:
    """Check the password and return the user, or raise :class:`AuthError`.

    The attempt is recorded (as failed) before the password is checked, and marked successful
    after; an unknown user name is checked against a dummy hash so the answer takes as long.
    """
    username = (username or "").strip().lower()
    now = now or _utcnow()
    user, attempt = _claim_attempt(db, username, client or "", now)
    ok = _bounded_check(user["password_hash"] if user else _DUMMY_HASH, password or "")
    if ok is None:  # the server is busy: this attempt was not checked, so it does not count
        with transaction(db):
            db.execute("DELETE FROM login_attempts WHERE id = ?", (attempt,))
        raise AuthError("auth.busy")
    if not (ok and user and user["active"]):
        raise AuthError("auth.wrong_credentials")
    with transaction(db):
        db.execute("UPDATE login_attempts SET success = 1 WHERE id = ?", (attempt,))
        if _hasher.check_needs_rehash(user["password_hash"]):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hash_password(password), user["id"]))
    return user


# Sessions: a random token in a signed HttpOnly cookie; only its hash is stored ---------------

COOKIE_NAME = "dasbor_sesi"


def _secret(db: Database) -> bytes:
    """The cookie-signing key, made once per installation and kept in the database."""
    row = one(db, "SELECT value FROM settings WHERE key = 'cookie_secret'")
    if row:
        return json.loads(row["value"]).encode()
    key = secrets.token_urlsafe(48)
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('cookie_secret', ?)", (json.dumps(key),))
    return _secret(db)


def _sign(db: Database, token: str) -> str:
    return hmac.new(_secret(db), token.encode(), hashlib.sha256).hexdigest()


def sign_out_token(db: Database, cookie: str | None) -> str:
    """A token bound to this session that only the app's own pages know: the sidebar's one-click sign-out."""
    return _sign(db, "keluar:" + (cookie or ""))[:32]


def sign_out_token_ok(db: Database, cookie: str | None, token: str | None) -> bool:
    return bool(cookie and token) and hmac.compare_digest(str(token), sign_out_token(db, cookie))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user: dict, now: dt.datetime | None = None) -> str:
    """Open a session for a signed-in user; returns the cookie value."""
    now = now or _utcnow()
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.get(db, "session_max_hours"))
    with transaction(db):
        db.execute("DELETE FROM sessions WHERE expires_at < ?", (now.isoformat(),))
        db.execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   (_token_hash(token), user["id"], now.isoformat(), now.isoformat(), expires.isoformat()))
    return f"{token}.{_sign(db, token)}"


def _token_from_cookie(db: Database, cookie: str | None) -> str | None:
    if not isinstance(cookie, str):
        return None
    token, _, signature = cookie.partition(".")
    if not token or not hmac.compare_digest(signature, _sign(db, token)):
        return None
    return token


def session_user(db: Database, cookie: str | None, now: dt.datetime | None = None) -> dict | None:
    """The active user behind a session cookie, or ``None`` when absent, forged or expired."""
    token = _token_from_cookie(db, cookie)
    if not token:
        return None
    now = now or _utcnow()
    found = one(db, "SELECT s.id AS session_id, s.last_seen, s.expires_at, u.* FROM sessions s"
                    " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", (_token_hash(token),))
    if not found or not found["active"] or _expired(db, found, now):
        return None
    last_seen = dt.datetime.fromisoformat(found["last_seen"])
    if now - last_seen > dt.timedelta(minutes=1):  # refresh at most once a minute: fewer writes
        with transaction(db):
            db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (now.isoformat(), found["session_id"]))
    return _public(found)


def _expired(db: Database, session: dict, now: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=settings.get(db, "session_idle_minutes"))
    return (now >= dt.datetime.fromisoformat(session["expires_at"])
            or now - dt.datetime.fromisoformat(session["last_seen"]) > idle)


def end_session(db: Database, cookie: str | None) -> None:
    """Sign out: the session row is deleted, so the cookie is worthless even if kept."""
    token = _token_from_cookie(db, cookie)
    if token:
        with transaction(db):
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
