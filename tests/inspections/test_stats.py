"""无事不扰 on the dashboard: per category, positive-list members inspected (with triggers), over cap."""
from datetime import date

from app.extensions import db
from tests.inspections.conftest import approve_all
from tests.inspections.test_draws import _inspection, city  # noqa: F401  (fixture)


def test_yearly_effect(app, auth, city):  # noqa: F811
    ids = city.enterprises
    triggered = _inspection(auth, city, "listed", "2026-06-03", "2026-06-03", methods=["on_site"], trigger="monitoring")
    auth.client("insp-1").post(f"/api/inspections/{triggered}/submit")
    approve_all(auth, triggered)
    _inspection(auth, city, "plain", "2026-06-03", "2026-06-03")  # a draft: not counted
    with app.app_context():
        from app.inspections.models import Inspection

        for n in (1, 2):  # two planned visits of an 一般 enterprise (cap 1), e.g. imported from an older system
            db.session.add(Inspection(number=f"JC-230100-2026-9{n:03d}", form_date=date(2026, 1, 5),
                                      inspection_type="other", basis="x", start_date=date(2026, n, 5),
                                      end_date=date(2026, n, 5), enterprise_id=ids["b"], unit_code="230100",
                                      inspector_ids=[], content="x", methods=["on_site"], status="completed"))
        db.session.commit()
    body = auth.client("reg-city").get("/api/inspections/stats?year=2026").get_json()
    by_category = {c["category"]: c for c in body["by_category"]}
    assert by_category["一般"]["inspections"] == 3 and by_category["重点"]["inspections"] == 0
    effect = body["positive_list"]
    assert effect["members"] == 1 and effect["inspected"] == 1 and effect["inspected_without_trigger"] == 0
    assert effect["items"][0]["inspections"][0]["trigger_label"] == "监测数据"
    assert body["over_cap"] == [{"enterprise_id": ids["b"], "name": "南岗印刷工作室", "category": "一般",
                                 "count": 2, "cap": 1}]
    assert auth.client("reg-other").get("/api/inspections/stats?year=2026").get_json()["over_cap"] == []
    assert auth.client("ehs-a").get("/api/inspections/stats").status_code == 403
