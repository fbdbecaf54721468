"""The report PDF is rendered once, kept in file storage, and served from there afterwards."""
import io

from pypdf import PdfReader

from app.common.storage import get_storage
from app.extensions import db
from app.reports import render
from app.reports.models import Report


def test_second_request_serves_the_stored_pdf_without_rendering(app, auth, report_id, monkeypatch):
    calls = []
    original = render.report_pdf

    def counting(report):
        calls.append(report.id)
        return original(report)

    monkeypatch.setattr(render, "report_pdf", counting)
    client = auth.client("ehs-a")
    assert client.get(f"/api/reports/{report_id}").get_json()["pdf_ready"] is False

    first = client.get(f"/api/reports/{report_id}/pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.headers["X-PDF-Rendered"] == "1" and calls == [report_id]
    assert client.get(f"/api/reports/{report_id}").get_json()["pdf_ready"] is True

    second = client.get(f"/api/reports/{report_id}/pdf?download=1")
    assert second.status_code == 200 and second.headers["X-PDF-Rendered"] == "0"
    assert calls == [report_id], "the second request must not render again"
    assert second.data == first.data
    assert second.headers["Content-Disposition"].startswith("attachment;")
    assert "环保" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(second.data)).pages)

    with app.app_context():
        key = db.session.get(Report, report_id).pdf_key
        assert get_storage().get(key) == first.data

    # a conditional request gets 304 from the ETag
    again = client.get(f"/api/reports/{report_id}/pdf", headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304 and calls == [report_id]


def test_a_lost_stored_copy_is_rendered_again(app, auth, report_id, monkeypatch):
    client = auth.client("ehs-a")
    client.get(f"/api/reports/{report_id}/pdf")
    with app.app_context():
        report = db.session.get(Report, report_id)
        report.pdf_key = "0" * 64  # points at nothing
        db.session.commit()
    calls = []
    original = render.report_pdf
    monkeypatch.setattr(render, "report_pdf", lambda r: calls.append(r.id) or original(r))
    response = client.get(f"/api/reports/{report_id}/pdf")
    assert response.status_code == 200 and response.headers["X-PDF-Rendered"] == "1" and calls == [report_id]
    with app.app_context():
        assert db.session.get(Report, report_id).pdf_key != "0" * 64
