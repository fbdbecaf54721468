"""环保体检报告: content, numbering, immutability, verification, PDF and scoping."""
import io
import re
import threading
import uuid
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from app.accounts.models import Enterprise
from app.extensions import db
from app.reports.models import Report
from app.selfcheck import service
from app.selfcheck.models import ChecklistItem, ChecklistTemplate
from tests.factories import compliant_answers, jpeg_bytes, make_enterprise, make_runs, make_user
from tests.reports.conftest import submit_run


def test_report_json_has_the_documented_content(auth, report_id):
    body = auth.client("ehs-a").get(f"/api/reports/{report_id}").get_json()
    assert re.fullmatch(r"HJTJ-230100-\d{4}-\d{6}", body["number"])
    assert body["enterprise"]["name"] == "道里电镀厂" and len(body["enterprise"]["uscc"]) == 18
    assert body["period_label"] == "2026年第4季度"
    assert 0 <= body["score"] <= 100 and body["grade"] in "ABCD"
    assert body["sections"] and {"score", "checked", "compliant", "non_compliant"} <= set(body["sections"][0])
    assert len(body["problems"]) == 2
    problem = body["problems"][0]
    assert problem["legal_basis"][0]["law"] and problem["recommendation"] and problem["deadline"]
    assert problem["photos"][0]["thumbnail_url"].startswith("/api/uploads/")
    assert len(body["digest"]) == 64 and "/verify/" in body["verify_url"]


def test_major_non_compliance_caps_the_grade_at_c(auth, runs):
    client = auth.client("ehs-a")
    detail = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    photo = _photo(client)
    answers = compliant_answers(detail, photo)
    items = [i for s in detail["sections"] for i in s["items"]]
    major = next(n for n, i in enumerate(items) if i["severity"] == "重大" and i["answer_type"] == "yes_no_na")
    answers[major].update(result="non_compliant", upload_ids=[photo])
    client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": answers})
    body = client.post(f"/api/selfchecks/{runs['a']}/submit").get_json()
    assert body["selfcheck"]["score"] >= 90       # one failure among ~80 items still scores high…
    assert body["selfcheck"]["grade"] == "C"      # …but a 重大 non-compliance caps the grade


def _photo(client) -> int:
    return client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                             "client_id": uuid.uuid4().hex},
                       content_type="multipart/form-data").get_json()["id"]


def test_report_is_an_immutable_snapshot(app, auth, report_id):
    client = auth.client("ehs-a")
    before = client.get(f"/api/reports/{report_id}").get_json()
    with app.app_context():
        report = db.session.get(Report, report_id)
        enterprise = db.session.get(Enterprise, report.enterprise_id)
        enterprise.name = "改名后的公司"
        for item in db.session.scalars(select(ChecklistItem)):
            item.question = "被修改的问题"
        db.session.commit()
    after = client.get(f"/api/reports/{report_id}").get_json()
    assert after == before
    token = after["verify_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/verify/{token}").get_json()["enterprise_name"] == "道里电镀厂"


def test_verify_valid_tampered_unknown_and_altered_snapshot(app, auth, report_id):
    body = auth.client("ehs-a").get(f"/api/reports/{report_id}").get_json()
    token = body["verify_url"].rsplit("/", 1)[1]
    public = app.test_client()
    ok = public.get(f"/api/verify/{token}").get_json()
    assert ok["valid"] is True and ok["number"] == body["number"] and ok["digest"] == body["digest"]
    assert "problems" not in ok and "uscc" not in ok
    page = public.get(f"/verify/{token}")
    assert page.status_code == 200 and "真实有效" in page.get_data(as_text=True)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "nonsense", "x" * 300):
        response = public.get(f"/api/verify/{bad}")
        assert response.status_code == 404 and response.get_json()["valid"] is False
        assert "无法验证" in public.get(f"/verify/{bad}").get_data(as_text=True)
    with app.app_context():   # someone edits the stored report directly
        db.session.execute(text("UPDATE reports SET score = 100, snapshot = :s WHERE id = :id"),
                           {"s": '{"number": "x"}', "id": report_id})
        db.session.commit()
    assert public.get(f"/api/verify/{token}").status_code == 404


def test_revoked_report_no_longer_verifies(app, auth, report_id):
    token = auth.client("ehs-a").get(f"/api/reports/{report_id}").get_json()["verify_url"].rsplit("/", 1)[1]
    with app.app_context():
        db.session.get(Report, report_id).revoked = True
        db.session.commit()
    assert app.test_client().get(f"/api/verify/{token}").get_json()["valid"] is False


def test_pdf_has_real_chinese_text(auth, report_id):
    client = auth.client("ehs-a")
    body = client.get(f"/api/reports/{report_id}").get_json()
    response = client.get(f"/api/reports/{report_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text_content = "".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text_content)
    assert "道里电镀厂" in compact
    assert body["number"] in compact
    assert body["problems"][0]["legal_basis"][0]["law"].replace(" ", "") in compact
    assert "第1页" in compact
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 2   # A4 portrait, in points


def test_qr_png(auth, report_id):
    response = auth.client("ehs-a").get(f"/api/reports/{report_id}/qr.png")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("username,status", [("ehs-a", 200), ("reg-county-a", 200), ("reg-city", 200),
                                             ("ehs-b", 404), ("reg-other", 404), ("sysadmin", 200)])
def test_report_scoping(auth, report_id, username, status):
    assert auth.client(username).get(f"/api/reports/{report_id}").status_code == status
    listed = auth.client(username).get("/api/reports").get_json()["items"]
    assert (report_id in [r["id"] for r in listed]) == (status == 200)


def test_second_report_compares_with_the_previous(app, auth, runs, report_id):
    with app.app_context():
        service.generate_due_selfchecks(date(2027, 1, 20))
        db.session.commit()
    client = auth.client("ehs-a")
    next_run = [s for s in client.get("/api/selfchecks?status=pending").get_json()["items"]]
    next_run += client.get("/api/selfchecks?status=overdue").get_json()["items"]
    run_id = max(s["id"] for s in next_run)
    second = submit_run(client, run_id, non_compliant=0)
    body = client.get(f"/api/reports/{second['report_id']}").get_json()
    assert body["previous"]["number"] and body["trend"] == "up"
    first = client.get(f"/api/reports/{report_id}").get_json()["number"]
    # numbers run per city and year of issue: the next in the same year, or 000001 in a new year
    same_year = body["number"][12:16] == first[12:16]
    assert int(body["number"][-6:]) == (int(first[-6:]) + 1 if same_year else 1)


def test_numbering_under_concurrent_submits_has_no_duplicates_or_gaps(app, auth, world):
    with app.app_context():
        make_runs(world, date(2026, 11, 20), "MONTHLY", "monthly", 25)
        extra = []
        for n in range(4):
            ent = make_enterprise(f"并发企业{n}", "230102", serial=100 + n)
            make_user(f"conc-{n}", "enterprise_admin", enterprise=ent)
            extra.append(ent)
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "MONTHLY"))
        for ent in extra:
            service.create_schedule(ent, template.id, "monthly", 25)
        service.generate_due_selfchecks(date(2026, 11, 20))
        db.session.commit()
    users = ["ehs-a"] + [f"conc-{n}" for n in range(4)]
    clients = {u: auth.client(u) for u in users}
    prepared = {}
    for username, client in clients.items():
        run_id = client.get("/api/selfchecks").get_json()["items"][0]["id"]
        detail = client.get(f"/api/selfchecks/{run_id}").get_json()
        photo = _photo(client)
        client.put(f"/api/selfchecks/{run_id}/answers", json={"answers": compliant_answers(detail, photo)})
        prepared[username] = run_id
    results = []

    def fire(username):
        r = clients[username].post(f"/api/selfchecks/{prepared[username]}/submit")
        results.append(r.status_code)

    threads = [threading.Thread(target=fire, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * len(users)
    with app.app_context():
        seqs = sorted(db.session.scalars(select(Report.seq).where(Report.region_code == "230100")))
        assert seqs == list(range(1, len(users) + 1))
