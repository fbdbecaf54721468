"""Each enterprise's latest state (`EnterpriseState`) and their sums per (region, industry) (`EnterpriseCell`):
computed from the base tables for a set of enterprises, kept exact by the same commit-time refresh as the
dashboard rollups, and rolled forward one day at a time.

Overdue is a function of the date (a problem is overdue the day after its deadline), and so is the attention
colour (a permit expires, a self-check is late for more than 30 days), so the state is "as of" the watermark
day. `current(today)` moves the watermark to today, recomputing only the enterprises with an active deadline,
an unsubmitted due date or a permit / late self-check boundary in [watermark, today) — nothing else can have
changed — and the scheduler's `rollups.roll_day` job does the same just after midnight.

Counts of rows that live in packages above this one (open risk warnings) are registered by those packages
(`register_count`) and marked by them where they write without the ORM (`app.rollups.maintain.mark_states`).
"""
from datetime import date
from typing import cast

from sqlalchemy import case, delete, func, or_, select, true, tuple_, update
from sqlalchemy.engine import CursorResult

from app.accounts.models import Enterprise
from app.common.dbutil import insert_ignoring, upsert
from app.common.timeutil import local_date
from app.common.vocab import Severity
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.rollups import attention, locks
from app.rollups.models import EnterpriseCell, EnterpriseState, RollupWatermark
from app.selfcheck.models import SelfCheck, SelfCheckStatus

WATERMARK = "enterprise"
CHUNK = 5000
SEVERITY_COLUMNS = {Severity.GENERAL.value: "general", Severity.SERIOUS.value: "serious",
                    Severity.MAJOR.value: "major"}
VALUES = ("latest_selfcheck_id", "latest_score", "latest_grade", "latest_submitted_on", "overdue_general",
          "overdue_serious", "overdue_major", "oldest_general", "oldest_serious", "oldest_major",
          "overdue_selfchecks", "oldest_selfcheck", "overdue_total", "region_code", "industry_code", "name",
          "warnings_open", "active_general", "active_serious", "active_major", "waiting_general", "waiting_serious",
          "waiting_major", "colour", "attention_rank")
CELL_KEYS = ("region_code", "industry_code")
PROBLEM_SUMS = tuple(f"{kind}_{name}" for kind in ("active", "overdue", "waiting")
                     for name in ("general", "serious", "major"))
CELL_VALUES = ("industry_name", "enterprises", "red", "amber", "warnings_open", *PROBLEM_SUMS)
COUNT_COLUMNS = ("warnings_open",)
COUNTS: dict[str, tuple] = {}   # column -> (model, where clauses), registered from above
TRACKED: set[type] = set()      # the models of COUNTS: a change to one marks its enterprise's state


def register_count(column: str, model, *where) -> None:
    """Keep `column` of each enterprise's state = its rows of `model` matching `where` (a package above this one
    tells what to count: app/supervision registers open risk warnings)."""
    if column not in COUNT_COLUMNS:
        raise ValueError(f"rollup_enterprise has no count column {column!r}")
    COUNTS[column] = (model, where)
    TRACKED.add(model)


def _blank(eid: int) -> dict:
    row = dict.fromkeys(VALUES)
    row.update(enterprise_id=eid, overdue_selfchecks=0, overdue_total=0, warnings_open=0)
    row.update(dict.fromkeys(PROBLEM_SUMS, 0))
    return row


def compute(ids: list[int] | None, day: date) -> dict[int, dict]:
    """The state of `ids` (None: every enterprise) as of `day`; an id with no enterprise has no row."""
    out: dict[int, dict] = {}
    dates: dict[int, tuple[date | None, str | None]] = {}

    def where(column):
        return [column.in_(ids)] if ids is not None else []

    e = Enterprise
    submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED.value
    ranked = (select(SelfCheck.enterprise_id, SelfCheck.id, SelfCheck.score, SelfCheck.grade, SelfCheck.submitted_at,
                     func.row_number().over(partition_by=SelfCheck.enterprise_id,
                                            order_by=(SelfCheck.submitted_at.desc(), SelfCheck.id.desc())).label("rn"))
              .where(submitted, *where(SelfCheck.enterprise_id)).subquery())
    latest = select(ranked).where(ranked.c.rn == 1).subquery()
    for eid, name, region, industry, valid_until, credit, sid, score, grade, at in db.session.execute(
            select(e.id, e.name, e.region_code, e.industry_code, e.permit_valid_until, e.credit_grade,
                   latest.c.id, latest.c.score, latest.c.grade, latest.c.submitted_at)
            .outerjoin(latest, latest.c.enterprise_id == e.id).where(*where(e.id))):
        out[eid] = _blank(eid) | {"region_code": region, "industry_code": industry, "name": name}
        dates[eid] = (valid_until, credit)
        if sid is not None:
            out[eid].update(latest_selfcheck_id=sid, latest_score=score, latest_grade=grade,
                            latest_submitted_on=local_date(at) if at else None)
    # the problems as they stand: overdue (count and oldest deadline), active and awaiting review, by severity
    overdue = Problem.overdue_clause(day)
    waiting = Problem.status == ProblemStatus.SUBMITTED.value
    for eid, severity, n, oldest, active, waits in db.session.execute(
            select(Problem.enterprise_id, Problem.severity, func.sum(case((overdue, 1), else_=0)),
                   func.min(case((overdue, Problem.deadline))),
                   func.sum(case((Problem.status.in_(ProblemStatus.ACTIVE), 1), else_=0)),
                   func.sum(case((waiting, 1), else_=0)))
            .where(or_(Problem.status.in_(ProblemStatus.ACTIVE), waiting), *where(Problem.enterprise_id))
            .group_by(Problem.enterprise_id, Problem.severity)):
        sev = SEVERITY_COLUMNS.get(severity)
        if sev and eid in out:
            out[eid].update({f"overdue_{sev}": int(n or 0), f"oldest_{sev}": oldest,
                             f"active_{sev}": int(active or 0), f"waiting_{sev}": int(waits or 0)})
    for eid, n, oldest in db.session.execute(
            select(SelfCheck.enterprise_id, func.count(), func.min(SelfCheck.due_date))
            .where(SelfCheck.overdue_clause(day), *where(SelfCheck.enterprise_id)).group_by(SelfCheck.enterprise_id)):
        if eid in out:
            out[eid].update(overdue_selfchecks=n, oldest_selfcheck=oldest)
    for column, (model, clauses) in COUNTS.items():
        for eid, n in db.session.execute(select(model.enterprise_id, func.count())
                                         .where(*clauses, *where(model.enterprise_id)).group_by(model.enterprise_id)):
            if eid in out:
                out[eid][column] = n
    scales = attention.credit_scales()
    for eid, row in out.items():
        row["overdue_total"] = (row["overdue_general"] + row["overdue_serious"] + row["overdue_major"]
                                + row["overdue_selfchecks"])
        valid_until, credit = dates[eid]
        reasons = attention.assess(row, row["region_code"], valid_until, credit, day, scales)
        row["colour"], row["attention_rank"] = attention.colour_of(reasons), attention.rank(reasons)
    return out


def lock_names(ids) -> list[tuple]:
    return [("rollup_enterprise", i) for i in ids]


def write(ids, day: date, locked: bool = False, moved: set | None = None) -> int:
    """Recompute and store the state of `ids` as of `day`, and the cells they are in (and, for enterprises that
    moved to another region or industry — `moved`, from the flush — the cells they left).

    The states' locks are taken first (by the caller when `locked`), the cells' once the states tell which
    they are; a writer holding a cell's lock holds no state lock it has yet to take, so two cannot wait on
    each other."""
    ids = sorted(set(ids))
    if not locked:
        locks.lock(lock_names(ids))
    dialect = db.session.get_bind().dialect.name
    st = EnterpriseState
    pairs: set[tuple[str, str]] = set(moved or ())
    stale = bool(moved) or len(ids) > CHUNK  # a cell may be left empty: delete it
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found = compute(chunk, day)
        pairs |= {(row["region_code"], row["industry_code"]) for row in found.values()}
        if found:
            db.session.execute(upsert(st.__table__, ["enterprise_id"], VALUES, dialect),
                               [found[eid] for eid in chunk if eid in found])
        gone = [eid for eid in chunk if eid not in found]
        if gone:  # enterprises deleted: their cells lose them
            stale = True
            pairs |= {(r, i) for r, i in db.session.execute(
                select(st.region_code, st.industry_code).where(st.enterprise_id.in_(gone))) if r and i}
            db.session.execute(delete(st).where(st.enterprise_id.in_(gone)))
    if pairs:
        locks.lock([("rollup_enterprise_cell", *p) for p in pairs])
        write_cells(pairs, stale=stale)
    return len(ids)


def _cell_select(pairs: list | None):
    """(region, industry, industry_name, enterprises, red, amber, warnings_open, *problem sums) per cell."""
    st, e = EnterpriseState, Enterprise
    stmt = (select(st.region_code, st.industry_code, func.coalesce(func.max(e.industry_name), ""), func.count(),
                   func.sum(case((st.colour == attention.RED, 1), else_=0)),
                   func.sum(case((st.colour == attention.AMBER, 1), else_=0)), func.sum(st.warnings_open),
                   *[func.sum(getattr(st, c)) for c in PROBLEM_SUMS])
            .join(e, e.id == st.enterprise_id).where(true())  # SQLite: INSERT … SELECT … ON CONFLICT needs a WHERE
            .group_by(st.region_code, st.industry_code))
    return stmt if pairs is None else stmt.where(tuple_(st.region_code, st.industry_code).in_(pairs))


def compute_cells(pairs: set | None) -> dict[tuple, tuple]:
    """{(region, industry): (industry_name, enterprises, red, amber, warnings_open, *problem sums)}."""
    out = {}
    for chunk in ([None] if pairs is None else [sorted(pairs)[i:i + 500] for i in range(0, len(pairs), 500)]):
        for region, industry, name, *sums in db.session.execute(_cell_select(chunk)):
            out[(region, industry)] = (name or "", *(int(v or 0) for v in sums))
    return out


def write_cells(pairs: set | None, stale: bool = True) -> None:
    """Make the cells of `pairs` (None: all) the sums of their stored states: one INSERT … SELECT … ON CONFLICT
    per 500 cells; with `stale`, also delete the cells of `pairs` left without an enterprise."""
    table = EnterpriseCell.__table__
    dialect = db.session.get_bind().dialect.name
    chunks = [None] if pairs is None else [sorted(pairs)[i:i + 500] for i in range(0, len(pairs), 500)]
    for chunk in chunks:
        db.session.execute(upsert(table, CELL_KEYS, CELL_VALUES, dialect, _cell_select(chunk)))
    if not stale:
        return
    st = EnterpriseState
    occupied = select(st.enterprise_id).where(st.region_code == table.c.region_code,
                                              st.industry_code == table.c.industry_code).exists()
    for chunk in chunks:
        where = [~occupied] + ([] if chunk is None else
                               [tuple_(table.c.region_code, table.c.industry_code).in_(chunk)])
        db.session.execute(table.delete().where(*where))


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
    days = attention.crossing_days(since, today)
    permits = select(Enterprise.id).where(or_(*[
        (Enterprise.permit_valid_until >= days[k][0]) & (Enterprise.permit_valid_until < days[k][1])
        for k in ("permit_expired", "permit_soon")]))
    lo, hi = days["selfcheck_red"]
    late = select(EnterpriseState.enterprise_id).where(EnterpriseState.oldest_selfcheck >= lo,
                                                       EnterpriseState.oldest_selfcheck < hi)
    return set(db.session.scalars(problems.union(selfchecks, permits, late)))


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
    return list(db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)))


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
    wrong = sorted(eid for eid in set(want) | set(have) if have.get(eid) != want.get(eid))
    return {"stored": len(have), "expected": len(want), "different": len(wrong),
            "examples": [{"enterprise_id": e, "stored": have.get(e), "expected": want.get(e)} for e in wrong[:20]]}


def cell_differences() -> dict:
    """Stored cells against the sums of the stored states (for `flask rollups verify`)."""
    want = compute_cells(None)
    have = {(c.region_code, c.industry_code): tuple(getattr(c, v) for v in CELL_VALUES)
            for c in db.session.scalars(select(EnterpriseCell))}
    wrong = sorted(k for k in set(want) | set(have) if have.get(k) != want.get(k))
    return {"stored": len(have), "expected": len(want), "different": len(wrong),
            "examples": [{"key": list(k), "stored": have.get(k), "expected": want.get(k)} for k in wrong[:20]]}


def rebuild(today: date) -> int:
    locks.lock((), bulk=True)
    db.session.execute(EnterpriseState.__table__.delete())
    db.session.execute(EnterpriseCell.__table__.delete())
    row = db.session.get(RollupWatermark, WATERMARK)
    if row is None:
        db.session.add(RollupWatermark(name=WATERMARK, day=today))
    else:
        row.day = today
    db.session.flush()
    return write(select_all_ids(), today)
