"""The recap of an event's results per position (SPEC §4.5, §6.2). Its data (:func:`build_recap`) are shared
with the spreadsheet in :mod:`core.exports` and the Pansel's papers in :mod:`core.report_pansel`.

A pengisian recap ranks and highlights the three best names; a pemetaan recap never ranks people against
each other: per position the JPM, category, box and recommendation, and the 9-box as a picture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from fpdf.fonts import FontFace
from sqlite_utils import Database

from core import eligibility, letterhead, pdf_charts, registry, results, scoring, settings
from core.db import one
from core.errors import PermissionDenied
from core.i18n import format_date, format_number, format_percent, local_date, t
from core.pdf import FONT, MARGIN, NEXT_LINE, ReportPDF, place_and_date
from core.roles import is_lead, require

PORTRAIT_WIDTH = 210 - 2 * MARGIN  # usable width of an A4 portrait page
NAME_MIN_WIDTH = 55
MAX_FITTED_WIDTH = 30  # mm: a header word longer than this breaks inside its cell
HEAD_STYLE = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
TOP_STYLE = FontFace(emphasis="BOLD", fill_color=(255, 236, 170))  # the three best names
NOTE_STYLE = FontFace(size_pt=7.5)
TABLE_FONT_SIZE = 8.5
SIGNATURE_HEIGHT = 62  # mm: place and date, two signature blocks with their roles, names and NIPs
ALIGN = {"rank": "CENTER", "text": "LEFT", "category": "LEFT", "percent": "RIGHT", "score": "RIGHT"}


# Who may read event-level reports ------------------------------------------------------------

def require_reader(db: Database, actor: dict | None, event_id: int) -> None:
    """Admin, pimpinan, and the event's Ketua Tim; everyone else gets :class:`PermissionDenied`."""
    if actor and actor.get("active", 1) and actor.get("role") in ("admin", "pimpinan"):
        return
    require(actor, "asesor")
    if not is_lead(db, actor["id"], event_id):
        raise PermissionDenied("auth.forbidden")


# The recap as data ---------------------------------------------------------------------------

@dataclass
class Column:
    header: str
    kind: str  # rank | text | category | percent | score
    key: str
    width: float  # mm in the PDF; the name column takes what is left


@dataclass
class PositionRecap:
    position_id: int
    name: str
    ranked: list[dict]
    best: list[dict]
    warnings: list[str]  # fewer than three, not recommended
    notes: list[str]  # who is left out of the ranking, and why
    candidates: int
    all_final: bool
    age_note: str = ""  # who in this position is over the age limit (eligibility.age_note), under the table


@dataclass
class Recap:
    event: dict
    stages: list[dict]
    columns: list[Column]
    tiebreak: str
    positions: list[PositionRecap] = field(default_factory=list)
    total: int = 0
    final: int = 0
    ranks: bool = True  # scoring.ranks_people: a pemetaan recap lists, never ranks
    boxes: dict[int, dict] = field(default_factory=dict)  # a pemetaan's 9-box (talent_boxes); {} otherwise
    ages: dict[int, dict] = field(default_factory=dict)  # registration → over the age limit (eligibility)

    @property
    def all_final(self) -> bool:
        return self.total > 0 and self.final == self.total


def build_recap(db: Database, event_id: int) -> Recap:
    """Per position: the ranked candidates, the three best, the warnings and what is left out; for an event
    that does not rank (a pemetaan) the peserta in number order with box and recommendation instead."""
    event = registry.get_event(db, event_id)
    stages = results.list_stages(db, event_id)
    table = results.event_results(db, event_id)
    cap = bool(settings.get(db, "jpm_display_cap"))
    ranks = scoring.ranks_people(event["purpose"])
    recap = Recap(event, stages, recap_columns(stages), tiebreak_sentence(results.tiebreak_chain(db, event_id),
                                                                          bool(stages)))
    if not table.empty:
        recap.total, recap.final = len(table), int(table["finalized_at"].notna().sum())
    recap.ages = eligibility.age_warnings(db, event_id)
    if recap.ages:  # SPEC §6.2: ages over the limit flagged, a mark in the row and a note under the table
        at = next(i for i, c in enumerate(recap.columns) if c.key == "name") + 1
        recap.columns.insert(at, Column(t("recap.col.age"), "text", "age", 14))
    for position in registry.list_positions(db, event_id):
        group = table[table["position_id"] == position["id"]] if not table.empty else table
        recap.positions.append(_position_recap(table, group, position, cap, ranks, recap.ages))
    if not ranks:
        recap.ranks, recap.boxes = False, talent_boxes(db, event_id)
        mapping_view(recap, recap.boxes)
    return recap


def _position_recap(table: pd.DataFrame, group: pd.DataFrame, position: dict, cap: bool,
                    ranks: bool = True, ages: dict[int, dict] | None = None) -> PositionRecap:
    if group.empty:
        return PositionRecap(position["id"], position["name"], [], [], [], [t("export.no_results")], 0, True)
    scored = group["rank"].notna() if ranks else group["jpm"].notna()  # listed: ranked, or with a result
    ranked = [_record(r, cap, ages or {}) for r in group[scored].sort_values(
        ["rank", "participant_no"]).to_dict("records")]
    best, warnings = results.top_three(table, position["id"]) if ranked and ranks else ([], [])
    best = [_record(r, cap) | {"recommended": r["recommended"]} for r in best]
    pending = int(group["finalized_at"].isna().sum())
    incomplete = int((group["finalized_at"].notna() & ~scored).sum())
    notes = [t("export.pending", n=pending)] if pending else []
    notes += [t("export.pending_stages", n=incomplete)] if incomplete else []
    if not ranked and not pending:
        notes.insert(0, t("export.no_results"))
    return PositionRecap(position["id"], position["name"], ranked, best, _warnings(ranked, best, warnings), notes,
                         len(group), pending == 0, eligibility.age_note([r for r in ranked if r["age_flag"]]))


def _record(row: dict, cap: bool, ages: dict[int, dict] | None = None) -> dict:
    """A results row with plain Python values (NaN → None), the JPM as displayed and the age mark."""
    plain = {k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v) for k, v in row.items()}
    plain["age_flag"] = (ages or {}).get(int(plain["registration_id"]))
    plain["age"] = eligibility.age_mark(plain["age_flag"])
    plain["jpm"] = scoring.displayed_jpm(plain.get("jpm"), cap)
    plain["rank"] = int(plain["rank"]) if plain.get("rank") is not None else None
    return plain


def _warnings(ranked: list[dict], best: list[dict], warnings: list[str]) -> list[str]:
    """The warnings of SPEC §4.5 in words: fewer than three candidates, names not recommended."""
    texts = [t("export.warn.fewer_than_three", n=len(ranked))] if "fewer_than_three" in warnings else []
    blocked: dict[str, list[str]] = {}
    for candidate in best:
        if not candidate["recommended"]:
            blocked.setdefault(candidate["category"], []).append(candidate["name"])
    return texts + [t("export.warn.not_recommended", category=category_name(code), names="; ".join(names))
                    for code, names in blocked.items()]


def recap_columns(stages: list[dict]) -> list[Column]:
    """Peringkat, No. Peserta, Nama, JPM, Kategori, each stage with its weight, Nilai Akhir."""
    columns = [Column(t("export.col.rank"), "rank", "rank", 17),
               Column(t("export.col.participant_no"), "text", "participant_no", 19),
               Column(t("export.col.name"), "text", "name", 0),
               Column(t("export.col.jpm"), "percent", "jpm", 20),
               Column(t("export.col.category"), "category", "category", 34)]
    columns += [Column(stage_header(s), "score", f"stage_{s['id']}", 22) for s in stages]
    if stages:
        columns.append(Column(t("export.col.final"), "score", "final", 20))
    return columns


def stage_header(stage: dict) -> str:
    weight = format_number(stage["weight"], 0 if float(stage["weight"]).is_integer() else 2)
    return t("export.col.stage", name=stage["name"], weight=weight)


def category_name(code: str | None) -> str:
    return t(f"category.{code}") if code else "–"


def tiebreak_sentence(chain: list[str], has_stages: bool) -> str:
    """"Peringkat menurut nilai akhir; bila sama: JPM lebih tinggi, …" from the event's stored chain."""
    primary = t("export.tiebreak.by_final") if has_stages else t("export.tiebreak.by_jpm")
    keys = [k for k in chain if has_stages or k != "jpm"]  # ranked by JPM already: JPM cannot break a tie
    if not keys:
        return t("export.tiebreak.sentence_plain", primary=primary)
    return t("export.tiebreak.sentence", primary=primary, chain=", ".join(t(f"tiebreak.{k}") for k in keys))


def shown(column: Column, value) -> str:
    """A cell of the recap as printed: decimal comma, "88,89%", category names, "–" for nothing."""
    if value is None:
        return "–"
    if column.kind == "percent":
        return format_percent(value)
    if column.kind == "score":
        return format_number(value, 2)
    if column.kind == "category":
        return category_name(value)
    return str(value)


def event_dates(event: dict) -> str:
    start, end = format_date(event["start_date"]), format_date(event["end_date"])
    return start if start == end else f"{start} – {end}"


def lead_of(db: Database, event_id: int) -> dict:
    """The Ketua Tim's name and NIP (empty when none is set)."""
    return one(db, """SELECT u.full_name AS name, u.nip FROM event_assessors ea JOIN users u ON u.id = ea.user_id
                      WHERE ea.event_id = ? AND ea.is_lead = 1""", (event_id,)) or {}


# The recap PDF -------------------------------------------------------------------------------

class OrientedPDF(ReportPDF):
    """ReportPDF in a chosen orientation: every page, automatic breaks included, keeps it."""

    page_orientation = "P"

    def add_page(self, orientation="", *args, **kwargs) -> None:
        if not orientation and not kwargs.get("same"):
            orientation = self.page_orientation
        super().add_page(orientation, *args, **kwargs)


def fitted_widths(pdf: ReportPDF, columns: list[Column]) -> list[float]:
    """Each fixed column at least as wide as the longest word of its header (no word split), but never
    wider than ``MAX_FITTED_WIDTH``: a longer word (a stage named without spaces) breaks inside its cell
    instead of pushing the name column off the page. Name = 0 (the rest of the line)."""
    pdf.set_font(FONT, "B", TABLE_FONT_SIZE)
    return [max(c.width, min(longest_word(pdf, c.header) + 3.5, MAX_FITTED_WIDTH)) if c.width else 0
            for c in columns]


def longest_word(pdf: ReportPDF, text: str) -> float:
    return max((pdf.get_string_width(word) for word in text.split()), default=0)


def leave_room_for_names(widths: list[float], page_width: float) -> list[float]:
    """Narrow the fixed columns in proportion when they leave the name column less than its minimum."""
    fixed, room = sum(widths), page_width - NAME_MIN_WIDTH
    return [w * room / fixed for w in widths] if fixed > room else widths


def recap_pdf(db: Database, actor: dict, event_id: int, on: dt.date | None = None) -> bytes:
    """REKAPITULASI HASIL PENILAIAN KOMPETENSI of an event; DRAF unless every result is final, RAHASIA."""
    require_reader(db, actor, event_id)
    on = on or local_date(None, settings.time_zone(db))  # the office's date, not the server's UTC one
    recap = build_recap(db, event_id)
    mapping = not recap.ranks
    head = letterhead.current(db)
    pdf = OrientedPDF(head, t("export.recap.title"), draft=not recap.all_final, confidential=True,
                      footer_note=t("export.recap.footer", event=recap.event["name"], date=format_date(on)))
    widths = fitted_widths(pdf, recap.columns)
    if sum(widths) + NAME_MIN_WIDTH > PORTRAIT_WIDTH:  # the stage columns need a landscape page
        pdf.page_orientation = "L"
    pdf.add_page()
    widths = leave_room_for_names(widths, pdf.epw)
    pdf.title_block(t("export.recap.title"), recap.event["name"])
    _event_facts(pdf, recap)
    last = len(recap.positions)
    for index, section in enumerate(recap.positions, start=1):
        _position_section(pdf, recap, section, index, widths, SIGNATURE_HEIGHT if index == last and not mapping else 0)
    if mapping:
        _ninebox_picture(pdf, recap.boxes)
    _recap_signatures(db, pdf, head, event_id, on)
    return pdf.output_bytes()


def _recap_signatures(db: Database, pdf: ReportPDF, head: dict, event_id: int, on: dt.date) -> None:
    """The Pimpinan Penyelenggara Penilaian Kompetensi (Mengetahui) and the Ketua Tim (SPEC §6.2)."""
    pimpinan = head.get("pimpinan") or {}
    pdf.signatures([{"role": t("report.role.pimpinan", title=pimpinan.get("title", "")),
                     "name": pimpinan.get("name", ""), "nip": pimpinan.get("nip", "")},
                    {"role": t("export.sign.lead"), **lead_of(db, event_id)}],
                   place_date=place_and_date(head.get("city", ""), on.isoformat()))


# The pemetaan recap: no ranking, the box and its recommendation --------------------------------------

def talent_boxes(db: Database, event_id: int) -> dict[int, dict]:
    """Box number → label, action, succession flag, head count and people: the event's talent map on its scheme
    (PermenPANRB 20/2025), the one place the recap takes it from."""
    return {int(b["box"]): b for b in results.ninebox_summary(db, event_id)}


def mapping_columns() -> list[Column]:
    """No. Peserta, Nama, JPM, Kategori, Kotak, Rekomendasi: no rank column."""
    return [Column(t("export.col.participant_no"), "text", "participant_no", 19),
            Column(t("export.col.name"), "text", "name", 0),
            Column(t("export.col.jpm"), "percent", "jpm", 20),
            Column(t("export.col.category"), "category", "category", 34),
            Column(t("recap.col.box"), "text", "box", 14),
            Column(t("recap.col.recommendation"), "text", "recommendation", 78)]


def mapping_view(recap: Recap, boxes: dict[int, dict]) -> None:
    """The recap of a pemetaan: peserta in their number's order with box and recommendation; the
    selection's three best, warnings and tie-break rule do not apply (SPEC §4.6)."""
    recap.columns, recap.tiebreak = mapping_columns(), ""
    for section in recap.positions:
        mapped = [_mapped(record, boxes) for record in section.ranked]
        pending = section.candidates - len(mapped)
        section.ranked = sorted(mapped, key=lambda r: r["participant_no"])
        section.best, section.warnings = [], []
        section.notes = [t("recap.mapping.pending", n=pending)] if pending else [] if mapped else [
            t("export.no_results")]


def _mapped(record: dict, boxes: dict[int, dict]) -> dict:
    box = boxes.get(int(record["box"])) if record.get("box") is not None else None
    return record | {"top3": False, "box": str(box["box"]) if box else "–",
                     "recommendation": box["action"] if box else t("recap.mapping.no_box")}


def _ninebox_picture(pdf: ReportPDF, boxes: dict[int, dict]) -> None:
    """The 9-box with who is in each box; the signatures follow on the same page."""
    keep_together(pdf, 3 * pdf_charts.CELL_HEIGHT + 30 + SIGNATURE_HEIGHT)
    pdf.heading(t("recap.ninebox.title"))
    cells = [b | {"people": sorted(p["participant_no"] for p in b["people"])} for b in boxes.values()]
    labels = {key: t(f"recap.ninebox.{key}") for key in (*pdf_charts.POTENTIAL_ROWS, *pdf_charts.PERFORMANCE_COLUMNS,
                                                         "count", "potential_axis", "performance_axis")}
    width, top = min(pdf.epw, 170), pdf.get_y() + 2
    height = pdf_charts.ninebox_grid(pdf, cells, labels, pdf.l_margin + (pdf.epw - width) / 2, top, width)
    pdf.set_y(top + height + 4)
    pdf.paragraph(t("recap.ninebox.note"), size=8.5)


def _event_facts(pdf: ReportPDF, recap: Recap) -> None:
    event = recap.event
    status = t("export.event.all_final") if recap.all_final else t(
        "export.event.some_pending", final=recap.final, total=recap.total)
    facts = [(t("export.event.purpose"), t(f"purpose.{event['purpose']}")),
             (t("export.event.dates"), event_dates(event)), (t("export.event.venue"), event["venue"] or "–"),
             (t("export.event.status"), status)]
    for label, value in facts:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(45, 5.2, label)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(0, 5.2, f": {value}", **NEXT_LINE)
    if recap.ranks:
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(0, 5, t("export.recap.highlight_note"), **NEXT_LINE)
    pdf.ln(3)


def keep_together(pdf: ReportPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _estimated_height(section: PositionRecap) -> float:
    """Heading, table and notes of a position in mm (generous): kept on one page when they fit on one."""
    table = 15 + 8 * len(section.ranked) + 10 if section.ranked else 0  # header, rows (some wrap), rule
    return 9 + table + 5.5 * (len(section.warnings) + len(section.notes)) + (10 if section.age_note else 0) + 2


def _position_section(pdf: ReportPDF, recap: Recap, section: PositionRecap, index: int,
                      widths: list[float], then: float = 0) -> None:
    """A position stays on one page when it fits, but never at the cost of more than half a page left blank;
    ``then``: the height of what must follow on the same page (the signatures after the last position)."""
    keep_together(pdf, min(_estimated_height(section), (pdf.page_break_trigger - pdf.t_margin) / 2) + then)
    pdf.heading(f"{index}. {section.name}")
    if section.age_note:  # above the table: a page break cannot part it from the marks it explains
        pdf.paragraph(section.age_note, size=8.5)
    if section.ranked:
        _ranking_table(pdf, recap.columns, widths, section.ranked, footnote=recap.tiebreak)
        pdf.ln(2)
    for warning in section.warnings:
        pdf.paragraph(warning, size=8.5, style="B")
    for note in section.notes:
        pdf.paragraph(note, size=8.5)
    pdf.ln(2)


def _ranking_table(pdf: ReportPDF, columns: list[Column], widths: list[float], ranked: list[dict],
                   footnote: str = "") -> None:
    """The ranking with the top three shaded; the footnote (the tie-break rule) is its last row, so the
    rule can never be parted from its table by a page break."""
    widths = [w or pdf.epw - sum(widths) for w in widths]
    pdf.set_font(FONT, "", TABLE_FONT_SIZE)
    with pdf.table(width=pdf.epw, col_widths=widths, headings_style=HEAD_STYLE, line_height=4,
                   text_align=tuple(ALIGN[c.kind] for c in columns), padding=(0.8, 1.2)) as table:
        head = table.row()
        for column in columns:
            head.cell(column.header, align="CENTER")
        for record in ranked:
            row = table.row()
            for column in columns:
                row.cell(shown(column, record.get(column.key)), style=TOP_STYLE if record["top3"] else None)
        if footnote:
            table.row().cell(footnote, colspan=len(columns), align="LEFT", style=NOTE_STYLE)
