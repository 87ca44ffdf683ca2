"""Event-level reports (SPEC §4.5, §6 items 2–3): the recap of results per position and the berita acara
of one position. The recap's data (:func:`build_recap`) is shared with the spreadsheet in :mod:`core.exports`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from fpdf.fonts import FontFace
from sqlite_utils import Database

from core import letterhead, registry, results, scoring, settings
from core.db import one
from core.errors import NotFound, PermissionDenied
from core.i18n import format_date, format_number, format_percent, t
from core.pdf import FONT, MARGIN, NEXT_LINE, ReportPDF, place_and_date
from core.roles import is_lead, require

PORTRAIT_WIDTH = 210 - 2 * MARGIN  # usable width of an A4 portrait page
NAME_MIN_WIDTH = 55
MAX_FITTED_WIDTH = 30  # mm: a header word longer than this breaks inside its cell
HEAD_STYLE = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
TOP_STYLE = FontFace(emphasis="BOLD", fill_color=(255, 236, 170))  # the three best names
NOTE_STYLE = FontFace(size_pt=7.5)
TABLE_FONT_SIZE = 8.5
BEST_WIDTHS = {"rank": 18, "nip": 37, "jpm": 18, "category": 32, "final": 19}  # berita acara, portrait
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


@dataclass
class Recap:
    event: dict
    stages: list[dict]
    columns: list[Column]
    tiebreak: str
    positions: list[PositionRecap] = field(default_factory=list)
    total: int = 0
    final: int = 0

    @property
    def all_final(self) -> bool:
        return self.total > 0 and self.final == self.total


def build_recap(db: Database, event_id: int) -> Recap:
    """Per position: the ranked candidates, the three best, the warnings and what is left out."""
    event = registry.get_event(db, event_id)
    stages = results.list_stages(db, event_id)
    table = results.event_results(db, event_id)
    cap = bool(settings.get(db, "jpm_display_cap"))
    recap = Recap(event, stages, recap_columns(stages), tiebreak_sentence(results.tiebreak_chain(db, event_id),
                                                                          bool(stages)))
    if not table.empty:
        recap.total, recap.final = len(table), int(table["finalized_at"].notna().sum())
    for position in registry.list_positions(db, event_id):
        group = table[table["position_id"] == position["id"]] if not table.empty else table
        recap.positions.append(_position_recap(table, group, position, cap))
    return recap


def _position_recap(table: pd.DataFrame, group: pd.DataFrame, position: dict, cap: bool) -> PositionRecap:
    if group.empty:
        return PositionRecap(position["id"], position["name"], [], [], [], [t("export.no_results")], 0, True)
    ranked = [_record(r, cap) for r in group[group["rank"].notna()].sort_values(
        ["rank", "participant_no"]).to_dict("records")]
    best, warnings = results.top_three(table, position["id"]) if ranked else ([], [])
    best = [_record(r, cap) | {"recommended": r["recommended"]} for r in best]
    pending = int(group["finalized_at"].isna().sum())
    incomplete = int((group["finalized_at"].notna() & group["rank"].isna()).sum())
    notes = [t("export.pending", n=pending)] if pending else []
    notes += [t("export.pending_stages", n=incomplete)] if incomplete else []
    if not ranked and not pending:
        notes.insert(0, t("export.no_results"))
    return PositionRecap(position["id"], position["name"], ranked, best, _warnings(ranked, best, warnings), notes,
                         len(group), pending == 0)


def _record(row: dict, cap: bool) -> dict:
    """A results row with plain Python values (NaN → None) and the JPM as displayed."""
    plain = {k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v) for k, v in row.items()}
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
    """REKAPITULASI HASIL PENILAIAN KOMPETENSI of an event; DRAF unless every result is final."""
    require_reader(db, actor, event_id)
    on = on or dt.date.today()
    recap = build_recap(db, event_id)
    head = letterhead.current(db)
    pdf = OrientedPDF(head, t("export.recap.title"), draft=not recap.all_final,
                      footer_note=t("export.recap.footer", event=recap.event["name"], date=format_date(on)))
    widths = fitted_widths(pdf, recap.columns)
    if sum(widths) + NAME_MIN_WIDTH > PORTRAIT_WIDTH:  # the stage columns need a landscape page
        pdf.page_orientation = "L"
    pdf.add_page()
    widths = leave_room_for_names(widths, pdf.epw)
    pdf.title_block(t("export.recap.title"), recap.event["name"])
    _event_facts(pdf, recap)
    for index, section in enumerate(recap.positions, start=1):
        _position_section(pdf, recap, section, index, widths)
    pimpinan, city = head.get("pimpinan") or {}, head.get("city", "")
    pdf.signatures([{"role": f"{t('export.sign.known')}\n{pimpinan.get('title', '')}",
                     "name": pimpinan.get("name", ""), "nip": pimpinan.get("nip", "")},
                    {"role": f"{place_and_date(city, on.isoformat())}\n{t('export.sign.lead')}",
                     **lead_of(db, event_id)}])
    return pdf.output_bytes()


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
    return 9 + table + 5.5 * (len(section.warnings) + len(section.notes)) + 2


def _position_section(pdf: ReportPDF, recap: Recap, section: PositionRecap, index: int,
                      widths: list[float]) -> None:
    # A position stays on one page when it fits, but never at the cost of more than half a page left blank.
    keep_together(pdf, min(_estimated_height(section), (pdf.page_break_trigger - pdf.t_margin) / 2))
    pdf.heading(f"{index}. {section.name}")
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


# The berita acara of one position ---------------------------------------------------------------

def berita_acara_pdf(db: Database, actor: dict, event_id: int, position_id: int, on: dt.date | None = None) -> bytes:
    """BERITA ACARA HASIL SELEKSI of one position: the three best names and the Pansel's signature lines."""
    require_reader(db, actor, event_id)
    if registry.get_position(db, position_id)["event_id"] != event_id:
        raise NotFound("position.not_found")
    on = on or dt.date.today()
    recap = build_recap(db, event_id)
    section = next(p for p in recap.positions if p.position_id == position_id)
    head = letterhead.current(db)
    pdf = ReportPDF(head, t("export.ba.title"), draft=not section.all_final,
                    footer_note=t("export.ba.footer", position=section.name, date=format_date(on)))
    pdf.add_page()
    pdf.title_block(t("export.ba.title"), t("export.ba.subtitle", position=section.name))
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 5, t("export.ba.number"), align="C", **NEXT_LINE)
    pdf.ln(4)
    _berita_acara_body(pdf, recap, section, on)
    _pansel_signatures(pdf, place_and_date(head.get("city", ""), on.isoformat()))
    return pdf.output_bytes()


def _berita_acara_body(pdf: ReportPDF, recap: Recap, section: PositionRecap, on: dt.date) -> None:
    weekday = t("export.weekdays").split(",")[on.weekday()]
    opening = t("export.ba.opening", weekday=weekday, date=format_date(on), event=recap.event["name"],
                position=section.name)
    if not section.best:
        pdf.paragraph(opening)
        pdf.paragraph(t("export.ba.none"), style="B")
    else:
        pdf.paragraph(f"{opening} {t('export.ba.naming')}")
        columns = [c for c in recap.columns if c.key not in ("participant_no",) and not c.key.startswith("stage_")]
        columns.insert(2, Column(t("export.col.nip"), "text", "nip", BEST_WIDTHS["nip"]))
        _best_table(pdf, columns, section.best)
        pdf.ln(1.5)
        for warning in section.warnings:
            pdf.paragraph(warning, size=9, style="B")
        for note in section.notes:
            pdf.paragraph(note, size=9)
        pdf.paragraph(recap.tiebreak, size=8.5)
        pdf.paragraph(t("export.ba.proposal"))
    pdf.paragraph(t("export.ba.closing"))


def _best_table(pdf: ReportPDF, columns: list[Column], best: list[dict]) -> None:
    sized = [Column(c.header, c.kind, c.key, BEST_WIDTHS.get(c.key, 0)) for c in columns]
    _ranking_table(pdf, sized, fitted_widths(pdf, sized), [b | {"top3": False} for b in best])


def _pansel_signatures(pdf: ReportPDF, place_date: str) -> None:
    """Ketua, Sekretaris and three Anggota: blank names and numbered lines to sign, staggered."""
    roles = [t("export.ba.ketua"), t("export.ba.sekretaris")] + [t("export.ba.anggota")] * 3
    keep_together(pdf, 95)
    pdf.ln(2)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 5, place_date, align="R", **NEXT_LINE)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, t("export.ba.pansel"), **NEXT_LINE)
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(width=pdf.epw, col_widths=(10, 46, 68, 50), headings_style=HEAD_STYLE, line_height=5,
                   min_row_height=13, v_align="MIDDLE", padding=(1, 1.5),
                   text_align=("CENTER", "LEFT", "LEFT", "LEFT")) as table:
        head = table.row()
        for text in (t("export.ba.col_no"), t("export.ba.col_role"), t("export.col.name"), t("export.ba.col_sign")):
            head.cell(text, align="CENTER")
        for number, role in enumerate(roles, start=1):
            row = table.row()
            row.cell(f"{number}.")
            row.cell(role)
            row.cell("." * 48)
            row.cell(f"{number}. " + "." * 22, align="LEFT" if number % 2 else "RIGHT")
