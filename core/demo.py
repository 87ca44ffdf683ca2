"""The demo data set (SPEC §7): a realistic seleksi terbuka JPT Pratama, generated with a fixed seed."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlite_utils import Database

from core import audit, auth, registry
from core.db import one, transaction
from core.errors import Conflict

SEED = 20261123
EVENT_NAME = "Seleksi Terbuka JPT Pratama Kota Harapan Jaya 2026"
CANDIDATES_PER_POSITION = 10

POSITIONS = [
    ("Kepala Dinas Pendidikan", "Dinas Pendidikan"),
    ("Kepala Dinas Kesehatan", "Dinas Kesehatan"),
    ("Kepala Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Kepala Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR"),
    ("Kepala Dinas Perhubungan", "Dinas Perhubungan"),
    ("Kepala Dinas Sosial", "Dinas Sosial"),
    ("Kepala Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("Kepala Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Kepala Dinas Lingkungan Hidup", "Dinas Lingkungan Hidup"),
    ("Kepala Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("Kepala Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    ("Asisten Pemerintahan dan Kesejahteraan Rakyat", "Sekretariat Daerah"),
]
MALE = ["Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irwan", "Joko", "Rudi", "Slamet", "Teguh",
        "Wahyu", "Yusuf", "Arif", "Bambang", "Dimas", "Hari", "Iwan", "Muhammad", "Rahmat", "Sutrisno",
        "Taufik", "Andi", "Bayu", "Herman", "Nur", "Ridwan", "Samsul", "Zainal", "Ahmad"]
FEMALE = ["Siti", "Dewi", "Sri", "Rina", "Yuni", "Wulan", "Ratna", "Endang", "Fitri", "Indah", "Lestari",
          "Nurul", "Putri", "Rahayu", "Sari", "Tuti", "Umi", "Wati", "Ani", "Dian", "Eka", "Kartika",
          "Maya", "Novi", "Retno", "Diah", "Erna", "Hesti", "Ika", "Yanti"]
FAMILY = ["Santoso", "Wibowo", "Setiawan", "Hidayat", "Saputra", "Kurniawan", "Nugroho", "Pratama",
          "Susanto", "Gunawan", "Hakim", "Rahman", "Siregar", "Nasution", "Harahap", "Lubis", "Sitompul",
          "Pane", "Rachmawati", "Handayani", "Purnomo", "Suryadi", "Wijaya", "Halim", "Firmansyah",
          "Maulana", "Syahputra", "Hasibuan", "Tanjung", "Mahendra", "Permana", "Sulistyo", "Utomo",
          "Prasetyo", "Ramadhan", "Fauzi", "Simanjuntak", "Pohan", "Daulay", "Batubara"]
DEGREES = ["S.E., M.M.", "S.H., M.H.", "S.STP, M.AP", "S.Sos., M.Si.", "S.T., M.T.", "S.Pd., M.Pd.",
           "S.Kom., M.Kom.", "S.KM., M.Kes.", "S.IP., M.Si.", "S.E., M.Ak.", "S.Psi., M.Psi."]
PREFIXES = ["", "", "", "", "Dr. ", "Ir. ", "Drs. ", "Dra. ", "Hj. ", "H. "]
CURRENT = ["Sekretaris", "Kepala Bidang Perencanaan", "Kepala Bidang Pelayanan", "Kepala Bidang Program",
           "Inspektur Pembantu", "Kepala Bagian Organisasi", "Kepala Bagian Hukum", "Camat"]
UNITS = ["Dinas Pendidikan", "Dinas Kesehatan", "Bappeda", "Dinas PUPR", "Inspektorat", "Sekretariat Daerah",
         "Kecamatan Harapan Baru", "Kecamatan Sukamaju", "BKPSDM", "Dinas Sosial", "Diskominfo", "BPKAD"]
ASSESSORS = [("asesor.rini", "Dra. Rini Astuti, M.Psi., Psikolog"), ("asesor.bambang", "Drs. Bambang Sutejo, M.M."),
             ("asesor.yanti", "Yanti Kusumawati, S.Psi., M.Si."), ("asesor.hasan", "Dr. Hasan Basri, M.Si."),
             ("asesor.melati", "Melati Permatasari, S.Psi., M.Psi."),
             ("asesor.andre", "Andreas Simatupang, S.E., M.AP"),
             ("asesor.fauzan", "Fauzan Azima, S.Sos., M.Si."), ("asesor.lia", "Lia Amalia, S.Psi., M.A.")]
PIMPINAN = ("pimpinan.sekda", "Ir. H. Sutarman, M.T.")


def make_nip(rng: random.Random, gender: str) -> str:
    """A valid NIP: birth date, TMT CPNS between age 23 and 30, gender digit, serial."""
    birth = dt.date(rng.randint(1968, 1984), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = birth.year + rng.randint(23, 30)
    return f"{birth:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{'1' if gender == 'L' else '2'}{rng.randint(1, 999):03d}"


def make_name(rng: random.Random, gender: str) -> str:
    """A plausible Indonesian name with academic titles."""
    first = rng.choice(MALE if gender == "L" else FEMALE)
    prefix = rng.choice(PREFIXES)
    if (gender == "L" and prefix in ("Dra. ", "Hj. ")) or (gender == "P" and prefix in ("Drs. ", "H. ")):
        prefix = ""
    return f"{prefix}{first} {rng.choice(FAMILY)}, {rng.choice(DEGREES)}"


def demo_candidates(n: int, seed: int = SEED) -> list[dict]:
    """``n`` distinct candidates with valid NIPs (deterministic for a seed)."""
    rng = random.Random(seed)
    people, nips = [], set()
    while len(people) < n:
        gender = rng.choice("LP")
        nip = make_nip(rng, gender)
        if nip in nips:
            continue
        nips.add(nip)
        people.append({"nip": nip, "name": make_name(rng, gender),
                       "golongan": rng.choice(["IV/a", "IV/b", "IV/b", "IV/c"]),
                       "current_position": f"{rng.choice(CURRENT)}", "current_unit": rng.choice(UNITS)})
    return people


def _accounts(db: Database, admin: dict) -> dict[str, str]:
    """Eight assessors and one pimpinan, each with a random password returned once."""
    credentials = {}
    for username, full_name in ASSESSORS + [PIMPINAN]:
        if one(db, "SELECT 1 FROM users WHERE username = ?", (username,)):
            continue
        password = secrets.token_urlsafe(9) + "7a"
        role = "pimpinan" if username == PIMPINAN[0] else "asesor"
        auth.create_user(db, admin, username, full_name, role, password)
        credentials[username] = password
    return credentials


def load(db: Database, admin: dict) -> dict[str, str]:
    """Load the demo set; returns the generated passwords of the demo accounts (shown once)."""
    auth.require(admin, "admin")
    if one(db, "SELECT 1 FROM events WHERE name = ?", (EVENT_NAME,)):
        raise Conflict("demo.already_loaded")
    credentials = _accounts(db, admin)
    with transaction(db):
        event_id = registry.create_event(db, admin, EVENT_NAME, "pengisian", "2026-11-16", "2026-11-20",
                                         "Gedung Assessment Center BKPSDM, Jl. Merdeka No. 1",
                                         "BKPSDM Kota Harapan Jaya")
        people = demo_candidates(len(POSITIONS) * CANDIDATES_PER_POSITION)
        for index, (name, unit) in enumerate(POSITIONS):
            position_id = registry.create_position(db, admin, event_id, name, unit, "jpt_pratama")
            for person in people[index * CANDIDATES_PER_POSITION:(index + 1) * CANDIDATES_PER_POSITION]:
                candidate_id = registry.create_candidate(db, admin, person["nip"], person["name"],
                                                         person["golongan"], person["current_position"],
                                                         person["current_unit"])
                registry.register(db, admin, event_id, candidate_id, position_id)
        audit.record(db, admin, "load", "demo", event_id, new={"event": EVENT_NAME})
    return credentials
