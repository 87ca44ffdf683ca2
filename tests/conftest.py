"""Shared fixtures: a fresh database file per test, and users of each role."""

from __future__ import annotations

import shutil

import pytest

import routing
from core import auth, setup

PASSWORD = "rahasia123"


@pytest.fixture(scope="session", autouse=True)
def fast_hashing():
    """Cheap argon2id parameters for the whole run: tests create many accounts.

    The production parameters are tested on their own (test_auth), against the hasher captured at import.
    """
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(autouse=True)
def frame_routes_every_page(monkeypatch):
    """AppTest resets Streamlit's old ``pages/``-folder mode before every run; keep app.py the router (routing.py)."""
    from streamlit.testing.v1 import app_test

    monkeypatch.setattr(app_test, "PagesManager", routing.FrameRoutedPagesManager)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A path for a new database file; the app's env var points at it too."""
    path = tmp_path / "dasbor.db"
    monkeypatch.setenv(setup.ENV_VAR, str(path))
    return path


@pytest.fixture
def fresh_db(db_path):
    """A migrated database with reference data and no accounts."""
    database = setup.open_database(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory, fast_hashing):
    """The demo data set, built once per test run (~5 s); tests that need it get a copy."""
    from core import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = setup.open_database(path)
    demo.load(database, auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD))
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy must not need the -wal file
    database.close()
    return path


@pytest.fixture
def demo_db(db_path, demo_file):
    """A private copy of the demo database (its path is also $DASBOR_DB, so pages use it)."""
    shutil.copy(demo_file, db_path)
    database = setup.open_database(db_path)
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
