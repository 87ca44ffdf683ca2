"""The Pansel of a seleksi terbuka (SPEC §6.3): the SK that formed it, its heading and numbering, its
members, and the papers it issues — each stored with its meeting date, place and content, so a reprint
is the paper that was signed."""

from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from core import audit, letterhead, nip, settings
from core.db import one, rows, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import format_date, local_date
from core.registry import clean_date, clean_text, get_event
from core.roles import require

ROLES = ("ketua", "sekretaris", "anggota")
KINDS = ("berita_acara", "pengantar")
FIELDS = ("heading", "sk_number", "sk_date", "ppk", "number_format")
MAX_MEMBERS = 15
DEFAULT_NUMBER_FORMAT = "800/{seq:03d}/Pansel.JPT/{month_roman}/{year}"


# The Pansel's record ---------------------------------------------------------------------------

def get_pansel(db: Database, event_id: int) -> dict | None:
    """The Pansel's SK, heading, addressee and number format with its members in order, or ``None``."""
    pansel = one(db, "SELECT * FROM pansel WHERE event_id = ?", (event_id,))
    return pansel | {"members": list_members(db, event_id)} if pansel else None


def list_members(db: Database, event_id: int) -> list[dict]:
    return rows(db, "SELECT name, nip, role FROM pansel_members WHERE event_id = ? ORDER BY sort", (event_id,))


def clean_pansel(fields: dict) -> dict:
    """The Pansel's fields checked: all required, the date a date, the number format usable."""
    cleaned = {key: clean_text(fields.get(key), f"pansel.field.{key}", required=True)
               for key in ("heading", "sk_number", "ppk", "number_format")}
    cleaned["sk_date"] = clean_date(fields.get("sk_date"), "pansel.field.sk_date")
    try:
        if "{seq" not in cleaned["number_format"]:
            raise ValidationError("letterhead.bad_format")
        letterhead.report_number(cleaned["number_format"], 1, 2026)  # refuses an unknown field
    except ValidationError:
        raise ValidationError("pansel.bad_format") from None
    return cleaned


def save_pansel(db: Database, actor: dict, event_id: int, fields: dict) -> None:
    """Admin records (or corrects) the Pansel of a seleksi terbuka."""
    require(actor, "admin")
    new = clean_pansel(fields)
    with transaction(db):
        _require_selection(db, event_id)
        before = one(db, "SELECT * FROM pansel WHERE event_id = ?", (event_id,))
        db["pansel"].upsert(new | {"event_id": event_id, "updated_at": audit.now()}, pk="event_id")
        audit.record(db, actor, "update" if before else "create", "pansel", event_id,
                     old={k: before[k] for k in FIELDS} if before else None, new=new)


def _require_selection(db: Database, event_id: int) -> None:
    if get_event(db, event_id)["purpose"] != "pengisian":
        raise Conflict("pansel.not_selection")


# Members -------------------------------------------------------------------------------------

def clean_members(members: list[dict]) -> list[dict]:
    """Names required, NIP valid when given, one Ketua, at most one Sekretaris, no NIP twice."""
    cleaned = [_member(number, m) for number, m in enumerate(members, start=1)]
    if not cleaned:
        raise ValidationError("pansel.no_members")
    if len(cleaned) > MAX_MEMBERS:
        raise ValidationError("pansel.too_many", n=MAX_MEMBERS)
    roles = [m["role"] for m in cleaned]
    if roles.count("ketua") != 1:
        raise ValidationError("pansel.one_ketua")
    if roles.count("sekretaris") > 1:
        raise ValidationError("pansel.one_sekretaris")
    nips = [m["nip"] for m in cleaned if m["nip"]]
    if len(nips) != len(set(nips)):
        raise ValidationError("pansel.nip_twice")
    return cleaned


def _member(number: int, member: dict) -> dict:
    name = clean_text(member.get("name"), "pansel.field.member_name", max_len=150)
    if not name:
        raise ValidationError("pansel.member_name_missing", n=number)
    role = str(member.get("role") or "").strip().lower()
    if role not in ROLES:
        raise ValidationError("pansel.bad_role", n=number)
    raw = str(member.get("nip") or "").strip()
    return {"name": name, "nip": nip.parse_nip(raw).nip if raw else "", "role": role}


def set_members(db: Database, actor: dict, event_id: int, members: list[dict]) -> None:
    """Admin replaces the member list (in the order given: the order they sign in)."""
    require(actor, "admin")
    new = clean_members(members)
    with transaction(db):
        _require_selection(db, event_id)
        before = list_members(db, event_id)
        if before == new:
            return
        db.execute("DELETE FROM pansel_members WHERE event_id = ?", (event_id,))
        db["pansel_members"].insert_all(m | {"event_id": event_id, "sort": sort} for sort, m in enumerate(new))
        audit.record(db, actor, "update", "pansel_members", event_id, old=before, new=new)


# Issued papers -----------------------------------------------------------------------------------

def ready_pansel(db: Database, event_id: int) -> dict:
    """The Pansel with at least its Ketua recorded; papers cannot be issued before."""
    pansel = get_pansel(db, event_id)
    if not pansel or not any(m["role"] == "ketua" for m in pansel["members"]):
        raise Conflict("pansel.not_recorded")
    return pansel


def clean_meeting(meeting_date, place) -> tuple[str, str]:
    """The meeting's date (required, a date) and place (required) as entered."""
    if meeting_date is None or not str(meeting_date).strip():
        raise ValidationError("pansel.meeting_date_missing")
    return (clean_date(meeting_date, "pansel.field.meeting_date"),
            clean_text(place, "pansel.field.place", required=True, max_len=150))


def check_meeting_date(day: str, *, assessment_end: str, sk_date: str, today: dt.date) -> None:
    """A Pansel paper is dated on a day the Pansel could have met: not after today (in the office's zone), not
    before the Pansel was formed, not before the assessment ended. The boundaries are allowed: the SK's own day
    (the Pansel exists from then), the last assessment day (the Pansel may meet once the last exercise is done)
    and today (the meeting just held)."""
    meeting = dt.date.fromisoformat(day)
    if meeting > today:
        raise ValidationError("pansel.meeting_in_future", date=format_date(day), today=format_date(today.isoformat()))
    if meeting < dt.date.fromisoformat(sk_date):
        raise ValidationError("pansel.meeting_before_sk", date=format_date(day), sk_date=format_date(sk_date))
    if meeting < dt.date.fromisoformat(assessment_end):
        raise ValidationError("pansel.meeting_before_end", date=format_date(day), end=format_date(assessment_end))


def record_paper(db: Database, actor: dict, event_id: int, kind: str, position_id: int | None,
                 meeting: tuple[str, str], content_of) -> dict:
    """Admin issues a paper: the next number in the Pansel's format, the meeting as entered, the content
    (``content_of(pansel, number, meeting_date, place)``) stored as printed. One transaction."""
    require(actor, "admin")
    if kind not in KINDS:
        raise ValidationError("pansel.bad_kind")
    meeting_date, place = clean_meeting(*meeting)
    with transaction(db):
        pansel = ready_pansel(db, event_id)
        check_meeting_date(meeting_date, assessment_end=get_event(db, event_id)["end_date"],
                           sk_date=pansel["sk_date"], today=local_date(None, settings.time_zone(db)))
        seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM pansel_papers WHERE event_id = ?",
                         (event_id,)).fetchone()[0]
        day = dt.date.fromisoformat(meeting_date)
        number = letterhead.report_number(pansel["number_format"], seq, day.year, day.month)
        content = content_of(pansel, number, meeting_date, place)
        paper = {"event_id": event_id, "kind": kind, "position_id": position_id, "seq": seq, "number": number,
                 "meeting_date": meeting_date, "place": place, "issued_at": audit.now(), "issued_by": actor["id"]}
        paper_id = db["pansel_papers"].insert(paper | {"content": json.dumps(content, ensure_ascii=False)}).last_pk
        audit.record(db, actor, "issue", "pansel_paper", paper_id, new=paper)
    return paper | {"id": paper_id, "content": content}


def get_paper(db: Database, paper_id: int) -> dict:
    paper = one(db, "SELECT * FROM pansel_papers WHERE id = ?", (paper_id,))
    if not paper:
        raise NotFound("pansel.paper_not_found")
    return paper | {"content": json.loads(paper["content"])}


def find_paper(db: Database, event_id: int, kind: str, position_id: int | None, meeting: tuple) -> dict | None:
    """The paper already issued for this event, kind, position and meeting (date and place), the newest if there
    are several: what the command line prints again instead of numbering the same meeting anew."""
    meeting_date, place = clean_meeting(*meeting)
    found = one(db, """SELECT id FROM pansel_papers WHERE event_id = ? AND kind = ? AND position_id IS ?
                       AND meeting_date = ? AND place = ? ORDER BY seq DESC LIMIT 1""",
                (event_id, kind, position_id, meeting_date, place))
    return get_paper(db, found["id"]) if found else None


def list_papers(db: Database, event_id: int) -> list[dict]:
    """The papers issued for an event, newest first, with the position's name."""
    return rows(db, """SELECT pp.id, pp.kind, pp.number, pp.meeting_date, pp.place, pp.issued_at, p.name AS position
                       FROM pansel_papers pp LEFT JOIN positions p ON p.id = pp.position_id
                       WHERE pp.event_id = ? ORDER BY pp.seq DESC""", (event_id,))
