"""Penalty/incident records, positive-list decisions and credit repair: rules, scope, audit, notifications."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.common.audit import AuditEvent, verify_chains
from app.common.timeutil import last_day_of_years
from app.evidence.models import Upload
from app.extensions import db
from app.remediation.models import Rectification
from app.supervision.models import Penalty
from tests.supervision.conftest import TODAY

NOW = datetime.now(UTC)


@pytest.fixture
def eligible_a(build):
    """Enterprise a meets every positive-list criterion."""
    with build.session():
        db.session.get(Enterprise, build.world.enterprises["a"]).permit_valid_until = TODAY + timedelta(days=500)
        for months in range(1, 13):
            build.selfcheck("a", TODAY - timedelta(days=30 * months - 5), "submitted", score=95)
    return build


def _audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).where(AuditEvent.action != "user.login")
                                  .order_by(AuditEvent.id)).all()


def test_admit_and_remove(auth, app, eligible_a, notified):
    a = eligible_a.world.enterprises["a"]
    client = auth.client("reg-county-a")
    response = client.post(f"/api/supervision/enterprises/{a}/positive-list",
                           json={"action": "admit", "reason": "连续12个月按时自查"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["member"] and body["admitted_on"] == TODAY.isoformat()
    assert body["valid_until"] == last_day_of_years(TODAY, 3).isoformat()   # three years
    again = client.post(f"/api/supervision/enterprises/{a}/positive-list", json={"action": "admit", "reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_member"
    listed = client.get("/api/supervision/positive-list").get_json()
    assert listed["total"] == 1 and listed["items"][0]["enterprise_id"] == a
    assert auth.client("reg-other").get("/api/supervision/positive-list").get_json()["total"] == 0
    row = client.get("/api/supervision/enterprises?positive_list=true").get_json()["items"][0]
    assert row["positive_list"]["member"] and row["positive_list"]["since"] == TODAY.isoformat()
    removed = client.post(f"/api/supervision/enterprises/{a}/positive-list",
                          json={"action": "remove", "reason": "发生环境违法行为"})
    assert removed.status_code == 200 and removed.get_json()["member"] is False
    assert client.get("/api/supervision/positive-list").get_json()["total"] == 0
    assert _audit_actions(app)[-2:] == ["positive_list.admitted", "positive_list.removed"]
    assert [c[1] for c in notified] == ["positive_list", "positive_list"] and [c[4] for c in notified] == \
        ["admitted", "removed"]
    with app.app_context():
        assert verify_chains() == []


def test_admit_requires_eligibility(auth, world):
    response = auth.client("reg-city").post(f"/api/supervision/enterprises/{world.enterprises['b']}/positive-list",
                                            json={"action": "admit", "reason": "x"})
    assert response.status_code == 409
    failed = {f["code"] for f in response.get_json()["error"]["details"]["failed"]}
    assert "selfcheck_completion" in failed


def test_admitting_against_failed_criteria_is_an_explicit_reasoned_override(auth, app, world):
    b = world.enterprises["b"]
    client = auth.client("reg-city")
    url = f"/api/supervision/enterprises/{b}/positive-list"
    unreasoned = client.post(url, json={"action": "admit", "reason": "试点", "override": True})
    assert unreasoned.status_code == 422
    assert "override_reason" in unreasoned.get_json()["error"]["details"]["fields"]
    reason = "市局专题会议决定试点纳入，整改期内加强远程核查"
    admitted = client.post(url, json={"action": "admit", "reason": "试点", "override": True,
                                      "override_reason": reason})
    assert admitted.status_code == 200, admitted.get_json()
    membership = client.get(f"/api/supervision/enterprises/{b}").get_json()["eligibility"]["membership"]
    assert membership["override_reason"] == reason
    assert "selfcheck_completion" in {f["code"] for f in membership["override_failed"]}
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "positive_list.admitted"))
        assert reason in event.comment and "不符合" in event.comment


def test_remove_when_not_member_is_409(auth, world):
    response = auth.client("reg-city").post(f"/api/supervision/enterprises/{world.enterprises['a']}/positive-list",
                                            json={"action": "remove", "reason": "x"})
    assert response.status_code == 409


def test_positive_list_xlsx(auth, eligible_a):
    import io

    from openpyxl import load_workbook

    client = auth.client("reg-city")
    client.post(f"/api/supervision/enterprises/{eligible_a.world.enterprises['a']}/positive-list",
                json={"action": "admit", "reason": "ok", "valid_years": 1})
    rows = list(load_workbook(io.BytesIO(client.get("/api/supervision/positive-list.xlsx").data))
                .active.iter_rows(values_only=True))
    assert rows[1][1] == "道里电镀厂" and len(rows) == 2


def test_penalty_record_and_patch(auth, app, build):
    a = build.world.enterprises["a"]
    with build.session():
        problem_id = build.problem("a").id
        other_problem = build.problem("c").id
    client = auth.client("reg-county-a")
    body = {"decision_no": "哈环罚〔2026〕8号", "decided_on": (TODAY - timedelta(days=10)).isoformat(),
            "amount": 20000, "credit_category": "一般失信", "problem_ids": [problem_id]}
    response = client.post(f"/api/supervision/enterprises/{a}/penalties", json=body)
    assert response.status_code == 201, response.get_json()
    pid = response.get_json()["id"]
    # the penalty comes with its case (one source for eligibility, credit repair and the case list)
    listed = [c for c in client.get("/api/cases").get_json()["items"] if c["penalty_id"] == pid]
    assert [(c["status"], c["source"], c["decision_no"]) for c in listed] == [("decided", "penalty", "哈环罚〔2026〕8号")]
    assert client.post(f"/api/supervision/enterprises/{a}/penalties", json=body).status_code == 409
    bad = client.post(f"/api/supervision/enterprises/{a}/penalties",
                      json={**body, "decision_no": "2", "problem_ids": [other_problem]})
    assert bad.status_code == 422 and "problem_ids" in bad.get_json()["error"]["details"]["fields"]
    future = client.post(f"/api/supervision/enterprises/{a}/penalties",
                         json={**body, "decision_no": "3", "decided_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    early = client.patch(f"/api/supervision/enterprises/{a}/penalties/{pid}",
                         json={"paid_on": (TODAY - timedelta(days=30)).isoformat()})
    assert early.status_code == 422
    paid = client.patch(f"/api/supervision/enterprises/{a}/penalties/{pid}", json={"paid_on": TODAY.isoformat()})
    assert paid.status_code == 200 and paid.get_json()["paid_on"] == TODAY.isoformat()
    assert client.patch(f"/api/supervision/enterprises/{build.world.enterprises['b']}/penalties/{pid}",
                        json={"paid_on": None}).status_code == 404
    assert _audit_actions(app)[-3:] == ["penalty.recorded", "case.filed", "penalty.updated"]


@pytest.mark.parametrize("user,key,status", [
    ("reg-county-a", "a", 201), ("reg-county-a", "b", 404), ("reg-other", "a", 404), ("ehs-a", "a", 403),
    ("ehs-a", "b", 404), ("sysadmin", "c", 201),
])
def test_incident_scope_then_role(auth, world, user, key, status):
    response = auth.client(user).post(f"/api/supervision/enterprises/{world.enterprises[key]}/incidents",
                                      json={"occurred_on": TODAY.isoformat(), "level": "较大"})
    assert response.status_code == status


@pytest.fixture
def repairable(app, build):
    """a has a paid 一般失信 penalty 4 months old whose linked problem was verified with photo evidence."""
    a = build.world.enterprises["a"]
    with build.session():
        problem = build.problem("a", "较重", "verified", deadline=TODAY - timedelta(days=100),
                                closed_at=NOW - timedelta(days=110))
        uploads = []
        for n in range(2):
            upload = Upload(client_id=f"c{n}", enterprise_id=a, uploaded_by_id=build.world.users["ehs-a"],
                            sha256=f"{n}" * 64, content_type="image/jpeg", size=10)
            db.session.add(upload)
            uploads.append(upload)
        db.session.flush()
        db.session.add(Rectification(problem_id=problem.id, description="已清理", before_upload_ids=[uploads[0].id],
                                     upload_ids=[uploads[1].id], submitted_by_id=build.world.users["ehs-a"],
                                     decision="approve", reviewed_at=NOW - timedelta(days=110)))
        penalty = Penalty(enterprise_id=a, decision_no="哈环罚〔2026〕2号", decided_on=TODAY - timedelta(days=125),
                          amount=10000, paid_on=TODAY - timedelta(days=100), credit_category="一般失信",
                          problem_ids=[problem.id])
        db.session.add(penalty)
        db.session.flush()
        return {"penalty_id": penalty.id, "problem_id": problem.id, "uploads": [u.id for u in uploads]}


def test_credit_repair_apply_and_approve(auth, app, build, repairable, notified):
    a = build.world.enterprises["a"]
    before = auth.client("ehs-a").get(f"/api/enterprises/{a}/eligibility").get_json()["credit_repair"]
    assert [c["code"] for c in before["criteria"] if not c["passed"]] == ["commitment"]
    client = auth.client("ehs-a")
    body = {"penalty_id": repairable["penalty_id"], "commitment_text": "本企业承诺严格遵守环境保护法律法规。"}
    response = client.post(f"/api/enterprises/{a}/credit-repair", json=body, headers={"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.get_json()
    application = response.get_json()
    replay = client.post(f"/api/enterprises/{a}/credit-repair", json=body, headers={"Idempotency-Key": "k1"})
    assert replay.get_json()["id"] == application["id"] and replay.headers.get("Idempotent-Replay") == "true"
    assert client.post(f"/api/enterprises/{a}/credit-repair", json=body).status_code == 409
    evidence = application["evidence"]
    assert evidence["commitment_text"] == body["commitment_text"]
    rect = evidence["problems"][0]["rectifications"][0]
    assert rect["before_photos"] == [{"upload_id": repairable["uploads"][0], "sha256": "0" * 64}]
    assert rect["after_photos"] == [{"upload_id": repairable["uploads"][1], "sha256": "1" * 64}]
    assert client.get(f"/api/enterprises/{a}/credit-repair").get_json()["total"] == 1
    after = client.get(f"/api/enterprises/{a}/eligibility").get_json()["credit_repair"]
    assert after["eligible"] is True

    assert auth.client("ehs-a").post(f"/api/supervision/credit-repairs/{application['id']}/decision",
                                     json={"approve": True, "reason": "x"}).status_code == 403
    assert auth.client("reg-other").post(f"/api/supervision/credit-repairs/{application['id']}/decision",
                                         json={"approve": True, "reason": "x"}).status_code == 404
    pending = auth.client("reg-city").get("/api/supervision/credit-repairs?status=submitted").get_json()
    assert [i["id"] for i in pending["items"]] == [application["id"]]
    decided = auth.client("reg-county-a").post(f"/api/supervision/credit-repairs/{application['id']}/decision",
                                               json={"approve": True, "reason": "材料齐全，同意修复"})
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    assert auth.client("reg-county-a").post(f"/api/supervision/credit-repairs/{application['id']}/decision",
                                            json={"approve": False, "reason": "x"}).status_code == 409
    with app.app_context():
        assert db.session.get(Penalty, repairable["penalty_id"]).repaired_at is not None
    assert _audit_actions(app)[-2:] == ["credit_repair.submitted", "credit_repair.approved"]
    assert notified[-1][1] == "credit_repair" and notified[-1][4] == "approved"
    again = client.post(f"/api/enterprises/{a}/credit-repair", json=body)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_repaired"


def test_credit_repair_not_eligible(auth, app, build, repairable):
    with app.app_context():
        db.session.get(Penalty, repairable["penalty_id"]).paid_on = None
        db.session.commit()
    response = auth.client("ehs-a").post(f"/api/enterprises/{build.world.enterprises['a']}/credit-repair", json={
        "penalty_id": repairable["penalty_id"], "commitment_text": "本企业承诺严格遵守环境保护法律法规。"})
    assert response.status_code == 422
    assert [f["code"] for f in response.get_json()["error"]["details"]["failed"]] == ["fine_paid"]


@pytest.mark.parametrize("user,key,status", [("reg-county-a", "a", 403), ("ehs-b", "a", 404), ("ehs-a", "b", 404)])
def test_credit_repair_who_may_apply(auth, build, repairable, user, key, status):
    response = auth.client(user).post(f"/api/enterprises/{build.world.enterprises[key]}/credit-repair", json={
        "penalty_id": repairable["penalty_id"], "commitment_text": "本企业承诺严格遵守环境保护法律法规。"})
    assert response.status_code == status


def test_credit_repair_reject(auth, build, repairable, notified):
    a = build.world.enterprises["a"]
    application = auth.client("ehs-a").post(f"/api/enterprises/{a}/credit-repair", json={
        "penalty_id": repairable["penalty_id"], "commitment_text": "本企业承诺严格遵守环境保护法律法规。"}).get_json()
    response = auth.client("reg-city").post(f"/api/supervision/credit-repairs/{application['id']}/decision",
                                            json={"approve": False, "reason": "整改照片不清晰"})
    assert response.get_json()["status"] == "rejected" and notified[-1][4] == "rejected"
    retry = auth.client("ehs-a").post(f"/api/enterprises/{a}/credit-repair", json={
        "penalty_id": repairable["penalty_id"], "commitment_text": "本企业再次承诺严格遵守环境保护法律法规。"})
    assert retry.status_code == 201
