"""The scheduler: one lease holder acts, a standby takes over, catch-up, `tick`, the job list."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.common.timeutil import TZ, as_utc
from app.common.tx import IdempotencyRecord
from app.extensions import db
from app.scheduler.jobs import JOBS, Job
from app.scheduler.models import JobRun
from app.scheduler.runner import Lease, SchedulerRunner, missed_fire_times, run_job, scheduler_cli
from tests.notify.conftest import at, count_notes, make_selfcheck, notes

DUE = date(2026, 12, 10)


class Clock:
    def __init__(self, start: datetime):
        self.now = as_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_only_one_lease_holder_and_takeover_after_expiry(app):
    clock = Clock(at("2026-12-01T08:00"))
    with app.app_context():
        one, two = Lease("one", clock=clock), Lease("two", clock=clock)
        assert one.acquire() is True
        assert two.acquire() is False
        clock.advance(15)
        assert one.acquire() is True          # renewal
        clock.advance(44)
        assert two.acquire() is False         # 44 s after the renewal: still one's
        clock.advance(2)                      # one died: 46 s without renewal
        assert two.acquire() is True
        assert one.acquire() is False         # one is back but must wait now
        two.release()
        assert one.acquire() is True          # a released lease is free at once


def test_runner_standby_takes_over_and_only_the_leader_runs_jobs(app, ids):
    clock = Clock(at("2026-12-07T07:00"))  # the first start catches up on the last day: nothing due then
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    first = SchedulerRunner(app, holder="first", clock=clock)
    second = SchedulerRunner(app, holder="second", clock=clock)
    assert first.heartbeat() is True
    assert second.heartbeat() is False
    assert second.fire("selfcheck_reminders") is None and count_notes(app) == 0  # a standby never acts
    assert first.fire("selfcheck_reminders") == 1
    for _ in range(3):                     # first keeps renewing every 15 s
        clock.advance(15)
        assert first.heartbeat() and not second.heartbeat()
    clock.advance(46)                      # first died
    assert second.heartbeat() is True and second.leader
    assert first.heartbeat() is False and not first.leader
    assert second.fire("selfcheck_reminders") == 0  # idempotent after the takeover


def test_catch_up_after_downtime_runs_missed_jobs_once(app, ids):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
        for job in JOBS:  # everything last ran on D-3 at 09:00
            db.session.add(JobRun(job_id=job.id, last_as_of=at("2026-12-07T09:00")))
        db.session.commit()
    clock = Clock(at("2026-12-10T09:00"))    # back up on D0 at 09:00
    runner = SchedulerRunner(app, holder="late", clock=clock)
    assert runner.heartbeat() is True        # becoming the leader catches up
    assert notes(app, ["selfcheck_due"]) == {("staff-a", "selfcheck_due", f"D0@{DUE}")}
    with app.app_context():
        assert as_utc(db.session.get(JobRun, "selfcheck_reminders").last_as_of) == at("2026-12-10T08:00")
        assert as_utc(db.session.get(JobRun, "generate_selfchecks").last_as_of) == at("2026-12-10T00:10")
    before = count_notes(app)
    assert runner.catch_up() == {}           # nothing missed any more
    with app.app_context():                  # even forgetting the bookkeeping, catching up again adds nothing
        db.session.execute(JobRun.__table__.update().values(last_as_of=at("2026-12-07T09:00")))
        db.session.commit()
    assert "selfcheck_reminders" in runner.catch_up()
    assert count_notes(app) == before


def test_missed_fire_times_each_and_coalesced():
    job = Job("x", "app.common.tx:delete_expired_idempotency_records", {"cron": {"hour": 0, "minute": 10}})
    times = missed_fire_times(job, at("2026-12-01T00:10"), at("2026-12-04T00:09"))
    assert [t.astimezone(TZ).strftime("%m-%d %H:%M") for t in times] == ["12-02 00:10", "12-03 00:10"]
    assert missed_fire_times(Job("d", "m:f", {"interval": {"seconds": 60}}), at("2026-12-01T00:00"),
                             at("2026-12-02T00:00")) == []
    long_ago = missed_fire_times(job, at("2025-01-01T00:00"), at("2026-12-04T00:09"))
    assert len(long_ago) == 35  # bounded catch-up window


def test_generation_catches_up_every_missed_day(app, ids, monkeypatch):
    seen = []
    monkeypatch.setattr("app.selfcheck.service.generate_due_selfchecks", lambda day: seen.append(day) or 0)
    with app.app_context():
        db.session.add(JobRun(job_id="generate_selfchecks", last_as_of=at("2026-12-01T00:10")))
        db.session.commit()
    runner = SchedulerRunner(app, holder="x", clock=Clock(at("2026-12-04T06:00")),
                             jobs=tuple(j for j in JOBS if j.id == "generate_selfchecks"))
    runner.heartbeat()
    assert seen == [date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)]


def test_a_job_that_does_not_resolve_fails_loudly(app, runner, monkeypatch):
    job = Job("future", "app.supervision.not_built_yet:run", {"cron": {"hour": 7, "minute": 0}}, takes="date")
    with app.app_context(), pytest.raises(ImportError):
        run_job(job, at("2026-12-01T07:00"))
    ok = runner.invoke(args=["scheduler", "jobs"])
    assert ok.exit_code == 0, ok.output
    assert all(j.id in ok.output for j in JOBS)
    monkeypatch.setattr("app.scheduler.runner.JOBS", (*JOBS, job))
    broken = runner.invoke(args=["scheduler", "jobs"])
    assert broken.exit_code == 1
    assert "future: app.supervision.not_built_yet:run 无法解析" in broken.output


def test_job_ids_are_unique_and_the_scheduler_has_them_all(app):
    assert len({job.id for job in JOBS}) == len(JOBS)
    assert {"generate_selfchecks", "selfcheck_reminders", "rectification_reminders", "escalations",
            "permit_expiry", "daily_digest", "cleanup_idempotency_keys", "risk_warnings",
            "deliver_notifications", "obligations", "obligation_reminders", "request_escalations"} <= {
        job.id for job in JOBS}
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = SchedulerRunner(app, holder="t").build(BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {job.id for job in JOBS} | {"scheduler_lease"}
        assert all(job.coalesce for job in jobs.values())
        assert jobs["daily_digest"].misfire_grace_time >= 3600
        fire = jobs["daily_digest"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
        assert fire == datetime(2026, 12, 2, 8, 30, tzinfo=TZ)
        fire = jobs["generate_selfchecks"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, 0, 0, tzinfo=TZ))
        assert fire == datetime(2026, 12, 1, 0, 10, tzinfo=TZ)
    finally:
        scheduler.shutdown(wait=False)


def test_cli_tick_runs_every_job_once(app, ids):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    runner = app.test_cli_runner()
    result = runner.invoke(scheduler_cli, ["tick", "--at", "2026-12-07T08:00"])
    assert "selfcheck_reminders: 1" in result.output, result.output
    assert "deliver_notifications: 0" in result.output
    assert notes(app, ["selfcheck_due"]) == {("staff-a", "selfcheck_due", f"D-3@{DUE}")}
    again = runner.invoke(scheduler_cli, ["tick", "--at", "2026-12-07T08:00", "--job", "selfcheck_reminders"])
    assert again.exit_code == 0 and "selfcheck_reminders: 0" in again.output


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T08:00"])
def test_cli_tick_rejects_a_bad_instant(app, value):
    result = app.test_cli_runner().invoke(scheduler_cli, ["tick", "--at", value])
    assert result.exit_code == 2 and "时间格式" in result.output


def test_cleanup_removes_idempotency_keys_older_than_seven_days(app, ids):
    now = at("2026-12-10T03:30")
    with app.app_context():
        for key, age in (("old", 8), ("edge", 6), ("new", 0)):
            db.session.add(IdempotencyRecord(user_id=ids["ehs-a"], key=key, method="POST", path="/api/x",
                                             status_code=200, body="{}", created_at=now - timedelta(days=age)))
        db.session.commit()
    result = app.test_cli_runner().invoke(scheduler_cli, ["tick", "--at", "2026-12-10T03:30",
                                                          "--job", "cleanup_idempotency_keys"])
    assert "cleanup_idempotency_keys: 1" in result.output
    with app.app_context():
        assert set(db.session.scalars(select(IdempotencyRecord.key))) == {"edge", "new"}
