"""Render a report: QR code PNG, printable HTML, and an A4 PDF (WeasyPrint, Noto CJK)."""
import base64
import io

import qrcode
from flask import render_template
from sqlalchemy import select, update

from app.common.pdf import html_to_pdf
from app.common.storage import ObjectMissing, get_storage
from app.evidence.models import Upload
from app.extensions import db
from app.reports.models import Report
from app.reports.service import verify_url

SEVERITY_CLASS = {"一般": "minor", "较重": "serious", "重大": "major"}


def qr_png(data: str, box_size: int = 8) -> bytes:
    image = qrcode.make(data, box_size=box_size, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def report_html(report: Report) -> str:
    snap = report.snapshot
    upload_ids = {u for p in snap["problems"] for u in p.get("photo_upload_ids", [])}
    uploads = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(upload_ids)))} \
        if upload_ids else {}
    storage = get_storage()
    photos = {}
    for upload_id, upload in uploads.items():
        if upload.thumb_key and storage.exists(upload.thumb_key):
            photos[upload_id] = {"src": _data_uri("image/jpeg", storage.get(upload.thumb_key)),
                                 "sha256": upload.sha256}
    signed = snap.get("signature")
    signature_src = _data_uri("image/png", storage.get(signed["sha256"])) \
        if signed and storage.exists(signed["sha256"]) else None
    url = verify_url(report)
    return render_template("report.html", r=snap, report=report, photos=photos, verify_url=url,
                           signature_src=signature_src,
                           qr=_data_uri("image/png", qr_png(url, 4)), severity_class=SEVERITY_CLASS)


def report_pdf(report: Report) -> bytes:
    return html_to_pdf(report_html(report))


def stored_pdf(report: Report) -> tuple[bytes, bool]:
    """The report's PDF and whether this call rendered it.

    The snapshot never changes, so the PDF is rendered once (several seconds with WeasyPrint), kept in
    file storage and served from there afterwards. Two first requests at once both render; either copy
    is the same report, and the first key written stays.
    """
    storage = get_storage()
    if report.pdf_key:
        try:
            return storage.get(report.pdf_key), False
        except ObjectMissing:
            pass  # the stored copy was lost: render it again
    pdf = report_pdf(report)
    key = storage.put(pdf)
    stale = report.pdf_key
    db.session.execute(update(Report).where(
        Report.id == report.id, Report.pdf_key.is_(None) if stale is None else Report.pdf_key == stale)
        .values(pdf_key=key))
    db.session.commit()
    db.session.refresh(report)
    if report.pdf_key != key:
        try:
            return storage.get(report.pdf_key), True
        except ObjectMissing:
            pass
    return pdf, True
