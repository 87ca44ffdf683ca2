"""Small generated files in every format the reader takes (SPEC §9), for tests and the benchmark.

``build(fmt, sheets)`` writes ``sheets`` — ``[(name, rows)]`` with rows of Python values — as
``fmt``: ``xlsx``, ``xls`` (xlwt), ``ods`` (content.xml written here), ``html`` (a table saved as
``.xls``), or a text format ``csv:<encoding>:<separator>``. ``EXACT`` wraps an int that must be
stored as its exact digits (openpyxl itself rounds big ints through a float).
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl

FORMATS = ["xlsx", "xls", "ods", "html", "csv:utf-8:,", "csv:utf-8-sig:;", "csv:utf-16:\t", "csv:cp1252:;",
           "csv:utf-8:|"]
EXTENSION = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods", "html": ".xls"}


class EXACT(int):
    """An int written to an XLSX/ODS cell as its exact digits."""


def extension(fmt: str) -> str:
    if fmt.startswith("csv:"):
        return ".txt" if "utf-16" in fmt else ".csv"
    return EXTENSION[fmt]


def build(fmt: str, sheets: list[tuple[str, list[list]]]) -> bytes:
    if fmt == "xlsx":
        return xlsx(sheets)
    if fmt == "xls":
        return xls(sheets)
    if fmt == "ods":
        return ods(sheets)
    if fmt == "html":
        return html_table(sheets[-1][1])
    _, encoding, separator = fmt.split(":")
    return text(sheets[-1][1], encoding, separator)


def xlsx(sheets) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    exact = {}
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, EXACT):
                    exact[repr(float(value))] = str(int(value))
                    value = float(value)
                cells.append(None if value == "" else value)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return as_excel_writes(buffer.getvalue(), exact)


_INLINE = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.DOTALL)


def as_excel_writes(data: bytes, exact: dict[str, str]) -> bytes:
    """Shared strings instead of openpyxl's inline strings, and EXACT cells with their exact digits."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[bytes, int] = {}

    def shared(match):
        index = strings.setdefault(match[3], len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2], index)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = _INLINE.sub(shared, content)
                for rounded, digits in exact.items():
                    content = content.replace(f"<v>{rounded}</v>".encode(), f"<v>{digits}</v>".encode())
            elif item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                          b'sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(item, content)
        items = b"".join(b"<si><t xml:space=\"preserve\">%s</t></si>" % text for text in strings)
        target.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://'
                        b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
                        % (len(strings), len(strings), items))
    return out.getvalue()


def xls(sheets) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, str) and value.upper() in _XLS_ERRORS:
                    sheet.row(r).set_cell_error(c, _XLS_CODES[value.upper()])  # a BOOLERR record, as Excel stores it
                elif isinstance(value, date | datetime):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, float(value) if isinstance(value, int) and not isinstance(value, bool)
                                else value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Error values and the formula LibreOffice keeps with them.
_XLS_CODES = {"#N/A": 0x2A, "#DIV/0!": 0x07, "#REF!": 0x17, "#VALUE!": 0x0F}
_XLS_ERRORS = {"#N/A": "NA()", "#DIV/0!": "1/0", "#REF!": "#REF!", "#VALUE!": "1+\"a\""}


_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet>'
)


def ods(sheets, tail: str = "") -> bytes:
    """An ODS as LibreOffice writes it, with its trailing repeated empty rows and cells."""
    parts = [_ODS_HEAD]
    for name, rows in sheets:
        parts.append(f'<table:table table:name="{html.escape(name)}">')
        for row in rows:
            parts.append("<table:table-row>")
            parts.extend(_ods_cell(value) for value in row)
            parts.append('<table:table-cell table:number-columns-repeated="1000"/></table:table-row>')
        parts.append('<table:table-row table:number-rows-repeated="1048000">'
                     '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
        parts.append(tail + "</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    return ods_archive("".join(parts).encode())


def ods_archive(content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        archive.writestr("content.xml", content)
    return out.getvalue()


def _ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, str) and value.upper() in _XLS_ERRORS:
        return (f'<table:table-cell table:formula="of:={_XLS_ERRORS[value.upper()]}" office:value-type="string" '
                f'office:string-value="" calcext:value-type="error"><text:p>{value}</text:p></table:table-cell>')
    if isinstance(value, bool):
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}"/>'
    if isinstance(value, int | float):
        shown = str(int(value)) if isinstance(value, int) else repr(value)
        return (f'<table:table-cell office:value-type="float" office:value="{shown}">'
                f"<text:p>{shown}</text:p></table:table-cell>")
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{html.escape(str(value))}</text:p>'
            "</table:table-cell>")


def html_table(rows) -> bytes:
    """What some government systems save as ``.xls``: an HTML page with one table."""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_shown(v))}</td>" for v in row) + "</tr>\n" for row in rows)
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:'
            'office:excel"><head><meta charset="utf-8"></head><body><table border="1">\n'
            f"{body}</table></body></html>").encode()


def text(rows, encoding: str, separator: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([[_shown(v) for v in r] for r in rows])
    return buffer.getvalue().encode(encoding)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def dense_xlsx(target_bytes: int = 5 * 1024 * 1024 - 4096) -> bytes:
    """The densest XLSX under the upload limit: one sheet of tiny number cells, as compressed as it gets."""
    row = "".join(f'<c r="{_letters(c)}{{r}}"><v>1</v></c>' for c in range(1, 27))
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><dimension ref="A1:Z1"/><sheetData>')
    base = xlsx([("Data", [["NIP", "Nama"]])])
    source = zipfile.ZipFile(io.BytesIO(base))
    rows = 40_000_000 // 26

    def sheet_stream():
        yield head.encode()
        for r in range(1, rows + 1):
            yield f'<row r="{r}">'.encode() + row.replace("{r}", str(r)).encode() + b"</row>"
        yield b"</sheetData></worksheet>"

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with archive.open(item.filename, "w", force_zip64=True) as member:
                    for part in sheet_stream():
                        member.write(part)
                        if out.tell() > target_bytes - 200_000:
                            break
            else:
                archive.writestr(item, source.read(item.filename))
    return out.getvalue()


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def ods_bomb() -> bytes:
    """A few hundred bytes of ODS that repeat one filled cell into ten million."""
    content = (_ODS_HEAD + '<table:table table:name="Data"><table:table-row table:number-rows-repeated="100000">'
               '<table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
               "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
               "</office:document-content>")
    return ods_archive(content.encode())


