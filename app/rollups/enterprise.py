"""Each enterprise's latest state (`EnterpriseState`): computed from the base tables for a set of enterprises,
kept exact by the same commit-time refresh as the dashboard rollups, and rolled forward one day at a time.

Overdue is a function of the date (a problem is overdue the day after its deadline), so the counts are "as of"
the watermark day. `current(today)` moves the watermark to today, recomputing only the enterprises that have an
active deadline or an unsubmitted due date in [watermark, today) — nothing else can have changed — and the
scheduler's `rollups.roll_day` job does the same just after midnight.
"""
from datetime import date
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from app.common.dbutil import insert_ignoring, upsert
from app.common.timeutil import local_date
from app.common.vocab import Severity
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.rollups import locks
from app.rollups.models import EnterpriseState, RollupWatermark
from app.selfcheck.models import SelfCheck, SelfCheckStatus

WATERMARK = "enterprise"
CHUNK = 5000
SEVERITY_COLUMNS = {Severity.GENERAL.value: "general", Severity.SERIOUS.value: "serious",
                    Severity.MAJOR.value: "major"}
VALUES = ("latest_selfcheck_id", "latest_score", "latest_grade", "latest_submitted_on", "overdue_general",
          "overdue_serious", "overdue_major", "oldest_general", "oldest_serious", "oldest_major",
          "overdue_selfchecks", "oldest_selfcheck", "overdue_total")


def _blank(eid: int) -> dict:
    row = dict.fromkeys(VALUES)
    row.update(enterprise_id=eid, overdue_general=0, overdue_serious=0, overdue_major=0, overdue_selfchecks=0,
               overdue_total=0)
    return row


def compute(ids: list[int] | None, day: date) -> dict[int, dict]:
    """The state of `ids` (None: every enterprise with self-checks or problems) as of `day`."""
    out: dict[int, dict] = {}

    def where(column):
        return [column.in_(ids)] if ids is not None else []

    submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED.value
    ranked = (select(SelfCheck.enterprise_id, SelfCheck.id, SelfCheck.score, SelfCheck.grade, SelfCheck.submitted_at,
                     func.row_number().over(partition_by=SelfCheck.enterprise_id,
                                            order_by=(SelfCheck.submitted_at.desc(), SelfCheck.id.desc())).label("rn"))
              .where(submitted, *where(SelfCheck.enterprise_id)).subquery())
    for eid, sid, score, grade, at in db.session.execute(
            select(ranked.c.enterprise_id, ranked.c.id, ranked.c.score, ranked.c.grade, ranked.c.submitted_at)
            .where(ranked.c.rn == 1)):
        out.setdefault(eid, _blank(eid)).update(latest_selfcheck_id=sid, latest_score=score, latest_grade=grade,
                                                latest_submitted_on=local_date(at) if at else None)
    for eid, severity, n, oldest in db.session.execute(
            select(Problem.enterprise_id, Problem.severity, func.count(), func.min(Problem.deadline))
            .where(Problem.overdue_clause(day), *where(Problem.enterprise_id))
            .group_by(Problem.enterprise_id, Problem.severity)):
        name = SEVERITY_COLUMNS.get(severity)
        if name:
            out.setdefault(eid, _blank(eid)).update({f"overdue_{name}": n, f"oldest_{name}": oldest})
    for eid, n, oldest in db.session.execute(
            select(SelfCheck.enterprise_id, func.count(), func.min(SelfCheck.due_date))
            .where(SelfCheck.overdue_clause(day), *where(SelfCheck.enterprise_id)).group_by(SelfCheck.enterprise_id)):
        out.setdefault(eid, _blank(eid)).update(overdue_selfchecks=n, oldest_selfcheck=oldest)
    for row in out.values():
        row["overdue_total"] = (row["overdue_general"] + row["overdue_serious"] + row["overdue_major"]
                                + row["overdue_selfchecks"])
    return out


def lock_names(ids) -> list[tuple]:
    return [("rollup_enterprise", i) for i in ids]


def write(ids, day: date, locked: bool = False) -> int:
    """Recompute and store the state of `ids` as of `day` (a row of zeros where nothing is left)."""
    ids = sorted(set(ids))
    if not locked:
        locks.lock(lock_names(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found = compute(chunk, day)
        db.session.execute(upsert(EnterpriseState.__table__, ["enterprise_id"], VALUES,
                                  db.session.get_bind().dialect.name),
                           [found.get(eid) or _blank(eid) for eid in chunk])
    return len(ids)


def watermark() -> date | None:
    return db.session.scalar(select(RollupWatermark.day).where(RollupWatermark.name == WATERMARK))


def crossing(since: date, today: date) -> set[int]:
    """Enterprises whose overdue counts differ between `since` and `today`: a deadline or due date in between."""
    if since >= today:
        return set()
    problems = select(Problem.enterprise_id).where(Problem.status.in_(ProblemStatus.ACTIVE),
                                                   Problem.deadline >= since, Problem.deadline < today)
    selfchecks = select(SelfCheck.enterprise_id).where(SelfCheck.status != SelfCheckStatus.SUBMITTED.value,
                                                       SelfCheck.due_date >= since, SelfCheck.due_date < today)
    return set(db.session.scalars(problems.union(selfchecks)))


def roll(today: date) -> int:
    """Move the watermark to `today` (claimed by compare-and-set, so one of two concurrent callers does the work)
    and recompute the enterprises that crossed a date. Returns how many were recomputed."""
    since = watermark()
    if since is None:  # a new database: whoever inserts the watermark computes every state
        table = RollupWatermark.__table__
        inserted = db.session.execute(  # RETURNING: psycopg reports rowcount -1 for INSERT … ON CONFLICT
            insert_ignoring(table, ["name"], db.session.get_bind().dialect.name).values(name=WATERMARK, day=today)
            .returning(table.c.name)).first()
        return write(select_all_ids(), today) if inserted is not None else 0
    if since >= today:
        return 0
    claimed = cast(CursorResult, db.session.execute(
        update(RollupWatermark).where(RollupWatermark.name == WATERMARK, RollupWatermark.day == since)
        .values(day=today))).rowcount
    if claimed != 1:
        return 0
    return write(crossing(since, today), today)


def select_all_ids() -> list[int]:
    ids = select(SelfCheck.enterprise_id).union(select(Problem.enterprise_id))
    return sorted(set(db.session.scalars(ids)))


def current(today: date) -> None:
    """Make the state exact for `today` before reading it (commits the roll, if there was one to do)."""
    if watermark() != today:
        roll(today)
        db.session.commit()


def differences(today: date) -> dict:
    """Stored states against the base tables as of the watermark (for `flask rollups verify`)."""
    day = watermark() or today
    want = compute(None, day)
    have = {row.enterprise_id: {v: getattr(row, v) for v in VALUES} | {"enterprise_id": row.enterprise_id}
            for row in db.session.scalars(select(EnterpriseState))}
    wrong = sorted(eid for eid in set(want) | set(have) if (have.get(eid) or _blank(eid)) != (want.get(eid) or _blank(eid)))
    return {"stored": len(have), "expected": len(want), "different": len(wrong),
            "examples": [{"enterprise_id": e, "stored": have.get(e), "expected": want.get(e)} for e in wrong[:20]]}


def rebuild(today: date) -> int:
    locks.lock((), bulk=True)
    db.session.execute(EnterpriseState.__table__.delete())
    row = db.session.get(RollupWatermark, WATERMARK)
    if row is None:
        db.session.add(RollupWatermark(name=WATERMARK, day=today))
    else:
        row.day = today
    db.session.flush()
    return write(select_all_ids(), today)
