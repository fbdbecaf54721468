"""Regulator dashboard from the rollups (app/rollups): a bounded number of queries over rows that do not grow
with history — a few thousand (region, industry, day) rows for a province, plus the enterprises and the current
positive list / open warnings.

Definitions (the same ones the lists use, see docs/supervision.md):
- self-checks "due" in a range: due_date within [from, to]; "completed": of those, submitted;
  "overdue": of those, not submitted and due_date < today; completion rate = completed / due.
- problems are counted as they stand now: open = open/rectifying/extension_requested; overdue = open and
  deadline < today; awaiting review = submitted. "closed" = verified/self_closed with closed_at in the
  range (local dates); average days to close is over those.
- positive-list members and open warnings are counted as they stand now.

`source="base"` computes the same numbers from the base tables (app/supervision/dashboard_base.py): the
reference that `flask rollups verify` and the tests compare with.
"""
from datetime import date, timedelta

from sqlalchemy import and_, case, false, func, literal, or_, select

from app import rules as rules_packs
from app.accounts.models import Enterprise, Region, User
from app.accounts.scoping import prefix_clause, region_clause
from app.common.timeutil import add_months, today_local
from app.common.vocab import Severity
from app.extensions import db
from app.rollups import enterprise as enterprise_state
from app.rollups.models import (
    EnterpriseState,
    ProblemDay,
    ProblemMonth,
    ProblemOpen,
    ProblemOpenMonth,
    SelfCheckDay,
    SelfCheckMonth,
)
from app.rollups.specs import next_month
from app.supervision import dashboard_base
from app.supervision.dashboard_cells import (
    GROUP,
    PERMIT_AMBER_DAYS,
    SELFCHECK_RED_DAYS,
    Cells,
    add,
    combine,
    empty,
    finish,
    num,
    rate,
)
from app.supervision.enterprises import active_membership, jurisdiction
from app.supervision.models import PositiveListEntry, RiskWarning

ATTENTION_LIMIT = 200


class Scope:
    """The jurisdiction twice: as a clause on Enterprise (base tables) and on a rollup table's region column."""

    def __init__(self, user: User, region_code: str | None):
        self.enterprise, self.base = jurisdiction(user, region_code)
        self.user = user
        self.filtered = self.base if region_code else None

    def on(self, column):
        clause = region_clause(self.user, column)
        if self.filtered is not None:
            clause = clause & prefix_clause(column, self.filtered.prefix)
        return clause


def enterprise_counts(c: Cells, scope, today: date) -> None:
    for region, industry, n, name in db.session.execute(
            select(*c.group(*GROUP), func.count(Enterprise.id), func.max(Enterprise.industry_name)).where(scope)
            .group_by(*c.group(*GROUP))):
        c.names[industry] = name
        for m in c(region, industry).values():
            m["enterprises"] = n


def _split(first: date, last: date, today: date) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """[first, last] as whole months (read from the month rollups) and the days left over (the day rollups).
    The month holding `today` is always read by days: what is overdue in it depends on the day."""
    months, days = [], []
    day = first
    while day <= last:
        month_end = next_month(day) - timedelta(days=1)
        whole = day.day == 1 and month_end <= last and not (day <= today <= month_end)
        (months if whole else days).append((day, min(month_end, last)))
        day = month_end + timedelta(days=1)
    return months, days


def _ranges(column, ranges: list[tuple[date, date]]):
    return or_(false(), *[and_(column >= lo, column <= hi) for lo, hi in ranges])


def _two_level(c: Cells, scope: Scope, day_model, month_model, day_column: str, today: date, values) -> dict:
    """{(region, industry): {period: [sums of values(table, day column)]}} from the month and day rollups: one
    GROUP BY on each, a SUM(CASE …) per period and value, reading only the rows inside the periods."""
    out: dict[tuple, dict[str, list]] = {}
    split = {name: _split(first, last, today) for name, (first, last) in c.periods.items()}
    for model, column, pick in ((month_model, month_model.month, 0), (day_model, getattr(day_model, day_column), 1)):
        ranges = {name: parts[pick] for name, parts in split.items()}
        if not any(ranges.values()):
            continue
        columns = []
        for name in c.periods:
            within = _ranges(column, ranges[name])
            columns += [func.sum(case((within, v), else_=0)) for v in values(model, column)]
        group = c.group(model.region_code, model.industry_code)
        for row in db.session.execute(select(*group, *columns)
                                      .where(scope.on(model.region_code),
                                             _ranges(column, [r for rs in ranges.values() for r in rs]))
                                      .group_by(*group)):
            cell = out.setdefault((row[0], row[1]), {})
            width = len(values(model, column))
            for k, name in enumerate(c.periods):
                sums = [num(v) for v in row[2 + width * k: 2 + width * (k + 1)]]
                cell[name] = [a + b for a, b in zip(cell.get(name, [0] * width), sums, strict=True)]
    return out


def selfcheck_metrics(c: Cells, scope: Scope, today: date) -> None:
    """Due, completed, on time, overdue and scores of the self-checks due in each period."""
    def values(t, due):
        return [t.due, t.submitted, t.on_time, case((due < today, t.due - t.submitted), else_=0), t.score_sum,
                t.score_n]

    for (region, industry), by_period in _two_level(c, scope, SelfCheckDay, SelfCheckMonth, "due_date", today,
                                                    values).items():
        target = c(region, industry)
        for name, (due, done, on_time, late, score_sum, score_n) in by_period.items():
            target[name]["selfchecks"].update(due=int(due), completed=int(done), on_time=int(on_time),
                                              overdue=int(late))
            target[name]["_score"] = [score_sum, int(score_n)]


def problem_state(c: Cells, scope: Scope, today: date) -> None:
    """Problems now, by severity: open (active), overdue, awaiting review — the same for every period.
    Deadline months other than this one from the month rollup (before it: all overdue), this month by day."""
    this_month = today.replace(day=1)
    totals: dict[tuple, list] = {}
    for t, column, where in ((ProblemOpenMonth, ProblemOpenMonth.month, ProblemOpenMonth.month != this_month),
                             (ProblemOpen, ProblemOpen.deadline, and_(ProblemOpen.deadline >= this_month,
                                                                      ProblemOpen.deadline < next_month(today)))):
        for region, industry, severity, active, overdue, waiting in db.session.execute(
                select(*c.group(t.region_code, t.industry_code), t.severity, func.sum(t.active),
                       func.sum(case((column < today, t.active), else_=0)), func.sum(t.waiting))
                .where(scope.on(t.region_code), where).group_by(*c.group(t.region_code, t.industry_code), t.severity)):
            row = totals.setdefault((region, industry, severity), [0, 0, 0])
            for k, v in enumerate((active, overdue, waiting)):
                row[k] += int(num(v))
    for (region, industry, severity), (active, overdue, waiting) in totals.items():
        values = {"open": active, "overdue": overdue, "awaiting_review": waiting}
        for m in c(region, industry).values():
            bucket = m["problems"]["by_severity"].setdefault(severity, {"open": 0, "overdue": 0, "awaiting_review": 0})
            for k, v in values.items():
                bucket[k] += v
                m["problems"][k] += v


def problem_flow(c: Cells, scope: Scope, today: date) -> None:
    """Problems created and closed in each period, and the days they took."""
    def values(t, _day):
        return [t.created, t.closed, t.close_days]

    for (region, industry), by_period in _two_level(c, scope, ProblemDay, ProblemMonth, "day", today,
                                                    values).items():
        target = c(region, industry)
        for name, (created, closed, days) in by_period.items():
            target[name]["problems"]["created"] = int(created)
            target[name]["problems"]["closed"] = int(closed)
            target[name]["_days"] = days


def trend(scope: Scope, end: date, months: int) -> list[dict]:
    first = add_months(end.replace(day=1), -(months - 1))
    t = SelfCheckDay
    found: dict[tuple[int, int], list] = {}
    whole, days = _split(first, end, end + timedelta(days=1))  # no day is "today" here: nothing is overdue
    for model, column, ranges in ((SelfCheckMonth, SelfCheckMonth.month, whole), (t, t.due_date, days)):
        if not ranges:
            continue
        for day, due, done, score_sum, score_n in db.session.execute(
                select(column, func.sum(model.due), func.sum(model.submitted), func.sum(model.score_sum),
                       func.sum(model.score_n))
                .where(scope.on(model.region_code), _ranges(column, ranges)).group_by(column)):
            month = found.setdefault((day.year, day.month), [0, 0, 0.0, 0])
            for i, v in enumerate((due, done, score_sum, score_n)):
                month[i] += num(v)
    out = []
    for i in range(months):
        day = add_months(first, i)
        due, done, score_sum, score_n = found.get((day.year, day.month), (0, 0, 0.0, 0))
        due, done = int(due), int(done)
        out.append({"month": f"{day.year}-{day.month:02d}", "due": due, "completed": done,
                    "completion_rate": rate(done, due),
                    "average_score": round(score_sum / score_n, 1) if score_n else None})
    return out


def members_and_warnings(c: Cells, scope, today: date) -> None:
    for field, stmt in (
            ("positive_list_members", select(*c.group(*GROUP),
                                             func.count(func.distinct(PositiveListEntry.enterprise_id)))
             .select_from(PositiveListEntry).join(Enterprise, Enterprise.id == PositiveListEntry.enterprise_id)
             .where(scope, active_membership(today)).group_by(*c.group(*GROUP))),
            ("warnings_open", select(*c.group(*GROUP), func.count(RiskWarning.id)).select_from(RiskWarning)
             .join(Enterprise, Enterprise.id == RiskWarning.enterprise_id)
             .where(scope, RiskWarning.status == "open").group_by(*c.group(*GROUP)))):
        for region, industry, n in db.session.execute(stmt):
            for m in c(region, industry).values():
                m[field] = n


def _on_enterprise(part):
    """A part that reads base tables (enterprises, members, warnings): give it the Enterprise clause."""
    def run(c: Cells, scope, today: date) -> None:
        part(c, scope.enterprise if isinstance(scope, Scope) else scope, today)
    run.__name__ = part.__name__
    return run


SOURCES = {
    "rollups": (_on_enterprise(enterprise_counts), selfcheck_metrics, problem_state, problem_flow,
                _on_enterprise(members_and_warnings)),
    "base": (enterprise_counts, dashboard_base.selfcheck_metrics, dashboard_base.problem_state,
             dashboard_base.problem_flow, members_and_warnings),
}


def rollup(scope: Scope, periods: dict[str, tuple[date, date]], today: date, source: str = "rollups",
           region_length: int | None = None) -> dict:
    """Fill the cells per (region_code, industry_code) from `source`; returns {"cells": …, "industry_names": …}.

    Range-dependent numbers are computed for every period in one pass; the current-state numbers (problems
    now, members, warnings) are the same for each period.
    """
    c = Cells(periods, region_length if source == "rollups" else None)
    for part in SOURCES[source]:
        part(c, scope if source == "rollups" else scope.enterprise, today)
    return {"cells": c.cells, "industry_names": c.names}


def _child_prefix_length(base: Region | None) -> int:
    if base is None:
        return 2
    return 4 if base.level == "province" else 6


def _region_breakdown(cells: dict, base: Region | None) -> list[dict]:
    if base is None:
        children = db.session.scalars(select(Region).where(Region.parent_code.is_(None)).order_by(Region.code)).all()
    else:
        children = db.session.scalars(select(Region).where(Region.parent_code == base.code)
                                      .order_by(Region.code)).all()
    length = _child_prefix_length(base)
    grouped = combine(cells, "range", lambda region, _industry: region[:length])
    rows = {c.prefix: {"code": c.code, "name": c.name, **empty()} for c in children}
    for k, values in grouped.items():
        if k not in rows:  # registered directly at the parent level (本级) or outside the tree
            name = "其他" if base is None else base.name if base.level == "county" else f"{base.name}本级"
            k = "__self__"
            rows.setdefault(k, {"code": base.code if base else None, "name": name, **empty()})
        add(rows[k], values)
    return [finish(r) for r in rows.values()]


def _industry_breakdown(cells: dict, names: dict) -> list[dict]:
    grouped = combine(cells, "range", lambda _region, industry: industry)
    rows = [{"code": k, "name": names.get(k, ""), **finish(v)} for k, v in grouped.items()]
    return sorted(rows, key=lambda r: (-r["enterprises"], r["code"]))


def _credit_scales() -> dict[str, dict]:
    """Each province's credit scale (credit.yaml bad_grades; the last grade of the scale is red)."""
    return {p: rules_packs.section(p, "credit") for p in rules_packs.provinces()}


def attention(scope, today: date, limit: int = ATTENTION_LIMIT, total: int | None = None) -> dict:
    """Red/amber list with the reasons; green = every other enterprise in scope.

    Read from the enterprises and their stored state (app/rollups/enterprise.py, made exact for today): the
    colour and the number of reasons are SQL expressions, so the counts and the first `limit` entries in
    order come from two scans of the jurisdiction's enterprises, and reasons are written for those only.
    `total`, the enterprises in scope, is counted unless given (the dashboard has it from its cells).
    """
    enterprise_state.current(today)
    st, e = EnterpriseState, Enterprise
    soon = today + timedelta(days=PERMIT_AMBER_DAYS)
    scales = _credit_scales()
    bad_credit = or_(false(), *[and_(e.region_code.startswith(p[:2]), e.credit_grade.in_(c["bad_grades"]))
                                for p, c in scales.items()])
    worst_credit = or_(false(), *[and_(e.region_code.startswith(p[:2]), e.credit_grade == c["scale"][-1])
                                  for p, c in scales.items()])
    late_selfcheck = func.coalesce(st.overdue_selfchecks, 0) > 0
    permit_soon = e.permit_valid_until <= soon
    red = or_(func.coalesce(st.overdue_major, 0) > 0, and_(late_selfcheck, st.oldest_selfcheck < today -
                                                          timedelta(days=SELFCHECK_RED_DAYS)),
              e.permit_valid_until < today, worst_credit)
    flagged = or_(func.coalesce(st.overdue_total, 0) > 0, permit_soon, bad_credit)
    reasons = sum((case((cond, 1), else_=0) for cond in (
        func.coalesce(st.overdue_general, 0) > 0, func.coalesce(st.overdue_serious, 0) > 0,
        func.coalesce(st.overdue_major, 0) > 0, late_selfcheck, permit_soon, bad_credit)), start=literal(0))
    colour = case((red, "red"), else_="amber")
    base = select().select_from(e).outerjoin(st, st.enterprise_id == e.id).where(scope, flagged)
    # two scans, not one with window counts: the counts hash-aggregate and the list takes the first `limit`
    # with a top-N sort, where counting over the ordered rows would sort every flagged enterprise (measured)
    counts = dict(db.session.execute(base.add_columns(colour, func.count()).group_by(colour)).all())
    rows = db.session.execute(
        base.add_columns(e.id, e.name, e.region_code, e.permit_valid_until, e.credit_grade, st)
        .order_by(case((red, 0), else_=1), reasons.desc(), e.name, e.id).limit(limit)).all()
    items = [_attention_item(row, today, scales) for row in rows]
    n_red = counts.get("red", 0)
    n_flagged = n_red + counts.get("amber", 0)
    if total is None:
        total = db.session.scalar(select(func.count(e.id)).where(scope))
    return {"counts": {"red": n_red, "amber": n_flagged - n_red, "green": total - n_flagged},
            "items": items, "truncated": n_flagged > limit}


def _attention_item(row, today: date, scales: dict) -> dict:
    eid, name, region, valid_until, grade, state = row
    item = {"enterprise_id": eid, "name": name, "region_code": region, "colour": "green", "reasons": []}

    def flag(colour, reason):
        item["reasons"].append({"colour": colour, "text": reason})
        if colour == "red" or item["colour"] == "green":
            item["colour"] = colour

    if state is not None:
        for severity, n, oldest in ((Severity.GENERAL.value, state.overdue_general, state.oldest_general),
                                    (Severity.SERIOUS.value, state.overdue_serious, state.oldest_serious),
                                    (Severity.MAJOR.value, state.overdue_major, state.oldest_major)):
            if n:
                flag("red" if severity == Severity.MAJOR.value else "amber",
                     f"{n}个{severity}问题整改逾期（最长{(today - oldest).days}天）")
        if state.overdue_selfchecks:
            days = (today - state.oldest_selfcheck).days
            flag("red" if days > SELFCHECK_RED_DAYS else "amber",
                 f"自查逾期{days}天" + (f"（共{state.overdue_selfchecks}次未提交）" if state.overdue_selfchecks > 1 else ""))
    if valid_until is not None and valid_until < today:
        flag("red", f"排污许可证已过期{(today - valid_until).days}天")
    elif valid_until is not None and valid_until <= today + timedelta(days=PERMIT_AMBER_DAYS):
        flag("amber", f"排污许可证{(valid_until - today).days}天后到期")
    scale = scales.get(f"{region[:2]}0000")
    if scale and grade in scale["bad_grades"]:
        flag("red" if grade == scale["scale"][-1] else "amber", f"环境信用等级为{grade}")
    return item


def dashboard(user: User, start: date | None, end: date | None, region_code: str | None,
              trend_months: int = 12, source: str = "rollups") -> dict:
    today = today_local()
    end = end or today
    start = start or end.replace(month=1, day=1)
    scope = Scope(user, region_code)
    base = scope.base
    month_start = today.replace(day=1)
    data = rollup(scope, {"range": (start, end), "current": (month_start, today)}, today, source,
                  _child_prefix_length(base))
    cells = data["cells"]
    whole = finish(combine(cells, "range", lambda *_: None).get(None, empty()))
    return {
        "filters": {"from": start, "to": end, "region": ({"code": base.code, "name": base.name, "level": base.level}
                                                         if base else None)},
        "today": today,
        "current": {"from": month_start, "to": today,
                    **finish(combine(cells, "current", lambda *_: None).get(None, empty()))},
        "range": {"from": start, "to": end, **whole},
        "by_region": _region_breakdown(cells, base),
        "by_industry": _industry_breakdown(cells, data["industry_names"]),
        "trend": (trend(scope, end, trend_months) if source == "rollups"
                  else dashboard_base.trend(scope.enterprise, end, trend_months)),
        "attention": (attention(scope.enterprise, today, total=whole["enterprises"]) if source == "rollups"
                      else dashboard_base.attention(scope.enterprise, today, ATTENTION_LIMIT)),
    }
