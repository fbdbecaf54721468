"""普法: case library scoped by jurisdiction, related cases for an item, targeted feed with receipts, coverage."""
from app.extensions import db


def _case(reg, **extra):
    body = {"title": "某电镀企业未按期提交执行报告案", "violation": "未按排污许可证规定提交季度执行报告",
            "law": "排污许可管理条例 第二十二条、第三十七条", "penalty": "罚款五千元", "lesson": "按期提交执行报告",
            "item_codes": ["B5"], "obligation_codes": ["PERMIT_REPORT_QUARTERLY"], **extra}
    response = reg.post("/api/legal-cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_cases_are_scoped_related_to_items_and_read(auth, world):
    county = _case(auth.client("reg-county-a"), industries=["电镀"])
    city = _case(auth.client("reg-city"), title="印刷企业VOCs治理设施未运行案", item_codes=["C2"],
                 industries=["印刷"], obligation_codes=[])
    ehs_a, ehs_b = auth.client("ehs-a"), auth.client("ehs-b")
    assert {c["id"] for c in ehs_a.get("/api/legal-cases").get_json()["items"]} == {county["id"], city["id"]}
    assert {c["id"] for c in ehs_b.get("/api/legal-cases").get_json()["items"]} == {city["id"]}  # other county
    assert ehs_b.get(f"/api/legal-cases/{county['id']}").status_code == 404
    assert auth.client("reg-other").get(f"/api/legal-cases/{county['id']}").status_code == 404
    related = ehs_a.get("/api/legal-cases?item_code=B5").get_json()["items"]
    assert [c["id"] for c in related] == [county["id"]]
    feed = ehs_a.get("/api/legal/feed").get_json()["items"]
    assert [c["id"] for c in feed] == [county["id"]] and feed[0]["read"] is False  # the 印刷 case is not for 电镀
    assert ehs_a.post(f"/api/legal-cases/{county['id']}/read").status_code == 200
    assert ehs_a.post(f"/api/legal-cases/{county['id']}/read").status_code == 200   # once per user
    assert ehs_a.get("/api/legal/feed").get_json()["items"][0]["read"] is True
    assert auth.client("reg-city").get(f"/api/legal-cases/{county['id']}").get_json()["read_count"] == 1
    assert ehs_a.post("/api/legal-cases", json={"title": "x"}).status_code == 403
    assert auth.client("reg-county-a").patch(f"/api/legal-cases/{city['id']}", json={"title": "y"}).status_code == 403


def test_training_records_and_key_enterprise_coverage(app, auth, world):
    reg = auth.client("reg-city")
    coverage = reg.get("/api/legal/coverage?year=2026").get_json()
    assert coverage["key_enterprises"] == 1 and coverage["covered"] == 0     # only 道里电镀厂 is 重点 in 230100
    outside = reg.post("/api/legal/trainings", json={"held_on": "2026-06-01", "topic": "危废规范化管理",
                                                     "enterprise_ids": [world.enterprises["c"]]})
    assert outside.status_code == 422
    made = reg.post("/api/legal/trainings", json={"held_on": "2026-06-01", "topic": "排污许可证后管理",
                                                  "region_code": "230102", "form": "行业培训",
                                                  "enterprise_ids": [world.enterprises["a"], world.enterprises["b"]]})
    assert made.status_code == 201, made.get_json()
    coverage = reg.get("/api/legal/coverage?year=2026").get_json()
    assert coverage["covered"] == 1 and coverage["rate"] == 1.0
    assert coverage["counties"][0]["region_code"] == "230102"
    assert reg.get("/api/legal/coverage?year=2027").get_json()["covered"] == 0
    assert len(reg.get("/api/legal/trainings?year=2026").get_json()["items"]) == 1
    assert auth.client("reg-other").get("/api/legal/trainings").get_json()["items"] == []
    with app.app_context():
        db.session.rollback()
