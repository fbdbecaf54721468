"""Daily risk warnings: each rule, dedupe across runs, the scoped lists, acknowledge and turn into a problem."""
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Enterprise
from app.common.audit import AuditEvent
from app.extensions import db
from app.remediation.models import Problem
from app.supervision.models import RiskWarning
from app.supervision.warnings import run_daily_warnings
from tests.supervision.conftest import TODAY

NOW = datetime.now(UTC)


@pytest.fixture
def data(build):
    w = build.world.enterprises
    with build.session():
        db.session.get(Enterprise, w["a"]).permit_valid_until = TODAY + timedelta(days=100)
        db.session.get(Enterprise, w["b"]).permit_valid_until = TODAY - timedelta(days=1)
        first = build.selfcheck("a", TODAY - timedelta(days=50), "submitted", score=90, period_key="2026-01",
                                submitted_at=NOW - timedelta(days=45))
        second = build.selfcheck("a", TODAY - timedelta(days=20), "submitted", score=70, period_key="2026-02",
                                 submitted_at=NOW - timedelta(days=1))
        build.problem("a", selfcheck_id=first.id, item_code="1.1", created_at=NOW - timedelta(days=45))
        build.problem("a", selfcheck_id=second.id, item_code="1.1")
        build.problem("a", selfcheck_id=second.id, item_code="2.2")
        build.problem("a", "重大", title="危废露天堆放", description="厂区东侧私设暗管，联系人电话13800138000")
        build.selfcheck("b", TODAY - timedelta(days=3), period_key="2026-03")
        build.problem("b", deadline=TODAY - timedelta(days=1))
        build.selfcheck("c", TODAY - timedelta(days=70), period_key="2025-11")
        build.selfcheck("c", TODAY - timedelta(days=40), period_key="2025-12")
    return build


def _kinds(app):
    with app.app_context():
        rows = db.session.execute(select(RiskWarning.enterprise_id, RiskWarning.kind)).all()
    return Counter(rows)


def test_each_rule_and_dedupe_across_runs(app, data):
    w = data.world.enterprises
    with app.app_context():
        created = run_daily_warnings(TODAY)
        db.session.commit()
    kinds = _kinds(app)
    assert kinds == Counter({
        (w["a"], "permit_expiring"): 1, (w["a"], "repeated_failure"): 1, (w["a"], "score_drop"): 1,
        (w["a"], "major_problem"): 1,
        (w["b"], "permit_expired"): 1, (w["b"], "selfcheck_overdue"): 1, (w["b"], "rectification_overdue"): 1,
        (w["c"], "selfcheck_overdue"): 2, (w["c"], "missed_periods"): 1,
    })
    assert created == sum(kinds.values())
    with app.app_context():
        assert run_daily_warnings(TODAY) == 0
        db.session.commit()
        assert run_daily_warnings(TODAY + timedelta(days=1)) == 0  # same facts the next day
        db.session.commit()
        detail = db.session.scalar(select(RiskWarning.title).where(RiskWarning.kind == "permit_expiring"))
        assert detail == f"排污许可证将于100天后到期（{TODAY + timedelta(days=100)}）"
        # 15 days later: the permit enters the 90-day stage and a's four problems pass their deadline;
        # nothing already warned about is repeated
        assert run_daily_warnings(TODAY + timedelta(days=15)) == 5
        db.session.commit()
        assert db.session.scalar(select(func.count(RiskWarning.id))) == sum(kinds.values()) + 5
    assert _kinds(app) - kinds == Counter({(w["a"], "permit_expiring"): 1, (w["a"], "rectification_overdue"): 4})


def test_extended_deadline_that_passes_again_warns_again(app, data):
    with app.app_context():
        run_daily_warnings(TODAY)
        problem = db.session.scalar(select(Problem).where(Problem.enterprise_id == data.world.enterprises["b"]))
        problem.deadline = TODAY + timedelta(days=5)
        db.session.commit()
        assert run_daily_warnings(TODAY + timedelta(days=6)) >= 1
        keys = db.session.scalars(select(RiskWarning.dedupe_key).where(
            RiskWarning.kind == "rectification_overdue")).all()
        assert len(keys) == 2


@pytest.fixture
def warned(app, data):
    with app.app_context():
        run_daily_warnings(TODAY)
        db.session.commit()
        ids = {kind: wid for wid, kind in db.session.execute(select(RiskWarning.id, RiskWarning.kind))}
    return ids


def test_lists_are_scoped(auth, data, warned):
    w = data.world.enterprises
    county = auth.client("reg-county-a").get("/api/supervision/warnings?per_page=100").get_json()
    assert {i["enterprise_id"] for i in county["items"]} == {w["a"]} and county["total"] == 4
    city = auth.client("reg-city").get(f"/api/supervision/warnings?enterprise_id={w['b']}").get_json()
    assert city["total"] == 3 and {i["kind"] for i in city["items"]} >= {"permit_expired"}
    other = auth.client("reg-other").get(f"/api/supervision/warnings?enterprise_id={w['a']}").get_json()
    assert other["total"] == 0
    own = auth.client("ehs-a").get("/api/warnings?per_page=100").get_json()
    assert own["total"] == 4 and {i["enterprise_id"] for i in own["items"]} == {w["a"]}
    assert auth.client("ehs-a").get("/api/supervision/warnings").status_code == 403
    high = auth.client("reg-city").get("/api/supervision/warnings?level=high&kind=major_problem").get_json()
    assert high["total"] == 1 and high["items"][0]["kind_label"] == "发现重大问题"


def test_acknowledge(auth, app, warned):
    wid = warned["major_problem"]
    assert auth.client("reg-other").post(f"/api/supervision/warnings/{wid}/acknowledge", json={}).status_code == 404
    assert auth.client("ehs-a").post(f"/api/supervision/warnings/{wid}/acknowledge", json={}).status_code == 403
    client = auth.client("reg-county-a")
    response = client.post(f"/api/supervision/warnings/{wid}/acknowledge", json={"comment": "已电话督促"})
    assert response.status_code == 200 and response.get_json()["status"] == "acknowledged"
    assert client.post(f"/api/supervision/warnings/{wid}/acknowledge", json={}).status_code == 409
    open_ = client.get("/api/supervision/warnings?status=acknowledged").get_json()
    assert [i["id"] for i in open_["items"]] == [wid]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "warning")) == \
            "warning.acknowledged"


def test_to_problem_with_a_stand_in_service(auth, app, warned, monkeypatch):
    from app.remediation import service as remediation

    seen = []

    def report_problem(actor, data):
        seen.append(data)
        deadline = TODAY + timedelta(days=data.get("deadline_days") or 30)
        problem = Problem(enterprise_id=data["enterprise_id"], source=data["source"], title=data["title"],
                          description=data["description"], severity=data["severity"], status="open",
                          deadline=deadline, original_deadline=deadline)
        db.session.add(problem)
        db.session.flush()
        return problem

    monkeypatch.setattr(remediation, "report_problem", report_problem, raising=False)
    wid = warned["permit_expiring"]
    response = auth.client("reg-city").post(f"/api/supervision/warnings/{wid}/to-problem",
                                            json={"severity": "较重", "deadline_days": 20, "comment": "限期办理"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "converted" and body["problem_id"]
    assert seen[0]["source"] == "warning" and seen[0]["severity"] == "较重" and "限期办理" in seen[0]["description"]
    with app.app_context():
        problem = db.session.get(Problem, body["problem_id"])
        assert problem.deadline == TODAY + timedelta(days=20)
    again = auth.client("reg-city").post(f"/api/supervision/warnings/{wid}/to-problem", json={"severity": "一般"})
    assert again.status_code == 409


def test_to_problem_with_the_real_service(auth, app, warned):
    wid = warned["major_problem"]
    response = auth.client("reg-county-a").post(f"/api/supervision/warnings/{wid}/to-problem",
                                                json={"severity": "重大", "comment": "立即整改"})
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        problem = db.session.get(Problem, response.get_json()["problem_id"])
        assert problem.source == "warning" and problem.severity == "重大" and "立即整改" in problem.description


@pytest.mark.parametrize("body", [{}, {"severity": "严重"}, {"severity": "一般", "deadline_days": 0}])
def test_to_problem_validation(auth, warned, body):
    response = auth.client("reg-city").post(f"/api/supervision/warnings/{warned['major_problem']}/to-problem",
                                            json=body)
    assert response.status_code == 422
