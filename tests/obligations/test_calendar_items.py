"""Self-check items that read the statutory calendar (B5 执行报告, E3 危废管理计划, H2 预案回顾, K1 信息披露):
an overdue obligation makes the item 不合格 whatever was answered; a done one makes B5/E3 合格 with the receipt as
the proof; K1/H2 ask more than the calendar knows, so a done date does not answer them."""
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.obligations.models import DONE, Obligation
from app.obligations.service import compose_all
from tests.factories import make_runs

# The calendar was composed on 2026-11-20; on 2027-01-20 the 2026 annual and Q4 permit reports (due 2027-01-15)
# and the emergency plan's review (by 2026-12-31) are past their dates.
DAY = datetime.fromisoformat("2027-01-20T10:00:00+08:00")


@pytest.fixture
def run_a(app, world):
    with app.app_context():
        compose_all(date(2026, 11, 20))
        runs = make_runs(world, date(2027, 1, 20))
        db.session.commit()
        return runs["a"]


def _item(detail, code):
    return next(i for s in detail["sections"] for i in s["items"] if i["code"] == code)


def _obligation(app, world, code, period_key=None):
    with app.app_context():
        stmt = select(Obligation).where(Obligation.enterprise_id == world.enterprises["a"], Obligation.code == code)
        if period_key:
            stmt = stmt.where(Obligation.period_key == period_key)
        return db.session.scalars(stmt.order_by(Obligation.due_date)).all()


def _set(app, obligation_id, **values):
    with app.app_context():
        row = db.session.get(Obligation, obligation_id)
        for k, v in values.items():
            setattr(row, k, v)
        db.session.commit()


def test_an_overdue_report_makes_b5_non_compliant_whatever_is_answered(app, auth, world, run_a):
    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")
        due = [o for o in _obligation(app, world, "PERMIT_REPORT_QUARTERLY") if o.due_date < DAY.date()]
        assert [o.period_key for o in due] == ["2026Q4"]
        for o in due:
            _set(app, o.id, status=DONE, done_on=o.due_date, receipt_no=f"ZX-{o.period_key}")
        latest = due[-1]
        _set(app, latest.id, status="pending", done_on=None, receipt_no=None)
        detail = ehs.get(f"/api/selfchecks/{run_a}").get_json()
        b5 = _item(detail, "B5")
        assert b5["calendar"]["result"] == "non_compliant"
        assert any(r["status"] == "overdue" and r["obligation_id"] == latest.id for r in b5["calendar"]["rows"])
        saved = ehs.put(f"/api/selfchecks/{run_a}/answers",
                        json={"answers": [{"item_id": b5["id"], "result": "compliant"}]}).get_json()
        assert saved["answers"][0]["result"] == "non_compliant"  # the calendar holds the record, not the answer
        assert any("尚未登记完成" in n["message"] for n in saved["notices"])


def test_a_done_report_makes_b5_compliant_with_its_receipt_as_proof(app, auth, world, run_a):
    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")
        for code in ("PERMIT_REPORT_QUARTERLY", "PERMIT_REPORT_ANNUAL", "PERMIT_REPORT_MONTHLY"):
            for o in _obligation(app, world, code):
                if o.due_date < DAY.date():
                    _set(app, o.id, status=DONE, done_on=o.due_date, receipt_no=f"ZX-{o.period_key}")
        b5 = _item(ehs.get(f"/api/selfchecks/{run_a}").get_json(), "B5")
        assert b5["calendar"]["result"] == "compliant" and "ZX-" in b5["calendar"]["evidence_ref"]
        saved = ehs.put(f"/api/selfchecks/{run_a}/answers",
                        json={"answers": [{"item_id": b5["id"], "result": "compliant"}]}).get_json()
        answer = saved["answers"][0]
        assert answer["result"] == "compliant" and answer["evidence_ref"].startswith("法定义务日历")
        assert not [n for n in saved["notices"] if n["kind"] == "proof_required"]  # no photo asked for


def test_h2_reads_an_overdue_review_but_a_done_one_does_not_answer_it(app, auth, world, run_a):
    """H2 also asks about revision after a major change, which the calendar does not know (settles_compliant: false)."""
    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")
        review, = _obligation(app, world, "EMERGENCY_PLAN_REVIEW")
        assert review.due_date == date(2026, 12, 31)
        h2 = _item(ehs.get(f"/api/selfchecks/{run_a}").get_json(), "H2")
        assert h2["calendar"]["result"] == "non_compliant"
        _set(app, review.id, status=DONE, done_on=date(2026, 12, 20), receipt_no="YA-2026-08")
        h2 = _item(ehs.get(f"/api/selfchecks/{run_a}").get_json(), "H2")
        assert h2["calendar"]["result"] is None and h2["calendar"]["rows"][0]["receipt"] == "YA-2026-08"
        saved = ehs.put(f"/api/selfchecks/{run_a}/answers",
                        json={"answers": [{"item_id": h2["id"], "result": "non_compliant"}]}).get_json()
        assert saved["answers"][0]["result"] == "non_compliant"  # the user's own answer stands


def test_submit_takes_the_calendar_state_of_the_day(app, auth, world, run_a):
    """Answered 合格 while the report was still on time; submitted after its date without it: 不合格."""
    import io
    import uuid

    from tests.factories import compliant_answers, jpeg_bytes

    with time_machine.travel(datetime.fromisoformat("2027-01-10T10:00:00+08:00"), tick=False):
        ehs = auth.client("ehs-a")
        detail = ehs.get(f"/api/selfchecks/{run_a}").get_json()
        assert _item(detail, "B5")["calendar"]["result"] is None  # nothing past its date yet: the user answers
        photo = ehs.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "p.jpg"), "client_id": uuid.uuid4().hex},
                         content_type="multipart/form-data").get_json()["id"]
        answers = [{**a, "upload_ids": [photo], "evidence_ref": "台账"} for a in compliant_answers(detail, photo)]
        saved = ehs.put(f"/api/selfchecks/{run_a}/answers", json={"answers": answers})
        assert saved.status_code == 200, saved.get_json()
    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")  # ten days on: a new session
        submitted = ehs.post(f"/api/selfchecks/{run_a}/submit")
        assert submitted.status_code in (200, 201), submitted.get_json()
        after = ehs.get(f"/api/selfchecks/{run_a}").get_json()
        b5 = _item(after, "B5")
        assert next(a for a in after["answers"] if a["item_id"] == b5["id"])["result"] == "non_compliant"


def test_a_plan_filed_before_its_date_answers_e3(app, auth, world, run_a):
    """E3 危险废物管理计划: filed early (before 31 March) is done; the receipt is the proof."""
    with time_machine.travel(DAY, tick=False):
        ehs = auth.client("ehs-a")
        plan = next(o for o in _obligation(app, world, "HW_PLAN") if o.period_key == "2027")
        assert plan.due_date > DAY.date()
        assert _item(ehs.get(f"/api/selfchecks/{run_a}").get_json(), "E3")["calendar"]["result"] is None
        _set(app, plan.id, status=DONE, done_on=date(2027, 1, 8), receipt_no="HW-PLAN-2027-01")
        e3 = _item(ehs.get(f"/api/selfchecks/{run_a}").get_json(), "E3")
        assert e3["calendar"]["result"] == "compliant" and "HW-PLAN-2027-01" in e3["calendar"]["evidence_ref"]
