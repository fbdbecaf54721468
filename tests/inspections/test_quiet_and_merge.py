"""企业安静期: refusal naming the period, the unit head's exception; 综合一次查: the merge proposal."""
from tests.inspections.conftest import END, START, approve_all, inspection_body


def _quiet(auth, world, **body):
    payload = {"start_date": "2026-03-01", "end_date": "2026-03-15", "reason": "春节后复工复产安静期", **body}
    response = auth.client("director").post("/api/quiet-periods", json=payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_submitting_inside_a_quiet_period_is_refused_naming_it(auth, world, create):
    period = _quiet(auth, world, enterprise_id=world.enterprises["a"])
    insp = create()
    response = auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "quiet_period" and error["details"]["quiet_period_id"] == period["id"]
    assert "春节后复工复产安静期" in error["message"] and "2026-03-01至2026-03-15" in error["message"]


def test_region_quiet_period_applies_to_enterprises_below(auth, world, create):
    _quiet(auth, world, region_code="230102")
    insp = create()
    assert auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit").status_code == 409
    other = create(enterprise_id=world.enterprises["b"])  # 南岗区: not in the period
    assert auth.client("insp-1").post(f"/api/inspections/{other['id']}/submit").status_code == 200


def test_the_unit_head_may_approve_an_exception_with_a_reason(auth, world, create):
    _quiet(auth, world, enterprise_id=world.enterprises["a"])
    insp = create()
    path = f"/api/inspections/{insp['id']}/quiet-exception"
    assert auth.client("insp-1").post(path, json={"reason": "x"}).status_code == 403
    assert auth.client("deputy").post(path, json={"reason": "x"}).status_code == 403
    assert auth.client("director").post(path, json={"reason": "  "}).status_code == 422
    granted = auth.client("director").post(path, json={"reason": "群众投诉异味，确需现场核查"})
    assert granted.status_code == 200 and granted.get_json()["quiet_exception_reason"] == "群众投诉异味，确需现场核查"
    assert auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit").status_code == 200
    approve_all(auth, insp["id"])
    assert auth.client("insp-1").post(f"/api/inspections/{insp['id']}/start").status_code == 200


def test_a_document_review_is_not_an_on_site_visit(auth, world, create):
    _quiet(auth, world, enterprise_id=world.enterprises["a"])
    insp = create(methods=["document_review"])
    assert auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit").status_code == 200


def test_going_on_site_on_a_quiet_day_is_refused(app, auth, world, create):
    import time_machine

    insp = create()
    assert auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit").status_code == 200
    approve_all(auth, insp["id"])
    _quiet(auth, world, enterprise_id=world.enterprises["a"], start_date="2026-03-20", end_date="2026-03-31",
           reason="重污染天气应急期间")
    with time_machine.travel("2026-03-25 10:00 +0800", tick=False):
        response = auth.client("insp-1").post(f"/api/inspections/{insp['id']}/start")
    assert response.status_code == 409 and "重污染天气应急期间" in response.get_json()["error"]["message"]


def test_quiet_period_input_is_checked(auth, world, staff):
    c = auth.client("director")
    both = c.post("/api/quiet-periods", json={"region_code": "230102", "enterprise_id": world.enterprises["a"],
                                              "start_date": "2026-03-01", "end_date": "2026-03-02", "reason": "x"})
    assert both.status_code == 422
    backwards = c.post("/api/quiet-periods", json={"region_code": "230102", "start_date": "2026-03-05",
                                                   "end_date": "2026-03-01", "reason": "x"})
    assert backwards.status_code == 422 and "end_date" in backwards.get_json()["error"]["details"]["fields"]
    outside = c.post("/api/quiet-periods", json={"region_code": "230602", "start_date": "2026-03-01",
                                                 "end_date": "2026-03-02", "reason": "x"})
    assert outside.status_code == 422
    assert auth.client("ehs-a").post("/api/quiet-periods", json={"region_code": "230102", "start_date": "2026-03-01",
                                                                 "end_date": "2026-03-02", "reason": "x"}).status_code == 403
    period = _quiet(auth, world, region_code="230102")
    assert auth.client("reg-other").get(f"/api/quiet-periods/{period['id']}").status_code == 404
    assert auth.client("cty-insp-1").get(f"/api/quiet-periods/{period['id']}").status_code == 200
    listed = auth.client("reg-city").get("/api/quiet-periods?on=2026-03-10").get_json()
    assert [p["id"] for p in listed["items"]] == [period["id"]]
    removed = c.delete(f"/api/quiet-periods/{period['id']}")
    assert removed.status_code == 200 and removed.get_json()["removed_at"]
    assert c.get(f"/api/quiet-periods/{period['id']}").get_json()["removed_at"]  # kept on record
    assert c.delete(f"/api/quiet-periods/{period['id']}").status_code == 409
    assert auth.client("reg-city").get("/api/quiet-periods?on=2026-03-10").get_json()["total"] == 0


def test_a_second_inspection_in_the_period_proposes_merging(auth, world, create):
    first = create()
    auth.client("insp-1").post(f"/api/inspections/{first['id']}/submit")
    approve_all(auth, first["id"])
    c = auth.client("insp-1")
    body = inspection_body(world, content="危险废物规范化管理专项检查", start_date=END.isoformat())
    response = c.post("/api/inspections", json=body)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "merge_proposed" and error["details"]["inspection_id"] == first["id"]
    assert first["number"] in error["message"] and "综合一次查" in error["message"]
    merged = c.post(f"/api/inspections/{first['id']}/merge", json={"content": body["content"], "basis": "固废法"})
    assert merged.status_code == 200
    assert "危险废物规范化管理专项检查" in merged.get_json()["content"] and "固废法" in merged.get_json()["basis"]
    separate = c.post("/api/inspections", json={**body, "separate_reason": "需监测采样，另行安排"})
    assert separate.status_code == 201 and separate.get_json()["separate_reason"] == "需监测采样，另行安排"


def test_no_merge_proposal_outside_the_period_or_before_approval(auth, world, create):
    first = create()
    c = auth.client("insp-1")
    assert c.post("/api/inspections", json=inspection_body(world)).status_code == 201  # first is only a draft
    auth.client("insp-1").post(f"/api/inspections/{first['id']}/submit")
    approve_all(auth, first["id"])
    later = inspection_body(world, start_date="2026-06-01", end_date="2026-06-02")
    assert c.post("/api/inspections", json=later).status_code == 201
    assert START.isoformat() == first["start_date"]
