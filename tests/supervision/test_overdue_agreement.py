"""One rule for "overdue": the report, the problem list, the dashboard and the reminders agree.

A problem waiting for review (submitted) is not overdue: the enterprise has done its part. The report
once counted it (its own copy of the rule had drifted); this test would have caught that.
"""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.notify.policy import load_policy
from app.notify.reminders import RECTIFICATION, _candidates
from app.remediation.models import Problem, ProblemStatus
from app.reports.service import _warnings
from tests.supervision.conftest import TODAY


def _world(build):
    ids = {}
    with build.session():
        selfcheck_id = build.selfcheck("a", TODAY, "submitted", score=80).id
        for status in ProblemStatus:
            ids[status.value] = build.problem("a", "较重", status.value, deadline=TODAY - timedelta(days=3),
                                              title=f"逾期-{status.value}").id
        ids["future"] = build.problem("a", "较重", "open", deadline=TODAY + timedelta(days=3)).id
        ids["due_today"] = build.problem("a", "较重", "rectifying", deadline=TODAY).id
    return ids, selfcheck_id


EXPECTED = {"open", "rectifying", "extension_requested"}


def test_overdue_means_the_same_everywhere(app, auth, build):
    ids, selfcheck_id = _world(build)
    expected = {ids[s] for s in EXPECTED}

    with app.app_context():
        problems = db.session.scalars(select(Problem)).all()
        assert {p.id for p in problems if p.is_overdue(TODAY)} == expected
        in_sql = set(db.session.scalars(select(Problem.id).where(Problem.overdue_clause(TODAY))))
        assert in_sql == expected

        # 环保体检报告: the warnings list every overdue problem of earlier periods, and only those.
        from app.selfcheck.models import SelfCheck

        selfcheck = db.session.get(SelfCheck, selfcheck_id)
        warned = [w for w in _warnings(selfcheck, selfcheck.enterprise, [], [], TODAY)
                  if w["kind"] == "overdue_rectification"]
        assert sorted(w["message"].split("“")[1].split("”")[0] for w in warned) == sorted(
            f"逾期-{s}" for s in EXPECTED)

        # Reminders: the overdue stages of the rectification ladder pick exactly these problems.
        stage = next(s for s in RECTIFICATION.policy_ladder(load_policy()) if s.offset > 0)
        rows = db.session.execute(_candidates(RECTIFICATION, stage, None, TODAY - timedelta(days=1))).all()
        assert {r.id for r in rows} == expected

    regulator = auth.client("reg-city")
    listed = regulator.get("/api/problems", query_string={"overdue": "true", "per_page": 100}).get_json()
    assert {p["id"] for p in listed["items"]} == expected
    everything = regulator.get("/api/problems", query_string={"per_page": 100}).get_json()["items"]
    assert {p["id"] for p in everything if p["overdue"]} == expected

    dash = regulator.get("/api/supervision/dashboard", query_string={
        "from": (TODAY - timedelta(days=30)).isoformat(), "to": TODAY.isoformat()}).get_json()
    assert dash["range"]["problems"]["overdue"] == len(expected)
    assert dash["range"]["problems"]["awaiting_review"] == 1
