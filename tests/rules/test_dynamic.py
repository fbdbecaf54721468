"""正面清单动态管理: triggers suspend a member at once or in the daily job, the regulator is asked to confirm,
the enterprise's page shows why; the regulator removes or reinstates."""
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.extensions import db
from app.notify.models import Notification
from app.remediation.models import Problem
from app.supervision import dynamic
from app.supervision.models import PositiveListEntry

D = date(2026, 12, 2)


@pytest.fixture
def member(app, world):
    with app.app_context():
        eid = world.enterprises["a"]
        db.session.get(Enterprise, eid).permit_valid_until = D + timedelta(days=400)
        entry = PositiveListEntry(enterprise_id=eid, admitted_on=D - timedelta(days=100),
                                  valid_until=D + timedelta(days=900), admitted_credit_grade="环保良好")
        db.session.add(entry)
        db.session.commit()
        return eid


def _membership(client, eid):
    return client.get(f"/api/enterprises/{eid}/eligibility").get_json()["membership"]


@time_machine.travel(datetime(2026, 12, 2, 3, tzinfo=UTC), tick=False)
def test_penalty_suspends_at_once_and_asks_the_regulator(app, auth, member):
    reg = auth.client("reg-city")
    assert _membership(reg, member)["status"] == "member"
    r = reg.post(f"/api/supervision/enterprises/{member}/penalties", json={
        "decision_no": "哈环罚〔2026〕9号", "decided_on": "2026-12-01", "amount": 20000, "credit_category": "一般失信"})
    assert r.status_code == 201, r.get_json()
    shown = _membership(auth.client("ehs-a"), member)   # the enterprise's own page
    assert shown["status"] == "suspended" and not shown["member"] and shown["suspended_on"] == "2026-12-02"
    assert shown["reasons"][0]["trigger"] == "penalty" and "哈环罚〔2026〕9号" in shown["reasons"][0]["detail"]
    with app.app_context():
        kinds = {(n.kind, n.title[:11]) for n in db.session.scalars(select(Notification))}
    assert ("positive_list_review", "正面清单成员已自动暂停") in kinds
    members = reg.get("/api/supervision/positive-list").get_json()
    assert members["total"] == 0 and members["items"] == []   # a suspended member has no benefits
    # the regulator confirms removal; the page keeps the reasons
    r = reg.post(f"/api/supervision/enterprises/{member}/positive-list",
                 json={"action": "remove", "reason": "受到行政处罚，确认移出"})
    assert r.status_code == 200, r.get_json()
    gone = _membership(reg, member)
    assert gone["status"] == "removed" and gone["reasons"][0]["trigger"] == "penalty"


@time_machine.travel(datetime(2026, 12, 2, 3, tzinfo=UTC), tick=False)
def test_incident_below_the_configured_level_does_not_suspend(app, auth, member, monkeypatch):
    from app import rules as rules_packs

    real = rules_packs.pack

    def pack(province):
        p = real(province)
        return {**p, "incidents": {**p["incidents"], "suspend_at_level": "较大"}}

    monkeypatch.setattr(rules_packs, "pack", pack)
    reg = auth.client("reg-city")
    reg.post(f"/api/supervision/enterprises/{member}/incidents", json={"occurred_on": "2026-12-01", "level": "一般"})
    assert _membership(reg, member)["status"] == "member"
    reg.post(f"/api/supervision/enterprises/{member}/incidents", json={"occurred_on": "2026-12-01", "level": "较大"})
    assert _membership(reg, member)["reasons"][0]["trigger"] == "incident"


@pytest.mark.parametrize("change,trigger", [
    (lambda e: setattr(e, "permit_valid_until", D - timedelta(days=1)), "permit_expired"),
    (lambda e: setattr(e, "credit_grade", "环保警示"), "downgrade"),
    (lambda e: db.session.add(Problem(enterprise_id=e.id, source="selfcheck", title="暗管", description="",
                                      severity="重大", status="open", deadline=D - timedelta(days=2),
                                      original_deadline=D - timedelta(days=2))), "overdue_major"),
])
def test_daily_job_suspends_on_states(app, member, change, trigger):
    with app.app_context():
        assert dynamic.daily_check(D) == 0
        change(db.session.get(Enterprise, member))
        db.session.flush()
        assert dynamic.daily_check(D) == 1
        entry = db.session.scalar(select(PositiveListEntry).where(PositiveListEntry.enterprise_id == member))
        assert entry.suspended_on == D and entry.suspension_reasons[0]["trigger"] == trigger
        assert dynamic.daily_check(D) == 0  # once
        db.session.rollback()


@time_machine.travel(datetime(2026, 12, 2, 3, tzinfo=UTC), tick=False)
def test_reinstate_takes_the_facts_as_reviewed(app, auth, member):
    reg = auth.client("reg-city")
    reg.post(f"/api/supervision/enterprises/{member}/penalties", json={
        "decision_no": "哈环罚〔2026〕10号", "decided_on": "2026-12-01", "amount": 0, "credit_category": "轻微失信"})
    again = reg.post(f"/api/supervision/enterprises/{member}/positive-list", json={"action": "admit", "reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "suspended_member"
    r = reg.post(f"/api/supervision/enterprises/{member}/positive-list",
                 json={"action": "reinstate", "reason": "警告类轻微处罚，经核实不影响正面清单"})
    assert r.status_code == 200, r.get_json()
    assert _membership(reg, member)["status"] == "member"
    with app.app_context():
        assert dynamic.daily_check(D) == 0   # the reviewed penalty does not suspend it again
    bad = reg.post(f"/api/supervision/enterprises/{member}/positive-list", json={"action": "reinstate", "reason": "x"})
    assert bad.status_code == 409
