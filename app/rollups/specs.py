"""What each rollup table counts, as one GROUP BY over the base tables — the same query rebuilds, verifies
and refreshes (restricted to the keys a transaction touched).

The definitions are the dashboard's (docs/supervision.md): a self-check is due on its due date, completed
when submitted, on time when submitted and not late; a problem is created and closed on local (Asia/Shanghai)
days, closed meaning verified or self-closed, its days to close are closed_at − created_at; it is active in
`ProblemStatus.ACTIVE` and waiting when submitted for review.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, and_, case, cast, false, func, or_, select, true, tuple_

from app.accounts.models import Enterprise
from app.common.timeutil import TZ, as_utc
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.rollups.models import (
    ProblemDay,
    ProblemMonth,
    SelfCheckDay,
    SelfCheckMonth,
)
from app.selfcheck.models import SelfCheck, SelfCheckStatus

CLOSED_DONE = (ProblemStatus.VERIFIED.value, ProblemStatus.SELF_CLOSED.value)
PAIR = (Enterprise.region_code, Enterprise.industry_code)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[day 00:00, day+1 00:00) in Asia/Shanghai as UTC instants."""
    return (as_utc(datetime.combine(day, time.min, tzinfo=TZ)),
            as_utc(datetime.combine(day + timedelta(days=1), time.min, tzinfo=TZ)))


def local_date(column):
    """The Asia/Shanghai calendar date of a UTC instant column, in SQL (no DST: a fixed +8 hours on SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def days_between(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def month_start(column):
    """The first day of the column's month, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _pairs_clause(pairs: set[tuple[str, str]] | None):
    if pairs is None:
        return None
    if not pairs:
        return false()
    return tuple_(*PAIR).in_(sorted(pairs))


def _days_clause(column, days: set[date] | None, local: bool):
    if days is None:
        return None
    if not days:
        return false()
    if not local:
        return column.in_(sorted(days))
    return or_(*[and_(column >= lo, column < hi) for lo, hi in map(local_day_bounds, sorted(days))])


def _where(*clauses):
    return [c for c in clauses if c is not None]


@dataclass(frozen=True)
class Spec:
    """One rollup table: its key columns (region, industry, then the rest) and value columns."""

    model: type
    keys: tuple[str, ...]
    values: tuple[str, ...]
    month_model: type | None = None  # the month companion (same values, the day key replaced by its month)

    @property
    def table(self):
        return self.model.__table__

    @property
    def month_table(self):
        return self.month_model.__table__

    @property
    def month_keys(self) -> tuple[str, ...]:
        return (*self.keys[:-1], "month")

    def month_select(self, pairs: set | None = None, months: set | None = None, exact: set | None = None):
        """SELECT the month rows, summed from the day rows (of `pairs` and `months`, None meaning all; with
        `exact`, only those month keys — a writer rewrites only the keys it holds the locks of)."""
        t = self.table
        day = t.c[self.keys[-1]]
        month = month_start(day)
        where: list[ColumnElement[bool]] = []
        if pairs is not None:
            where.append(tuple_(t.c.region_code, t.c.industry_code).in_(sorted(pairs)) if pairs else false())
        if months is not None:
            where.append(or_(false(), *[and_(day >= m, day < next_month(m)) for m in sorted(months)]))
        groups = [t.c[k] for k in self.keys[:-1]]
        if exact is not None:
            where.append(tuple_(*groups, month).in_(sorted(exact)) if exact else false())
        return (select(*groups, month.label("month"), *[func.sum(t.c[v]).label(v) for v in self.values])
                .where(true(), *where).group_by(*groups, month))

    def month_compute(self, pairs: set | None = None, months: set | None = None) -> dict[tuple, tuple]:
        stmt = self.month_select(pairs, months)
        n = len(self.keys) - 1
        return {(*row[:n], _as_date(row[n])): tuple(float(v or 0) if isinstance(v, float) else int(v or 0)
                                                     for v in row[n + 1:])
                for row in db.session.execute(stmt)}

    def compute(self, pairs: set | None = None, days: set | None = None) -> dict[tuple, tuple]:
        raise NotImplementedError


class SelfCheckDaySpec(Spec):
    def compute(self, pairs=None, days=None):
        submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED.value
        scored = and_(submitted, SelfCheck.score.isnot(None))
        stmt = (select(*PAIR, SelfCheck.due_date, func.count(SelfCheck.id), func.sum(case((submitted, 1), else_=0)),
                       func.sum(case((and_(submitted, SelfCheck.late.is_(False)), 1), else_=0)),
                       func.sum(case((scored, SelfCheck.score), else_=0.0)), func.sum(case((scored, 1), else_=0)))
                .join(Enterprise, Enterprise.id == SelfCheck.enterprise_id)
                .where(*_where(_pairs_clause(pairs), _days_clause(SelfCheck.due_date, days, local=False)))
                .group_by(*PAIR, SelfCheck.due_date))
        return {(r, i, _as_date(d)): (int(n), int(s or 0), int(o or 0), float(ss or 0), int(sn or 0))
                for r, i, d, n, s, o, ss, sn in db.session.execute(stmt)}


class ProblemDaySpec(Spec):
    def compute(self, pairs=None, days=None):
        out: dict[tuple, list] = {}
        created_day = local_date(Problem.created_at)
        stmt = (select(*PAIR, created_day, func.count(Problem.id))
                .join(Enterprise, Enterprise.id == Problem.enterprise_id)
                .where(*_where(_pairs_clause(pairs), _days_clause(Problem.created_at, days, local=True)))
                .group_by(*PAIR, created_day))
        for r, i, d, n in db.session.execute(stmt):
            out.setdefault((r, i, _as_date(d)), [0, 0, 0.0])[0] = int(n)
        closed_day = local_date(Problem.closed_at)
        stmt = (select(*PAIR, closed_day, func.count(Problem.id),
                       func.sum(days_between(Problem.closed_at, Problem.created_at)))
                .join(Enterprise, Enterprise.id == Problem.enterprise_id)
                .where(Problem.status.in_(CLOSED_DONE), Problem.closed_at.isnot(None),
                       *_where(_pairs_clause(pairs), _days_clause(Problem.closed_at, days, local=True)))
                .group_by(*PAIR, closed_day))
        for r, i, d, n, spent in db.session.execute(stmt):
            row = out.setdefault((r, i, _as_date(d)), [0, 0, 0.0])
            row[1], row[2] = int(n), float(spent or 0)
        return {k: tuple(v) for k, v in out.items()}


SELFCHECK_DAY = SelfCheckDaySpec(SelfCheckDay, ("region_code", "industry_code", "due_date"),
                                 ("due", "submitted", "on_time", "score_sum", "score_n"), SelfCheckMonth)
PROBLEM_DAY = ProblemDaySpec(ProblemDay, ("region_code", "industry_code", "day"), ("created", "closed", "close_days"),
                             ProblemMonth)
# problems as they stand (active, awaiting review, overdue) are per enterprise: app/rollups/enterprise.py
SPECS: tuple[Spec, ...] = (SELFCHECK_DAY, PROBLEM_DAY)


def stored(spec: Spec, pairs: set | None = None, days: set | None = None, month: bool = False) -> dict[tuple, tuple]:
    """The rows a table (or its month companion) holds, optionally only those of `pairs` / `days`."""
    t = spec.month_table if month else spec.table
    key_cols = [t.c[k] for k in (spec.month_keys if month else spec.keys)]
    day_col = key_cols[-1]
    where = []
    if pairs is not None:
        where.append(tuple_(t.c.region_code, t.c.industry_code).in_(sorted(pairs)) if pairs else false())
    if days is not None:
        where.append(day_col.in_(sorted(days)) if days else false())
    stmt = select(*key_cols, *[t.c[v] for v in spec.values]).where(*where).order_by(*key_cols)
    n = len(key_cols)
    return {tuple(_as_date(v) if j == n - 1 else v for j, v in enumerate(row[:n])): tuple(row[n:])
            for row in db.session.execute(stmt)}


def same(a: Iterable, b: Iterable) -> bool:
    """Equal values, floats within rounding (sums of scores and of days computed in another order)."""
    return all((abs(x - y) < 1e-6 * max(1.0, abs(x))) if isinstance(x, float) or isinstance(y, float) else x == y
               for x, y in zip(a, b, strict=True))
