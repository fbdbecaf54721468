"""执法公示 leaks nothing personal; outsiders get 404; enterprise users see only their completed inspections."""
import json

import pytest

from app.extensions import db
from tests.inspections.conftest import approve_all
from tests.inspections.test_special_actions import _approve, _create


@pytest.fixture
def completed(app, auth, world, library, create):
    from app.accounts.models import Enterprise, User

    with app.app_context():
        db.session.get(Enterprise, world.enterprises["a"]).contact_phone = "13900001111"
        for name in ("insp-1", "insp-2"):
            db.session.get(User, world.users[name]).phone = "13800002222"
        db.session.commit()
    insp = create()
    c = auth.client("insp-1")
    c.post(f"/api/inspections/{insp['id']}/submit")
    approve_all(auth, insp["id"])
    c.post(f"/api/inspections/{insp['id']}/start")
    code = c.get(f"/api/inspections/{insp['id']}/checklist").get_json()["items"][0]["code"]
    c.put(f"/api/inspections/{insp['id']}/results", json={"results": [
        {"item_code": code, "result": "non_compliant", "note": "现场负责人张三（电话13700003333）称设施检修"}]})
    done = c.post(f"/api/inspections/{insp['id']}/complete", json={"summary": "发现问题1个，联系人电话13700003333"})
    assert done.status_code == 200
    return done.get_json()


def test_public_listing_leaks_nothing(auth, world, staff, completed):
    action = _create(auth)
    auth.client("insp-1").post(f"/api/special-actions/{action['id']}/submit")
    _approve(auth, action["id"], ("div-head", "deputy", "director"))
    auth.client("insp-1").post(f"/api/special-actions/{action['id']}/filing", json={"filed_with": "黑龙江省生态环境厅"})
    auth.client("insp-1").post(f"/api/special-actions/{action['id']}/publish")
    response = auth.client().get("/api/public/inspections?region_code=230100")
    assert response.status_code == 200
    body = response.get_json()
    raw = json.dumps(body, ensure_ascii=False)
    for secret in ("13900001111", "13800002222", "13700003333", "张三", "upload", "phone", '"id"', "note",
                   "ehs-a", "user_id", "problem_ids"):
        assert secret not in raw, secret
    [done] = body["completed"]
    assert done["number"] == completed["number"] and done["problem_count"] == 1
    assert done["inspectors"] == [{"name": "insp-1", "cert_no": "23010001"}, {"name": "insp-2", "cert_no": "23010002"}]
    [planned] = body["planned"]
    assert planned["unit_name"] == "哈尔滨市生态环境局" and planned["basis"] and planned["content"]
    assert {"name": "insp-1", "cert_no": "23010001"} in planned["inspectors"]
    assert auth.client().get("/api/public/inspections?region_code=230600").get_json() == {"planned": [], "completed": []}
    assert auth.client().get("/api/public/inspections?region_code=999999").status_code == 404


def test_enterprise_sees_its_result_problem_and_notification(auth, world, completed):
    ehs = auth.client("ehs-a")
    listed = ehs.get("/api/inspections").get_json()
    assert [i["id"] for i in listed["items"]] == [completed["id"]]
    detail = ehs.get(f"/api/inspections/{completed['id']}").get_json()
    assert detail["summary"].startswith("发现问题1个") and detail["allowed_actions"] == []
    problem = ehs.get(f"/api/problems/{completed['problem_ids'][0]}").get_json()
    assert problem["source"] == "inspection" and problem["status"] == "open"
    inbox = ehs.get("/api/notifications").get_json()["items"]
    assert any(n["kind"] == "inspection_result" and completed["number"] in n["title"] for n in inbox)
    assert ehs.get(f"/api/inspections/{completed['id']}/form.pdf").status_code == 200
    assert ehs.get(f"/api/inspections/{completed['id']}/checklist").status_code == 403


def test_enterprise_users_do_not_see_inspections_before_the_result(auth, world, create):
    insp = create()
    ehs = auth.client("ehs-a")
    assert ehs.get("/api/inspections").get_json() == {"items": [], "total": 0}
    assert ehs.get(f"/api/inspections/{insp['id']}").status_code == 403
    assert ehs.get(f"/api/inspections/{insp['id']}/form.pdf").status_code == 403
    assert ehs.post("/api/inspections", json={}).status_code == 403
    assert ehs.get("/api/inspections/plans").status_code == 403


def test_outsiders_get_404(auth, world, create):
    insp = create()
    for username in ("reg-other", "ehs-b"):
        c = auth.client(username)
        assert c.get(f"/api/inspections/{insp['id']}").status_code == 404
        assert c.get(f"/api/inspections/{insp['id']}/form.pdf").status_code == 404
    assert auth.client("reg-other").post(f"/api/inspections/{insp['id']}/approvals",
                                         json={"decision": "approve"}).status_code == 404
    assert auth.client("reg-other").get("/api/inspections").get_json()["total"] == 0
    assert auth.client("reg-city").get(f"/api/inspections/{insp['id']}").status_code == 200
    plan = auth.client("insp-1").post("/api/inspections/plans", json={"year": 2026, "name": "计划"}).get_json()
    assert auth.client("reg-other").get(f"/api/inspections/plans/{plan['id']}").status_code == 404
    assert auth.client("reg-county-a").get(f"/api/inspections/plans/{plan['id']}").status_code == 404
    assert auth.client().get(f"/api/inspections/{insp['id']}").status_code == 401


def test_creating_needs_certified_inspectors_in_scope(auth, world, staff):
    from tests.inspections.conftest import inspection_body

    c = auth.client("insp-1")
    one = c.post("/api/inspections", json=inspection_body(world, inspector_ids=[staff["insp-1"]]))
    assert one.status_code == 422 and "不得少于2人" in one.get_json()["error"]["message"]
    nocert = c.post("/api/inspections", json=inspection_body(world, inspector_ids=[staff["insp-1"], staff["insp-nocert"]]))
    assert nocert.status_code == 422 and "执法证号" in nocert.get_json()["error"]["message"]
    outside = c.post("/api/inspections", json=inspection_body(world, enterprise_id=world.enterprises["c"]))
    assert outside.status_code == 404
    backwards = c.post("/api/inspections", json=inspection_body(world, end_date="2026-03-01"))
    assert backwards.status_code == 422 and "end_date" in backwards.get_json()["error"]["details"]["fields"]
    bad_type = c.post("/api/inspections", json=inspection_body(world, inspection_type="random"))
    assert bad_type.status_code == 422 and "检查类型" in bad_type.get_json()["error"]["message"]


def test_error_messages_name_the_field_in_chinese(auth, world, staff):
    from tests.inspections.conftest import inspection_body

    response = auth.client("insp-1").post("/api/inspections", json=inspection_body(world, inspector_ids=[]))
    assert response.status_code == 422 and response.get_json()["error"]["message"].startswith("检查人员")
    missing = auth.client("insp-1").post("/api/inspections", json={"enterprise_id": world.enterprises["a"]})
    assert missing.status_code == 422 and "检查依据" in missing.get_json()["error"]["message"]


def test_admin_sets_position_and_cert_for_regulators_only(auth, world, staff):
    admin = auth.client("sysadmin")
    created = admin.post("/api/admin/users", json={
        "username": "new-insp", "display_name": "新执法人员", "role": "regulator", "region_code": "230100",
        "password": "Passw0rd-new-1", "position": "inspector", "enforcement_cert_no": "23010099"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["position"] == "inspector" and created.get_json()["enforcement_cert_no"] == "23010099"
    wrong = admin.patch(f"/api/admin/users/{world.users['ehs-a']}", json={"position": "director"})
    assert wrong.status_code == 422 and "职务" in wrong.get_json()["error"]["message"]
    bad = admin.patch(f"/api/admin/users/{created.get_json()['id']}", json={"position": "king"})
    assert bad.status_code == 422
    me = auth.client("insp-1").get("/api/auth/me").get_json()
    assert me["user"]["position"] == "inspector" and me["user"]["enforcement_cert_no"] == "23010001"
