"""The scheduler process: `flask scheduler run` (APScheduler, blocking) and `flask scheduler tick`.

Exactly one scheduler acts at a time: it holds a lease row in the database (UPDATE … WHERE
holder = me OR expires_at < now — works on SQLite and PostgreSQL), renewed every 15 s for 45 s.
Others keep trying and take over within a minute when the holder dies. On taking over (or
starting) the new holder catches up on the fire times it missed since each job last ran;
because jobs are idempotent, catching up twice sends nothing twice. Web workers never run jobs.
"""
import logging
import os
import signal
import socket
import uuid
from datetime import datetime, timedelta

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import case, or_, update

from app.common.dbutil import insert_ignoring
from app.common.timeutil import TZ, as_utc, utcnow
from app.extensions import db
from app.scheduler.jobs import JOBS, Job, get_job, job_argument, resolve
from app.scheduler.models import JobRun, SchedulerLease

log = logging.getLogger(__name__)
LEASE_SECONDS = 45
RENEW_SECONDS = 15
CATCH_UP_DAYS = 35
MISFIRE_GRACE_SECONDS = 6 * 3600


class Lease:
    """A named lease row: acquire() takes it if free or expired, or renews it if already ours."""

    def __init__(self, holder: str | None = None, *, name: str = "scheduler", seconds: int = LEASE_SECONDS,
                 clock=utcnow):
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.name, self.seconds, self.clock = name, seconds, clock
        self.expires_at: datetime | None = None

    def acquire(self) -> bool:
        now = as_utc(self.clock())
        expires = now + timedelta(seconds=self.seconds)
        table = SchedulerLease.__table__
        with db.engine.begin() as conn:
            taken = conn.execute(update(table).where(
                table.c.name == self.name, or_(table.c.holder == self.holder, table.c.expires_at < now))
                .values(holder=self.holder, expires_at=expires,
                        acquired_at=case((table.c.holder == self.holder, table.c.acquired_at), else_=now))).rowcount
            if not taken:
                taken = len(conn.execute(insert_ignoring(table, ["name"], conn.dialect.name).values(
                    name=self.name, holder=self.holder, expires_at=expires, acquired_at=now)
                    .returning(table.c.name)).all())
        self.expires_at = expires if taken == 1 else None
        return taken == 1

    def still_valid(self) -> bool:
        """Whether our last successful acquire has not expired yet (used when the database is unreachable)."""
        return self.expires_at is not None and as_utc(self.clock()) < self.expires_at

    def release(self) -> None:
        table = SchedulerLease.__table__
        with db.engine.begin() as conn:
            conn.execute(update(table).where(table.c.name == self.name, table.c.holder == self.holder)
                         .values(expires_at=as_utc(self.clock()) - timedelta(seconds=1)))
        self.expires_at = None


# --- running one job -----------------------------------------------------------------------

def run_job(job: Job, as_of: datetime):
    """Run one job as of an instant and commit; return its result."""
    func = resolve(job)
    try:
        result = func(job_argument(job, as_of))
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise


def tick(as_of: datetime, job_ids: list[str] | None = None) -> dict[str, object]:
    """Run every job (or the given ones) once as of `as_of`, synchronously, in JOBS order.

    A failing job is logged and reported as the exception; the others still run.
    """
    results: dict[str, object] = {}
    for job in (get_job(i) for i in job_ids) if job_ids else JOBS:
        try:
            results[job.id] = run_job(job, as_of)
        except Exception as exc:
            log.exception("job %s failed as of %s", job.id, as_of)
            results[job.id] = exc
    return results


def missed_fire_times(job: Job, since: datetime, until: datetime) -> list[datetime]:
    """Cron fire times of `job` in (since, until], at most CATCH_UP_DAYS back."""
    from apscheduler.triggers.cron import CronTrigger

    if "cron" not in job.trigger:
        return []
    trigger = CronTrigger(timezone=TZ, **job.trigger["cron"])
    since = max(as_utc(since), as_utc(until) - timedelta(days=CATCH_UP_DAYS)).astimezone(TZ)
    until = as_utc(until)
    times = []
    fire = trigger.get_next_fire_time(None, since + timedelta(microseconds=1))
    while fire is not None and as_utc(fire) <= until:
        times.append(as_utc(fire))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return times


# --- the scheduler -------------------------------------------------------------------------

class SchedulerRunner:
    """One scheduler instance: lease heartbeat, leader-only job runs, catch-up, APScheduler wiring."""

    def __init__(self, app: Flask, *, holder: str | None = None, lease_seconds: int = LEASE_SECONDS,
                 renew_seconds: int = RENEW_SECONDS, clock=utcnow, jobs: tuple[Job, ...] = JOBS):
        self.app, self.clock, self.jobs = app, clock, jobs
        self.renew_seconds = renew_seconds
        self.lease = Lease(holder, seconds=lease_seconds, clock=clock)
        self.leader = False

    def heartbeat(self) -> bool:
        """Acquire or renew the lease; on becoming the leader, catch up on missed runs."""
        with self.app.app_context():
            was_leader = self.leader
            try:
                self.leader = self.lease.acquire()
            except Exception:
                log.exception("scheduler %s could not renew its lease", self.lease.holder)
                self.leader = self.lease.still_valid()
            if self.leader and not was_leader:
                log.info("scheduler %s now acts (lease until %s)", self.lease.holder, self.lease.expires_at)
                self.catch_up()
            elif was_leader and not self.leader:
                log.warning("scheduler %s lost the lease and stands by", self.lease.holder)
        return self.leader

    def fire(self, job_id: str):
        """APScheduler's entry point for a job; only the lease holder runs it."""
        if not self.leader:
            return None
        return self.run(get_job(job_id), self.clock())

    def run(self, job: Job, as_of: datetime):
        with self.app.app_context():
            try:
                result = run_job(job, as_of)
            except Exception as exc:
                log.exception("job %s failed as of %s", job.id, as_of)
                self._record(job, as_of, None, exc)
                return exc
            self._record(job, as_of, result, None)
            log.info("job %s as of %s: %s", job.id, as_of.isoformat(), "skipped" if result is None else result)
            return result

    def catch_up(self) -> dict[str, list]:
        """Run each cron job for the fire times missed since it last ran (coalesced unless catch_up='each')."""
        now = as_utc(self.clock())
        done: dict[str, list] = {}
        for job in self.jobs:
            with self.app.app_context():
                row = db.session.get(JobRun, job.id)
                last = as_utc(row.last_as_of) if row and row.last_as_of else now - timedelta(days=1)
            missed = missed_fire_times(job, last, now)
            if not missed:
                continue
            runs = missed if job.catch_up == "each" else missed[-1:]
            log.info("catching up %s: %d missed run(s), running as of %s", job.id, len(missed),
                     ", ".join(t.isoformat() for t in runs))
            done[job.id] = [self.run(job, as_of) for as_of in runs]
        return done

    def _record(self, job: Job, as_of: datetime, result, error) -> None:
        row = db.session.get(JobRun, job.id) or JobRun(job_id=job.id)
        db.session.add(row)
        if error is None and (row.last_as_of is None or as_utc(row.last_as_of) < as_utc(as_of)):
            row.last_as_of = as_utc(as_of)
        row.last_finished_at = as_utc(self.clock())
        row.last_result = None if result is None else str(result)[:64]
        row.last_error = None if error is None else f"{error.__class__.__name__}: {error}"[:2000]
        try:
            db.session.commit()
        except Exception:  # two schedulers recording the first run at once; the other row stands
            db.session.rollback()
            log.warning("could not record the run of %s", job.id)

    def build(self, scheduler_class=None):
        """An APScheduler scheduler with the heartbeat and every job of JOBS (not started)."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = (scheduler_class or BlockingScheduler)(
            timezone=TZ, executors={"default": ThreadPoolExecutor(1), "delivery": ThreadPoolExecutor(1),
                                    "lease": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
        scheduler.add_job(self.heartbeat, "interval", seconds=self.renew_seconds, id="scheduler_lease",
                          executor="lease", misfire_grace_time=self.renew_seconds)
        for job in self.jobs:
            (kind, kwargs), = job.trigger.items()
            misfire = 60 if kind == "interval" else MISFIRE_GRACE_SECONDS
            scheduler.add_job(self.fire, kind, args=[job.id], id=job.id, name=job.description or job.id,
                              executor=job.executor, misfire_grace_time=misfire, **kwargs)
        return scheduler

    def run_forever(self) -> None:
        scheduler = self.build()

        def stop(_signum, _frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        log.info("scheduler %s starting; %s", self.lease.holder,
                 "acting" if self.heartbeat() else "standing by (another scheduler holds the lease)")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            if self.leader:
                with self.app.app_context():
                    self.lease.release()  # let a standby take over at once
            log.info("scheduler %s stopped", self.lease.holder)


# --- command line --------------------------------------------------------------------------

scheduler_cli = AppGroup("scheduler", help="定时任务与提醒")


def parse_instant(text: str) -> datetime:
    """An ISO instant; without an offset it is local time (Asia/Shanghai)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("时间格式应为 2026-12-01T08:30（北京时间）") from None
    return as_utc(moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment)


@scheduler_cli.command("run")
@click.option("--holder", default=None, help="本调度器的名称（默认：主机名:进程号）")
def scheduler_run(holder):
    """Run the scheduler (blocking); only the lease holder acts, others stand by."""
    from flask import current_app

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our own lines say what ran and why
    # SCHEDULER_LEASE_SECONDS: how long a dead scheduler blocks the others (default 45 s; renewed every third).
    lease = int(os.environ.get("SCHEDULER_LEASE_SECONDS", LEASE_SECONDS))
    SchedulerRunner(current_app._get_current_object(), holder=holder, lease_seconds=lease,
                    renew_seconds=max(1, lease // 3)).run_forever()


@scheduler_cli.command("tick")
@click.option("--at", "at", default=None, help="按该时刻运行，如 2026-12-01T08:30（北京时间）；默认现在")
@click.option("--job", "job_ids", multiple=True, type=click.Choice([j.id for j in JOBS]), help="只运行指定任务")
def scheduler_tick(at, job_ids):
    """Run every job once, synchronously, as of an instant (for tests and operators)."""
    as_of = parse_instant(at) if at else utcnow()
    failed = False
    for job_id, result in tick(as_of, list(job_ids) or None).items():
        if isinstance(result, Exception):
            failed = True
            click.echo(f"{job_id}: 失败：{result}", err=True)
        else:
            click.echo(f"{job_id}: {result}")
    if failed:
        raise SystemExit(1)


@scheduler_cli.command("jobs")
def scheduler_jobs():
    """List the periodic jobs and when each last ran; fails if an entry does not resolve to a function."""
    broken = []
    for job in JOBS:
        try:
            resolve(job)
        except (ImportError, AttributeError) as exc:
            broken.append(f"{job.id}: {job.func} 无法解析（{exc}）")
        row = db.session.get(JobRun, job.id)
        last = as_utc(row.last_as_of).astimezone(TZ).isoformat() if row and row.last_as_of else "—"
        click.echo(f"{job.id:28} {job.trigger} {job.description}  上次：{last}")
    for line in broken:
        click.echo(line, err=True)
    if broken:
        raise SystemExit(1)


def init_cli(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)


__all__ = ["Lease", "SchedulerRunner", "init_cli", "missed_fire_times", "run_job", "scheduler_cli", "tick"]
