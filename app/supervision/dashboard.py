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

from sqlalchemy import and_, case, false, func, or_, select

from app.accounts.models import Enterprise, Region, User
from app.accounts.scoping import prefix_clause, region_clause
from app.common.timeutil import add_months, today_local
from app.extensions import db
from app.rollups import attention as attention_rule
from app.rollups import enterprise as enterprise_state
from app.rollups.models import (
    EnterpriseCell,
    EnterpriseState,
    ProblemDay,
    ProblemMonth,
    SelfCheckDay,
    SelfCheckMonth,
)
from app.rollups.specs import next_month
from app.supervision import dashboard_base
from app.supervision.dashboard_cells import (
    GROUP,
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


def enterprise_cells(c: Cells, scope: Scope, today: date) -> None:
    """From `rollup_enterprise_cell`, made exact for today: enterprises, open warnings, the attention colours
    and the problems now by severity — open (active), overdue, awaiting review, the same for every period."""
    enterprise_state.current(today)
    t = EnterpriseCell
    sums = enterprise_state.PROBLEM_SUMS
    for region, industry, n, name, warnings, red, amber, *problems in db.session.execute(
            select(*c.group(t.region_code, t.industry_code), func.sum(t.enterprises), func.max(t.industry_name),
                   func.sum(t.warnings_open), func.sum(t.red), func.sum(t.amber),
                   *[func.sum(getattr(t, k)) for k in sums])
            .where(scope.on(t.region_code)).group_by(*c.group(t.region_code, t.industry_code))):
        c.names[industry] = name
        c.attention["red"] += int(red)
        c.attention["amber"] += int(amber)
        found = dict(zip(sums, (int(v) for v in problems), strict=True))
        for m in c(region, industry).values():
            m["enterprises"], m["warnings_open"] = int(n), int(warnings)
            for severity, column in enterprise_state.SEVERITY_COLUMNS.items():
                bucket = m["problems"]["by_severity"].setdefault(severity,
                                                                 {"open": 0, "overdue": 0, "awaiting_review": 0})
                for key, kind in (("open", "active"), ("overdue", "overdue"), ("awaiting_review", "waiting")):
                    bucket[key] += found[f"{kind}_{column}"]
                    m["problems"][key] += found[f"{kind}_{column}"]


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
    """column within any of the inclusive date ranges, touching ranges merged (eleven whole months are one
    BETWEEN, not eleven: the condition is evaluated for every row and every SUM)."""
    merged: list[list[date]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return or_(false(), *[and_(column >= lo, column <= hi) for lo, hi in merged])


def _two_level(c: Cells, scope: Scope, day_model, month_model, day_column: str, today: date, values) -> dict:
    """{(region, industry): {period: [sums of values(table, day column)]}} from the month and day rollups: one
    GROUP BY on each, a SUM(CASE …) per period and value, reading only the rows inside the periods."""
    out: dict[tuple, dict[str, list]] = {}
    split = {name: _split(first, last, today) for name, (first, last) in c.periods.items()}
    for model, column, pick in ((month_model, month_model.month, 0), (day_model, getattr(day_model, day_column), 1)):
        ranges = {name: parts[pick] for name, parts in split.items() if parts[pick]}
        if not ranges:
            continue
        columns = []
        for name in ranges:  # only the periods with rows in this table: a SUM per value and period per row
            within = _ranges(column, ranges[name])
            columns += [func.sum(case((within, v), else_=0)) for v in values(model, column)]
        group = c.group(model.region_code, model.industry_code)
        for row in db.session.execute(select(*group, *columns)
                                      .where(scope.on(model.region_code),
                                             _ranges(column, [r for rs in ranges.values() for r in rs]))
                                      .group_by(*group)):
            cell = out.setdefault((row[0], row[1]), {})
            width = len(values(model, column))
            for k, name in enumerate(ranges):
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


def members(c: Cells, scope, today: date) -> None:
    members_and_warnings(c, scope, today, ("positive_list_members",))


def members_and_warnings(c: Cells, scope, today: date,
                         fields: tuple[str, ...] = ("positive_list_members", "warnings_open")) -> None:
    for field, stmt in (
            ("positive_list_members", select(*c.group(*GROUP),
                                             func.count(func.distinct(PositiveListEntry.enterprise_id)))
             .select_from(PositiveListEntry).join(Enterprise, Enterprise.id == PositiveListEntry.enterprise_id)
             .where(scope, active_membership(today)).group_by(*c.group(*GROUP))),
            ("warnings_open", select(*c.group(*GROUP), func.count(RiskWarning.id)).select_from(RiskWarning)
             .join(Enterprise, Enterprise.id == RiskWarning.enterprise_id)
             .where(scope, RiskWarning.status == "open").group_by(*c.group(*GROUP)))):
        if field not in fields:
            continue
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
    "rollups": (enterprise_cells, selfcheck_metrics, problem_flow, _on_enterprise(members)),
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
    return {"cells": c.cells, "industry_names": c.names, "attention": c.attention}


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


def attention(scope: Scope, today: date, counts: dict, limit: int = ATTENTION_LIMIT,
              total: int | None = None) -> dict:
    """Red/amber list with the reasons; green = every other enterprise in scope.

    From the stored states (app/rollups/enterprise.py, made exact for today by the cells' reader): `counts`
    are the red and amber sums of the jurisdiction's cells, and the first `limit` entries are one scan of
    the state's (attention_rank, name, id) index; the reasons are written for those only, with the same rule
    (app/rollups/attention.py) that gave their colour.
    """
    st, e = EnterpriseState, Enterprise
    # the ids first: an index-only scan of (attention_rank, name, enterprise_id, region_code) that stops at
    # `limit` — a county's first 200 are a few thousand index entries, never a heap row (measured: 9.4 → 1.2 ms)
    ids = list(db.session.scalars(
        select(st.enterprise_id).where(scope.on(st.region_code), st.attention_rank.is_not(None))
        .order_by(st.attention_rank, st.name, st.enterprise_id).limit(limit)))
    found = {s.enterprise_id: s for s in db.session.scalars(select(st).where(st.enterprise_id.in_(ids)))}
    states = [found[i] for i in ids]
    facts = {eid: (valid_until, grade) for eid, valid_until, grade in db.session.execute(
        select(e.id, e.permit_valid_until, e.credit_grade).where(e.id.in_(ids)))}
    scales = attention_rule.credit_scales()
    items = []
    for state in states:
        values = {v: getattr(state, v) for v in enterprise_state.VALUES}
        reasons = attention_rule.assess(values, state.region_code, *facts[state.enterprise_id], today, scales)
        items.append({"enterprise_id": state.enterprise_id, "name": state.name, "region_code": state.region_code,
                      "colour": attention_rule.colour_of(reasons) or "green",
                      "reasons": [{"colour": c, "text": t} for c, t in reasons]})
    n_red, n_amber = counts.get("red", 0), counts.get("amber", 0)
    if total is None:
        total = db.session.scalar(select(func.count(e.id)).where(scope.enterprise))
    return {"counts": {"red": n_red, "amber": n_amber, "green": total - n_red - n_amber},
            "items": items, "truncated": n_red + n_amber > limit}


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
        "attention": (attention(scope, today, data["attention"], total=whole["enterprises"]) if source == "rollups"
                      else dashboard_base.attention(scope.enterprise, today, ATTENTION_LIMIT)),
    }
