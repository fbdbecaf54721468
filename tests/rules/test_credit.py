"""Credit: the province's grade scale, 未评价 by default, the publication window, the repair reminder on 销号."""
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from app.accounts.uscc import make_uscc
from app.extensions import db
from app.notify.models import Notification
from tests.rules.conftest import edit

NEW = {"name": "新建化工有限公司", "uscc": make_uscc("91230102MA9000001"), "industry_code": "C2614",
       "industry_name": "有机化学原料制造", "region_code": "230102", "permit_class": "简化管理"}


def test_a_new_enterprise_is_unrated_and_fails_the_good_grade_criterion(auth, world):
    admin = auth.client("sysadmin")
    r = admin.post("/api/admin/enterprises", json=NEW)
    assert r.status_code == 201 and r.get_json()["credit_grade"] == "未评价"
    eligibility = auth.client("reg-city").get(f"/api/enterprises/{r.get_json()['id']}/eligibility").get_json()
    grade = next(c for c in eligibility["positive_list"]["criteria"] if c["code"] == "credit_grade")
    assert grade["passed"] is False and "尚未评价" in grade["detail"]
    assert eligibility["positive_list"]["eligible"] is False


def test_grades_are_on_the_provinces_scale(auth, shanxi):
    admin = auth.client("sysadmin")
    sx = {**NEW, "uscc": make_uscc("91140403MA9000002"), "region_code": "140403"}
    bad = admin.post("/api/admin/enterprises", json={**sx, "credit_grade": "环保良好"})
    assert bad.status_code == 422 and "A、B、C、D" in bad.get_json()["error"]["details"]["fields"]["credit_grade"][0]
    assert admin.post("/api/admin/enterprises", json={**sx, "credit_grade": "A"}).status_code == 201
    hlj = shanxi.world.enterprises["a"]
    assert admin.patch(f"/api/admin/enterprises/{hlj}", json={"credit_grade": "B"}).status_code == 422
    ok = admin.patch(f"/api/admin/enterprises/{hlj}", json={"credit_grade": "环保诚信"})
    assert ok.status_code == 200, ok.get_json()
    renamed = admin.patch(f"/api/admin/enterprises/{hlj}", json={"contact_name": "王工"})
    assert renamed.status_code == 200 and renamed.get_json()["credit_grade"] == "环保诚信"  # not reset to 未评价


@time_machine.travel(datetime(2026, 12, 2, 3, tzinfo=UTC), tick=False)
def test_publication_window_shows_its_automatic_end(auth, world):
    reg = auth.client("reg-city")
    eid = world.enterprises["a"]
    for no, cat, day in (("哈环罚〔2026〕1号", "一般失信", "2026-06-01"), ("哈环罚〔2026〕2号", "严重失信", "2026-03-01")):
        assert reg.post(f"/api/supervision/enterprises/{eid}/penalties", json={
            "decision_no": no, "decided_on": day, "amount": 1000, "credit_category": cat}).status_code == 201
    body = reg.get(f"/api/enterprises/{eid}/eligibility").get_json()["credit_repair"]   # the latest: 一般失信
    assert body["publication"]["min_ends_on"] == "2026-09-01" and body["publication"]["max_ends_on"] == "2027-06-01"
    assert body["publication"]["ended"] is False and "第36号" in body["publication"]["basis"]
    assert body["publication"]["basis_checked"] is False
    period = next(c for c in body["criteria"] if c["code"] == "publication_period")
    assert "至2027-06-01自动停止公示" in period["detail"]
    pid = next(p["id"] for p in reg.get(f"/api/supervision/enterprises/{eid}").get_json()["penalties"]
               if p["credit_category"] == "严重失信")
    serious = reg.get(f"/api/enterprises/{eid}/eligibility?penalty_id={pid}").get_json()["credit_repair"]
    assert serious["publication"]["max_ends_on"] == "2029-03-01" and serious["publication"]["min_ends_on"] == "2027-03-01"


def test_verifying_the_last_problem_of_a_penalty_reminds_the_enterprise(app, auth, world, make_problem):
    reg = auth.client("reg-county-a")
    eid = world.enterprises["a"]
    first, second = make_problem("submitted"), make_problem("submitted")
    assert reg.post(f"/api/supervision/enterprises/{eid}/penalties", json={
        "decision_no": "哈环罚〔2026〕3号", "decided_on": "2026-01-05", "amount": 5000, "credit_category": "一般失信",
        "problem_ids": [first, second]}).status_code == 201

    def reminders():
        with app.app_context():
            return [n for n in db.session.scalars(select(Notification).where(Notification.kind == "credit_repair"))]

    assert reg.post(f"/api/problems/{first}/review", json={"decision": "approve"}).status_code == 200
    assert reminders() == []
    assert reg.post(f"/api/problems/{second}/review", json={"decision": "approve"}).status_code == 200
    sent = reminders()
    assert sent and {n.recipient_id for n in sent} and all("哈环罚〔2026〕3号" in n.title for n in sent)
    assert "可申请信用修复" in sent[0].body and "2027-01-05" in sent[0].body  # 一般失信: at most a year


def test_remediation_limits_come_from_the_pack(app, auth, world, packs, make_problem):
    edit(packs, "230000", "remediation", lambda d: d["extension"].update(max_days=20, max_requests=1))
    ehs = auth.client("ehs-a")
    pid = make_problem("rectifying")
    too_long = ehs.post(f"/api/problems/{pid}/extension", json={"days": 30, "reason": "设备到货"})
    assert too_long.status_code == 422 and "不超过20天" in str(too_long.get_json())
    assert ehs.post(f"/api/problems/{pid}/extension", json={"days": 10, "reason": "设备到货"}).status_code == 200
    assert auth.client("reg-county-a").post(f"/api/problems/{pid}/extension/decision",
                                            json={"approve": False, "comment": "不同意"}).status_code == 200
    again = ehs.post(f"/api/problems/{pid}/extension", json={"days": 10, "reason": "再次申请"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "extension_limit"


def test_reopen_window_comes_from_the_pack(app, auth, world, packs):
    from datetime import timedelta

    from app.common.timeutil import utcnow
    from app.remediation.models import Problem

    with app.app_context():
        problem = Problem(enterprise_id=world.enterprises["a"], source="selfcheck", title="标签", description="",
                          severity="一般", status="self_closed", deadline=utcnow().date(),
                          original_deadline=utcnow().date(), closed_at=utcnow() - timedelta(days=10))
        db.session.add(problem)
        db.session.commit()
        pid = problem.id
    reg = auth.client("reg-county-a")
    edit(packs, "230000", "remediation", lambda d: d.update(reopen_window_days=5))
    late = reg.post(f"/api/problems/{pid}/reopen", json={"reason": "复查发现未整改"})
    assert late.status_code == 409 and "超过5天" in late.get_json()["error"]["message"]
    edit(packs, "230000", "remediation", lambda d: d.update(reopen_window_days=30))
    assert reg.post(f"/api/problems/{pid}/reopen", json={"reason": "复查发现未整改"}).status_code == 200
