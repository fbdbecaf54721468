"""The reminder ladders: each stage once, to the right people, never a stale stage, never twice."""
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import Enterprise
from app.common.timeutil import TZ
from app.extensions import db
from app.notify.models import Notification
from app.remediation.models import Problem
from tests.notify.conftest import at, count_notes, make_problem, make_selfcheck, notes, run_tick

DUE = date(2026, 12, 10)        # a Thursday
DEADLINE = date(2026, 12, 20)


def _on(day: date, offset: int, clock: str = "09:00") -> str:
    return f"{(day + timedelta(days=offset)).isoformat()}T{clock}"


def _stage(offset: int, due: date) -> str:
    return f"{'D0' if offset == 0 else f'D{offset:+d}'}@{due.isoformat()}"


def _pairs(expected, offset):
    """Recipients at this stage; a (user, other_offset) entry is that audience's own latest stage."""
    return {(e, offset) if isinstance(e, str) else e for e in expected}


SELFCHECK_LADDER = [
    # (enterprise, assignee, offset, expected recipients, regulator digest recipients)
    # On D+7 the regulator is escalated to, and — each audience having its own ladder — an enterprise that
    # never got its overdue notice (scheduler down, or the run created late) still gets it once.
    ("a", "staff-a", -3, {"staff-a"}, set()),
    ("a", "staff-a", -1, {"staff-a"}, set()),
    ("a", "staff-a", 0, {"staff-a"}, set()),
    ("a", "staff-a", 1, {"staff-a", "ehs-a"}, set()),
    ("a", "staff-a", 7, {"reg-county-a", ("staff-a", 1), ("ehs-a", 1)}, {"reg-county-a"}),
    ("b", None, -3, {"ehs-b"}, set()),                      # no assignee → the enterprise admins
    ("b", None, 1, {"ehs-b"}, set()),
    ("b", None, 7, {"reg-city", "regadmin-city", ("ehs-b", 1)}, {"reg-city", "regadmin-city"}),  # → city
    ("c", None, 7, {"reg-other", ("ehs-c", 1)}, {"reg-other"}),
]


@pytest.mark.parametrize("ent,assignee,offset,expected,digest", SELFCHECK_LADDER)
def test_selfcheck_ladder(app, ids, ent, assignee, offset, expected, digest):
    with app.app_context():
        make_selfcheck(ids[f"ent-{ent}"], DUE, ids[assignee] if assignee else None)
    run_tick(app, _on(DUE, offset))
    want = {(u, "selfcheck_due", _stage(off, DUE)) for u, off in _pairs(expected, offset)}
    want |= {(u, "regulator_digest", (DUE + timedelta(days=offset)).isoformat()) for u in digest}
    assert notes(app) == want
    before = count_notes(app)
    run_tick(app, _on(DUE, offset, "15:00"))
    assert count_notes(app) == before  # a second tick, even later that day, creates nothing


@pytest.mark.parametrize("offset", [-5, -4])
def test_before_the_first_stage_nothing_is_sent(app, ids, offset):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, offset))
    assert notes(app) == set()


RECTIFICATION_LADDER = [
    (-7, {"staff-a"}, set()),
    (-3, {"staff-a"}, set()),
    (-1, {"staff-a"}, set()),
    (1, {"staff-a", "ehs-a"}, set()),
    (3, {"staff-a", "ehs-a"}, set()),
    (7, {"reg-county-a", ("staff-a", 3), ("ehs-a", 3)}, {"reg-county-a"}),
]


@pytest.mark.parametrize("offset,expected,digest", RECTIFICATION_LADDER)
def test_rectification_ladder(app, ids, offset, expected, digest):
    with app.app_context():
        pid = make_problem(ids["ent-a"], DEADLINE, ids["staff-a"])
    run_tick(app, _on(DEADLINE, offset))
    want = {(u, "rectification_due", _stage(off, DEADLINE)) for u, off in _pairs(expected, offset)}
    want |= {(u, "regulator_digest", (DEADLINE + timedelta(days=offset)).isoformat()) for u in digest}
    assert notes(app) == want
    with app.app_context():
        links = set(db.session.scalars(select(Notification.link).where(Notification.kind == "rectification_due")))
    assert links == ({f"/gov/problems/{pid}", f"/ent/problems/{pid}"} if offset == 7 else {f"/ent/problems/{pid}"})
    before = count_notes(app)
    run_tick(app, _on(DEADLINE, offset, "10:00"))
    assert count_notes(app) == before


def test_full_rectification_ladder_day_by_day_sends_each_stage_once(app, ids):
    with app.app_context():
        make_problem(ids["ent-a"], DEADLINE, ids["staff-a"])
    for offset in range(-10, 12):
        run_tick(app, _on(DEADLINE, offset, "08:05"))
    got = notes(app, ["rectification_due"])
    expected = {("staff-a", "rectification_due", _stage(o, DEADLINE)) for o in (-7, -3, -1, 1, 3)}
    expected |= {("ehs-a", "rectification_due", _stage(o, DEADLINE)) for o in (1, 3)}
    expected |= {("reg-county-a", "rectification_due", _stage(7, DEADLINE))}
    assert got == expected


def test_a_late_run_sends_only_the_latest_stage(app, ids):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, -3))
    run_tick(app, _on(DUE, 2))  # the scheduler was down on D-1, D0 and D+1
    assert notes(app, ["selfcheck_due"]) == {
        ("staff-a", "selfcheck_due", _stage(-3, DUE)),
        ("staff-a", "selfcheck_due", _stage(1, DUE)), ("ehs-a", "selfcheck_due", _stage(1, DUE))}


def test_submitted_selfcheck_gets_no_more_reminders(app, ids):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"], status="submitted")
    for offset in (-3, 0, 1, 7):
        run_tick(app, _on(DUE, offset))
    assert notes(app) == set()


@pytest.mark.parametrize("status", ["submitted", "verified", "self_closed", "cancelled"])
def test_submitted_problem_gets_no_further_reminders(app, ids, status):
    with app.app_context():
        pid = make_problem(ids["ent-a"], DEADLINE, ids["staff-a"], needs_regulator=False)
    run_tick(app, _on(DEADLINE, -7))
    assert notes(app) == {("staff-a", "rectification_due", _stage(-7, DEADLINE))}
    with app.app_context():
        db.session.execute(update(Problem).where(Problem.id == pid).values(
            status=status, submitted_at=at(_on(DEADLINE, -6))))
        db.session.commit()
    for offset in (-3, -1, 1, 3, 7, 20):
        run_tick(app, _on(DEADLINE, offset))
    assert notes(app, ["rectification_due"]) == {("staff-a", "rectification_due", _stage(-7, DEADLINE))}


def test_extension_restarts_the_ladder_for_the_new_deadline(app, ids):
    with app.app_context():
        pid = make_problem(ids["ent-a"], DEADLINE, ids["staff-a"])
    run_tick(app, _on(DEADLINE, -1))
    new_deadline = DEADLINE + timedelta(days=30)
    with app.app_context():
        db.session.execute(update(Problem).where(Problem.id == pid).values(deadline=new_deadline))
        db.session.commit()
    run_tick(app, _on(new_deadline, -1))
    assert notes(app, ["rectification_due"]) == {("staff-a", "rectification_due", _stage(-1, DEADLINE)),
                                                  ("staff-a", "rectification_due", _stage(-1, new_deadline))}


@pytest.mark.parametrize("days_before,stage", [(120, 120), (100, 120), (90, 90), (75, 90), (60, 60), (31, 60),
                                               (1, 60)])
def test_permit_expiry_ladder(app, ids, days_before, stage):
    valid_until = date(2027, 3, 1)
    with app.app_context():
        db.session.get(Enterprise, ids["ent-a"]).permit_valid_until = valid_until
        db.session.commit()
    when = valid_until - timedelta(days=days_before)
    run_tick(app, f"{when.isoformat()}T09:00")
    assert notes(app, ["permit_expiry", "regulator_digest"]) == {("ehs-a", "permit_expiry", f"P-{stage}@{valid_until.isoformat()}"),
                          ("reg-county-a", "regulator_digest", when.isoformat())}
    before = count_notes(app)
    run_tick(app, f"{when.isoformat()}T18:00")
    assert count_notes(app) == before


@pytest.mark.parametrize("days_before,says", [
    (120, "应于2026-12-31前（有效期届满60日前）向审批部门提交延续申请"),
    (60, "今天是提交延续申请的最后期限"),
    (30, "尚未提交延续申请的，请立即提交"),
])
def test_permit_reminder_never_names_a_deadline_already_passed(app, ids, days_before, says):
    valid_until = date(2027, 3, 1)
    with app.app_context():
        db.session.get(Enterprise, ids["ent-a"]).permit_valid_until = valid_until
        db.session.commit()
    run_tick(app, f"{(valid_until - timedelta(days=days_before)).isoformat()}T09:00")
    with app.app_context():
        body = db.session.scalar(select(Notification.body).where(Notification.kind == "permit_expiry"))
    assert says in body
    if days_before < 60:
        assert "60日前" not in body  # the renewal deadline is behind us: "apply now", not "apply 60 days before"


def test_no_permit_reminder_once_the_renewal_application_is_registered(app, ids):
    valid_until = date(2027, 3, 1)
    with app.app_context():
        enterprise = db.session.get(Enterprise, ids["ent-a"])
        enterprise.permit_valid_until, enterprise.permit_renewal_applied_on = valid_until, date(2026, 12, 20)
        db.session.commit()
    run_tick(app, f"{(valid_until - timedelta(days=60)).isoformat()}T09:00")
    assert notes(app, ["permit_expiry"]) == set()


def test_one_permit_ladder_for_reminders_and_warnings(app):
    from app.notify.policy import load_policy
    from app.supervision import warnings
    with app.app_context():
        assert load_policy().permit_expiry_days == (120, 90, 60)
    assert not hasattr(warnings, "PERMIT_STAGES")  # warnings read the policy's ladder


@pytest.mark.parametrize("days_before", [121, -1])
def test_permit_outside_the_ladder_is_quiet(app, ids, days_before):
    valid_until = date(2027, 3, 1)
    with app.app_context():
        db.session.get(Enterprise, ids["ent-a"]).permit_valid_until = valid_until
        db.session.commit()
    run_tick(app, f"{(valid_until - timedelta(days=days_before)).isoformat()}T09:00")
    assert notes(app, ["permit_expiry"]) == set()


@pytest.mark.parametrize("today,expected", [
    ("2026-12-07", False),   # Monday: submitted the Monday before, 5 working days — not more
    ("2026-12-08", True),    # Tuesday: 6 working days
])
def test_review_clock_counts_working_days(app, ids, today, expected):
    submitted = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # a Monday
    with app.app_context():
        pid = make_problem(ids["ent-b"], date(2027, 1, 1), ids["ehs-b"], status="submitted",
                           submitted_at=submitted)
    run_tick(app, f"{today}T09:00")
    got = notes(app, ["review_overdue"])
    want = {(u, "review_overdue", "W+5@2026-11-30") for u in ("reg-city", "regadmin-city")}
    assert got == (want if expected else set())
    if expected:
        with app.app_context():
            assert set(db.session.scalars(select(Notification.link).where(
                Notification.kind == "review_overdue"))) == {f"/gov/problems/{pid}"}


def test_parallel_ticks_create_and_send_everything_once(app, ids, push_service):
    from tests.notify.conftest import subscribe

    with app.app_context():
        for ent, user in (("a", "staff-a"), ("b", None), ("c", None)):
            make_selfcheck(ids[f"ent-{ent}"], DUE, ids[user] if user else None)
            make_problem(ids[f"ent-{ent}"], DUE + timedelta(days=1), ids[user] if user else None)
    subscribe(app, ids["staff-a"], push_service.endpoint("staff-a"))
    errors = []

    def worker():
        try:
            run_tick(app, _on(DUE, 0))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    got = notes(app)
    assert got == {("staff-a", "selfcheck_due", _stage(0, DUE)), ("ehs-b", "selfcheck_due", _stage(0, DUE)),
                   ("ehs-c", "selfcheck_due", _stage(0, DUE)),
                   ("staff-a", "rectification_due", _stage(-1, DUE + timedelta(days=1))),
                   ("ehs-b", "rectification_due", _stage(-1, DUE + timedelta(days=1))),
                   ("ehs-c", "rectification_due", _stage(-1, DUE + timedelta(days=1)))}
    assert len(push_service.requests) == 2  # staff-a's two messages, each pushed once


def test_regulator_digest_sums_the_jurisdiction(app, ids):
    valid_until = date(2027, 1, 15)
    with app.app_context():
        db.session.get(Enterprise, ids["ent-a"]).permit_valid_until = valid_until
        db.session.commit()
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
        make_selfcheck(ids["ent-b"], DUE, None)
        make_problem(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, 8, "08:30"))
    with app.app_context():
        digests = {n.recipient_id: n for n in db.session.scalars(
            select(Notification).where(Notification.kind == "regulator_digest"))}
    assert set(digests) == {ids["reg-county-a"], ids["reg-city"], ids["regadmin-city"]}
    body = digests[ids["reg-county-a"]].body
    assert "自查逾期7天以上的任务：1" in body and "整改逾期7天以上的问题：1" in body
    assert "排污许可证120天内到期的企业：1" in body and "待核查" not in body  # the policy ladder's first stage
    assert digests[ids["reg-county-a"]].title == "每日监管摘要（2026年12月18日）"
    assert "自查逾期7天以上的任务：1" in digests[ids["reg-city"]].body  # enterprise b has no county regulator
    assert "整改" not in digests[ids["reg-city"]].body
