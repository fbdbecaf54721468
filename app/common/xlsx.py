"""Excel exports with formula-injection escaping (cells starting with = + - @ stay text), and reading imports."""
import csv
import io
from datetime import datetime

from flask import Response
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.common.errors import ValidationFailed

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


def read_rows(filename: str, data: bytes) -> list[list]:
    """The rows of an uploaded .csv (UTF-8, else GB 18030) or of an .xlsx's first sheet."""
    if not data:
        raise ValidationFailed("文件为空", code="empty_file", details={"fields": {"file": ["文件为空"]}})
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        return [row for row in csv.reader(io.StringIO(text))]
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed("无法读取文件，请上传 .xlsx 或 .csv", code="bad_file",
                               details={"fields": {"file": ["无法读取文件"]}}) from exc
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def clean_cell(value) -> str:
    """An imported cell as trimmed text (a date or date-time cell as its date, YYYY-MM-DD)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()
