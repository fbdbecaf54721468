"""The rectification lifecycle as a table of (state, action, role) → outcome."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.common.timeutil import TZ, add_days, add_months, local_date, today_local
from app.extensions import db
from app.remediation import service
from app.remediation.models import Problem
from tests.remediation.conftest import upload

ACTION_BODIES = {
    "accept": ("accept", {}),
    "rectification": ("rectification", None),
    "approve": ("review", {"decision": "approve", "comment": "ok"}),
    "return": ("review", {"decision": "return", "comment": "照片不清楚"}),
    "extension": ("extension", {"days": 7, "reason": "等待施工"}),
    "extension_decision": ("extension/decision", {"approve": True}),
    "cancel": ("cancel", {"reason": "误报"}),
}

# (state, action, user) → expected status code
TABLE = [
    ("open", "accept", "ehs-a", 200),
    ("open", "accept", "reg-county-a", 403),
    ("open", "accept", "ehs-b", 404),
    ("open", "accept", "reg-other", 404),
    ("open", "rectification", "ehs-a", 200),
    ("open", "approve", "reg-county-a", 409),
    ("open", "extension", "ehs-a", 200),
    ("open", "cancel", "reg-county-a", 200),
    ("open", "cancel", "ehs-a", 403),
    ("rectifying", "accept", "ehs-a", 409),
    ("rectifying", "rectification", "ehs-a", 200),
    ("rectifying", "rectification", "reg-city", 403),
    ("rectifying", "extension_decision", "reg-county-a", 409),
    ("extension_requested", "extension_decision", "reg-county-a", 200),
    ("extension_requested", "extension_decision", "ehs-a", 403),
    ("extension_requested", "rectification", "ehs-a", 409),
    ("submitted", "approve", "reg-county-a", 200),
    ("submitted", "approve", "reg-city", 200),
    ("submitted", "approve", "ehs-a", 403),
    ("submitted", "approve", "reg-other", 404),
    ("submitted", "return", "reg-county-a", 200),
    ("submitted", "rectification", "ehs-a", 409),
    ("verified", "approve", "reg-county-a", 409),
    ("verified", "cancel", "reg-county-a", 409),
    ("verified", "rectification", "ehs-a", 409),
    ("cancelled", "accept", "ehs-a", 409),
]


@pytest.mark.parametrize("state,action,username,status", TABLE)
def test_transition_table(auth, make_problem, state, action, username, status):
    pid = make_problem(state)
    client = auth.client(username)
    path, body = ACTION_BODIES[action]
    if body is None:
        body = {"description": "已整改", "upload_ids": [upload(auth.client("ehs-a"))]}
    response = client.post(f"/api/problems/{pid}/{path}", json=body)
    assert response.status_code == status, response.get_json()
    if status >= 400:
        assert response.get_json()["error"]["message"]


EXPECTED_AFTER = {("open", "accept"): "rectifying", ("submitted", "return"): "rectifying",
                  ("submitted", "approve"): "verified", ("extension_requested", "extension_decision"): "rectifying",
                  ("open", "rectification"): "submitted", ("open", "extension"): "extension_requested"}


@pytest.mark.parametrize("state,action", list(EXPECTED_AFTER))
def test_transition_results(app, auth, make_problem, state, action):
    pid = make_problem(state)
    path, body = ACTION_BODIES[action]
    user = "ehs-a" if action in ("accept", "rectification", "extension") else "reg-county-a"
    if body is None:
        body = {"description": "已整改", "upload_ids": [upload(auth.client("ehs-a"))]}
    response = auth.client(user).post(f"/api/problems/{pid}/{path}", json=body)
    assert response.get_json()["status"] == EXPECTED_AFTER[(state, action)]


def test_allowed_actions_follow_role_and_state(auth, make_problem):
    pid = make_problem("submitted")
    assert auth.client("ehs-a").get(f"/api/problems/{pid}").get_json()["allowed_actions"] == []
    reg = auth.client("reg-county-a").get(f"/api/problems/{pid}").get_json()["allowed_actions"]
    assert set(reg) == {"review", "cancel"}
    open_pid = make_problem("open")
    assert set(auth.client("ehs-a").get(f"/api/problems/{open_pid}").get_json()["allowed_actions"]) == {
        "accept", "submit_rectification", "request_extension", "assign"}  # assign: the 环保负责人 only
    assert set(auth.client("staff-a").get(f"/api/problems/{open_pid}").get_json()["allowed_actions"]) == {
        "accept", "submit_rectification", "request_extension"}


def test_return_requires_a_reason(auth, make_problem):
    pid = make_problem("submitted")
    response = auth.client("reg-county-a").post(f"/api/problems/{pid}/review", json={"decision": "return"})
    assert response.status_code == 422 and "comment" in response.get_json()["error"]["details"]["fields"]


def test_extension_approval_moves_the_deadline(auth, make_problem):
    pid = make_problem("extension_requested")
    before = date.fromisoformat(auth.client("ehs-a").get(f"/api/problems/{pid}").get_json()["deadline"])
    body = auth.client("reg-county-a").post(f"/api/problems/{pid}/extension/decision",
                                            json={"approve": True}).get_json()
    assert date.fromisoformat(body["deadline"]) == before + timedelta(days=10)
    assert body["extensions"][0]["approved"] is True


def test_minor_self_report_self_closes_unless_sampled(app, auth, world):
    app.config["SELF_CLOSE_SAMPLE_RATE"] = 0.0
    try:
        ehs = auth.client("ehs-a")
        pid = ehs.post("/api/problems", json={"title": "标识褪色", "severity": "一般"}).get_json()["id"]
        body = ehs.post(f"/api/problems/{pid}/rectification",
                        json={"description": "已更换", "upload_ids": [upload(ehs)]}).get_json()
        assert body["status"] == "self_closed"
        assert "抽样值" in body["history"][-1]["comment"]
        reopened = auth.client("reg-county-a").post(f"/api/problems/{pid}/reopen", json={"reason": "抽查不合格"})
        assert reopened.status_code == 200 and reopened.get_json()["status"] == "rectifying"
        app.config["SELF_CLOSE_SAMPLE_RATE"] = 1.0
        body = ehs.post(f"/api/problems/{pid}/rectification",
                        json={"description": "重新整改", "upload_ids": [upload(ehs)]}).get_json()
        assert body["status"] == "submitted"   # reopened problems always go to the regulator
    finally:
        app.config["SELF_CLOSE_SAMPLE_RATE"] = 0.10


def test_sample_draw_is_reproducible(app, auth, world):
    app.config["SELF_CLOSE_SAMPLE_RATE"] = 1.0
    try:
        ehs = auth.client("ehs-a")
        pid = ehs.post("/api/problems", json={"title": "台账不全", "severity": "一般"}).get_json()["id"]
        body = ehs.post(f"/api/problems/{pid}/rectification",
                        json={"description": "补齐", "upload_ids": [upload(ehs)]}).get_json()
        assert body["status"] == "submitted" and body["sampled"] is True
        with app.app_context():
            problem = db.session.get(Problem, pid)
            from app.remediation.models import Rectification

            rect = db.session.scalar(select(Rectification).where(Rectification.problem_id == pid))
            assert problem.sampled and rect.sampled
            assert f"{service.sample_draw(rect):.4f}" in body["history"][-1]["comment"]
    finally:
        app.config["SELF_CLOSE_SAMPLE_RATE"] = 0.10


def test_rectification_needs_an_after_photo(auth, make_problem):
    pid = make_problem("rectifying")
    response = auth.client("ehs-a").post(f"/api/problems/{pid}/rectification",
                                         json={"description": "done", "upload_ids": []})
    assert response.status_code == 422 and "upload_ids" in response.get_json()["error"]["details"]["fields"]


def test_rectification_cannot_use_another_enterprises_photo(auth, make_problem):
    pid = make_problem("rectifying")
    foreign = upload(auth.client("ehs-b"))
    response = auth.client("ehs-a").post(f"/api/problems/{pid}/rectification",
                                         json={"description": "done", "upload_ids": [foreign]})
    assert response.status_code == 422


def test_idempotent_rectification_submit(auth, make_problem):
    pid = make_problem("rectifying")
    ehs = auth.client("ehs-a")
    body = {"description": "已整改", "upload_ids": [upload(ehs)]}
    first = ehs.post(f"/api/problems/{pid}/rectification", json=body, headers={"Idempotency-Key": "k-1"})
    second = ehs.post(f"/api/problems/{pid}/rectification", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert len(second.get_json()["rectifications"]) == 1


def test_regulator_finding_needs_enterprise_in_scope(auth, world):
    reg = auth.client("reg-county-a")
    ok = reg.post("/api/problems", json={"title": "雨水排口异常", "severity": "重大",
                                         "enterprise_id": world.enterprises["a"], "deadline_days": 10})
    assert ok.status_code == 201 and ok.get_json()["source"] == "regulator"
    assert ok.get_json()["deadline"] == add_days(today_local(), 10).isoformat()
    outside = reg.post("/api/problems", json={"title": "x问题", "severity": "一般",
                                              "enterprise_id": world.enterprises["b"]})
    assert outside.status_code == 404
    missing = reg.post("/api/problems", json={"title": "x问题", "severity": "一般"})
    assert missing.status_code == 422


@pytest.mark.parametrize("start,days,expected", [
    (date(2026, 1, 31), 30, date(2026, 3, 2)),
    (date(2026, 12, 20), 15, date(2027, 1, 4)),
    (date(2028, 2, 14), 15, date(2028, 2, 29)),
])
def test_deadline_arithmetic_across_month_ends(start, days, expected):
    assert add_days(start, days) == expected


def test_month_arithmetic_clamps():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_a_submission_at_2359_local_counts_for_that_day():
    late_evening = datetime(2026, 11, 30, 23, 59, tzinfo=TZ)
    assert local_date(late_evening) == date(2026, 11, 30)
    utc_same_instant = late_evening.astimezone(datetime.now().astimezone().tzinfo)
    assert local_date(utc_same_instant) == date(2026, 11, 30)
    assert local_date(datetime(2026, 11, 30, 16, 1)) == date(2026, 12, 1)  # naive = UTC: 00:01 local


def test_overdue_is_derived(app, make_problem, monkeypatch):
    pid = make_problem("rectifying")
    with app.app_context():
        problem = db.session.get(Problem, pid)
        assert not problem.is_overdue(problem.deadline)
        assert problem.is_overdue(problem.deadline + timedelta(days=1))
        problem.status = "submitted"
        assert not problem.is_overdue(problem.deadline + timedelta(days=1))
