"""法定义务日历: composed per profile, receipts, one warning for a missed date, reminders once, the .ics feed."""
import io
import uuid
from datetime import date, datetime

import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.notify.models import Notification
from app.obligations.models import Obligation
from app.supervision.models import RiskWarning
from tests.factories import jpeg_bytes

DAY = datetime.fromisoformat("2026-12-02T10:00:00+08:00")


def _codes(client):
    body = client.get("/api/obligations").get_json()
    return {o["code"] for o in body["items"]}, body


def test_plating_plant_and_print_shop_get_different_calendars(auth, world):
    with time_machine.travel(DAY, tick=False):
        plating, body = _codes(auth.client("ehs-a"))
        shop, _ = _codes(auth.client("ehs-b"))
    # 重点管理 电镀 with hazardous waste: quarterly permit reports, monthly waste declarations, tax, renewal…
    assert {"PERMIT_REPORT_ANNUAL", "PERMIT_REPORT_QUARTERLY", "HW_PLAN", "HW_DECLARE_MONTHLY", "ENV_TAX_QUARTERLY",
            "MONITORING_ANNUAL_REPORT", "EMERGENCY_PLAN_REVIEW"} <= plating
    # 登记管理 print shop: no permit report, no tax filing, no waste plan.
    assert not {"PERMIT_REPORT_ANNUAL", "PERMIT_REPORT_QUARTERLY", "HW_PLAN", "ENV_TAX_QUARTERLY"} & shop
    assert plating != shop
    item = next(o for o in body["items"] if o["code"] == "ENV_TAX_QUARTERLY" and o["period_label"] == "2026年第4季度")
    assert item["due_date"] == "2027-01-15" and item["status"] == "upcoming"
    assert item["legal_basis"][0]["law"] == "中华人民共和国环境保护税法" and item["legal_basis"][0]["checked"] is False
    assert body["ics_url"] and "/api/obligations/feed/" in body["ics_url"]


def test_marking_done_needs_a_receipt_and_is_audited(app, auth, world):
    from app.common.audit import AuditEvent

    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")
        items = ehs.get("/api/obligations").get_json()["items"]
        target = next(o for o in items if o["code"] == "ENV_TAX_QUARTERLY")
        refused = ehs.post(f"/api/obligations/{target['id']}/done", json={})
        assert refused.status_code == 422
        assert "upload_id" in refused.get_json()["error"]["details"]["fields"]
        upload = ehs.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "r.jpg"),
                                                "client_id": uuid.uuid4().hex}, content_type="multipart/form-data")
        done = ehs.post(f"/api/obligations/{target['id']}/done", json={"upload_id": upload.get_json()["id"]})
        assert done.status_code == 200, done.get_json()
        assert done.get_json()["status"] == "done"
        again = ehs.post(f"/api/obligations/{target['id']}/done", json={"record_no": "X-1"})
        assert again.status_code == 409
        other = next(o for o in items if o["code"] == "HW_PLAN")
        assert auth.client("reg-county-a").post(f"/api/obligations/{other['id']}/done",
                                                json={"record_no": "1"}).status_code == 403
        assert auth.client("ehs-b").post(f"/api/obligations/{other['id']}/done",
                                         json={"record_no": "1"}).status_code in (403, 404)
        assert ehs.post(f"/api/obligations/{other['id']}/done", json={"record_no": "BA-2026-001"}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "obligation.done")) == 2


def test_a_missed_date_makes_one_warning_and_a_problem_where_the_rules_say_so(app, auth, world):
    from app.obligations.service import compose_all
    from app.remediation.models import Problem
    from app.supervision.warnings import run_daily_warnings

    with app.app_context():
        compose_all(date(2026, 12, 2))
        db.session.commit()
        plan = db.session.scalar(select(Obligation).where(
            Obligation.enterprise_id == world.enterprises["a"], Obligation.code == "PERMIT_REPORT_QUARTERLY",
            Obligation.period_key == "2026Q4"))
        assert plan.due_date == date(2027, 1, 15)
        run_daily_warnings(date(2027, 1, 16))
        run_daily_warnings(date(2027, 1, 17))
        compose_all(date(2027, 1, 16))
        db.session.commit()
        warnings = db.session.scalars(select(RiskWarning).where(
            RiskWarning.kind == "obligation_missed", RiskWarning.object_id == plan.id)).all()
        assert len(warnings) == 1
        annual = db.session.scalar(select(Obligation).where(
            Obligation.enterprise_id == world.enterprises["a"], Obligation.code == "PERMIT_REPORT_ANNUAL",
            Obligation.period_key == "2026"))
        assert annual.problem_id is not None  # on_miss: problem (条例 第三十七条)
        problem = db.session.get(Problem, annual.problem_id)
        assert problem.source == "obligation" and problem.severity == "较重"
        assert db.session.get(Obligation, plan.id).problem_id is None  # the quarterly rule names no problem


def test_reminders_ladder_sends_each_stage_once(app, world):
    from app.obligations.reminders import obligation_reminders
    from app.obligations.service import compose_all

    with app.app_context():
        compose_all(date(2026, 12, 2))
        db.session.commit()
        tax = db.session.scalar(select(Obligation).where(
            Obligation.enterprise_id == world.enterprises["a"], Obligation.code == "ENV_TAX_QUARTERLY",
            Obligation.period_key == "2026Q4"))
        at = datetime.fromisoformat("2026-12-16T08:20:00+08:00")   # D-30 of 2027-01-15
        first = obligation_reminders(at)
        again = obligation_reminders(at)
        db.session.commit()
        stages = db.session.scalars(select(Notification.stage).where(
            Notification.object_type == "obligation", Notification.object_id == tax.id)).all()
        assert first > 0 and again == 0
        assert set(stages) == {"D-30@2027-01-15"}


def test_ics_feed_parses_and_carries_the_dates(auth, world, client):
    with time_machine.travel(DAY, tick=False):
        body = auth.client("ehs-a").get("/api/obligations").get_json()
    path = body["ics_url"].split("localhost", 1)[-1]
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    tax = next(o for o in body["items"] if o["code"] == "ENV_TAX_QUARTERLY" and o["period_label"] == "2026年第4季度")
    event = events[f"obligation-{tax['id']}@ecocheck"]
    assert event.decoded("dtstart") == date(2027, 1, 15)
    assert "环境保护税" in str(event["summary"])
    assert client.get("/api/obligations/feed/not-the-token.ics").status_code == 404
