"""The whole lifecycle once: create, approve by the chain, go on site, record a finding, complete."""
from tests.inspections.conftest import approve_all


def test_lifecycle(auth, world, staff, library, create):
    insp = create()
    assert insp["status"] == "draft" and insp["number"].startswith("JC-230100-2026-")
    c = auth.client("insp-1")
    r = c.post(f"/api/inspections/{insp['id']}/submit")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "pending_approval"
    done = approve_all(auth, insp["id"])
    assert done["status"] == "approved"
    r = c.post(f"/api/inspections/{insp['id']}/start")
    assert r.status_code == 200, r.get_json()
    checklist = c.get(f"/api/inspections/{insp['id']}/checklist").get_json()
    code = checklist["items"][0]["code"]
    r = c.put(f"/api/inspections/{insp['id']}/results", json={"results": [
        {"item_code": code, "result": "non_compliant", "note": "废气处理设施未运行"}]})
    assert r.status_code == 200, r.get_json()
    r = c.post(f"/api/inspections/{insp['id']}/complete", json={"summary": "发现1个问题，已责令整改"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "completed" and len(body["problem_ids"]) == 1
    ehs = auth.client("ehs-a")
    problem = ehs.get(f"/api/problems/{body['problem_ids'][0]}").get_json()
    assert problem["source"] == "inspection"
    listed = ehs.get("/api/inspections").get_json()
    assert [i["id"] for i in listed["items"]] == [insp["id"]]
    pdf = c.get(f"/api/inspections/{insp['id']}/form.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
