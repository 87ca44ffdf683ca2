"""The PDF of the Laporan Individu Hasil Penilaian Kompetensi (SPEC §6.1, Peraturan BKN 26/2019 layout).

Built from the plain data of :func:`core.reports.individual_data`; always in Indonesian. User text
(names, units, the narrative) is written as plain text: fpdf2 interprets no markup unless asked to.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from fpdf.fonts import FontFace

from core import pdf_charts, talent, talent_store
from core.i18n import format_date, format_percent, t
from core.pdf import BULLET_INDENT, FONT, MARGIN, NEXT_LINE, SHADE, ReportPDF, place_and_date
from core.refdata import level_names

LEVELS = (1, 2, 3, 4, 5)
PROFILE_WIDTHS = (7, 45, 19, 19, 19, 19, 19, 15, 12)  # mm: No, Kompetensi, level 1–5, Standar, Gap
POTENSI_WIDTHS = (7, 72, 19, 19, 19, 19, 19)  # mm: No, Aspek potensi, level 1–5 (the same page width)
IDENTITY_WIDTHS = (44, 4, 126)
CHART_WIDTH = 150  # mm on the page: names, then the 0–5 scale
CLOSING_HEIGHT = 90  # mm at least: place and date, signatures, verification box
QR_SIZE = 28  # mm, quiet zone included
HEADER_FILL = (234, 238, 246)
BELOW = (170, 0, 0)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def build(data: dict, number: str, code: str, qr_url: str, draft: bool = False,
          issued_on: str | None = None) -> bytes:
    """The report as PDF bytes; ``draft`` adds the DRAF watermark and leaves number and code out."""
    footer = t("report.draft_notice") if draft else t("report.footer", number=number, code=code)
    pdf = ReportPDF(data["letterhead"], title=t("report.title"), draft=draft, footer_note=footer, confidential=True)
    pdf.add_page()
    pdf.title_block(t("report.title"), t("report.draft_number") if draft else t("report.number", number=number))
    _identity(pdf, data)
    _profile(pdf, data)
    _potensi(pdf, data.get("potensi"))
    _jpm(pdf, data)
    _narrative(pdf, data)
    _closing(pdf, data, _local_day(issued_on), code, qr_url, draft)
    return pdf.output_bytes()


def _local_day(stamp: str | None) -> str:
    """The server's calendar date of a UTC timestamp (today when none): the date the report is signed."""
    moment = dt.datetime.fromisoformat(stamp) if stamp else dt.datetime.now(dt.UTC)
    return (moment.astimezone() if moment.tzinfo else moment).date().isoformat()


# I Identitas -----------------------------------------------------------------------------------

def _identity_rows(data: dict) -> list[tuple[str, str]]:
    event, candidate, position = data["event"], data["candidate"], data["position"]
    target = f"{position['name']} ({position['job_class']})" if position["job_class"] else position["name"]
    return [("report.label.tujuan", data["tujuan"]), ("report.label.event", event["name"]),
            ("report.label.position", target), ("report.label.organizer", event["organizer"]),
            ("report.label.venue", event["venue"]), ("report.label.date", format_date(data["assessment_date"])),
            ("report.label.participant_no", candidate["participant_no"]), ("report.label.name", candidate["name"]),
            ("report.label.nip", candidate["nip"]), ("report.label.golongan", candidate["golongan"]),
            ("report.label.current_position", candidate["current_position"]),
            ("report.label.current_unit", candidate["current_unit"])]


def _identity(pdf: ReportPDF, data: dict) -> None:
    """Label, colon, value per line; a long value wraps under itself (plain cells: a table costs 4× as much)."""
    pdf.heading(t("report.section.identity"))
    label_w, colon_w, value_w = IDENTITY_WIDTHS
    for key, value in _identity_rows(data):
        pdf.set_font(FONT, "", 9.5)
        pdf.cell(label_w, 4.8, t(key))
        pdf.cell(colon_w, 4.8, ":")
        pdf.set_font(FONT, "B" if key == "report.label.name" else "", 9.5)
        pdf.multi_cell(value_w, 4.8, str(value or t("report.empty")), **NEXT_LINE)
    pdf.ln(3)


# II Profil kompetensi ----------------------------------------------------------------------------

def _profile(pdf: ReportPDF, data: dict) -> None:
    pdf.heading(t("report.section.profile"))
    _profile_table(pdf, data["profile"])
    pdf.set_font(FONT, "", 7.5)
    pdf.multi_cell(0, 4, t("report.profile_legend"), **NEXT_LINE)
    pdf.ln(2)
    if data["profile"]:
        _chart(pdf, _chart_points(data["profile"]))


def _profile_table(pdf: ReportPDF, profile: list[dict]) -> None:
    names = level_names()
    head = FontFace(emphasis="BOLD", size_pt=8, fill_color=HEADER_FILL)
    small = FontFace(emphasis="", size_pt=6, fill_color=HEADER_FILL)
    pdf.set_font(FONT, "", 9)
    with pdf.table(col_widths=PROFILE_WIDTHS, num_heading_rows=3, headings_style=head, text_align="CENTER",
                   line_height=3.9, padding=(0.7, 0.8)) as table:
        top = table.row()
        top.cell(t("report.col.no"), rowspan=3)
        top.cell(t("report.col.competency"), rowspan=3)
        top.cell(t("report.col.level"), colspan=5)
        top.cell(t("report.col.standard"), rowspan=3)
        top.cell(t("report.col.gap"), rowspan=3)
        digits, labels = table.row(), table.row()
        for level in LEVELS:
            digits.cell(str(level))
            labels.cell(names[level], style=small)
        for index, cell in enumerate(profile, start=1):
            _profile_row(table.row(), index, cell)
    pdf.ln(1.5)


def _profile_row(row, index: int, cell: dict) -> None:
    row.cell(str(index))
    row.cell(cell["name"], align="LEFT")
    for level in LEVELS:
        mark = "X" if cell["consensus"] == level else ""
        row.cell(mark, style=FontFace(emphasis="BOLD" if mark else "",
                                      fill_color=SHADE if level == cell["standard"] else None))
    row.cell(str(cell["standard"]))
    gap = cell["gap"]
    row.cell(_signed(gap), style=FontFace(emphasis="BOLD", color=BELOW) if gap is not None and gap < 0 else None)


def _signed(gap: int | None) -> str:
    if gap is None:
        return t("report.empty")
    return f"+{gap}" if gap > 0 else ("0" if gap == 0 else f"−{-gap}")


def _chart_points(profile: list[dict]) -> tuple[tuple[str, int, int], ...]:
    return tuple((c["name"], c["consensus"] or 0, c["standard"]) for c in profile)


def _chart(pdf: ReportPDF, points: tuple[tuple[str, int, int], ...]) -> None:
    """Achieved level against the standard as vector bars, centred; on a new page when it would not fit."""
    height = pdf_charts.ROW * len(points) + 11  # bars, axis labels, the legend line
    if pdf.get_y() + height > pdf.h - MARGIN - 8:
        pdf.add_page()
    used = pdf_charts.profile_bars(pdf, points, x=(pdf.w - CHART_WIDTH) / 2, y=pdf.get_y() + 1, width=CHART_WIDTH)
    pdf.set_y(pdf.get_y() + used + 1)
    pdf.set_font(FONT, "", 7.5)
    pdf.multi_cell(0, 4, t("report.chart_legend"), align="C", **NEXT_LINE)
    pdf.ln(3)


# Profil Potensi (SPEC §6.1, §3.4; Perban BKN 26/2019 items 9–10) ----------------------------------

def potensi_data(db, candidate_id: int) -> dict:
    """``{"potensi": …}`` for :func:`core.reports.individual_data` when the person has potensi scores, else ``{}``.

    Only then: a report without potensi keeps its content hash (and so its verification code).
    """
    scores = talent_store.potensi_of(db, candidate_id)
    if not scores:
        return {}
    names = {a["code"]: a["name"] for a in talent.potensi_reference()["aspects"]}
    first = next(iter(scores.values()))
    aspects = [{"code": code, "name": names[code], "level": scores.get(code, {}).get("level"),
                "uraian": scores.get(code, {}).get("uraian") or ""} for code in talent.POTENSI_CODES]
    return {"potensi": {"aspects": aspects, "source": first["source"], "assessed_on": first["assessed_on"]}}


def _potensi(pdf: ReportPDF, potensi: dict | None) -> None:
    """The eight aspects on the scale with an X (a psikogram like the competency table), then the uraian."""
    if not potensi:
        return
    pdf.heading(t("report.potensi.section"))
    _potensi_table(pdf, potensi["aspects"])
    pdf.set_font(FONT, "", 7.5)
    when = format_date(potensi["assessed_on"]) if potensi["assessed_on"] else t("report.empty")
    pdf.multi_cell(0, 4, t("report.potensi.legend", source=potensi["source"] or t("report.empty"), date=when),
                   **NEXT_LINE)
    pdf.ln(2)
    notes = [f"{a['name']}: {a['uraian']}" for a in potensi["aspects"] if a["uraian"]]
    if notes:
        pdf.paragraph(t("report.potensi.uraian"), size=10, style="B")
        pdf.points("\n".join(notes))


def _potensi_table(pdf: ReportPDF, aspects: list[dict]) -> None:
    scale = talent.potensi_reference()["scale"]
    head = FontFace(emphasis="BOLD", size_pt=8, fill_color=HEADER_FILL)
    small = FontFace(emphasis="", size_pt=6, fill_color=HEADER_FILL)
    pdf.set_font(FONT, "", 9)
    pdf.set_fill_color(255, 255, 255)  # the profile chart before this table leaves its bar colour set
    with pdf.table(col_widths=POTENSI_WIDTHS, num_heading_rows=3, headings_style=head, text_align="CENTER",
                   line_height=3.9, padding=(0.7, 0.8)) as table:
        top = table.row()
        top.cell(t("report.col.no"), rowspan=3)
        top.cell(t("report.potensi.aspect"), rowspan=3)
        top.cell(t("report.potensi.level"), colspan=len(scale))
        digits, labels = table.row(), table.row()
        for step in scale:
            digits.cell(f"{step['level']} ({step['code']})")
            labels.cell(step["name"], style=small)
        for index, aspect in enumerate(aspects, start=1):
            row = table.row()
            row.cell(str(index))
            row.cell(aspect["name"], align="LEFT")
            for step in scale:
                mark = "X" if aspect["level"] == step["level"] else ""
                row.cell(mark, style=FontFace(emphasis="BOLD" if mark else ""))
    pdf.ln(1.5)


# III JPM, IV–VI narrative ----------------------------------------------------------------------

def _jpm(pdf: ReportPDF, data: dict) -> None:
    pdf.heading(t("report.section.jpm"))
    pdf.set_font(FONT, "", 10)
    category = data["category"]
    if data["jpm"] is None or category is None:
        pdf.paragraph(t("report.jpm_incomplete"))
        return
    values = {"name": (data["candidate"]["name"], ""), "achieved": (str(data["achieved_total"]), "B"),
              "standard": (str(data["standard_total"]), "B"), "jpm": (format_percent(data["jpm_display"]), "B"),
              "category": (category["name"], "B")}
    _rich_line(pdf, t("report.jpm_sentence"), values, size=10)
    pdf.ln(1.5)
    pdf.paragraph(t("report.category_line", code=category["code"], name=category["name"]), style="B")


def _rich_line(pdf: ReportPDF, template: str, values: dict[str, tuple[str, str]], size: float) -> None:
    """A wrapped paragraph whose placeholders are filled with (text, style); user text stays plain.

    ``text_columns`` wraps across the font changes (``write()`` would split a word that meets the margin).
    """
    with pdf.text_columns(text_align="J", line_height=1.45) as columns, columns.paragraph() as paragraph:
        for index, part in enumerate(PLACEHOLDER.split(template)):
            text, style = values.get(part, (part, "")) if index % 2 else (part, "")
            pdf.set_font(FONT, style, size)
            paragraph.write(text)
    pdf.set_font(FONT, "", size)


def _narrative(pdf: ReportPDF, data: dict) -> None:
    """IV–VI; the last section moves to the next page with the signatures rather than leave them alone there."""
    texts = data["narrative"]
    pdf.heading(t("report.section.strengths"))
    for key in ("kekuatan", "area_pengembangan"):
        pdf.paragraph(t(f"report.label.{key}"), size=10, style="B")
        pdf.points(texts.get(key, ""))
    sections = [("report.section.development", texts.get("saran_pengembangan", ""))]
    if "saran_penempatan" in texts:
        sections.append(("report.section.placement", texts["saran_penempatan"]))
    for index, (heading, text) in enumerate(sections):
        if index == len(sections) - 1:
            _keep_with_closing(pdf, heading, text, _closing_height(pdf, data))
        pdf.heading(t(heading))
        pdf.points(text)


def _section_height(pdf: ReportPDF, heading: str, text: str) -> float:
    """Height of a heading and its points, counted by fpdf2's line breaking without drawing anything."""
    def lines(width: float, body: str, style: str, size: float) -> int:
        pdf.set_font(FONT, style, size)
        return len(pdf.multi_cell(width, 5, body, dry_run=True, output="LINES"))

    items = [line for line in (text or "–").splitlines() if line.strip()] or ["–"]
    body = sum(lines(pdf.epw - BULLET_INDENT, item, "", 10) for item in items) * 5.2 + 1.5
    return lines(pdf.epw, t(heading), "B", 11) * 6 + 1 + body


def _keep_with_closing(pdf: ReportPDF, heading: str, text: str, closing: float) -> None:
    """A new page before the last section when it fits here but the closing block would not."""
    height, limit = _section_height(pdf, heading, text), pdf.h - MARGIN - 8
    if pdf.get_y() + height <= limit < pdf.get_y() + height + closing and height + closing < limit:
        pdf.add_page()


# Signatures and verification -------------------------------------------------------------------

def _signature_blocks(data: dict) -> list[dict]:
    """Mengetahui (pimpinan penyelenggara) on the left, then the responsible assessor and the Ketua Tim."""
    signers = data["signatories"]
    assessor, lead, boss = signers["assessor"], signers["lead"], signers["pimpinan"]
    blocks = [{"role": t("report.role.pimpinan", title=boss["title"]), "name": boss["name"],
               "nip": boss["nip"]}]
    if assessor and lead and assessor["id"] == lead["id"]:
        return [*blocks, {"role": t("report.role.lead_assessor"), **_person(lead)}]
    return [*blocks, {"role": t("report.role.assessor"), **_person(assessor)},
            {"role": t("report.role.lead"), **_person(lead)}]


def _person(person: dict | None) -> dict:
    return {"name": person["name"], "nip": person["nip"]} if person else {"name": "", "nip": ""}


def _closing_height(pdf: ReportPDF, data: dict) -> float:
    """Place and date, signatures (taller when a long name wraps) and the verification box, in mm."""
    return max(CLOSING_HEIGHT, 8 + pdf.signatures_height(_signature_blocks(data)) + QR_SIZE + 6)


def _closing(pdf: ReportPDF, data: dict, issued_on: str, code: str, url: str, draft: bool) -> None:
    """Place and date, the signature blocks and the verification box, kept together on one page."""
    if pdf.get_y() + _closing_height(pdf, data) > pdf.h - MARGIN - 8:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 5, place_and_date(data["letterhead"].get("city", ""), issued_on), align="R", **NEXT_LINE)
    pdf.signatures(_signature_blocks(data))
    _verification(pdf, code, url, draft)


def _verification(pdf: ReportPDF, code: str, url: str, draft: bool) -> None:
    """The code and its QR code in a framed box (for a draft: the notice that it is not official)."""
    top = pdf.get_y() + 2
    text_x = MARGIN + 4
    if not draft:
        pdf.image(io.BytesIO(_qr_png(url)), x=MARGIN + 1, y=top + 1, w=QR_SIZE, h=QR_SIZE)
        text_x = MARGIN + QR_SIZE + 4
    width = pdf.w - MARGIN - 3 - text_x
    pdf.set_xy(text_x, top + 3)
    pdf.set_font(FONT, "", 8.5)
    pdf.multi_cell(width, 4.5, t("report.code_label"), align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 7, t("report.draft_notice") if draft else code, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    note = t("report.verify_draft") if draft else t("report.verify_text", url=url)
    pdf.multi_cell(width, 4.5, note, align="L", new_x="LEFT", new_y="NEXT")
    height = max(pdf.get_y() + 3 - top, 0 if draft else QR_SIZE + 2)  # a long server address adds lines
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(MARGIN, top, pdf.epw, height)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top + height + 2)


def _qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)  # the quiet zone scanners need
    return buffer.getvalue()
