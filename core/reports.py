"""Individual reports (SPEC §6.1, §6.4): the data a report shows, issuing it with a number and a
verification code, the public verification, and the ZIP of an event's reports.

A report's code is derived from the hash of its content, so re-issuing an unchanged result gives
back the same number and code, and any change to what the report shows gives a new code and
marks the earlier one superseded.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from core import audit, letterhead, narrative, pool, report_individual, scoring, settings, talent_store
from core.db import one, rows, transaction
from core.errors import Conflict, NotFound, PermissionDenied
from core.i18n import local_date, t
from core.integration import thresholds
from core.registry import get_event
from core.roles import is_lead

READERS = ("admin", "pimpinan")  # and the event's Ketua Tim
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: readable aloud, no look-alikes
CODE_LENGTH = 12
CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0"})
SEPARATORS = re.compile(r"[\s\-‐‑‒–—−_.]+")
LETTERHEAD_SHOWN = ("instansi", "unit", "address", "city", "logo")
# Kept in the data but not printed, so not part of the content hash: a change to them is no new report.
NOT_PRINTED = (("registration_id",), ("event_id",), ("finalised",), ("event", "start_date"), ("event", "end_date"),
               ("position", "unit"), ("signatories", "assessor", "id"), ("signatories", "lead", "id"))
PARALLEL_FROM = 12  # reports in a ZIP from which a worker process pays for its start (~1 s of one core)
MAX_WORKERS = 4


# The data of one report --------------------------------------------------------------------

def individual_data(db: Database, registration_id: int) -> dict:
    """Everything the individual report shows, as plain data (no number, code or issue date)."""
    reg = _registration(db, registration_id)
    letter = letterhead_settings(db)
    profile = _profile(db, registration_id, reg["position_id"])
    return {
        "registration_id": reg["id"], "event_id": reg["event_id"],
        "letterhead": {k: letter.get(k) or "" for k in LETTERHEAD_SHOWN},
        "event": {k: reg[f"event_{k}"] for k in ("name", "purpose", "start_date", "end_date", "venue", "organizer")},
        "tujuan": t(f"report.purpose.{reg['event_purpose']}"),
        "position": {"name": reg["position_name"], "unit": reg["position_unit"], "job_class": reg["job_class"]},
        "candidate": _candidate(reg),
        "assessment_date": reg["assessment_date"] or reg["event_end_date"],
        "profile": profile,
        **_totals(db, reg, profile),
        "narrative": _narrative(db, reg),
        "signatories": _signatories(db, reg, letter["pimpinan"]),
        "finalised": bool(reg["finalized_at"]),
    } | report_individual.potensi_data(db, reg["candidate_id"])


def _registration(db: Database, registration_id: int) -> dict:
    reg = one(db, """
        SELECT r.id, r.event_id, r.position_id, r.candidate_id, r.participant_no, r.assessment_date,
               e.name AS event_name, e.purpose AS event_purpose, e.start_date AS event_start_date,
               e.end_date AS event_end_date, e.venue AS event_venue, e.organizer AS event_organizer,
               p.name AS position_name, p.unit AS position_unit, j.name AS job_class,
               c.name, c.nip, c.golongan, g.pangkat, c.current_position, c.current_unit,
               res.kekuatan, res.area_pengembangan, res.saran_pengembangan, res.saran_penempatan,
               res.achieved_total, res.standard_total, res.jpm, res.category, res.finalized_at
        FROM registrations r JOIN events e ON e.id = r.event_id JOIN positions p ON p.id = r.position_id
        JOIN job_classes j ON j.code = p.job_class JOIN candidates c ON c.id = r.candidate_id
        LEFT JOIN golongan g ON g.code = c.golongan LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.id = ?""", (registration_id,))
    if not reg:
        raise NotFound("registration.not_found")
    return reg


def letterhead_settings(db: Database) -> dict:
    """The stored letterhead over the shipped defaults (an older stored value may lack newer keys)."""
    shipped = settings.defaults()["letterhead"]
    stored = settings.get(db, "letterhead") or {}
    merged = shipped | stored
    merged["pimpinan"] = shipped["pimpinan"] | (stored.get("pimpinan") or {})
    return merged


def _candidate(reg: dict) -> dict:
    rank = f"{reg['pangkat']} ({reg['golongan']})" if reg["pangkat"] else (reg["golongan"] or "")
    return {"participant_no": reg["participant_no"], "name": reg["name"], "nip": reg["nip"], "golongan": rank,
            "current_position": reg["current_position"], "current_unit": reg["current_unit"]}


def _profile(db: Database, registration_id: int, position_id: int) -> list[dict]:
    """The position's standard competencies in dictionary order, with the consensus level where decided."""
    cells = rows(db, """
        SELECT s.competency AS code, k.name, s.level AS standard, cs.level AS consensus
        FROM position_standards s JOIN competencies k ON k.code = s.competency
        LEFT JOIN consensus cs ON cs.registration_id = ? AND cs.competency = s.competency
        WHERE s.position_id = ? ORDER BY k.sort""", (registration_id, position_id))
    return [c | {"gap": None if c["consensus"] is None else c["consensus"] - c["standard"]} for c in cells]


def _totals(db: Database, reg: dict, profile: list[dict]) -> dict:
    """Totals, JPM and category: as finalised; for a draft, computed when every consensus is in."""
    if reg["finalized_at"]:
        achieved, standard, value, code = reg["achieved_total"], reg["standard_total"], reg["jpm"], reg["category"]
    elif profile and all(c["consensus"] is not None for c in profile):
        achieved, standard = sum(c["consensus"] for c in profile), sum(c["standard"] for c in profile)
        value = scoring.jpm({c["code"]: c["consensus"] for c in profile}, {c["code"]: c["standard"] for c in profile})
        code = scoring.category(value, reg["event_purpose"], thresholds(db, reg["event_purpose"]))
    else:
        return {"achieved_total": None, "standard_total": None, "jpm": None, "jpm_display": None, "category": None}
    name = one(db, "SELECT name FROM categories WHERE purpose = ? AND code = ?", (reg["event_purpose"], code))
    return {"achieved_total": achieved, "standard_total": standard, "jpm": value,
            "jpm_display": scoring.displayed_jpm(value, settings.get(db, "jpm_display_cap")),
            "category": {"code": code, "name": name["name"] if name else code}}


def _narrative(db: Database, reg: dict) -> dict:
    """The Ketua Tim's texts; a pemetaan's placement from the person's box on the event's talent map (SPEC §4.6,
    as the pemetaan recap shows it), with the Ketua Tim's own note after it."""
    texts = {k: reg[k] or "" for k in ("kekuatan", "area_pengembangan", "saran_pengembangan")}
    if reg["event_purpose"] == "pemetaan":
        row = talent_store.registration_talent(db, reg["event_id"], reg["id"])
        texts["saran_penempatan"] = narrative.placement(row, reg["saran_penempatan"] or "")
    return texts


def _signatories(db: Database, reg: dict, pimpinan: dict) -> dict:
    assessor = one(db, """
        SELECT u.id, u.full_name AS name, coalesce(u.nip, '') AS nip, count(*) AS assignments
        FROM assignments a JOIN users u ON u.id = a.assessor_id WHERE a.registration_id = ?
        GROUP BY u.id ORDER BY assignments DESC, u.full_name COLLATE NOCASE, u.id LIMIT 1""", (reg["id"],))
    lead = one(db, """SELECT u.id, u.full_name AS name, coalesce(u.nip, '') AS nip FROM event_assessors ea
                      JOIN users u ON u.id = ea.user_id WHERE ea.event_id = ? AND ea.is_lead = 1""", (reg["event_id"],))
    return {"assessor": {k: assessor[k] for k in ("id", "name", "nip")} if assessor else None,
            "lead": lead,
            "pimpinan": {k: pimpinan.get(k) or "" for k in ("title", "name", "nip")}}


# Hash and verification code ----------------------------------------------------------------

def content_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON of what the report prints."""
    shown = copy.deepcopy(data)
    for *parents, key in NOT_PRINTED:
        holder = functools.reduce(lambda d, k: (d or {}).get(k), parents, shown)
        if isinstance(holder, dict):
            holder.pop(key, None)
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_code(content_hash: str, salt: str = "") -> str:
    """12 Crockford base32 characters (60 bits) grouped ``XXXX-XXXX-XXXX``."""
    seed = content_hash if not salt else f"{content_hash}|{salt}"
    value = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big") >> 4
    chars = "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text) -> str | None:
    """What a person typed or scanned → ``XXXX-XXXX-XXXX``, or ``None`` when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 300:
        return None
    if "kode=" in text:  # a whole verification address was pasted
        text = text.rsplit("kode=", 1)[1].split("&", 1)[0]
    cleaned = SEPARATORS.sub("", text).upper().translate(CONFUSABLES)
    if len(cleaned) != CODE_LENGTH or any(ch not in CROCKFORD for ch in cleaned):
        return None
    return "-".join(cleaned[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def verify(db: Database, code) -> dict | None:
    """Public check of a printed code: its status, the name, the issue date, the number, the event."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    found = one(db, """SELECT rp.number, rp.issued_at, rp.superseded_at, c.name, e.name AS event
                       FROM reports rp JOIN registrations r ON r.id = rp.registration_id
                       JOIN candidates c ON c.id = r.candidate_id JOIN events e ON e.id = r.event_id
                       WHERE rp.code = ?""", (normalised,))
    if not found:
        return None
    issued_on = local_date(found["issued_at"], settings.time_zone(db)).isoformat()
    return {"status": "superseded" if found["superseded_at"] else "valid", "name": found["name"],
            "issued_at": found["issued_at"], "issued_on": issued_on, "number": found["number"], "event": found["event"]}


def verification_url(base_url: str, code: str) -> str:
    return f"{(base_url or '').rstrip('/')}/verifikasi?kode={code}"


# Issuing -----------------------------------------------------------------------------------

def require_reader(db: Database, actor: dict | None, event_id: int) -> None:
    """Admin, pimpinan, and the Ketua Tim of the event."""
    if not actor or not actor.get("active", 1):
        raise PermissionDenied("report.forbidden")
    if actor.get("role") in READERS:
        return
    if actor.get("role") == "asesor" and is_lead(db, actor["id"], event_id):
        return
    raise PermissionDenied("report.forbidden")


def _event_of(db: Database, registration_id: int) -> int:
    found = one(db, "SELECT event_id FROM registrations WHERE id = ?", (registration_id,))
    if not found:
        raise NotFound("registration.not_found")
    return found["event_id"]


@dataclass(frozen=True)
class _Job:
    """What one PDF is built from; plain and picklable (the ZIP builds PDFs in worker processes)."""

    data: dict
    number: str
    code: str
    url: str
    issued_on: str

    @property
    def file_name(self) -> str:
        return file_name(self.data["candidate"]["participant_no"], self.data["candidate"]["name"])


def issue_individual(db: Database, actor: dict, registration_id: int, base_url: str | None = None
                     ) -> tuple[bytes, dict]:
    """The official report of a finalised result: its PDF and its record (number, code, hash, dates)."""
    job, record = _issue(db, actor, registration_id, base_url)
    return _build(job), record


def _issue(db: Database, actor: dict, registration_id: int, base_url: str | None) -> tuple[_Job, dict]:
    """Record (or find) the report of a finalised result; what its PDF is built from, and the record."""
    require_reader(db, actor, _event_of(db, registration_id))
    with transaction(db):
        data = individual_data(db, registration_id)
        if not data["finalised"]:
            raise Conflict("report.not_final")
        record = _current_or_new(db, actor, data)
    url = verification_url(base_url or letterhead_settings(db).get("server_url", ""), record["code"])
    issued_on = local_date(record["issued_at"], settings.time_zone(db)).isoformat()  # the date it is signed
    return _Job(data, record["number"], record["code"], url, issued_on), record


def _build(job: _Job) -> bytes:
    return report_individual.build(job.data, job.number, job.code, job.url, issued_on=job.issued_on)


def _current_or_new(db: Database, actor: dict, data: dict) -> dict:
    """The standing report with this content, or a new one that supersedes the earlier ones."""
    digest = content_hash(data)
    current = one(db, """SELECT * FROM reports WHERE registration_id = ? AND content_hash = ?
                         AND superseded_at IS NULL ORDER BY id DESC LIMIT 1""", (data["registration_id"], digest))
    if current:
        return current
    stamp = audit.now()
    earlier = [r["code"] for r in rows(db, "SELECT code FROM reports WHERE registration_id = ? AND superseded_at"
                                           " IS NULL", (data["registration_id"],))]
    db.execute("UPDATE reports SET superseded_at = ? WHERE registration_id = ? AND superseded_at IS NULL",
               (stamp, data["registration_id"]))
    record = {"registration_id": data["registration_id"], "number": _next_number(db, stamp),
              "code": _free_code(db, digest), "content_hash": digest, "issued_at": stamp,
              "issued_by": actor["id"], "superseded_at": None}
    record["id"] = db["reports"].insert(record).last_pk
    audit.record(db, actor, "issue", "report", record["id"], old={"superseded": earlier} if earlier else None,
                 new={k: record[k] for k in ("registration_id", "number", "code", "content_hash")})
    return record


def _next_number(db: Database, stamp: str) -> str:
    """The year's running number over all events (superseded reports keep theirs), in the configured format.

    Counting per year, not per event, keeps numbers unique when the format carries only {seq} and {year}.
    """
    day = local_date(stamp, settings.time_zone(db))
    seq = db.execute("SELECT count(*) FROM reports WHERE substr(issued_at, 1, 4) = ?", (str(day.year),)).fetchone()[0]
    fmt = letterhead_settings(db).get("report_number_format") or "{seq:03d}/{year}"
    return letterhead.report_number(fmt, seq + 1, day.year, day.month)


def _free_code(db: Database, digest: str) -> str:
    """The code of the content hash; salted when an older report (e.g. superseded) already holds it."""
    attempt = 0
    while True:
        code = short_code(digest, str(attempt) if attempt else "")
        if not one(db, "SELECT 1 FROM reports WHERE code = ?", (code,)):
            return code
        attempt += 1


def draft_individual(db: Database, actor: dict, registration_id: int) -> bytes:
    """A DRAF of the report (watermarked, unnumbered, nothing recorded), also before finalisation."""
    require_reader(db, actor, _event_of(db, registration_id))
    data = individual_data(db, registration_id)
    if not data["finalised"] and all(c["consensus"] is None for c in data["profile"]):
        raise Conflict("report.no_consensus")
    return report_individual.build(data, "", "", "", draft=True)


# All reports of an event -------------------------------------------------------------------

def file_name(participant_no: str, name: str) -> str:
    """``007_dr-siti-rahmawati-s-e-m-si.pdf``: ASCII only, nothing a file system could read as a path."""
    return f"{_slug(participant_no, keep_case=True) or 'peserta'}_{_slug(name) or 'tanpa-nama'}.pdf"


def _slug(text: str, keep_case: bool = False) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:80]
    return slug if keep_case else slug.lower()


def zip_individual(db: Database, actor: dict, event_id: int, base_url: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> bytes:
    """One issued PDF per finalised registration of the event, in one ZIP; ``progress(i, n)`` as each is built.

    The entries are in participant order, whoever built them first.
    """
    get_event(db, event_id)
    require_reader(db, actor, event_id)
    people = rows(db, """SELECT r.id FROM registrations r JOIN results res ON res.registration_id = r.id
                         WHERE r.event_id = ? AND res.finalized_at IS NOT NULL ORDER BY r.participant_no, r.id""",
                  (event_id,))
    jobs = [_issue(db, actor, person["id"], base_url)[0] for person in people]
    pdfs: list[bytes | None] = [None] * len(jobs)
    for done, (index, pdf) in enumerate(_build_all(jobs), start=1):
        pdfs[index] = pdf
        if progress:
            progress(done, len(jobs))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:  # PDFs are compressed
        for job, pdf in zip(jobs, pdfs, strict=True):
            archive.writestr(job.file_name, pdf)
    return buffer.getvalue()


def _build_all(jobs: list[_Job]) -> Iterator[tuple[int, bytes]]:
    """``(index, pdf)`` of every job as it is built: here and, for many, in worker processes beside this one
    (fpdf2 holds the GIL; a worker costs an interpreter start, so one fewer than the processors, as this one
    builds too). Where the workers cannot start or fail, what they have not given is built here.
    """
    workers = min(pool.cpus() - 1, MAX_WORKERS, len(jobs) - 1)
    done: set[int] = set()
    if len(jobs) >= PARALLEL_FROM and workers >= 1:
        try:
            for index, pdf in pool.run("core.reports:_build", jobs, workers, local=_build):
                done.add(index)
                yield index, pdf
            return
        except pool.FAILURES:
            pass
    for index, job in enumerate(jobs):
        if index not in done:
            yield index, _build(job)
