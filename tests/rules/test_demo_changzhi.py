"""Demo: 长治市 (140400) under 山西省 on the Shanxi pack, with demo-ehs-cz and demo-regulator-cz."""
from app import demo
from app.extensions import db


def test_changzhi_demo_accounts_and_pack(app, auth):
    with app.app_context():
        assert demo.seed()
        db.session.commit()
    ehs = auth.client("demo-ehs-cz", password=demo.DEMO_PASSWORD)
    me = ehs.get("/api/auth/me").get_json()
    eid = me["enterprise_id"] if "enterprise_id" in me else me["user"]["enterprise_id"]
    own = ehs.get(f"/api/enterprises/{eid}/eligibility").get_json()
    assert own["province"] == "140000"
    assert next(c for c in own["positive_list"]["criteria"] if c["code"] == "credit_grade")["label"] == "环境信用等级为A、B"
    reg = auth.client("demo-regulator-cz", password=demo.DEMO_PASSWORD)
    rows = reg.get("/api/supervision/enterprises?per_page=50").get_json()["items"]
    assert {r["region_code"][:4] for r in rows} == {"1404"} and len(rows) == 4
    plating = next(r for r in rows if "电镀" in r["name"])
    membership = reg.get(f"/api/enterprises/{plating['id']}/eligibility").get_json()["membership"]
    assert membership["status"] == "suspended" and membership["reasons"][0]["trigger"] == "penalty"
    assert {r["credit_grade"] for r in rows} == {"A", "B", "未评价"}
