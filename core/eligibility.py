"""Age at registration against the limit of the position's jenjang (SPEC §3.3: a JPT Pratama applicant in a
seleksi terbuka is at most 56, PP 11/2017 as amended by PP 17/2020). A warning, never a block."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlite_utils import Database

from core import nip, registry, settings
from core.db import rows
from core.i18n import format_date, t


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February counts from 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def over_age_limit(birth: dt.date, day: dt.date, jenjang: str, limits: Mapping[str, int]) -> int | None:
    """The age when it is over the jenjang's limit on ``day``; ``None`` when within it or the jenjang has none."""
    limit = limits.get(jenjang)
    age = age_on(birth, day)
    return age if limit is not None and age > limit else None


def age_warnings(db: Database, event_id: int) -> dict[int, dict]:
    """Per registration over the limit: age, limit and the reference date (the event's first day, the
    assessment day). Only a selection (``pengisian``) has an age limit: a pemetaan maps who holds a post."""
    if registry.get_event(db, event_id)["purpose"] != "pengisian":
        return {}
    limits = settings.get(db, "age_limits")
    found = {}
    for reg in rows(db, """SELECT r.id, c.nip, p.job_class, e.start_date FROM registrations r
                           JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
                           JOIN events e ON e.id = r.event_id WHERE r.event_id = ?""", (event_id,)):
        day = dt.date.fromisoformat(reg["start_date"])  # the assessment day (NOT NULL in the schema)
        age = over_age_limit(nip.parse_nip(reg["nip"], today=day).birth_date, day, reg["job_class"], limits)
        if age is not None:
            found[reg["id"]] = {"age": age, "limit": limits[reg["job_class"]], "on": day.isoformat()}
    return found


def age_mark(flag: dict | None, lang: str = "id") -> str:
    """The mark in a person's row: ``58 th*`` when over the limit, empty otherwise."""
    return t("age.mark", lang, age=flag["age"]) if flag else ""


def age_note(flagged: list[dict], lang: str = "id") -> str:
    """The note under a table that explains the mark: who, how old, the limit and the day it is counted on.
    ``flagged``: rows with name, participant_no and the age_warnings entry under ``age_flag``."""
    if not flagged:
        return ""
    first = flagged[0]["age_flag"]
    people = "; ".join(t("age.person", lang, name=f["name"], number=f["participant_no"], age=f["age_flag"]["age"])
                       for f in flagged)
    return t("age.note", lang, limit=first["limit"], on=format_date(first["on"], lang), people=people)
