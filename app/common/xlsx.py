"""Excel exports with formula-injection escaping (cells starting with = + - @ stay text)."""
import io
from datetime import datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in .xlsx
        if value.startswith(DANGEROUS):
            return "'" + value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def xlsx_response(filename: str, title: str, header: list[str], rows) -> Response:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    try:
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    except BaseException:
        sheet.close()  # finish the streaming writer, or it fails later while being garbage-collected
        raise
    out = io.BytesIO()
    book.save(out)
    response = Response(out.getvalue(),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


__all__ = ["safe_cell", "xlsx_response"]
