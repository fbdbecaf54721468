"""Double-taps under concurrency (issue #15 item 3): five simultaneous requests with different
Idempotency-Keys, each thread with its own app context and database session. Exactly one acts; the
others get 409 in the error shape, because every state change is a compare-and-set on the state."""
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from app.common.audit import AuditEvent
from app.extensions import db
from app.remediation.models import ExtensionRequest, Rectification
from app.reports.models import Report
from tests.factories import compliant_answers, make_runs
from tests.remediation.conftest import upload

N = 5


def burst(app, client, path, body=None, n=N, code="invalid_transition"):
    """POST `path` n times at once from n threads sharing the client's login, each with its own key."""
    cookie = client.get_cookie("session").value
    token = client.environ_base["HTTP_X_CSRF_TOKEN"]
    barrier, results = threading.Barrier(n), []

    def fire():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        r = c.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4()), "X-CSRF-Token": token})
        results.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=fire) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(s for s, _ in results)
    assert codes == [200] + [409] * (n - 1), results
    for status, body_ in results:
        if status == 409:
            assert body_["error"]["code"] == code and body_["error"]["message"]
    return [b for s, b in results if s == 200][0]


def _count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def _events(app, pid, action):
    return _count(app, AuditEvent, object_type="problem", object_id=str(pid), action=action)


@pytest.mark.parametrize("state", ["open", "rectifying"])
def test_rectification_burst_files_one_rectification(app, auth, make_problem, state):
    pid = make_problem(state)
    ehs = auth.client("ehs-a")
    body = burst(app, ehs, f"/api/problems/{pid}/rectification", {"description": "已整改", "upload_ids": [upload(ehs)]})
    assert body["status"] == "submitted"
    assert _count(app, Rectification, problem_id=pid) == 1
    assert _events(app, pid, "problem.accepted") == 1
    assert _events(app, pid, "problem.rectification_submitted") == 1


def test_accept_burst_accepts_once(app, auth, make_problem):
    pid = make_problem("open")
    burst(app, auth.client("ehs-a"), f"/api/problems/{pid}/accept", {"plan": "更换标签"})
    assert _events(app, pid, "problem.accepted") == 1


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_review_burst_reviews_once(app, auth, make_problem, decision):
    pid = make_problem("submitted")
    burst(app, auth.client("reg-county-a"), f"/api/problems/{pid}/review", {"decision": decision, "comment": "核查"})
    assert _events(app, pid, "problem.verified" if decision == "approve" else "problem.returned") == 1


def test_extension_burst_files_one_request(app, auth, make_problem):
    pid = make_problem("rectifying")
    burst(app, auth.client("ehs-a"), f"/api/problems/{pid}/extension", {"days": 7, "reason": "设备到货"})
    assert _count(app, ExtensionRequest, problem_id=pid) == 1
    assert _events(app, pid, "problem.extension_requested") == 1


def test_extension_decision_burst_decides_once(app, auth, make_problem):
    pid = make_problem("extension_requested")
    burst(app, auth.client("reg-county-a"), f"/api/problems/{pid}/extension/decision", {"approve": True})
    assert _events(app, pid, "problem.extension_decided") == 1


def test_selfcheck_submit_burst_issues_one_report(app, auth, world):
    with app.app_context():
        runs = make_runs(world, date(2026, 11, 20))
    client = auth.client("ehs-b")
    detail = client.get(f"/api/selfchecks/{runs['b']}").get_json()
    answers = compliant_answers(detail, upload(client))
    assert client.put(f"/api/selfchecks/{runs['b']}/answers", json={"answers": answers}).status_code == 200
    body = burst(app, client, f"/api/selfchecks/{runs['b']}/submit", code="already_submitted")
    assert body["selfcheck"]["status"] == "submitted"
    assert _count(app, Report, selfcheck_id=runs["b"]) == 1
    assert _count(app, AuditEvent, object_type="selfcheck", object_id=str(runs["b"]), action="selfcheck.submitted") == 1
