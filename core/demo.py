"""The demo data set (SPEC §7): a realistic seleksi terbuka JPT Pratama, generated with a fixed seed."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlite_utils import Database

from core import (
    assessment,
    audit,
    auth,
    integration,
    letterhead,
    pansel,
    rating,
    refdata,
    registry,
    results,
    talent,
    talent_store,
)
from core.db import one, rows, transaction
from core.errors import Conflict

SEED = 20261123
EVENT_NAME = "Seleksi Terbuka JPT Pratama Kota Harapan Jaya 2026"
MAPPING_NAME = "Pemetaan Kompetensi Pejabat Administrator 2026"
EXERCISES = [("In-basket", "inbasket"), ("Leaderless Group Discussion (LGD)", "lgd"),
             ("Analisis Kasus", "analisis_kasus"), ("Presentasi", "presentasi"),
             ("Wawancara Kompetensi", "wawancara")]
# Pemetaan maps incumbents against the posts they hold: one target post per kind of Administrator post,
# and six people in each who hold such a post now.
MAPPING_POSITIONS = [("Kepala Bagian", "Sekretariat Daerah"), ("Kepala Bidang", "Dinas dan Badan"),
                     ("Sekretaris Dinas", "Dinas"), ("Camat", "Kecamatan")]
MAPPING_INCUMBENTS = [
    [("Kepala Bagian Organisasi", "Sekretariat Daerah"), ("Kepala Bagian Hukum", "Sekretariat Daerah"),
     ("Kepala Bagian Umum", "Sekretariat Daerah"), ("Kepala Bagian Perekonomian", "Sekretariat Daerah"),
     ("Kepala Bagian Pemerintahan", "Sekretariat Daerah"),
     ("Kepala Bagian Kesejahteraan Rakyat", "Sekretariat Daerah")],
    [("Kepala Bidang Anggaran", "BPKAD"), ("Kepala Bidang Aset", "BPKAD"), ("Kepala Bidang Pendapatan", "BPKAD"),
     ("Kepala Bidang Perencanaan Infrastruktur", "Bappeda"), ("Kepala Bidang Pelayanan Kesehatan", "Dinas Kesehatan"),
     ("Kepala Bidang Pendidikan Dasar", "Dinas Pendidikan")],
    [("Sekretaris Dinas Pendidikan", "Dinas Pendidikan"), ("Sekretaris Dinas Kesehatan", "Dinas Kesehatan"),
     ("Sekretaris Dinas Sosial", "Dinas Sosial"), ("Sekretaris Dinas Perhubungan", "Dinas Perhubungan"),
     ("Sekretaris Dinas Lingkungan Hidup", "Dinas Lingkungan Hidup"),
     ("Sekretaris Dinas Komunikasi dan Informatika", "Dinas Komunikasi dan Informatika")],
    [("Camat Harapan Baru", "Kecamatan Harapan Baru"), ("Camat Sukamaju", "Kecamatan Sukamaju"),
     ("Camat Mekarsari", "Kecamatan Mekarsari"), ("Camat Sumber Rejeki", "Kecamatan Sumber Rejeki"),
     ("Camat Tanjung Harapan", "Kecamatan Tanjung Harapan"), ("Camat Bukit Indah", "Kecamatan Bukit Indah")],
]
# Pengawas incumbents in the same pemetaan: the succession pool of the Administrator posts (SPEC §4.6).
MAPPING_PENGAWAS_POSITION = ("Kepala Subbagian", "Perangkat Daerah")
MAPPING_PENGAWAS = [("Kepala Subbagian Umum dan Kepegawaian", "Dinas Pendidikan"),
                    ("Kepala Subbagian Keuangan", "Dinas Kesehatan"),
                    ("Kepala Subbagian Perencanaan", "Dinas Sosial"),
                    ("Kepala Subbagian Tata Usaha", "Kecamatan Sukamaju"),
                    ("Kepala Subbagian Program", "Bappeda"),
                    ("Kepala Subbagian Umum", "Dinas Perhubungan")]
MAPPING_SCHEME = "terpadu"
# Who in the pemetaan lacks which talent data on purpose (index in registration order), so the Talenta page
# shows its "data belum lengkap" list beside the boxes.
MAPPING_GAPS = {5: "potensi", 11: "potensi_partial", 17: "rekam_jejak", 23: "skp_latest", 26: "skp"}
MAPPING_WEAK = {8: 1.9, 20: 2.1}  # two people with a low potential, so the lower boxes are not all empty
LENIENCY = {"asesor.rini": 0.0, "asesor.bambang": 0.35, "asesor.yanti": -0.1, "asesor.hasan": -1.1,
            "asesor.melati": 0.1, "asesor.andre": 1.3, "asesor.fauzan": -0.2, "asesor.lia": 0.05}
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
# Posts a JPT Pratama applicant holds now (Administrator), each in a unit where it exists.
CURRENT_POSTS = [
    ("Sekretaris Dinas Pendidikan", "Dinas Pendidikan"), ("Sekretaris Dinas Kesehatan", "Dinas Kesehatan"),
    ("Sekretaris Bappeda", "Bappeda"), ("Sekretaris Dinas PUPR", "Dinas PUPR"),
    ("Inspektur Pembantu Wilayah I", "Inspektorat"), ("Inspektur Pembantu Wilayah II", "Inspektorat"),
    ("Kepala Bagian Organisasi", "Sekretariat Daerah"), ("Kepala Bagian Hukum", "Sekretariat Daerah"),
    ("Kepala Bagian Perencanaan dan Keuangan", "Sekretariat Daerah"), ("Camat Harapan Baru", "Kecamatan Harapan Baru"),
    ("Camat Sukamaju", "Kecamatan Sukamaju"), ("Kepala Bidang Pengembangan Aparatur", "BKPSDM"),
    ("Kepala Bidang Rehabilitasi Sosial", "Dinas Sosial"), ("Kepala Bidang Aplikasi Informatika", "Diskominfo"),
    ("Kepala Bidang Anggaran", "BPKAD"), ("Kepala Bidang Perencanaan Infrastruktur", "Bappeda"),
    ("Kepala Bidang Lalu Lintas", "Dinas Perhubungan"), ("Kepala Bidang Pelayanan Kesehatan", "Dinas Kesehatan"),
]
# Where applicants from outside the city come from, in the order they are needed.
OTHER_REGIONS = ["Kabupaten Sukamakmur", "Kabupaten Bumi Raya", "Kota Sejahtera", "Kabupaten Tanjung Permai",
                 "Kabupaten Lembah Hijau", "Kota Bandar Baru", "Kabupaten Sungai Jernih", "Kabupaten Gunung Mas",
                 "Kota Pelabuhan Ratu", "Kabupaten Padang Luas", "Kabupaten Karang Indah", "Kota Mekar Jaya",
                 "Kabupaten Danau Biru", "Kabupaten Rimba Raya", "Kota Sumber Makmur", "Kabupaten Pesisir Timur",
                 "Kabupaten Pesisir Barat", "Kota Tirta Kencana", "Kabupaten Sawah Lebar", "Kabupaten Bukit Permai",
                 "Kota Cahaya Baru", "Kabupaten Lautan Teduh", "Kabupaten Kebun Raya", "Kota Taman Sari"]
ASSESSORS = [("asesor.rini", "Dra. Rini Astuti, M.Psi., Psikolog", "196805121994032004"),
             ("asesor.bambang", "Drs. Bambang Sutejo, M.M.", "196709081993031005"),
             ("asesor.yanti", "Yanti Kusumawati, S.Psi., M.Si.", "197804172003122002"),
             ("asesor.hasan", "Dr. Hasan Basri, M.Si.", "197102251997031003"),
             ("asesor.melati", "Melati Permatasari, S.Psi., M.Psi.", "198203142006042011"),
             ("asesor.andre", "Andreas Simatupang, S.E., M.AP", "197511302001121002"),
             ("asesor.fauzan", "Fauzan Azima, S.Sos., M.Si.", "197908062005011007"),
             ("asesor.lia", "Lia Amalia, S.Psi., M.A.", "198401102009022003")]
PIMPINAN = ("pimpinan.sekda", "Ir. H. Sutarman, M.T.", "196903141995031002")
KEPALA_BKPSDM = {"title": "Kepala BKPSDM Kota Harapan Jaya", "name": "Dr. Hj. Nurhayati, S.Sos., M.Si.",
                 "nip": "197006151996032003"}
PANSEL = {"heading": "PANITIA SELEKSI TERBUKA JABATAN PIMPINAN TINGGI PRATAMA PEMERINTAH KOTA HARAPAN JAYA",
          "sk_number": "100.3.3.2/412/BKPSDM/2026", "sk_date": "2026-10-01", "ppk": "Wali Kota Harapan Jaya",
          "number_format": pansel.DEFAULT_NUMBER_FORMAT}
PANSEL_MEMBERS = [("Ir. H. Sutarman, M.T.", "196903141995031002", "ketua"),
                  ("Dr. Hj. Nurhayati, S.Sos., M.Si.", "197006151996032003", "sekretaris"),
                  ("Prof. Dr. Bambang Wijaya, M.A.", "", "anggota"),
                  ("Dr. Lestari Handayani, M.Psi., Psikolog", "", "anggota"),
                  ("Drs. Hendra Gunawan, M.Si.", "196712101993031006", "anggota")]


def make_nip(rng: random.Random, gender: str, born: tuple[int, int] = (1971, 1984)) -> str:
    """A valid NIP: birth date (a JPT Pratama applicant is at most 56 in 2026), TMT CPNS between age 23 and 30,
    gender digit, serial."""
    birth = dt.date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = birth.year + rng.randint(23, 30)
    return f"{birth:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{'1' if gender == 'L' else '2'}{rng.randint(1, 999):03d}"


def make_name(rng: random.Random, gender: str) -> str:
    """A plausible Indonesian name with academic titles."""
    first = rng.choice(MALE if gender == "L" else FEMALE)
    prefix = rng.choice(PREFIXES)
    if (gender == "L" and prefix in ("Dra. ", "Hj. ")) or (gender == "P" and prefix in ("Drs. ", "H. ")):
        prefix = ""
    return f"{prefix}{first} {rng.choice(FAMILY)}, {rng.choice(DEGREES)}"


def _elsewhere(position: str, unit: str, held: set[tuple[str, str]]) -> str:
    """One holder per post: a post already held in the city is held by this applicant in another region
    (a seleksi terbuka is open to ASN of other instansi)."""
    for region in ["", *OTHER_REGIONS]:
        where = f"{unit} {region}".strip()
        if (position, where) not in held:
            held.add((position, where))
            return where
    return unit  # the benchmarks' thousands of people: more holders than regions, realism is not asked there


def demo_candidates(n: int, seed: int = SEED, posts: list[tuple[str, str]] | None = None) -> list[dict]:
    """``n`` distinct candidates with valid NIPs (deterministic for a seed); ``posts`` gives each one's post."""
    rng = random.Random(seed)
    # Applicants do not hold the posts of the pemetaan's incumbents (the same city, the same year).
    held = set() if posts else {post for group in MAPPING_INCUMBENTS for post in group} | set(MAPPING_PENGAWAS)
    people, nips = [], set()
    while len(people) < n:
        gender = rng.choice("LP")
        nip = make_nip(rng, gender)
        if nip in nips:
            continue
        nips.add(nip)
        position, unit = posts[len(people)] if posts else rng.choice(CURRENT_POSTS)
        unit = _elsewhere(position, unit, held)
        people.append({"nip": nip, "name": make_name(rng, gender),
                       "golongan": rng.choice(["IV/a", "IV/b", "IV/b", "IV/c"]),
                       "current_position": position, "current_unit": unit})
    return people


def _accounts(db: Database, admin: dict) -> dict[str, str]:
    """Eight assessors and one pimpinan, each with a random password returned once."""
    credentials = {}
    for username, full_name, nip in ASSESSORS + [PIMPINAN]:
        if one(db, "SELECT 1 FROM users WHERE username = ?", (username,)):
            continue
        password = secrets.token_urlsafe(9) + "7a"
        role = "pimpinan" if username == PIMPINAN[0] else "asesor"
        auth.create_user(db, admin, username, full_name, role, password, nip=nip)
        credentials[username] = password
    return credentials


def load(db: Database, admin: dict) -> dict[str, str]:
    """Load the demo set; returns the generated passwords of the demo accounts (shown once)."""
    auth.require(admin, "admin")
    if one(db, "SELECT 1 FROM events WHERE name = ?", (EVENT_NAME,)):
        raise Conflict("demo.already_loaded")
    credentials = _accounts(db, admin)
    users = {u["username"]: u for u in rows(db, "SELECT * FROM users")}
    rng = random.Random(SEED)
    with transaction(db):
        letterhead.save(db, admin, {"pimpinan": KEPALA_BKPSDM})
        _seleksi_terbuka(db, admin, users, rng)
        _pemetaan(db, admin, users, rng)
        audit.record(db, admin, "load", "demo", "", new={"events": [EVENT_NAME, MAPPING_NAME]})
    return credentials


def _register_people(db, admin, event_id, positions, people, job_class) -> list[int]:
    """Positions of the event and the candidates per position, in order."""
    per_position = len(people) // len(positions)
    registration_ids = []
    for index, (name, unit) in enumerate(positions):
        position_id = registry.create_position(db, admin, event_id, name, unit, job_class)
        for person in people[index * per_position:(index + 1) * per_position]:
            existing = one(db, "SELECT id FROM candidates WHERE nip = ?", (person["nip"],))
            candidate_id = existing["id"] if existing else registry.create_candidate(
                db, admin, person["nip"], person["name"], person["golongan"], person["current_position"],
                person["current_unit"])
            registration_ids.append(registry.register(db, admin, event_id, candidate_id, position_id))
    return registration_ids


def _setup(db, admin, event_id, exercises, assessor_ids, lead_id) -> None:
    """Exercises with a full matrix, the assessors, two conflicts, balanced assignments, rating open."""
    codes = [c["code"] for c in refdata.competencies(db)]
    ids = [assessment.create_exercise(db, admin, event_id, name, kind) for name, kind in exercises]
    assessment.set_matrix(db, admin, event_id, {ex: set(codes) for ex in ids})
    assessment.set_assessors(db, admin, event_id, assessor_ids, lead_id)
    for assessor_id, reg in zip(assessor_ids[-2:], registry.list_registrations(db, event_id)[3:5], strict=True):
        assessment.declare_conflict(db, admin, event_id, assessor_id, reg["id"],
                                    "Pernah menjadi atasan langsung peserta dalam dua tahun terakhir")
    assessment.auto_assign(db, admin, event_id)
    assessment.advance_state(db, admin, event_id)


def _seleksi_terbuka(db, admin, users, rng) -> None:
    event_id = registry.create_event(db, admin, EVENT_NAME, "pengisian", "2026-11-16", "2026-11-20",
                                     "Gedung Assessment Center BKPSDM, Jl. Merdeka No. 1", "BKPSDM Kota Harapan Jaya")
    people = demo_candidates(len(POSITIONS) * CANDIDATES_PER_POSITION)
    registrations = _register_people(db, admin, event_id, POSITIONS, people, "jpt_pratama")
    assessors = [users[u] for u, _name, _nip in ASSESSORS]
    _setup(db, admin, event_id, EXERCISES, [a["id"] for a in assessors], assessors[0]["id"])
    per = CANDIDATES_PER_POSITION
    _rate(db, event_id, assessors, registrations[:10 * per], rng, submit=registrations[:8 * per])
    _rate(db, event_id, assessors, registrations[10 * per:], rng, submit=[], share=0.5)
    for index in range(8 * per, 9 * per):  # position 9: one assessor of each candidate still has to submit
        _submit_all_but_one(db, assessors, registrations[index])
    _integrate(db, assessors[0], registrations[:4 * per], rng)
    _stages(db, admin, event_id, registrations[:4 * per], rng)
    pansel.save_pansel(db, admin, event_id, PANSEL)
    pansel.set_members(db, admin, event_id, [{"name": n, "nip": nip, "role": r} for n, nip, r in PANSEL_MEMBERS])


def _stages(db, admin, event_id, registration_ids, rng) -> None:
    """Seleksi terbuka stages (PermenPANRB 15/2019) and the scores of the finalised candidates."""
    results.set_stages(db, admin, event_id, [
        {"name": "Assessment Center", "weight": 40, "is_ac": True},
        {"name": "Makalah & presentasi", "weight": 20}, {"name": "Wawancara akhir", "weight": 30},
        {"name": "Rekam jejak", "weight": 10}])
    stages = [s["id"] for s in results.list_stages(db, event_id) if not s["is_ac"]]
    results.set_stage_scores(db, admin, event_id, [(reg, stage, round(min(100, rng.gauss(78, 8)), 1))
                                                   for reg in registration_ids for stage in stages])


def _pemetaan(db, admin, users, rng) -> None:
    event_id = registry.create_event(db, admin, MAPPING_NAME, "pemetaan", "2026-08-10", "2026-08-12",
                                     "Aula BKPSDM Kota Harapan Jaya", "BKPSDM Kota Harapan Jaya")
    people = demo_candidates(24 + len(MAPPING_PENGAWAS), seed=SEED + 1,
                             posts=[post for group in MAPPING_INCUMBENTS for post in group] + MAPPING_PENGAWAS)
    registrations = _register_people(db, admin, event_id, MAPPING_POSITIONS, people[:24], "administrator")
    registrations += _register_people(db, admin, event_id, [MAPPING_PENGAWAS_POSITION], people[24:], "pengawas")
    assessors = [users[u] for u, _name, _nip in ASSESSORS[:4]]
    _setup(db, admin, event_id, [EXERCISES[0], EXERCISES[2], EXERCISES[4]], [a["id"] for a in assessors],
           assessors[1]["id"])
    _rate(db, event_id, assessors, registrations[:24], rng, submit=registrations[:24], ability=2.75)
    _rate(db, event_id, assessors, registrations[24:], rng, submit=registrations[24:], ability=1.9)
    assessment.advance_state(db, admin, event_id)
    _integrate(db, assessors[1], registrations, rng)
    assessment.advance_state(db, admin, event_id)
    _talent(db, admin, event_id, rng)


# Talent data of the pemetaan (SPEC §3.4, §3.5, §4.6) -------------------------------------------

def _talent(db, admin, event_id, rng) -> None:
    """Potensi, rekam jejak and two years of SKP for the pemetaan's people, a few incomplete on purpose."""
    scheme = next(s for s in talent_store.list_schemes(db) if s["key"] == MAPPING_SCHEME)
    talent_store.set_event_scheme(db, admin, event_id, scheme["id"])
    years = talent.skp_years(int(registry.get_event(db, event_id)["end_date"][:4]), 2)
    for index, person in enumerate(registry.list_registrations(db, event_id)):
        candidate_id, gap = person["id"], MAPPING_GAPS.get(index)
        strength = MAPPING_WEAK.get(index) or rng.gauss(3.3, 0.75)
        potensi = _potensi(rng, strength)
        if gap == "potensi_partial":
            potensi.pop(talent.POTENSI_CODES[-1])  # the psychologist's file lacked one aspect
        if gap != "potensi":
            talent_store.set_potensi(db, admin, candidate_id, {c: v["level"] for c, v in potensi.items()},
                                     {c: v["uraian"] for c, v in potensi.items()}, source="Asesmen potensi (psikolog)",
                                     assessed_on="2026-08-11", event_id=event_id)
        if gap != "rekam_jejak":
            talent_store.set_rekam_jejak(db, admin, candidate_id, _rekam_jejak(rng, strength), source="SIASN")
        for year in {"skp": [], "skp_latest": years[1:]}.get(gap, years):
            talent_store.set_skp(db, admin, candidate_id, year, _predikat(rng, strength), source="e-Kinerja")


def _potensi(rng, strength: float) -> dict[str, dict]:
    """Eight aspects around the person's strength, each with an uraian from the demo phrases."""
    phrases = _phrases()["potensi"]
    out = {}
    for code in talent.POTENSI_CODES:
        level = min(5, max(1, round(strength + rng.gauss(0, 0.55))))
        band = "tinggi" if level >= 4 else "sedang" if level == 3 else "rendah"
        out[code] = {"level": level, "uraian": phrases[code][band]}
    return out


def _rekam_jejak(rng, strength: float) -> dict:
    """A track record that goes with the person's strength (SIASN-like values)."""
    good, weak = strength > 3.4, strength < 2.5
    hukdis = "none" if good or rng.random() < 0.8 else "ringan"
    return {"pendidikan": rng.choice(["S2", "S2", "S1"] if good else ["S1", "S1", "D4", "S2"]),
            "pelatihan_jp": rng.choice([24, 32, 40, 46, 60] if good else [0, 6, 8] if weak else [8, 16, 20, 24, 32]),
            "months_in_jenjang": rng.randint(30, 96) if good else rng.randint(6, 18) if weak else rng.randint(10, 60),
            "posts_count": rng.randint(2, 5) if good else 1 if weak else rng.randint(1, 3), "hukuman_disiplin": hukdis,
            "hukuman_disiplin_date": None if hukdis == "none" else "2024-03-15",
            "kesesuaian_bidang": "sesuai" if good or (not weak and rng.random() < 0.6) else "kurang_sesuai",
            "as_of": "2026-07-31"}


def _predikat(rng, strength: float) -> str:
    """An SKP predikat (PermenPANRB 6/2022), better odds for a stronger person."""
    weights = [3, 5, 1, 0.3] if strength > 3.6 else [1, 6, 2, 0.6]
    return rng.choices(["sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct"], weights)[0]


# Ratings with believable evidence -------------------------------------------------------------

def _phrases() -> dict:
    return refdata.read("demo_phrases")


def _evidence(rng: random.Random, code: str, kind: str, level: int | None) -> str:
    phrases = _phrases()
    if level is None:
        return rng.choice(phrases["not_observed"])
    band = "tinggi" if level >= 4 else "sedang" if level == 3 else "rendah"
    opener = phrases["exercise_openers"].get(kind, "Dalam latihan ini,")
    return f"{opener} peserta {rng.choice(phrases['behaviour'][code][band])}. {rng.choice(phrases['closers'])}".strip()


def _abilities(rng: random.Random, codes: list[str], centre: float) -> dict[str, float]:
    base = rng.gauss(centre, 0.5)
    return {code: base + rng.gauss(0, 0.35) for code in codes}


def _rate(db, event_id, assessors, registration_ids, rng, submit, share: float = 1.0, ability: float = 3.7):
    """Each assessor rates their assignments (a ``share`` of them); a few cells disagree for real."""
    by_id = {a["id"]: a for a in assessors}
    kinds = {e["id"]: e["kind"] for e in assessment.list_exercises(db, event_id)}
    matrix = assessment.get_matrix(db, event_id)
    wanted = set(registration_ids)
    for reg_id in registration_ids:
        truth = _abilities(rng, sorted({c for codes in matrix.values() for c in codes}), ability)
        assigned = rows(db, "SELECT * FROM assignments WHERE registration_id = ? ORDER BY exercise_id, assessor_id",
                        (reg_id,))
        # In a few cells one assessor sees the candidate two levels apart: real disagreement to discuss.
        raters = sorted({a["assessor_id"] for a in assigned})
        outliers = {code: (rng.choice(raters), rng.choice([-2, 2])) for code in truth if rng.random() < 0.06}
        for a in assigned:
            if a["registration_id"] not in wanted or rng.random() > share:
                continue
            assessor = by_id[a["assessor_id"]]
            lenient = LENIENCY.get(assessor["username"], 0.0) / 2
            entries = {code: _one_rating(rng, truth[code] + lenient + _shift(outliers, code, assessor["id"]), code,
                                         kinds[a["exercise_id"]]) for code in sorted(matrix[a["exercise_id"]])}
            rating.save_ratings(db, assessor, reg_id, a["exercise_id"], entries)
        if reg_id in submit:
            for assessor_id in raters:
                rating.submit(db, by_id[assessor_id], reg_id)


def _shift(outliers: dict, code: str, assessor_id: int) -> int:
    who, shift = outliers.get(code, (None, 0))
    return shift if who == assessor_id else 0


def _one_rating(rng: random.Random, centre: float, code: str, kind: str) -> dict:
    level = None if rng.random() < 0.01 else min(5, max(1, round(centre + rng.gauss(0, 0.3))))
    return {"level": level, "evidence": _evidence(rng, code, kind, level), "version": 0}


def _submit_all_but_one(db, assessors, registration_id) -> None:
    assigned = sorted({r["assessor_id"] for r in rows(
        db, "SELECT assessor_id FROM assignments WHERE registration_id = ?", (registration_id,))})
    by_id = {a["id"]: a for a in assessors}
    for assessor_id in assigned[:-1]:
        rating.submit(db, by_id[assessor_id], registration_id)


# Integration by the Ketua Tim ----------------------------------------------------------------

def _integrate(db, lead, registration_ids, rng) -> None:
    """The Ketua Tim decides each cell, takes the narrative drafted from the consensus, and finalises."""
    for reg_id in registration_ids:
        view = integration.meeting(db, lead, reg_id)
        for cell in view["competencies"]:
            level, rationale = cell["suggested"] or cell["standard"], ""
            if cell["must_discuss"] and rng.random() < 0.5:
                level = max(1, min(5, level + rng.choice([-1, 1])))
                rationale = ("Setelah diskusi, tim menilai bukti pada wawancara kompetensi dan analisis kasus lebih "
                             "kuat daripada satu penilaian yang menyimpang.")
            integration.set_consensus(db, lead, reg_id, cell["code"], level, rationale)
        integration.save_narrative(db, lead, reg_id, **integration.narrative_draft(db, lead, reg_id))
        integration.finalise(db, lead, reg_id)
