"""专项执法检查 (附件1): time-bounded, approved by the chain, 备案 before publication."""
import pytest

BODY = {"name": "2026年危险废物规范化环境管理专项执法检查", "basis": "《中华人民共和国固体废物污染环境防治法》第八十一条",
        "start_date": "2026-04-01", "end_date": "2026-05-31", "targets": "道里区、南岗区产生危险废物的重点排污单位",
        "target_industries": ["电镀"], "target_regions": ["230102", "230103"],
        "content": "危险废物贮存设施、转移联单、管理台账"}


def _create(auth, username="insp-1", **overrides):
    response = auth.client(username).post("/api/special-actions", json={**BODY, **overrides})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _approve(auth, action_id, chain):
    for username in chain:
        response = auth.client(username).post(f"/api/special-actions/{action_id}/approvals",
                                              json={"decision": "approve", "opinion": f"{username}同意"})
        assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_end_date_is_required(auth, staff):
    body = {k: v for k, v in BODY.items() if k != "end_date"}
    response = auth.client("insp-1").post("/api/special-actions", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "end_date" in error["details"]["fields"] and "结束日期" in error["message"]


@pytest.mark.parametrize(("end", "status"), [("2026-06-29", 201), ("2026-06-30", 422), ("2026-03-31", 422)])
def test_no_longer_than_the_configured_maximum(auth, staff, end, status):
    response = auth.client("insp-1").post("/api/special-actions", json={**BODY, "end_date": end})
    assert response.status_code == status, response.get_json()  # 230000: at most 90 days
    if status == 422:
        assert "end_date" in response.get_json()["error"]["details"]["fields"]


def test_chain_filing_and_publication(auth, staff):
    action = _create(auth)
    assert action["number"].startswith("ZX-230100-2026-") and action["status"] == "draft"
    c = auth.client("insp-1")
    assert c.post(f"/api/special-actions/{action['id']}/submit").status_code == 200
    wrong = auth.client("director").post(f"/api/special-actions/{action['id']}/approvals", json={"decision": "approve"})
    assert wrong.status_code == 403
    done = _approve(auth, action["id"], ("div-head", "deputy", "director"))
    assert done["status"] == "approved" and [o["decision"] for o in done["opinions"]] == ["approve"] * 3
    early = c.post(f"/api/special-actions/{action['id']}/publish")
    assert early.status_code == 409 and "备案" in early.get_json()["error"]["message"]
    filed = c.post(f"/api/special-actions/{action['id']}/filing",
                   json={"filed_with": "黑龙江省生态环境厅", "filing_no": "黑环备〔2026〕3号"})
    assert filed.status_code == 200 and filed.get_json()["filed_with"] == "黑龙江省生态环境厅"
    published = c.post(f"/api/special-actions/{action['id']}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    listing = auth.client().get("/api/public/inspections").get_json()
    assert [p["name"] for p in listing["planned"]] == [BODY["name"]]


def test_rejection_and_county_chain_reaching_the_city_director(auth, staff):
    action = _create(auth, "cty-insp-1")
    c = auth.client("cty-insp-1")
    c.post(f"/api/special-actions/{action['id']}/submit")
    back = auth.client("branch-head").post(f"/api/special-actions/{action['id']}/approvals",
                                           json={"decision": "reject", "opinion": "检查对象范围过宽"})
    assert back.status_code == 200 and back.get_json()["status"] == "draft"
    assert c.patch(f"/api/special-actions/{action['id']}", json={"targets": "道里区电镀企业"}).status_code == 200
    c.post(f"/api/special-actions/{action['id']}/submit")
    step = auth.client("branch-head").post(f"/api/special-actions/{action['id']}/approvals",
                                           json={"decision": "approve", "opinion": "同意"}).get_json()
    assert step["status"] == "pending_approval" and step["current_step"] == "哈尔滨市生态环境局局长"
    done = _approve(auth, action["id"], ("director",))
    assert done["status"] == "approved"


def test_special_actions_are_regulator_only_and_scoped(auth, world, staff):
    action = _create(auth)
    assert auth.client("ehs-a").get(f"/api/special-actions/{action['id']}").status_code == 403
    assert auth.client("reg-other").get(f"/api/special-actions/{action['id']}").status_code == 404
    assert auth.client("reg-city").get(f"/api/special-actions/{action['id']}").status_code == 200
    assert auth.client("reg-other").get("/api/special-actions").get_json()["total"] == 0


def test_an_inspection_may_belong_to_an_approved_special_action(auth, world, staff):
    from tests.inspections.conftest import inspection_body

    action = _create(auth)
    body = inspection_body(world, inspection_type="special", special_action_id=action["id"])
    early = auth.client("insp-1").post("/api/inspections", json=body)
    assert early.status_code == 422 and "special_action_id" in early.get_json()["error"]["details"]["fields"]
    auth.client("insp-1").post(f"/api/special-actions/{action['id']}/submit")
    _approve(auth, action["id"], ("div-head", "deputy", "director"))
    created = auth.client("insp-1").post("/api/inspections", json=body)
    assert created.status_code == 201 and created.get_json()["special_action_id"] == action["id"]
