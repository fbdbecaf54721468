"""On site: the composed checklist with the enterprise's own findings, photos, the 现场检查笔录."""
import io
import re
import uuid

from pypdf import PdfReader

from tests.factories import jpeg_bytes
from tests.inspections.conftest import approve_all


def _on_site(auth, create):
    insp = create()
    c = auth.client("insp-1")
    c.post(f"/api/inspections/{insp['id']}/submit")
    approve_all(auth, insp["id"])
    assert c.post(f"/api/inspections/{insp['id']}/start").status_code == 200
    return insp["id"], c


def test_checklist_is_the_library_plus_the_permit(auth, world, library, create):
    insp, c = _on_site(auth, create)
    checklist = c.get(f"/api/inspections/{insp}/checklist").get_json()
    codes = [i["code"] for i in checklist["items"]]
    assert codes[-1] == "PERMIT" and len(codes) > 10 and len(set(codes)) == len(codes)
    assert all(i["legal_basis"] for i in checklist["items"])  # statutory items only: no 管理建议
    assert checklist["items"][-1]["legal_basis"][0]["law"] == "排污许可管理条例"
    assert checklist["latest_report"] is None and checklist["open_problems"] == []
    # the enterprise's own open problem is one tap away
    auth.client("ehs-a").post("/api/problems", json={"title": "危废标识缺失", "severity": "一般"})
    again = c.get(f"/api/inspections/{insp}/checklist").get_json()
    assert [p["title"] for p in again["open_problems"]] == ["危废标识缺失"]


def test_photo_finding_becomes_a_problem_with_evidence_and_a_record(auth, world, library, create):
    insp, c = _on_site(auth, create)
    code = c.get(f"/api/inspections/{insp}/checklist").get_json()["items"][0]["code"]
    photo = c.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "site.jpg"), "client_id": uuid.uuid4().hex},
                   content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    photo_id = photo.get_json()["id"]
    unknown = c.put(f"/api/inspections/{insp}/results", json={"results": [{"item_code": "NOPE", "result": "compliant"}]})
    assert unknown.status_code == 422
    foreign = auth.client("insp-2").put(f"/api/inspections/{insp}/results", json={"results": [
        {"item_code": code, "result": "non_compliant", "upload_ids": [photo_id]}]})
    assert foreign.status_code == 422  # someone else's unattached photo
    saved = c.put(f"/api/inspections/{insp}/results", json={"results": [
        {"item_code": code, "result": "non_compliant", "note": "围堰破损", "upload_ids": [photo_id]},
        {"item_code": "PERMIT", "result": "compliant"}]})
    assert saved.status_code == 200 and len(saved.get_json()["results"]) == 2
    assert c.get(f"/api/inspections/{insp}/record.pdf").status_code == 200
    done = c.post(f"/api/inspections/{insp}/complete", json={"summary": "发现1个问题"}).get_json()
    problem = auth.client("ehs-a").get(f"/api/problems/{done['problem_ids'][0]}").get_json()
    assert problem["source"] == "inspection" and problem["description"] == "围堰破损"
    assert [e["id"] for e in problem["evidence"]] == [photo_id] and problem["legal_basis"]
    record = auth.client("ehs-a").get(f"/api/inspections/{insp}/record.pdf")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(record.data)).pages))
    for expected in ("现场检查笔录", done["number"], "道里电镀厂", "insp-1（执法证号：23010001）", code, "不符合",
                     "情况：围堰破损", "现场照片1张", "PERMIT", "符合", "发现1个问题", "被检查单位负责人签名"):
        assert expected in text, expected


def test_no_record_before_the_visit(auth, create):
    insp = create()
    assert auth.client("insp-1").get(f"/api/inspections/{insp['id']}/record.pdf").status_code == 409


def test_result_is_due_within_the_configured_working_days(auth, world, library, create):
    import time_machine

    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        insp, c = _on_site(auth, create)  # visit 2026-03-02..06 (Mon–Fri)
        detail = c.get(f"/api/inspections/{insp}").get_json()
    assert detail["result_due"] == "2026-03-13"  # 5 working days after Fri 6 March
    with time_machine.travel("2026-03-16 09:00 +0800", tick=False):
        late = auth.client("reg-city").get("/api/inspections/stats?year=2026").get_json()["feedback_overdue"]
    assert [(x["inspection_id"], x["result_due"]) for x in late] == [(insp, "2026-03-13")]
    with time_machine.travel("2026-03-16 09:00 +0800", tick=False):
        done = auth.client("insp-1").post(f"/api/inspections/{insp}/complete", json={"summary": "未发现问题"})
        assert done.status_code == 200, done.get_json()
        assert auth.client("reg-city").get("/api/inspections/stats?year=2026").get_json()["feedback_overdue"] == []
