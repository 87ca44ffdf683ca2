"""The database: connection, pragmas, schema migrations, transactions, integrity.

The foundation of core: it imports no module of ours. Every other module gets a ``Database``
from :func:`connect` and writes only inside :func:`transaction`. Connections are cheap; open one
per unit of work. Where the file lives is the caller's business (see ``core.setup``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 10_000
SCHEMA_VERSION = "0008_skp_kurang_misconduct"  # the newest migration: what `check` and a restore report
FILE_MODE = 0o600  # the database holds personal data: owner only (SQLite gives -wal/-shm the same mode)
SCHEMES_FILE = Path(__file__).resolve().parent.parent / "data" / "talent_schemes.json"  # shipped by migration 0003

migrations = Migrations("dasbor")


class IntegrityFailure(Exception):
    """``PRAGMA integrity_check`` or ``foreign_key_check`` found a problem."""


def connect(path: str | Path) -> Database:
    """Open a connection with the pragmas every connection needs; a new file is created owner-only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode can lose the last commits on power loss; FULL cannot.
    conn.execute("PRAGMA synchronous = FULL")
    db = Database(conn)
    return db


def _create_private(path: Path) -> None:
    """Create a missing file as an empty (valid) database with mode 0600, before SQLite creates it 0644."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        pass


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; nested calls become savepoints."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")  # inside the try: a failed commit must roll back, not keep the lock
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def migrate(db: Database) -> None:
    """Apply pending migrations; applying again changes nothing.

    Several processes may open a new file at once: the migrations run under ``BEGIN IMMEDIATE``
    and the pending list is read again inside the lock, so only the first one creates the schema.
    """
    if not migrations.pending(db):
        return
    with transaction(db):
        migrations.apply(db)


def schema_version(db: Database) -> str | None:
    """Name of the newest applied migration, or ``None`` for an empty file."""
    applied = migrations.applied(db)
    return applied[-1].name if applied else None


def check_integrity(db: Database) -> list[str]:
    """Raise :class:`IntegrityFailure` unless the file and its foreign keys are sound."""
    problems = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    problems = [p for p in problems if p != "ok"]
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    problems += [f"foreign key: {tuple(row)}" for row in fk]
    if problems:
        raise IntegrityFailure("; ".join(problems[:10]))
    return problems


def rows(db: Database, sql: str, params: tuple | list | dict = ()) -> list[dict]:
    """Run a query and return plain dicts."""
    return [dict(row) for row in db.execute(sql, params).fetchall()]


def one_or_raise(db: Database, sql: str, params: tuple | list | dict, missing: Exception) -> dict:
    """The one row, or raise ``missing`` (the caller's named error) when there is none."""
    row = one(db, sql, params)
    if row is None:
        raise missing
    return row


def one(db: Database, sql: str, params: tuple | list | dict = ()) -> dict | None:
    """Run a query and return the first row as a dict, or ``None``."""
    row = db.execute(sql, params).fetchone()
    return dict(row) if row else None


@migrations(name="0001_initial")
def initial_schema(db: Database) -> None:
    """The schema for the whole workflow of SPEC §2–§4."""
    db.executescript(INITIAL_SCHEMA_SQL)


INITIAL_SCHEMA_SQL = """
-- Reference data (SPEC §3) ------------------------------------------------------------
CREATE TABLE competencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('manajerial', 'sosial_kultural')),
    definition TEXT NOT NULL,
    sort INTEGER NOT NULL
);
CREATE TABLE competency_levels (
    competency TEXT NOT NULL REFERENCES competencies(code),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    headline TEXT NOT NULL,
    indicators TEXT NOT NULL,              -- JSON list of behavioural indicators
    PRIMARY KEY (competency, level)
);
CREATE TABLE job_classes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    manajerial_level INTEGER NOT NULL CHECK (manajerial_level BETWEEN 1 AND 5),
    sosial_kultural_level INTEGER NOT NULL CHECK (sosial_kultural_level BETWEEN 1 AND 5),
    examples TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL
);
CREATE TABLE golongan (
    code TEXT PRIMARY KEY,                 -- 'III/a'
    pangkat TEXT NOT NULL,                 -- 'Penata Muda'
    rank INTEGER NOT NULL UNIQUE           -- 1 = I/a … 17 = IV/e
);
CREATE TABLE skp_predikat (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    performance TEXT NOT NULL CHECK (performance IN ('di_bawah', 'sesuai', 'di_atas')),
    sort INTEGER NOT NULL
);
CREATE TABLE categories (
    purpose TEXT NOT NULL CHECK (purpose IN ('pengisian', 'pemetaan')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    min_jpm REAL NOT NULL,                 -- lower bound, inclusive
    recommended INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (purpose, code)
);
CREATE TABLE ninebox (
    box INTEGER PRIMARY KEY CHECK (box BETWEEN 1 AND 9),
    potential TEXT NOT NULL CHECK (potential IN ('rendah', 'menengah', 'tinggi')),
    performance TEXT NOT NULL CHECK (performance IN ('di_bawah', 'sesuai', 'di_atas')),
    label TEXT NOT NULL,
    action TEXT NOT NULL,
    succession INTEGER NOT NULL DEFAULT 0,
    UNIQUE (potential, performance)
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL                    -- JSON
);

-- People and access (SPEC §1, §8) --------------------------------------------------------
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name TEXT NOT NULL,
    nip TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'asesor', 'pimpinan')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    at TEXT NOT NULL,
    success INTEGER NOT NULL,
    client TEXT
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Events and registry (SPEC §2 step 1) ---------------------------------------------------
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('pengisian', 'pemetaan')),
    state TEXT NOT NULL DEFAULT 'persiapan'
        CHECK (state IN ('persiapan', 'penilaian', 'integrasi', 'final', 'arsip')),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    organizer TEXT NOT NULL DEFAULT '',
    consensus_method TEXT NOT NULL DEFAULT 'mean' CHECK (consensus_method IN ('mean', 'median')),
    discuss_threshold REAL NOT NULL DEFAULT 2,
    tiebreak TEXT NOT NULL DEFAULT '["jpm","below_standard","golongan","service"]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    job_class TEXT NOT NULL REFERENCES job_classes(code),
    sort INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, name)
);
CREATE TABLE position_standards (
    position_id INTEGER NOT NULL REFERENCES positions(id) ON DELETE CASCADE,
    competency TEXT NOT NULL REFERENCES competencies(code),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (position_id, competency)
);
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    nip TEXT NOT NULL UNIQUE CHECK (length(nip) = 18),
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('L', 'P')),
    tmt_cpns TEXT NOT NULL,                -- 'YYYY-MM' from the NIP
    golongan TEXT REFERENCES golongan(code),
    current_position TEXT NOT NULL DEFAULT '',
    current_unit TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX candidates_name ON candidates (name);
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    position_id INTEGER NOT NULL REFERENCES positions(id),
    participant_no TEXT NOT NULL,
    skp_predikat TEXT REFERENCES skp_predikat(code),
    assessment_date TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (event_id, candidate_id),
    UNIQUE (event_id, participant_no)
);
CREATE INDEX registrations_position ON registrations (position_id);

-- Assessment (SPEC §2 steps 1–3, §4.1–§4.3) -----------------------------------------------
CREATE TABLE exercises (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'custom',
    sort INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, name)
);
CREATE TABLE exercise_competencies (
    exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    competency TEXT NOT NULL REFERENCES competencies(code),
    PRIMARY KEY (exercise_id, competency)
);
CREATE TABLE event_assessors (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    is_lead INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, user_id)
);
CREATE UNIQUE INDEX one_lead_per_event ON event_assessors (event_id) WHERE is_lead = 1;
CREATE TABLE conflicts (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    assessor_id INTEGER NOT NULL REFERENCES users(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    reason TEXT NOT NULL,
    declared_at TEXT NOT NULL,
    PRIMARY KEY (event_id, assessor_id, candidate_id)
);
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    assessor_id INTEGER NOT NULL REFERENCES users(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    UNIQUE (registration_id, assessor_id, exercise_id)
);
CREATE INDEX assignments_assessor ON assignments (assessor_id);
CREATE TABLE submissions (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    assessor_id INTEGER NOT NULL REFERENCES users(id),
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (registration_id, assessor_id)
);
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    assessor_id INTEGER NOT NULL REFERENCES users(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    competency TEXT NOT NULL REFERENCES competencies(code),
    level INTEGER CHECK (level BETWEEN 1 AND 5),   -- NULL means TB (tidak teramati)
    evidence TEXT NOT NULL CHECK (length(trim(evidence)) > 0),
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    UNIQUE (registration_id, assessor_id, exercise_id, competency)
);
CREATE INDEX ratings_cell ON ratings (registration_id, competency);
CREATE TABLE consensus (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    competency TEXT NOT NULL REFERENCES competencies(code),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    suggested_level INTEGER CHECK (suggested_level BETWEEN 1 AND 5),
    rationale TEXT NOT NULL DEFAULT '',
    decided_by INTEGER NOT NULL REFERENCES users(id),
    decided_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (registration_id, competency),
    CHECK (level = suggested_level OR length(trim(rationale)) > 0)
);
CREATE TABLE results (
    registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,
    kekuatan TEXT NOT NULL DEFAULT '',
    area_pengembangan TEXT NOT NULL DEFAULT '',
    saran_pengembangan TEXT NOT NULL DEFAULT '',
    saran_penempatan TEXT NOT NULL DEFAULT '',
    achieved_total INTEGER,
    standard_total INTEGER,
    jpm REAL,
    category TEXT,
    finalized_at TEXT,
    finalized_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);

-- Seleksi terbuka (SPEC §4.5) ---------------------------------------------------------------
CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    weight REAL NOT NULL CHECK (weight > 0 AND weight <= 100),
    is_ac INTEGER NOT NULL DEFAULT 0,      -- the Assessment Center stage: score = min(JPM, 100)
    sort INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, name)
);
CREATE UNIQUE INDEX one_ac_stage_per_event ON stages (event_id) WHERE is_ac = 1;
CREATE TABLE stage_scores (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    score REAL NOT NULL CHECK (score BETWEEN 0 AND 100),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (registration_id, stage_id)
);

-- Reports (SPEC §6) -------------------------------------------------------------------------
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    number TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,             -- verification code, from the content hash
    content_hash TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users(id),
    superseded_at TEXT
);

-- Audit log: append-only (SPEC §2 step 6, §8) --------------------------------------------
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    old_value TEXT,                        -- JSON
    new_value TEXT,                        -- JSON
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
"""


@migrations(name="0002_refdata_versions")
def refdata_versions(db: Database) -> None:
    """Which version of each ``data/*.json`` file the database holds (see ``core.refdata.load``)."""
    db.executescript("""
CREATE TABLE refdata_versions (
    file TEXT PRIMARY KEY,                 -- 'competencies' for data/competencies.json
    sha256 TEXT NOT NULL,                  -- of the file's bytes as last applied
    content TEXT NOT NULL,                 -- the data as last applied (JSON): tells an admin's edit from a default
    applied_at TEXT NOT NULL
);
""")


# Issue 12 (talent): potensi, rekam jejak, SKP per year, talent schemes -----------------------------------------
TALENT_MIGRATION = "0003_talent_potensi_rekam_jejak"

TALENT_SCHEMA_SQL = """
CREATE TABLE potensi_scores (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    aspect TEXT NOT NULL CHECK (aspect IN ('P.01', 'P.02', 'P.03', 'P.04', 'P.05', 'P.06', 'P.07', 'P.08')),
    level INTEGER NOT NULL CHECK (level >= 1),    -- 1 KS … 5 BS (the scale is data, SPEC §3.4)
    uraian TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',              -- 'entri' or the imported file's name
    assessed_on TEXT,                             -- date of the potensi assessment
    event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
    entered_by INTEGER REFERENCES users(id),
    entered_at TEXT NOT NULL,
    PRIMARY KEY (candidate_id, aspect)
);
CREATE TABLE rekam_jejak (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
    pendidikan TEXT CHECK (pendidikan IN ('SD', 'SMP', 'SMA', 'D1', 'D2', 'D3', 'D4', 'S1', 'S2', 'S3')),
    pelatihan_jp INTEGER CHECK (pelatihan_jp >= 0),          -- JP of training in the last two years
    months_in_jenjang INTEGER CHECK (months_in_jenjang >= 0),
    posts_count INTEGER CHECK (posts_count >= 0),
    hukuman_disiplin TEXT CHECK (hukuman_disiplin IN ('none', 'ringan', 'sedang', 'berat')),
    hukuman_disiplin_date TEXT,
    kesesuaian_bidang TEXT CHECK (kesesuaian_bidang IN ('sesuai', 'kurang_sesuai', 'tidak_sesuai')),
    as_of TEXT,                                   -- the date the values describe
    source TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE TABLE skp_annual (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    predikat TEXT NOT NULL REFERENCES skp_predikat(code),
    source TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (candidate_id, year)
);
CREATE TABLE talent_schemes (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,                              -- 'jpm_saja' / 'terpadu' for the shipped ones
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,                     -- JSON: weights, bands, points, boxes (SPEC §4.6)
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE TABLE event_talent_scheme (
    event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    scheme_id INTEGER NOT NULL REFERENCES talent_schemes(id),
    chosen_by INTEGER REFERENCES users(id),
    chosen_at TEXT NOT NULL
);
-- The single predikat of a registration becomes the SKP of the year before its event (an SKP is the result of
-- a finished year), a later event's value wins for the same person and year. The old column stays for now.
INSERT INTO skp_annual (candidate_id, year, predikat, source, updated_at)
    SELECT r.candidate_id, CAST(substr(e.end_date, 1, 4) AS INTEGER) - 1, r.skp_predikat,
           'registrations.skp_predikat', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    FROM registrations r JOIN events e ON e.id = r.event_id
    WHERE r.skp_predikat IS NOT NULL ORDER BY e.end_date, r.id
    ON CONFLICT (candidate_id, year) DO UPDATE SET predikat = excluded.predikat
"""


@migrations(name=TALENT_MIGRATION)
def talent_schema(db: Database) -> None:
    """Potensi, rekam jejak, SKP per year and talent schemes (SPEC §3.4–§3.5, §4.6); ships the two schemes."""
    for statement in TALENT_SCHEMA_SQL.split(";"):
        if statement.strip():
            db.execute(statement)
    shipped = json.loads(SCHEMES_FILE.read_text(encoding="utf-8"))["schemes"]
    stamp = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()[0]
    for scheme in shipped:
        db.execute("INSERT INTO talent_schemes (key, name, definition, updated_at) VALUES (?, ?, ?, ?)",
                   (scheme["key"], scheme["name"], json.dumps(scheme, ensure_ascii=False), stamp))


@migrations(name="0004_reader_import_mappings")
def reader_import_mappings(db: Database) -> None:
    """SPEC §9: the column mapping an officer chose, remembered for files with the same header."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS import_mappings (
            kind TEXT NOT NULL,
            signature TEXT NOT NULL,
            mapping TEXT NOT NULL CHECK (json_valid(mapping)),
            updated_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, signature)
        );
        """
    )


@migrations(name="0005_pansel_papers")
def pansel_papers(db: Database) -> None:
    """The Pansel of a seleksi terbuka and the papers it issues (SPEC §6.3)."""
    db.executescript(PANSEL_SCHEMA_SQL)


PANSEL_SCHEMA_SQL = """
CREATE TABLE pansel (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    heading TEXT NOT NULL,                 -- PANITIA SELEKSI TERBUKA JABATAN PIMPINAN TINGGI PRATAMA …
    sk_number TEXT NOT NULL,               -- the Keputusan that formed the Pansel
    sk_date TEXT NOT NULL,
    ppk TEXT NOT NULL,                     -- the addressee of the surat pengantar, e.g. Wali Kota …
    number_format TEXT NOT NULL,           -- the Pansel's own numbering, {seq} {month_roman} {year}
    updated_at TEXT NOT NULL
);
CREATE TABLE pansel_members (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    sort INTEGER NOT NULL,
    name TEXT NOT NULL,
    nip TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('ketua', 'sekretaris', 'anggota'))
);
CREATE INDEX pansel_members_event ON pansel_members (event_id, sort);
CREATE TABLE pansel_papers (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    kind TEXT NOT NULL CHECK (kind IN ('berita_acara', 'pengantar')),
    position_id INTEGER REFERENCES positions(id),  -- the berita acara's position; none for the pengantar
    seq INTEGER NOT NULL,
    number TEXT NOT NULL,
    meeting_date TEXT NOT NULL,            -- as entered when issued: a reprint never takes the printing day
    place TEXT NOT NULL,
    content TEXT NOT NULL,                 -- JSON of everything printed, so a reprint is identical
    issued_at TEXT NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX pansel_papers_event ON pansel_papers (event_id, seq);
"""


@migrations(name="0006_external_results")
def external_results(db: Database) -> None:
    """SPEC §9: results of assessments done by another penyelenggara, per person, with their nine levels."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS external_results (
            id INTEGER PRIMARY KEY,
            candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
            assessment_date TEXT NOT NULL CHECK (date(assessment_date) = assessment_date),
            provider TEXT NOT NULL CHECK (length(trim(provider)) > 0),       -- penyelenggara
            job_class TEXT REFERENCES job_classes(code),                      -- jenjang jabatan, when given
            target_position TEXT NOT NULL DEFAULT '',
            achieved_total INTEGER NOT NULL,
            standard_total INTEGER,                                           -- NULL: no standard given, JPM given
            jpm REAL NOT NULL CHECK (jpm >= 0),
            jpm_given INTEGER NOT NULL DEFAULT 0,                             -- 1: the file's JPM, 0: computed
            category TEXT,
            source TEXT NOT NULL DEFAULT '',                                  -- the imported file's name
            imported_by INTEGER REFERENCES users(id),
            imported_at TEXT NOT NULL,
            UNIQUE (candidate_id, assessment_date, provider)
        );
        CREATE INDEX IF NOT EXISTS external_results_candidate ON external_results (candidate_id, assessment_date);
        CREATE TABLE IF NOT EXISTS external_levels (
            result_id INTEGER NOT NULL REFERENCES external_results(id) ON DELETE CASCADE,
            competency TEXT NOT NULL REFERENCES competencies(code),
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),             -- TB is not a result
            standard INTEGER CHECK (standard BETWEEN 1 AND 5),
            PRIMARY KEY (result_id, competency)
        );
        """
    )


@migrations(name="0007_login_attempts_by_client")
def login_attempts_by_client(db: Database) -> None:
    """Every sign-in asks how often its address failed lately (auth.client_locked_until): an index, not a scan
    of every attempt ever made."""
    db.executescript("CREATE INDEX IF NOT EXISTS login_attempts_client ON login_attempts (client, at);")


@migrations(name="0008_skp_kurang_misconduct")
def skp_kurang_misconduct(db: Database) -> None:
    """SPEC §3.3 and PermenPANRB 6/2022 name the fourth SKP predikat "Kurang/Misconduct" (code
    ``kurang_misconduct``); it was stored as ``kurang``. The stored predikat keep their meaning under the new
    code; one audit entry by "sistem" says how many rows moved. A new database has no rows yet: nothing to do."""
    if not db.execute("SELECT 1 FROM skp_predikat WHERE code = 'kurang'").fetchone():
        return
    moved = {table: db.execute(f"SELECT count(*) FROM {table} WHERE {column} = 'kurang'").fetchone()[0]
             for table, column in (("skp_annual", "predikat"), ("registrations", "skp_predikat"))}
    columns = [r[1] for r in db.execute("PRAGMA table_info(skp_predikat)").fetchall()]
    chosen = ", ".join("'kurang_misconduct'" if c == "code" else "'Kurang/Misconduct'" if c == "name" else c
                       for c in columns)
    db.execute(f"INSERT OR IGNORE INTO skp_predikat ({', '.join(columns)}) SELECT {chosen} FROM skp_predikat"
               " WHERE code = 'kurang'")
    db.execute("UPDATE skp_annual SET predikat = 'kurang_misconduct' WHERE predikat = 'kurang'")
    db.execute("UPDATE registrations SET skp_predikat = 'kurang_misconduct' WHERE skp_predikat = 'kurang'")
    db.execute("DELETE FROM skp_predikat WHERE code = 'kurang'")
    db.execute("INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, old_value, new_value, reason)"
               " VALUES (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NULL, 'sistem', 'update', 'skp_predikat',"
               " 'kurang', ?, ?, 'SPEC §3.3: kode Kurang/Misconduct')",
               (json.dumps({"code": "kurang", "name": "Kurang"}),
                json.dumps({"code": "kurang_misconduct", "name": "Kurang/Misconduct", "rows": moved})))
