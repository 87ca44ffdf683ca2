"""Spreadsheet exports (SPEC §6 items 2 and 5): the recap of an event and the admin's full data export.

Every cell is written through :mod:`core.sheets`, so nothing a user typed can run as a formula.
"""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from sqlite_utils import Database

from core import integration, refdata, registry, results, settings, talent, talent_store
from core.db import one, rows
from core.i18n import format_date, format_datetime, local_date, t
from core.report_recap import (
    Column,
    PositionRecap,
    Recap,
    build_recap,
    category_name,
    event_dates,
    recap_columns,
    require_reader,
)
from core.roles import require
from core.sheets import BOLD, append, header, sheet_title, workbook_bytes

TOP_FILL = PatternFill("solid", start_color="FFECAA")  # the three best names, as in the recap PDF
DECIMAL = "0.00"
NUMBER_FORMATS = {"percent": '0.00"%"', "score": DECIMAL}  # JPM 88.888… shows as 88,89% in Excel


# The recap ---------------------------------------------------------------------------------------

def recap_xlsx(db: Database, actor: dict, event_id: int, on: dt.date | None = None) -> bytes:
    """The recap as a workbook: "Ringkasan" plus one sheet per position with the recap PDF's columns; a pemetaan
    (which never ranks) gets the PDF's mapping view and a "Peta Talenta" sheet with the head count per box."""
    require_reader(db, actor, event_id)
    recap = build_recap(db, event_id)
    wb = Workbook()
    summary = wb.active
    summary.title = t("export.sheet.summary")
    taken = {summary.title.lower()}
    _summary_sheet(summary, recap, on or local_date(None, settings.time_zone(db)))
    for index, section in enumerate(recap.positions, start=1):
        ws = wb.create_sheet(sheet_title(section.name, taken, t("export.sheet.position", n=index)))
        _position_sheet(ws, recap, section)
    if not recap.ranks:
        _ninebox_sheet(wb.create_sheet(sheet_title(t("recap.ninebox.title"), taken, t("recap.ninebox.title"))),
                       recap)
    return workbook_bytes(wb)


def _summary_sheet(ws: Worksheet, recap: Recap, on: dt.date) -> None:
    event = recap.event
    status = t("export.event.all_final") if recap.all_final else t(
        "export.event.some_pending", final=recap.final, total=recap.total)
    for label, value in ((t("export.summary.event"), event["name"]),
                         (t("export.event.purpose"), t(f"purpose.{event['purpose']}")),
                         (t("export.event.dates"), event_dates(event)), (t("export.event.venue"), event["venue"]),
                         (t("export.event.status"), status), (t("export.summary.printed"), format_date(on))):
        append(ws, [label, value])
        ws.cell(row=ws.max_row, column=1).font = BOLD
    append(ws, [])
    titles = [t("export.col.position"), t("export.col.candidates"), t("export.col.final_count")]
    if recap.ranks:
        titles += [t("export.col.rank_n", n=n) for n in (1, 2, 3)]
    else:  # a pemetaan: how many of each position are in each box, never who is first
        titles += [t("recap.summary.box_n", n=b) for b in recap.boxes] + [t("recap.summary.no_box")]
    header(ws, titles + [t("export.col.notes")],
           [44, 10, 12] + ([32] * 3 if recap.ranks else [9] * (len(recap.boxes) + 1)) + [60], freeze=False)
    for section in recap.positions:
        if recap.ranks:
            places = ["; ".join(f"{b['name']} ({b['participant_no']})" for b in section.best if b["rank"] == n)
                      for n in (1, 2, 3)]  # a shared rank leaves the next place empty (1, 1, 3)
        else:
            places = [sum(r["box"] == str(b) for r in section.ranked) for b in recap.boxes]
            places.append(sum(r["box"] == "–" for r in section.ranked))
        append(ws, [section.name, section.candidates, len(section.ranked), *places,
                    " ".join(filter(None, [*section.warnings, section.age_note, *section.notes]))])
    if recap.tiebreak:
        append(ws, [])
        append(ws, [recap.tiebreak])


WIDTHS = {"rank": 10, "participant_no": 12, "name": 40, "age": 9, "jpm": 10, "category": 24, "box": 8,
          "recommendation": 70}


def _position_sheet(ws: Worksheet, recap: Recap, section: PositionRecap) -> None:
    columns = recap.columns
    marked = [t("export.col.top3")] if recap.ranks else []  # a pemetaan names no three best (SPEC §6.2)
    header(ws, [c.header for c in columns] + marked, [WIDTHS.get(c.key, 14) for c in columns] + [12] * len(marked))
    for record in section.ranked:
        top = bool(recap.ranks and record["top3"])
        append(ws, [_cell(c, record.get(c.key)) for c in columns]
               + ([t("export.top3_mark") if top else ""] if recap.ranks else []))
        _style_row(ws, columns, top, marked=bool(marked))
    append(ws, [])
    notes = [recap.tiebreak, t("export.recap.highlight_note")] if recap.ranks else []
    for note in filter(None, [*notes, section.age_note, *section.warnings, *section.notes]):
        append(ws, [note])


def _ninebox_sheet(ws: Worksheet, recap: Recap) -> None:
    """The 9-box of a pemetaan as a table: box, potential, performance, label, recommendation, head count, who."""
    header(ws, [t("recap.col.box"), t("recap.ninebox.potential_axis").capitalize(),
                t("recap.ninebox.performance_axis").capitalize(), t("recap.ninebox.label"),
                t("recap.col.recommendation"), t("recap.ninebox.count_col"), t("recap.ninebox.people")],
           [8, 12, 20, 44, 70, 10, 60])
    for number, box in recap.boxes.items():
        people = "; ".join(f"{p['participant_no']} {p['name']}" for p in sorted(
            box["people"], key=lambda p: p["participant_no"]))
        append(ws, [number, t(f"recap.ninebox.{box['potential']}"), t(f"recap.ninebox.{box['performance']}"),
                    box["label"], box["action"], box["count"], people])
    append(ws, [])
    append(ws, [t("recap.ninebox.sheet_note")])


def _cell(column: Column, value):
    """Numbers stay numbers (shown with two decimals, JPM with %); the category in words."""
    if column.key == "box" and isinstance(value, str) and value.isdigit():
        return int(value)  # a box number stays a number; "–" (no box yet) stays text
    return category_name(value) if column.kind == "category" else value


def _style_row(ws: Worksheet, columns: list[Column], top: bool, marked: bool = True) -> None:
    for column, cell in zip(columns, ws[ws.max_row], strict=False):
        if column.kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[column.kind]
        if top:
            cell.font, cell.fill = BOLD, TOP_FILL
        elif column.key == "age" and cell.value:
            cell.font = BOLD
    if top and marked:
        last = ws.cell(row=ws.max_row, column=len(columns) + 1)
        last.font, last.fill = BOLD, TOP_FILL


# The full data export (admin) ------------------------------------------------------------------

PERSON = """r.participant_no, c.name, c.nip, p.name AS position_name"""
PERSON_JOINS = """JOIN registrations r ON r.id = {alias}.registration_id JOIN candidates c ON c.id = r.candidate_id
                  JOIN positions p ON p.id = r.position_id"""
OPENED = "(SELECT value FROM json_each(:opened))"


def full_export_xlsx(db: Database, actor: dict, event_id: int, on: dt.datetime | None = None) -> bytes:
    """Every rating, consensus, result and stage score of an event — admin only, blind ratings left out."""
    require(actor, "admin")
    event = registry.get_event(db, event_id)
    params = {"event": event_id, "opened": json.dumps(sorted(integration.open_registrations(db, event_id))),
              "zone": settings.time_zone(db)}
    wb = Workbook()
    _ratings_sheet(wb.active, db, params)
    _consensus_sheet(wb.create_sheet(t("export.sheet.consensus")), db, params)
    _results_sheet(wb.create_sheet(t("export.sheet.results")), db, event_id, params["zone"])
    _stages_sheet(wb.create_sheet(t("export.sheet.stages")), db, event_id)
    _potensi_sheet(wb.create_sheet(t("export.sheet.potensi")), db, params)
    _rekam_jejak_sheet(wb.create_sheet(t("export.sheet.rekam_jejak")), db, params)
    _talent_sheet(wb.create_sheet(t("export.sheet.talent")), db, event_id)
    _notes_sheet(wb.create_sheet(t("export.sheet.notes")), db, event, actor, params, on or dt.datetime.now(dt.UTC))
    return workbook_bytes(wb)


EVENT_PEOPLE = """FROM registrations r JOIN candidates c ON c.id = r.candidate_id
                  JOIN positions p ON p.id = r.position_id WHERE r.event_id = :event"""


def _potensi_sheet(ws: Worksheet, db: Database, params: dict) -> None:
    """SPEC §6.5 (v2): the potensi of the event's people, one row per person, the eight aspects across."""
    header(ws, _person_titles() + list(talent.POTENSI_CODES) + [t("export.col.assessed_on"), t("export.col.source")],
           [11, 34, 21, 36, *[7] * len(talent.POTENSI_CODES), 16, 30])
    levels: dict[int, dict] = {}
    for row in rows(db, """SELECT r.id AS reg, s.aspect, s.level, s.assessed_on, s.source
                            FROM potensi_scores s JOIN registrations r ON r.candidate_id = s.candidate_id
                            WHERE r.event_id = :event""", params):
        levels.setdefault(row["reg"], {})[row["aspect"]] = row
    for person in rows(db, f"SELECT r.id AS reg, {PERSON} {EVENT_PEOPLE} ORDER BY p.sort, r.participant_no", params):
        mine = levels.get(person.pop("reg"), {})
        if not mine:
            continue
        first = next(iter(mine.values()))
        append(ws, [*person.values(), *(mine[c]["level"] if c in mine else None for c in talent.POTENSI_CODES),
                    format_date(first["assessed_on"]) if first["assessed_on"] else "", first["source"]])
    _text_columns(ws, (1, 3))


def _rekam_jejak_sheet(ws: Worksheet, db: Database, params: dict) -> None:
    """SPEC §6.5 (v2): the rekam jejak of the event's people as stored (codes as the data files name them)."""
    fields = talent_store.RECORD_FIELDS
    header(ws, _person_titles() + [t(f"reader.field.{f}") for f in fields] + [t("export.col.source")],
           [11, 34, 21, 36, *[16] * len(fields), 30])
    for row in rows(db, f"""SELECT {PERSON}, {", ".join("j." + f for f in fields)}, j.source
                            FROM rekam_jejak j JOIN registrations r ON r.candidate_id = j.candidate_id
                            JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
                            WHERE r.event_id = :event ORDER BY p.sort, r.participant_no""", params):
        for field in ("hukuman_disiplin_date", "as_of"):
            row[field] = format_date(row[field]) if row[field] else ""
        for field in ("pendidikan", "hukuman_disiplin", "kesesuaian_bidang"):
            row[field] = talent.reference_names(field).get(row[field], row[field] or "")
        append(ws, list(row.values()))
    _text_columns(ws, (1, 3))


def _talent_sheet(ws: Worksheet, db: Database, event_id: int) -> None:
    """SPEC §6.5 (v2): the talent map on the event's scheme — both axes with their inputs, the box and its
    recommendation, or what is missing (the same rows as the Talenta page and the pemetaan recap)."""
    built = talent_store.event_talent_map(db, event_id)
    years = sorted({y for r in built["rows"] for y in r["skp_used"]}, reverse=True)
    header(ws, _person_titles() + ["JPM", t("export.col.potential_index"), t("export.col.potential")]
           + [f"SKP {y}" for y in years] + [t("export.col.performance"), t("recap.col.box"),
                                            t("recap.col.recommendation"), t("export.col.missing")],
           [11, 34, 21, 36, 9, 12, 12, *[16] * len(years), 20, 7, 60, 40])
    predikat = {p["code"]: p["name"] for p in refdata.skp_predikat(db)}
    for r in sorted(built["rows"], key=lambda r: (r["position_id"], r["participant_no"])):
        append(ws, [r["participant_no"], r["name"], r["nip"], r["position_name"],
                    None if r["jpm"] is None else round(r["jpm"], 2),
                    None if r["potential_index"] is None else round(r["potential_index"], 2),
                    t(f"recap.ninebox.{r['potential']}") if r["potential"] else "",
                    *(predikat.get(r["skp_used"].get(y), "") for y in years),
                    t(f"recap.ninebox.{r['performance']}") if r["performance"] else "",
                    r["box"], r["action"] or "", talent.missing_text(r["missing"]) if r["missing"] else ""])
    _text_columns(ws, (1, 3))


def _person_titles() -> list[str]:
    return [t("export.col.participant_no"), t("export.col.name"), t("export.col.nip"), t("export.col.position")]


def _ratings_sheet(ws: Worksheet, db: Database, params: dict) -> None:
    """Individual ratings, only of candidates open for integration (every assessor submitted)."""
    ws.title = t("export.sheet.ratings")
    header(ws, _person_titles() + [t("export.col.assessor"), t("export.col.exercise"),
                                   t("export.col.competency_code"), t("export.col.competency"),
                                   t("export.col.level"), t("export.col.evidence"), t("export.col.updated")],
           [11, 34, 21, 36, 32, 30, 8, 34, 7, 70, 22])
    for rating in rows(db, f"""
            SELECT {PERSON}, u.full_name AS assessor, x.name AS exercise, t.competency, k.name AS competency_name,
                   t.level, t.evidence, t.updated_at
            FROM ratings t {PERSON_JOINS.format(alias="t")}
            JOIN users u ON u.id = t.assessor_id JOIN exercises x ON x.id = t.exercise_id
            JOIN competencies k ON k.code = t.competency
            WHERE r.event_id = :event AND t.registration_id IN {OPENED}
            ORDER BY p.sort, r.participant_no, k.sort, u.full_name, x.sort""", params):
        rating["level"] = rating["level"] if rating["level"] is not None else t("export.tb")
        rating["updated_at"] = format_datetime(rating["updated_at"], params["zone"])
        append(ws, list(rating.values()))
    _text_columns(ws, (1, 3))


def _consensus_sheet(ws: Worksheet, db: Database, params: dict) -> None:
    header(ws, _person_titles() + [t("export.col.competency_code"), t("export.col.competency"),
                                   t("export.col.standard"), t("export.col.level"), t("export.col.suggested"),
                                   t("export.col.rationale"), t("export.col.decided_by"),
                                   t("export.col.decided_at")],
           [11, 34, 21, 36, 8, 34, 9, 7, 7, 60, 32, 22])
    for cell in rows(db, f"""
            SELECT {PERSON}, cs.competency, k.name AS competency_name, s.level AS standard, cs.level,
                   cs.suggested_level, cs.rationale, u.full_name AS decided_by, cs.decided_at
            FROM consensus cs {PERSON_JOINS.format(alias="cs")}
            JOIN competencies k ON k.code = cs.competency JOIN users u ON u.id = cs.decided_by
            LEFT JOIN position_standards s ON s.position_id = r.position_id AND s.competency = cs.competency
            WHERE r.event_id = :event AND cs.registration_id IN {OPENED}
            ORDER BY p.sort, r.participant_no, k.sort""", params):
        append(ws, list(cell.values())[:-1] + [format_datetime(cell["decided_at"], params["zone"])])
    _text_columns(ws, (1, 3))


def _results_sheet(ws: Worksheet, db: Database, event_id: int, zone: str) -> None:
    narrative = [t(f"export.col.{field}") for field in integration.NARRATIVE_FIELDS]
    header(ws, _person_titles() + [t("export.col.achieved_total"), t("export.col.standard_total"),
                                   t("export.col.jpm_percent"), t("export.col.category"), *narrative,
                                   t("export.col.is_final"), t("export.col.finalized_at")],
           [11, 34, 21, 36, 10, 13, 10, 24, 50, 50, 50, 50, 8, 22])
    for result in rows(db, f"""
            SELECT {PERSON}, res.achieved_total, res.standard_total, res.jpm, res.category, res.kekuatan,
                   res.area_pengembangan, res.saran_pengembangan, res.saran_penempatan, res.finalized_at
            FROM registrations r JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
            LEFT JOIN results res ON res.registration_id = r.id
            WHERE r.event_id = ? ORDER BY p.sort, r.participant_no""", (event_id,)):
        append(ws, [result[k] for k in ("participant_no", "name", "nip", "position_name", "achieved_total",
                                         "standard_total", "jpm")]
               + [category_name(result["category"]) if result["category"] else None]
               + [result[field] for field in integration.NARRATIVE_FIELDS]
               + [t("export.status.final") if result["finalized_at"] else t("export.status.draft"),
                  format_datetime(result["finalized_at"], zone) if result["finalized_at"] else None])
        ws.cell(row=ws.max_row, column=7).number_format = DECIMAL
    _text_columns(ws, (1, 3))


def _stages_sheet(ws: Worksheet, db: Database, event_id: int) -> None:
    """Stage scores with the AC stage from JPM and the final score, as the ranking uses them."""
    stages = results.list_stages(db, event_id)
    table = results.event_results(db, event_id)
    scores = [c for c in recap_columns(stages) if c.kind == "score"]
    header(ws, _person_titles() + [c.header for c in scores], [11, 34, 21, 36] + [16] * len(scores))
    for record in table.to_dict("records") if not table.empty else []:
        append(ws, [record["participant_no"], record["name"], record["nip"], record["position_name"]]
               + [record.get(c.key) for c in scores])
        for cell in ws[ws.max_row][4:]:
            cell.number_format = DECIMAL
    _text_columns(ws, (1, 3))


def _notes_sheet(ws: Worksheet, db: Database, event: dict, actor: dict, params: dict, on: dt.datetime) -> None:
    """What was left out for blindness, in numbers, and why."""
    left = one(db, f"""SELECT count(*) AS ratings, count(DISTINCT t.registration_id) AS candidates FROM ratings t
                       JOIN registrations r ON r.id = t.registration_id
                       WHERE r.event_id = :event AND t.registration_id NOT IN {OPENED}""", params)
    included = one(db, f"""SELECT count(*) AS n FROM ratings t JOIN registrations r ON r.id = t.registration_id
                           WHERE r.event_id = :event AND t.registration_id IN {OPENED}""", params)["n"]
    consensus = one(db, f"""SELECT count(*) AS n FROM consensus cs JOIN registrations r ON r.id = cs.registration_id
                            WHERE r.event_id = :event AND cs.registration_id NOT IN {OPENED}""", params)["n"]
    header(ws, [t("export.col.item"), t("export.col.value")], [52, 90])
    for label, value in ((t("export.summary.event"), event["name"]),
                         (t("export.note.exported_by"), actor.get("full_name") or actor.get("username")),
                         (t("export.note.exported_at"), format_datetime(on, params["zone"])),
                         (t("export.note.ratings_included"), included),
                         (t("export.note.ratings_left_out"), left["ratings"]),
                         (t("export.note.candidates_left_out"), left["candidates"]),
                         (t("export.note.consensus_left_out"), consensus)):
        append(ws, [label, value])
    append(ws, [])
    for text in (t("export.note.blind"), t("export.note.neutralised")):
        append(ws, [text])


def _text_columns(ws: Worksheet, columns: tuple[int, ...]) -> None:
    """Participant numbers and NIPs are text (leading zeros, 18 digits): mark their cells as such."""
    for column in columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "@"
