"""The Pansel's own papers (SPEC §6.3): the berita acara hasil seleksi of one position and the surat
pengantar to the PPK. Issuing stores what a paper prints (number, meeting day and place, the names);
printing renders only that, so a reprint on another day is the paper that was signed."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from core import letterhead, pansel, registry
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import format_date, format_number, format_percent, t
from core.pdf import FONT, NEXT_LINE, ReportPDF, place_and_date
from core.report_recap import (
    HEAD_STYLE,
    PositionRecap,
    Recap,
    build_recap,
    category_name,
    keep_together,
    require_reader,
)
from core.roles import require

BEST_KEYS = ("rank", "name", "nip", "jpm", "category", "final", "recommended")
SIGN_WIDTHS = (11, 70, 40, 53)  # No., name and NIP, role, signature (mm, portrait)
SIGN_ROOM = 12  # mm: the row height a signature needs
BEST_WIDTHS = (21, 0, 42, 19, 30, 20)  # Peringkat, Nama (the rest), NIP, JPM, Kategori, Nilai Akhir
CLOSING_HEIGHT = 32  # mm: the closing paragraphs and the signatures' heading, kept with the signatures
MARK_ROOM = 20  # mm each side of the Pansel's heading: the RAHASIA box sits at the top right


class PanselPDF(ReportPDF):
    """The Pansel's paper: its own heading in place of the BKPSDM letterhead, clear of the RAHASIA box."""

    def _letterhead(self) -> None:
        self.set_font(FONT, "B", 12)
        self.set_x(self.l_margin + MARK_ROOM)
        self.multi_cell(self.epw - 2 * MARK_ROOM, 5.8, self.letterhead["heading"], align="C", **NEXT_LINE)
        self.ln(1.5)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)
        self.ln(5)


# What a paper prints, taken when it is issued -------------------------------------------------------

def _best(section: PositionRecap) -> list[dict]:
    return [{k: b.get(k) for k in BEST_KEYS} for b in section.best]


def _final_section(db: Database, event_id: int, position_id: int) -> tuple[Recap, PositionRecap]:
    """The position's recap; refused unless all its peserta are final and it has names to send."""
    recap = build_recap(db, event_id)
    section = next(p for p in recap.positions if p.position_id == position_id)
    if not section.all_final or not section.best:
        raise Conflict("pansel.position_not_final", position=section.name)
    return recap, section


def _common(pansel_row: dict, event: dict, number: str, meeting_date: str, place: str) -> dict:
    return {"heading": pansel_row["heading"], "number": number, "sk_number": pansel_row["sk_number"],
            "sk_date": pansel_row["sk_date"], "ppk": pansel_row["ppk"], "event": event["name"],
            "meeting_date": meeting_date, "place": place, "members": pansel_row["members"]}


def issue_berita_acara(db: Database, actor: dict, event_id: int, position_id: int, meeting_date,
                       place) -> tuple[dict, bytes]:
    """Admin issues the berita acara of one position, dated on the meeting day entered."""
    require(actor, "admin")
    if registry.get_position(db, position_id)["event_id"] != event_id:
        raise NotFound("position.not_found")
    recap, section = _final_section(db, event_id, position_id)

    def content(row, number, day, where):
        return _common(row, recap.event, number, day, where) | {
            "position": section.name, "best": _best(section), "warnings": section.warnings,
            "tiebreak": recap.tiebreak, "has_stages": bool(recap.stages)}
    paper = pansel.record_paper(db, actor, event_id, "berita_acara", position_id, (meeting_date, place), content)
    return paper, render(paper)


def issue_pengantar(db: Database, actor: dict, event_id: int, letter_date) -> tuple[dict, bytes]:
    """Admin issues the surat pengantar with the three names of every position, dated on the day entered at the
    office's city (the place line of the settings, as on every other paper). Refused while a position with peserta
    is not final, naming those positions: like its berita acara, a letter to the PPK never leaves a post out."""
    require(actor, "admin")
    recap = build_recap(db, event_id)
    open_positions = pengantar_open_positions(recap)
    if open_positions:
        raise Conflict("pansel.pengantar_not_final", n=len(open_positions), positions="; ".join(open_positions))
    if not any(s.best for s in recap.positions):
        raise Conflict("pansel.nothing_final")
    city = letter_city(db)

    def content(row, number, day, where):
        return _common(row, recap.event, number, day, where) | {
            "positions": [{"position": s.name, "best": _best(s)} for s in recap.positions],
            "has_stages": bool(recap.stages)}
    paper = pansel.record_paper(db, actor, event_id, "pengantar", None, (letter_date, city), content)
    return paper, render(paper)


def pengantar_open_positions(recap: Recap) -> list[str]:
    """The positions the surat pengantar cannot name three people for yet: peserta not all final, or not ranked
    (the same test as a position's berita acara). A position without peserta is listed in the letter as such."""
    return [s.name for s in recap.positions if s.candidates and not (s.all_final and s.best)]


def letter_city(db: Database) -> str:
    """The office's city for the letter's place line (Pengaturan → kop surat); required for the surat pengantar."""
    city = str(letterhead.current(db).get("city") or "").strip()
    if not city:
        raise ValidationError("pansel.no_city")
    return city


def reprint(db: Database, actor: dict, paper_id: int) -> bytes:
    """An issued paper again, exactly as issued (admin, pimpinan and the event's Ketua Tim)."""
    paper = pansel.get_paper(db, paper_id)
    require_reader(db, actor, paper["event_id"])
    return render(paper)


def render(paper: dict) -> bytes:
    content = paper["content"]
    pdf = PanselPDF({"heading": content["heading"]}, t(f"pansel.paper.{paper['kind']}"), confidential=True,
                    footer_note=t("pansel.footer", number=content["number"]))
    pdf.set_creation_date(dt.datetime.fromisoformat(paper["issued_at"]))  # the same bytes on every reprint
    pdf.add_page()
    (_berita_acara if paper["kind"] == "berita_acara" else _pengantar)(pdf, content)
    return pdf.output_bytes()


# The berita acara ----------------------------------------------------------------------------

def weekday(day: str) -> str:
    return t("export.weekdays").split(",")[dt.date.fromisoformat(day).weekday()]


def _berita_acara(pdf: ReportPDF, c: dict) -> None:
    pdf.title_block(t("pansel.ba.title"), t("pansel.ba.subtitle", position=c["position"]))
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, t("pansel.number", number=c["number"]), align="C", **NEXT_LINE)
    pdf.ln(4)
    pdf.paragraph(t("pansel.ba.opening", weekday=weekday(c["meeting_date"]), date=format_date(c["meeting_date"]),
                    place=c["place"], ppk=c["ppk"], sk_number=c["sk_number"], sk_date=format_date(c["sk_date"]),
                    event=c["event"], position=c["position"]))
    pdf.paragraph(t("pansel.ba.naming"))
    best_table(pdf, c["best"], c["has_stages"])
    for warning in c["warnings"]:
        pdf.paragraph(warning, size=9, style="B")
    pdf.paragraph(c["tiebreak"], size=8.5)
    # The closing travels with the signatures: no page holds only the signatures, none is split.
    keep_together(pdf, CLOSING_HEIGHT + 10 + sum(_signature_row(pdf, m) for m in c["members"]))
    pdf.paragraph(t("pansel.ba.proposal"))
    pdf.paragraph(t("pansel.ba.closing"))
    member_signatures(pdf, c["members"])


def best_table(pdf: ReportPDF, best: list[dict], has_stages: bool) -> None:
    """Peringkat, Nama, NIP, JPM, Kategori (and Nilai Akhir when the event has stages)."""
    heads = ["export.col.rank", "export.col.name", "export.col.nip", "export.col.jpm", "export.col.category"]
    widths = list(BEST_WIDTHS[:6 if has_stages else 5])
    widths[1] = pdf.epw - sum(widths)
    pdf.set_font(FONT, "", 9)
    with pdf.table(width=pdf.epw, col_widths=widths, headings_style=HEAD_STYLE, line_height=4.4, padding=(1, 1.2),
                   text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT")[:len(widths)]) as table:
        head = table.row()
        for key in heads + (["export.col.final"] if has_stages else []):
            head.cell(t(key), align="CENTER")
        for b in best:
            row = table.row()
            for text in [str(b["rank"]), b["name"], b["nip"] or "–", format_percent(b["jpm"]),
                         category_name(b["category"])] + ([format_number(b["final"], 2)] if has_stages else []):
                row.cell(text)
    pdf.ln(2)


def member_signatures(pdf: ReportPDF, members: list[dict]) -> None:
    """A row per member as recorded: number, name with NIP beneath, role, a staggered line to sign."""
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, t("pansel.ba.pansel"), **NEXT_LINE)
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(width=pdf.epw, col_widths=SIGN_WIDTHS, headings_style=HEAD_STYLE, line_height=4.6,
                   min_row_height=SIGN_ROOM, v_align="MIDDLE", padding=(1, 1.5),
                   text_align=("CENTER", "LEFT", "LEFT", "LEFT")) as table:
        head = table.row()
        for key in ("pansel.col.no", "pansel.col.name", "pansel.col.role", "pansel.col.sign"):
            head.cell(t(key), align="CENTER")
        for number, member in enumerate(members, start=1):
            row = table.row()
            row.cell(f"{number}.")
            row.cell(f"{member['name']}\n{nip_line(member['nip'])}")
            row.cell(t(f"pansel.role.{member['role']}"))
            row.cell(f"{number}. " + "." * 22, align="LEFT" if number % 2 else "RIGHT")


def _signature_row(pdf: ReportPDF, member: dict) -> float:
    """The height of a member's row: room to sign, or more when a long name wraps."""
    pdf.set_font(FONT, "", 9.5)
    lines = pdf.multi_cell(SIGN_WIDTHS[1] - 3, 4.6, f"{member['name']}\n{nip_line(member['nip'])}", dry_run=True,
                           output="LINES")
    return max(SIGN_ROOM, 4.6 * len(lines) + 2)


def nip_line(value: str) -> str:
    return f"NIP. {value}" if value else "NIP. –"


# The surat pengantar ---------------------------------------------------------------------------

def _pengantar(pdf: ReportPDF, c: dict) -> None:
    pdf.set_font(FONT, "", 10)  # the place: the office's city as issued (older papers: the place then entered)
    pdf.multi_cell(0, 5, place_and_date(c["place"], c["meeting_date"]), align="R", **NEXT_LINE)
    pdf.ln(2)
    for label, value in ((t("pansel.letter.number"), c["number"]), (t("pansel.letter.nature"), t("pansel.secret")),
                         (t("pansel.letter.attachment"), t("pansel.letter.attachment_value")),
                         (t("pansel.letter.subject"), t("pansel.letter.subject_value"))):
        pdf.cell(24, 5.2, label)
        pdf.multi_cell(0, 5.2, f": {value}", **NEXT_LINE)
    pdf.ln(4)
    pdf.multi_cell(0, 5.2, t("pansel.letter.to", ppk=c["ppk"]), **NEXT_LINE)
    pdf.ln(4)
    pdf.paragraph(t("pansel.letter.opening", ppk=c["ppk"], sk_number=c["sk_number"],
                    sk_date=format_date(c["sk_date"]), event=c["event"]))
    for index, position in enumerate(c["positions"], start=1):
        keep_together(pdf, 20 + 10 * len(position["best"]))  # a position's names never split
        pdf.heading(f"{index}. {position['position']}", size=10)
        if position["best"]:
            best_table(pdf, position["best"], c["has_stages"])
        else:  # a post without peserta is named, never left out silently
            pdf.paragraph(t("pansel.letter.no_peserta"))
    keep_together(pdf, 60)
    pdf.paragraph(t("pansel.letter.closing"))
    ketua = next(m for m in c["members"] if m["role"] == "ketua")
    signature_right(pdf, t("pansel.letter.signer"), ketua)


def signature_right(pdf: ReportPDF, role: str, member: dict) -> None:
    """One signature on the right half: role, room to sign, the name underlined, NIP beneath."""
    x, width = pdf.l_margin + pdf.epw / 2, pdf.epw / 2
    pdf.ln(4)
    pdf.set_x(x)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(width, 5, role, align="C", **NEXT_LINE)
    pdf.ln(20)
    pdf.set_x(x)
    pdf.set_font(FONT, "BU", 10)
    pdf.multi_cell(width, 5, member["name"], align="C", **NEXT_LINE)
    pdf.set_x(x)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(width, 5, nip_line(member["nip"]), align="C", **NEXT_LINE)

