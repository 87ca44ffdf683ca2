"""Potensi scores, rekam jejak, SKP per year and talent schemes: storage and the event's talent map.

Potensi is confidential (a psychological assessment): only the admin enters or changes it. Every write is one
``BEGIN IMMEDIATE`` transaction, audited with the old value; bad input raises a ``ValidationError`` with an
Indonesian message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping

from sqlite_utils import Database

from core import audit, external, settings, talent
from core.db import one, rows, transaction
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.registry import get_event
from core.roles import require
from core.textutil import strip_controls

WRITERS = ("admin",)  # who may enter potensi, rekam jejak, SKP and schemes (SPEC §3.4: confidential)
SCALE_MAX = len(talent.potensi_reference()["scale"])  # 1 KS … 5 BS
MAX_URAIAN = 1000
MAX_SOURCE = 200
PENDIDIKAN = talent.reference_codes("pendidikan")
HUKDIS = talent.reference_codes("hukuman_disiplin")
KESESUAIAN = talent.reference_codes("kesesuaian_bidang")
RECORD_FIELDS = ("pendidikan", "pelatihan_jp", "months_in_jenjang", "posts_count", "hukuman_disiplin",
                 "hukuman_disiplin_date", "kesesuaian_bidang", "as_of")
DEFAULT_SCHEME_KEY = "jpm_saja"  # an event without a choice keeps the v1 behaviour (JPM alone)


def _candidate(db: Database, candidate_id: int) -> dict:
    found = one(db, "SELECT id, nip, name FROM candidates WHERE id = ?", (candidate_id,))
    if not found:
        raise NotFound("candidate.not_found")
    return found


def _text(value, limit: int, key: str) -> str:
    text = strip_controls(str(value or "")).strip()
    if len(text) > limit:
        raise ValidationError(key, limit=limit)
    return text


def _date(value, key: str) -> str | None:
    """``YYYY-MM-DD`` (a real date) or empty."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    return _bad(key, text)


def _bad(key: str, value):
    raise ValidationError(key, value=str(value)[:20])


def _int(value, key: str, low: int = 0, high: int = 10_000) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        _bad(key, value)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return _bad(key, value)
    if number != int(number) or not low <= number <= high:
        _bad(key, value)
    return int(number)


# Potensi ----------------------------------------------------------------------------------------------------

def clean_potensi(levels: Mapping[str, object], uraian: Mapping[str, object] | None = None) -> dict[str, dict]:
    """Check levels (1..5 or empty) and uraian per aspect code; return {code: {level, uraian}} of the given ones."""
    uraian = uraian or {}
    unknown = (set(levels) | set(uraian)) - set(talent.POTENSI_CODES)
    if unknown:
        raise ValidationError("talent.potensi.bad_aspect", value=sorted(map(str, unknown))[0][:20])
    cleaned = {}
    for code in talent.POTENSI_CODES:
        level = _int(levels.get(code), "talent.potensi.bad_level", 1, SCALE_MAX)
        note = _text(uraian.get(code), MAX_URAIAN, "talent.potensi.uraian_too_long")
        if level is None and note:
            raise ValidationError("talent.potensi.uraian_without_level", aspect=code)
        if level is not None:
            cleaned[code] = {"level": level, "uraian": note}
    return cleaned


def set_potensi(db: Database, actor: dict, candidate_id: int, levels: Mapping[str, object],
                uraian: Mapping[str, object] | None = None, source: str = "entri",
                assessed_on: str | None = None, event_id: int | None = None) -> None:
    """Admin records the potensi of one person; an aspect left empty is removed. Audited with the old values."""
    require(actor, *WRITERS)
    cleaned = clean_potensi(levels, uraian)
    source = _text(source, MAX_SOURCE, "talent.source_too_long") or "entri"
    assessed_on = _date(assessed_on, "talent.bad_date")
    with transaction(db):
        _candidate(db, candidate_id)
        _write_potensi(db, actor, candidate_id, cleaned, source, assessed_on, event_id)


def _write_potensi(db: Database, actor: dict, candidate_id: int, cleaned: dict, source: str,
                   assessed_on: str | None, event_id: int | None, only: set[str] | None = None) -> None:
    """Replace the person's potensi by ``cleaned`` — or, with ``only``, just those aspects (an import's columns)."""
    old = potensi_of(db, candidate_id)
    kept = {c: v for c, v in old.items() if only is not None and c not in only}
    new = {code: v | {"source": source, "assessed_on": assessed_on} for code, v in cleaned.items()}
    fields = ("level", "uraian", "source", "assessed_on")
    if new == {c: {k: v[k] for k in fields} for c, v in old.items() if c not in kept}:
        return
    stamp = audit.now()
    db.execute("DELETE FROM potensi_scores WHERE candidate_id = ? AND aspect NOT IN ("
               + ", ".join("?" * len(kept)) + ")", (candidate_id, *kept))
    db.conn.executemany(
        "INSERT INTO potensi_scores (candidate_id, aspect, level, uraian, source, assessed_on, event_id,"
        " entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(candidate_id, code, v["level"], v["uraian"], source, assessed_on, event_id, actor["id"], stamp)
         for code, v in cleaned.items()])
    after = {c: {k: v[k] for k in fields} for c, v in kept.items()} | new
    audit.record(db, actor, "update", "potensi", candidate_id, old=old or None, new=after or None)


def read_potensi(db: Database, actor: dict, candidate_id: int) -> dict[str, dict]:
    """Potensi for a reader: the admin, a pimpinan, or the Ketua Tim of an event the person is registered in
    (the Integrasi view); other asesor never see it (SPEC §3.4: confidential)."""
    require(actor, "admin", "pimpinan", "asesor")
    if actor["role"] == "asesor" and not db.execute(
            "SELECT 1 FROM registrations r JOIN event_assessors a ON a.event_id = r.event_id"
            " WHERE r.candidate_id = ? AND a.user_id = ? AND a.is_lead = 1", (candidate_id, actor["id"])).fetchone():
        raise PermissionDenied("auth.forbidden")
    return potensi_of(db, candidate_id)


def potensi_of(db: Database, candidate_id: int) -> dict[str, dict]:
    """{aspect code: {level, uraian, source, assessed_on, event_id}} of one person."""
    return {r.pop("aspect"): r for r in rows(
        db, "SELECT aspect, level, uraian, source, assessed_on, event_id FROM potensi_scores"
            " WHERE candidate_id = ? ORDER BY aspect", (candidate_id,))}


# Rekam jejak ------------------------------------------------------------------------------------------------

def clean_rekam_jejak(values: Mapping[str, object]) -> dict:
    """Check the rekam jejak fields (SPEC §3.5); empty means unknown (the completeness gate will say so)."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError("talent.rekam.unknown_field", value=sorted(map(str, unknown))[0][:30])
    out: dict[str, object] = {}
    for field, allowed in (("pendidikan", PENDIDIKAN), ("hukuman_disiplin", HUKDIS),
                           ("kesesuaian_bidang", KESESUAIAN)):
        value = values.get(field)
        value = None if value in (None, "") else str(value).strip()
        if field == "pendidikan" and value:
            value = value.upper()
        if value is not None and value not in allowed:
            raise ValidationError(f"talent.rekam.bad_{field}", value=value[:20])
        out[field] = value
    out["pelatihan_jp"] = _int(values.get("pelatihan_jp"), "talent.rekam.bad_jp", 0, 2000)
    out["months_in_jenjang"] = _int(values.get("months_in_jenjang"), "talent.rekam.bad_months", 0, 600)
    out["posts_count"] = _int(values.get("posts_count"), "talent.rekam.bad_posts", 0, 100)
    out["hukuman_disiplin_date"] = _date(values.get("hukuman_disiplin_date"), "talent.bad_date")
    out["as_of"] = _date(values.get("as_of"), "talent.bad_date")
    if out["hukuman_disiplin"] in ("ringan", "sedang", "berat") and not out["hukuman_disiplin_date"]:
        raise ValidationError("talent.rekam.hukdis_needs_date")
    if out["hukuman_disiplin"] in (None, "none"):
        out["hukuman_disiplin_date"] = None
    return out


def set_rekam_jejak(db: Database, actor: dict, candidate_id: int, values: Mapping[str, object],
                    source: str = "entri") -> None:
    """Admin records (replaces) one person's rekam jejak; audited with the old values."""
    require(actor, *WRITERS)
    cleaned = clean_rekam_jejak(values)
    source = _text(source, MAX_SOURCE, "talent.source_too_long") or "entri"
    with transaction(db):
        _candidate(db, candidate_id)
        _write_rekam_jejak(db, actor, candidate_id, cleaned, source)


def _write_rekam_jejak(db: Database, actor: dict, candidate_id: int, cleaned: dict, source: str) -> None:
    old = rekam_jejak_of(db, candidate_id)
    if old is not None and {k: old[k] for k in RECORD_FIELDS} == cleaned:
        return
    db.execute("INSERT OR REPLACE INTO rekam_jejak (candidate_id, source, updated_by, updated_at, "
               + ", ".join(RECORD_FIELDS) + ") VALUES (?, ?, ?, ?" + ", ?" * len(RECORD_FIELDS) + ")",
               (candidate_id, source, actor["id"], audit.now(), *(cleaned[f] for f in RECORD_FIELDS)))
    audit.record(db, actor, "update", "rekam_jejak", candidate_id, old=old, new=cleaned | {"source": source})


def rekam_jejak_of(db: Database, candidate_id: int) -> dict | None:
    return one(db, "SELECT " + ", ".join(RECORD_FIELDS) + ", source FROM rekam_jejak WHERE candidate_id = ?",
               (candidate_id,))


# SKP per year -----------------------------------------------------------------------------------------------

def set_skp(db: Database, actor: dict, candidate_id: int, year: object, predikat: str | None,
            source: str = "entri") -> None:
    """Admin records the SKP predikat (PermenPANRB 6/2022) of one year; ``None`` removes it. Audited."""
    require(actor, *WRITERS)
    source = _text(source, MAX_SOURCE, "talent.source_too_long") or "entri"
    with transaction(db):
        year, predikat = clean_skp(db, year, predikat)
        _candidate(db, candidate_id)
        _write_skp(db, actor, candidate_id, year, predikat, source)


def clean_skp(db: Database, year: object, predikat: object) -> tuple[int, str | None]:
    """A year 2000–2100 and a known predikat code (or None)."""
    number = _int(year, "talent.skp.bad_year", 2000, 2100)
    if number is None:
        raise ValidationError("talent.skp.bad_year", value="")
    predikat = None if predikat in (None, "") else str(predikat).strip()
    if predikat is not None and not one(db, "SELECT 1 FROM skp_predikat WHERE code = ?", (predikat,)):
        raise ValidationError("talenta.bad_predikat")
    return number, predikat


def _write_skp(db: Database, actor: dict, candidate_id: int, year: int, predikat: str | None, source: str) -> None:
    row = one(db, "SELECT predikat FROM skp_annual WHERE candidate_id = ? AND year = ?", (candidate_id, year))
    old = row["predikat"] if row else None
    if old == predikat:
        return
    if predikat is None:
        db.execute("DELETE FROM skp_annual WHERE candidate_id = ? AND year = ?", (candidate_id, year))
    else:
        db.execute("INSERT INTO skp_annual (candidate_id, year, predikat, source, updated_by, updated_at)"
                   " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (candidate_id, year) DO UPDATE SET"
                   " predikat = excluded.predikat, source = excluded.source,"
                   " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                   (candidate_id, year, predikat, source, actor["id"], audit.now()))
    audit.record(db, actor, "update", "skp_annual", f"{candidate_id}:{year}", old=old, new=predikat)


def skp_of(db: Database, candidate_id: int) -> dict[int, str]:
    """{year: predikat code}, newest first."""
    return {r["year"]: r["predikat"] for r in rows(
        db, "SELECT year, predikat FROM skp_annual WHERE candidate_id = ? ORDER BY year DESC", (candidate_id,))}


# Bulk entry (rows already read from a file by the one reader of SPEC §9) -------------------------------------

def import_people(db: Database, actor: dict, records: list[Mapping], source: str) -> list[tuple[int, str]]:
    """All-or-nothing: check every row, then write all in one transaction (each person audited).

    A record: ``nip`` (required), ``row`` (its line in the file, for messages), and any of ``potensi``
    {code: level} with ``uraian`` {code: text} and ``assessed_on``; ``rekam_jejak`` {field: value};
    ``skp`` {year: predikat}. A record changes only what it names (an aspect, a field, a year; ``None``
    clears it): the rest of the person's data stays as stored. One person (one SKP year) twice in a file
    is refused: which row would count? Returns the problems as ``(row, Indonesian message)``; when there
    are any, nothing was written.
    """
    require(actor, *WRITERS)
    source = _text(source, MAX_SOURCE, "talent.source_too_long") or "impor"
    ids = {r["nip"]: r["id"] for r in rows(db, "SELECT id, nip FROM candidates")}
    problems: list[tuple[int, str]] = []
    plans = []
    seen: dict[tuple, int] = {}
    for number, record in enumerate(records, start=1):
        row_no = record.get("row", number)
        try:
            nip = str(record.get("nip") or "").strip()
            if nip not in ids:
                raise ValidationError("talent.import.unknown_nip", nip=nip[:20])
            plan = _plan(db, ids[nip], record)
            _once(seen, _subjects(nip, record), row_no)
            plans.append((ids[nip], plan))
        except ValidationError as error:
            problems.append((row_no, error.message()))
    if problems:
        return problems
    with transaction(db):
        for candidate_id, plan in plans:
            if plan["potensi"] is not None:
                _write_potensi(db, actor, candidate_id, plan["potensi"], source, plan["assessed_on"], None,
                               only=plan["potensi_named"])
            if plan["rekam_jejak"] is not None:
                _write_rekam_jejak(db, actor, candidate_id, plan["rekam_jejak"], source)
            for year, predikat in plan["skp"]:
                _write_skp(db, actor, candidate_id, year, predikat, source)
    return []


def _subjects(nip: str, record: Mapping) -> list[tuple]:
    """What a record speaks of: a person's potensi, rekam jejak, each SKP year."""
    found = [(nip, kind) for kind in ("potensi", "rekam_jejak") if record.get(kind) is not None]
    return found + [(nip, "skp", str(year)) for year in (record.get("skp") or {})]


def _once(seen: dict[tuple, int], subjects: list[tuple], row_no: int) -> None:
    for subject in subjects:
        if subject in seen:
            raise ValidationError("talent.import.duplicate", nip=subject[0], row=seen[subject])
    seen.update(dict.fromkeys(subjects, row_no))


def _plan(db: Database, candidate_id: int, record: Mapping) -> dict:
    potensi, rekam = record.get("potensi"), record.get("rekam_jejak")
    named = set(potensi or {}) | set(record.get("uraian") or {})
    stored = potensi_of(db, candidate_id) if potensi is not None else {}
    levels = {c: v["level"] for c, v in stored.items() if c not in named} | (potensi or {})
    notes = {c: v["uraian"] for c, v in stored.items() if c not in named} | (record.get("uraian") or {})
    old_record = rekam_jejak_of(db, candidate_id) if rekam is not None else None
    merged = {f: old_record[f] for f in RECORD_FIELDS} if old_record else {}
    return {"potensi": None if potensi is None else {c: v for c, v in clean_potensi(levels, notes).items()
                                                     if c in named},
            "potensi_named": named,
            "assessed_on": _date(record.get("assessed_on"), "talent.bad_date"),
            "rekam_jejak": None if rekam is None else clean_rekam_jejak(merged | dict(rekam)),
            "skp": [clean_skp(db, year, predikat) for year, predikat in (record.get("skp") or {}).items()]}


# Talent schemes ---------------------------------------------------------------------------------------------

def list_schemes(db: Database) -> list[dict]:
    return [r | {"definition": json.loads(r["definition"])} for r in rows(
        db, "SELECT * FROM talent_schemes ORDER BY id")]


def get_scheme(db: Database, scheme_id: int) -> dict:
    row = one(db, "SELECT * FROM talent_schemes WHERE id = ?", (scheme_id,))
    if not row:
        raise NotFound("talent.scheme.not_found")
    return row | {"definition": json.loads(row["definition"])}


def _checked(definition: Mapping) -> dict:
    problems = talent.scheme_problems(definition)
    if problems:
        weights = definition.get("weights") or {}
        try:
            total = sum(float(weights.get(c, 0) or 0) for c in talent.COMPONENTS)
        except (TypeError, ValueError):
            total = 0
        raise ValidationError(problems[0], total=f"{total:g}".replace(".", ","))
    scheme = json.loads(json.dumps(definition))
    scheme["name"] = _text(scheme["name"], 120, "talent.scheme.name_too_long")
    return scheme


def save_scheme(db: Database, actor: dict, scheme_id: int | None, definition: Mapping,
                version: int | None = None) -> int:
    """Admin creates (``scheme_id=None``) or edits a scheme; weights must sum to 100. Audited with the old one."""
    require(actor, *WRITERS)
    scheme = _checked(definition)
    stamp = audit.now()
    with transaction(db):
        clash = one(db, "SELECT id FROM talent_schemes WHERE name = ? AND id IS NOT ?", (scheme["name"], scheme_id))
        if clash:
            raise ValidationError("talent.scheme.name_taken")
        if scheme_id is None:
            scheme.pop("key", None)
            new_id = db.execute("INSERT INTO talent_schemes (name, definition, updated_by, updated_at)"
                                " VALUES (?, ?, ?, ?)", (scheme["name"], json.dumps(scheme, ensure_ascii=False),
                                                         actor["id"], stamp)).lastrowid
            audit.record(db, actor, "create", "talent_scheme", new_id, new=scheme)
            return new_id
        old = get_scheme(db, scheme_id)
        if version is not None and version != old["version"]:
            raise Conflict("talent.scheme.stale")
        if old["key"]:
            scheme["key"] = old["key"]
        db.execute("UPDATE talent_schemes SET name = ?, definition = ?, version = version + 1, updated_by = ?,"
                   " updated_at = ? WHERE id = ?", (scheme["name"], json.dumps(scheme, ensure_ascii=False),
                                                    actor["id"], stamp, scheme_id))
        audit.record(db, actor, "update", "talent_scheme", scheme_id, old=old["definition"], new=scheme)
        return scheme_id


def set_event_scheme(db: Database, actor: dict, event_id: int, scheme_id: int) -> None:
    """Admin chooses the talent scheme of an event; audited."""
    require(actor, *WRITERS)
    with transaction(db):
        get_event(db, event_id)
        get_scheme(db, scheme_id)
        old = one(db, "SELECT scheme_id FROM event_talent_scheme WHERE event_id = ?", (event_id,))
        if old and old["scheme_id"] == scheme_id:
            return
        db.execute("INSERT OR REPLACE INTO event_talent_scheme (event_id, scheme_id, chosen_by, chosen_at)"
                   " VALUES (?, ?, ?, ?)", (event_id, scheme_id, actor["id"], audit.now()))
        audit.record(db, actor, "update", "event_talent_scheme", event_id,
                     old=old["scheme_id"] if old else None, new=scheme_id)


def event_scheme(db: Database, event_id: int) -> dict:
    """The scheme row chosen for the event, or the shipped JPM-only one when none was chosen."""
    row = one(db, "SELECT scheme_id FROM event_talent_scheme WHERE event_id = ?", (event_id,))
    if row:
        return get_scheme(db, row["scheme_id"])
    found = one(db, "SELECT id FROM talent_schemes WHERE key = ?", (DEFAULT_SCHEME_KEY,))
    return get_scheme(db, found["id"])


# The event's talent map -------------------------------------------------------------------------------------

def event_people(db: Database, event_id: int, registration_id: int | None = None) -> list[dict]:
    """The inputs of :func:`core.talent.talent_map` for every registration of an event (five queries in all),
    or for the one ``registration_id`` of it (an individual report: the same rows, without the others' data).

    ``jpm`` is that of the person's latest result valid on the event's end date: a finalised one of any event
    or an external one (SPEC §4.4: valid 3 years; §9); ``job_class`` is the jenjang of the post the person
    holds in this event.
    """
    event = get_event(db, event_id)
    on = event["end_date"]
    validity = settings.get(db, "result_validity_years")
    only = "" if registration_id is None else " AND r.id = ?"
    args = (event_id,) if registration_id is None else (event_id, registration_id)
    people = rows(db, f"""
        SELECT r.id AS registration_id, r.participant_no, c.id AS candidate_id, c.nip, c.name,
               p.id AS position_id, p.name AS position_name, p.job_class
        FROM registrations r JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
        WHERE r.event_id = ?{only} ORDER BY p.sort, p.name, r.participant_no""", args)
    # SPEC §4.6: the latest valid result, the app's own or one imported from another penyelenggara (§9).
    results = external.latest_valid(db, [p["candidate_id"] for p in people], on, validity)
    potensi = event_potensi(db, event_id, registration_id)
    records = {r.pop("candidate_id"): r for r in rows(
        db, "SELECT j.* FROM rekam_jejak j JOIN registrations r ON r.candidate_id = j.candidate_id"
            f" WHERE r.event_id = ?{only}", args)}
    skp: dict[int, dict] = defaultdict(dict)
    for cid, year, predikat in db.execute(f"""SELECT s.candidate_id, s.year, s.predikat FROM skp_annual s
                         JOIN registrations r ON r.candidate_id = s.candidate_id WHERE r.event_id = ?{only}""",
                                          args).fetchall():
        skp[cid][year] = predikat
    for person in people:
        cid = person["candidate_id"]
        result = results.get(cid)
        person |= {"jpm": result["jpm"] if result else None,
                   "result_registration_id": result["registration_id"] if result else None,
                   "result_external_id": result["external_id"] if result else None,
                   "potensi": dict(potensi.get(cid, {})), "rekam_jejak": records.get(cid),
                   "skp": dict(skp.get(cid, {}))}
    return people


def event_potensi(db: Database, event_id: int, registration_id: int | None = None) -> dict[int, dict[str, int]]:
    """{candidate id: {aspect: level}} of the people of an event, or of one registration of it (plain tuples:
    16,000 rows at provinsi scale)."""
    potensi: dict[int, dict] = defaultdict(dict)
    only = "" if registration_id is None else " AND r.id = ?"
    args = (event_id,) if registration_id is None else (event_id, registration_id)
    for cid, aspect, level in db.execute(f"""SELECT s.candidate_id, s.aspect, s.level FROM potensi_scores s
                         JOIN registrations r ON r.candidate_id = s.candidate_id WHERE r.event_id = ?{only}""",
                                         args).fetchall():
        potensi[cid][aspect] = level
    return potensi


def registration_talent(db: Database, event_id: int, registration_id: int) -> dict | None:
    """One person's row of :func:`event_talent_map` (the same rule and scheme, computed for that person alone);
    ``None`` when the registration is not in the event."""
    event = get_event(db, event_id)
    people = event_people(db, event_id, registration_id)
    if not people:
        return None
    scheme = event_scheme(db, event_id)["definition"]
    return talent.talent_map(people, scheme, int(event["end_date"][:4]), event["end_date"])[0]


def event_talent_map(db: Database, event_id: int, years: int | None = None) -> dict:
    """The talent map of an event on its scheme: ``{"scheme": row, "year": …, "rows": [...]}``.

    Each row: the person (registration, NIP, name, post, job_class), ``jpm``, ``components``,
    ``potential_index``, ``potential``, ``skp_used``, ``performance``, and ``box`` with label/action, or
    ``missing`` (show it with :func:`core.talent.missing_text`).
    """
    event = get_event(db, event_id)
    scheme = event_scheme(db, event_id)
    year = int(event["end_date"][:4])
    people = event_people(db, event_id)
    return {"scheme": scheme, "year": year,
            "rows": talent.talent_map(people, scheme["definition"], year, event["end_date"], years)}


def event_successors(db: Database, event_id: int, talent_rows: list[dict] | None = None,
                     scheme: Mapping | None = None) -> list[dict]:
    """Successors per post of the event (SPEC §4.6): ``[{position_id, name, job_class, successors}]``."""
    if talent_rows is None or scheme is None:
        built = event_talent_map(db, event_id)
        talent_rows, scheme = built["rows"], built["scheme"]["definition"]
    posts = rows(db, "SELECT id AS position_id, name, job_class FROM positions WHERE event_id = ? ORDER BY sort,"
                     " name", (event_id,))
    pools = {jc: talent.successors(talent_rows, jc, scheme) for jc in {p["job_class"] for p in posts}}
    return [post | {"successors": list(pools[post["job_class"]])} for post in posts]
