"""Shared fixtures: a fresh database file per test, and users of each role."""

from __future__ import annotations

import pytest

from core import auth, db

PASSWORD = "rahasia123"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A path for a new database file; the app's env var points at it too."""
    path = tmp_path / "dasbor.db"
    monkeypatch.setenv(db.ENV_VAR, str(path))
    return path


@pytest.fixture
def fresh_db(db_path):
    """A migrated database with reference data and no accounts."""
    database = db.prepare(db_path)
    yield database
    database.close()


@pytest.fixture
def admin(fresh_db):
    return auth.create_first_admin(fresh_db, "admin", "Admin BKPSDM", PASSWORD)


@pytest.fixture
def asesor(fresh_db, admin):
    return auth.create_user(fresh_db, admin, "asesor.satu", "Asesor Satu, S.Psi.", "asesor", PASSWORD)


@pytest.fixture
def pimpinan(fresh_db, admin):
    return auth.create_user(fresh_db, admin, "pimpinan", "Pimpinan Daerah", "pimpinan", PASSWORD)
