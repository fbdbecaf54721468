"""Regulator dashboard: set-based counts (GROUP BY), a bounded number of queries whatever the size.

Definitions (the same ones the lists use, see docs/supervision.md):
- self-checks "due" in a range: due_date within [from, to]; "completed": of those, submitted;
  "overdue": of those, not submitted and due_date < today; completion rate = completed / due.
- problems are counted as they stand now: open = open/rectifying/extension_requested; overdue = open and
  deadline < today; awaiting review = submitted. "closed" = verified/self_closed with closed_at in the
  range (local dates); average days to close is over those.
- positive-list members and open warnings are counted as they stand now.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, extract, func, or_, select

from app import rules as rules_packs
from app.accounts.models import Enterprise, Region, User
from app.common.timeutil import TZ, add_months, as_utc, today_local
from app.common.vocab import SEVERITIES
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.selfcheck.models import SelfCheck, SelfCheckStatus
from app.supervision.enterprises import active_membership, jurisdiction
from app.supervision.models import PositiveListEntry, RiskWarning

CLOSED_DONE = ("verified", "self_closed")
ATTENTION_LIMIT = 200
SELFCHECK_RED_DAYS = 30
PERMIT_AMBER_DAYS = 90


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 local, end+1 00:00 local) as UTC instants, so datetime columns filter by local date."""
    return (as_utc(datetime.combine(start, time.min, tzinfo=TZ)),
            as_utc(datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ)))


def _days_between(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _empty() -> dict:
    return {"enterprises": 0,
            "selfchecks": {"due": 0, "completed": 0, "on_time": 0, "overdue": 0, "completion_rate": None,
                           "average_score": None},
            "problems": {"open": 0, "overdue": 0, "awaiting_review": 0,
                         "by_severity": {s: {"open": 0, "overdue": 0, "awaiting_review": 0} for s in SEVERITIES},
                         "created": 0, "closed": 0, "average_days_to_close": None},
            "positive_list_members": 0, "warnings_open": 0,
            "_score": [0.0, 0], "_days": 0.0}


def _num(value) -> float:
    return float(value or 0)


GROUP = (Enterprise.region_code, Enterprise.industry_code)


class Cells:
    """{(region, industry): {period: metrics}}, filled by the parts below, one GROUP BY each."""

    def __init__(self, periods: dict[str, tuple[date, date]]):
        self.periods = periods
        self.cells: dict[tuple, dict] = {}
        self.names: dict[str, str] = {}

    def __call__(self, region, industry) -> dict:
        return self.cells.setdefault((region, industry), {p: _empty() for p in self.periods})


def enterprise_counts(c: Cells, scope, today: date) -> None:
    for region, industry, n, name in db.session.execute(
            select(*GROUP, func.count(Enterprise.id), func.max(Enterprise.industry_name)).where(scope)
            .group_by(*GROUP)):
        c.names[industry] = name
        for m in c(region, industry).values():
            m["enterprises"] = n


def selfcheck_metrics(c: Cells, scope, today: date) -> None:
    """Due, completed, on time, overdue and scores of the self-checks due in each period."""
    submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED
    columns = []
    for first, last in c.periods.values():
        within = and_(SelfCheck.due_date >= first, SelfCheck.due_date <= last)
        columns += [func.sum(case((within, 1), else_=0)),
                    func.sum(case((and_(within, submitted), 1), else_=0)),
                    func.sum(case((and_(within, submitted, SelfCheck.late.is_(False)), 1), else_=0)),
                    func.sum(case((and_(within, SelfCheck.overdue_clause(today)), 1), else_=0)),
                    func.sum(case((and_(within, submitted), SelfCheck.score), else_=0)),
                    func.sum(case((and_(within, submitted, SelfCheck.score.isnot(None)), 1), else_=0))]
    lo = min(first for first, _ in c.periods.values())
    hi = max(last for _, last in c.periods.values())
    for row in db.session.execute(
            select(*GROUP, *columns).select_from(SelfCheck).join(Enterprise, Enterprise.id == SelfCheck.enterprise_id)
            .where(scope, SelfCheck.due_date >= lo, SelfCheck.due_date <= hi).group_by(*GROUP)):
        target = c(row[0], row[1])
        for i, name in enumerate(c.periods):
            due, done, on_time, overdue, score_sum, score_n = (int(_num(v)) if k != 4 else _num(v)
                                                               for k, v in enumerate(row[2 + 6 * i: 8 + 6 * i]))
            target[name]["selfchecks"].update(due=due, completed=done, on_time=on_time, overdue=overdue)
            target[name]["_score"] = [score_sum, score_n]


def problem_state(c: Cells, scope, today: date) -> None:
    """Problems now, by severity: open (active), overdue, awaiting review — the same for every period."""
    waiting = Problem.status == ProblemStatus.SUBMITTED.value
    for region, industry, severity, n_open, n_overdue, n_review in db.session.execute(
            select(*GROUP, Problem.severity, func.sum(case((Problem.status.in_(ProblemStatus.ACTIVE), 1), else_=0)),
                   func.sum(case((Problem.overdue_clause(today), 1), else_=0)), func.sum(case((waiting, 1), else_=0)))
            .select_from(Problem).join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(scope, or_(Problem.status.in_(ProblemStatus.ACTIVE), waiting)).group_by(*GROUP, Problem.severity)):
        for m in c(region, industry).values():
            bucket = m["problems"]["by_severity"].setdefault(severity, {"open": 0, "overdue": 0, "awaiting_review": 0})
            values = {"open": int(_num(n_open)), "overdue": int(_num(n_overdue)), "awaiting_review": int(_num(n_review))}
            for k, v in values.items():
                bucket[k] += v
                m["problems"][k] += v


def problem_flow(c: Cells, scope, today: date) -> None:
    """Problems created and closed in each period, and the days they took."""
    columns, any_of = [], []
    for first, last in c.periods.values():
        start_utc, end_utc = utc_bounds(first, last)
        created = and_(Problem.created_at >= start_utc, Problem.created_at < end_utc)
        closed = and_(Problem.status.in_(CLOSED_DONE), Problem.closed_at >= start_utc, Problem.closed_at < end_utc)
        any_of += [created, closed]
        columns += [func.sum(case((created, 1), else_=0)), func.sum(case((closed, 1), else_=0)),
                    func.sum(case((closed, _days_between(Problem.closed_at, Problem.created_at)), else_=0))]
    for row in db.session.execute(
            select(*GROUP, *columns).select_from(Problem).join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(scope, or_(*any_of)).group_by(*GROUP)):
        target = c(row[0], row[1])
        for i, name in enumerate(c.periods):
            created, closed, days = row[2 + 3 * i: 5 + 3 * i]
            target[name]["problems"]["created"] = int(_num(created))
            target[name]["problems"]["closed"] = int(_num(closed))
            target[name]["_days"] = _num(days)


def members_and_warnings(c: Cells, scope, today: date) -> None:
    for field, stmt in (
            ("positive_list_members", select(*GROUP, func.count(func.distinct(PositiveListEntry.enterprise_id)))
             .select_from(PositiveListEntry).join(Enterprise, Enterprise.id == PositiveListEntry.enterprise_id)
             .where(scope, active_membership(today)).group_by(*GROUP)),
            ("warnings_open", select(*GROUP, func.count(RiskWarning.id)).select_from(RiskWarning)
             .join(Enterprise, Enterprise.id == RiskWarning.enterprise_id)
             .where(scope, RiskWarning.status == "open").group_by(*GROUP))):
        for region, industry, n in db.session.execute(stmt):
            for m in c(region, industry).values():
                m[field] = n


ROLLUP_PARTS = (enterprise_counts, selfcheck_metrics, problem_state, problem_flow, members_and_warnings)


def rollup(scope, periods: dict[str, tuple[date, date]], today: date) -> dict:
    """One GROUP BY (region_code, industry_code) pass per part; returns {"cells": …, "industry_names": …}.

    Range-dependent numbers are computed for every period in the same scan (conditional sums); the
    current-state numbers (problems now, members, warnings) are the same for each period.
    """
    c = Cells(periods)
    for part in ROLLUP_PARTS:
        part(c, scope, today)
    return {"cells": c.cells, "industry_names": c.names}


def _add(target: dict, values: dict) -> None:
    for k in ("enterprises", "positive_list_members", "warnings_open", "_days"):
        target[k] += values[k]
    target["_score"] = [target["_score"][0] + values["_score"][0], target["_score"][1] + values["_score"][1]]
    for k in ("due", "completed", "on_time", "overdue"):
        target["selfchecks"][k] += values["selfchecks"][k]
    for k in ("open", "overdue", "awaiting_review", "created", "closed"):
        target["problems"][k] += values["problems"][k]
    for severity, bucket in values["problems"]["by_severity"].items():
        mine = target["problems"]["by_severity"].setdefault(severity, {"open": 0, "overdue": 0, "awaiting_review": 0})
        for k, v in bucket.items():
            mine[k] += v


def _finish(m: dict) -> dict:
    score_sum, score_n = m.pop("_score")
    days = m.pop("_days")
    m["selfchecks"]["completion_rate"] = _rate(m["selfchecks"]["completed"], m["selfchecks"]["due"])
    m["selfchecks"]["average_score"] = round(score_sum / score_n, 1) if score_n else None
    closed = m["problems"]["closed"]
    m["problems"]["average_days_to_close"] = round(days / closed, 1) if closed else None
    return m


def _combine(cells: dict, period: str, key) -> dict:
    """Sum the cells by key(region, industry); key returning None sums everything into one bucket."""
    out: dict = {}
    for (region, industry), by_period in cells.items():
        _add(out.setdefault(key(region, industry), _empty()), by_period[period])
    return out


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
    grouped = _combine(cells, "range", lambda region, _industry: region[:length])
    rows = {c.prefix: {"code": c.code, "name": c.name, **_empty()} for c in children}
    for k, values in grouped.items():
        if k not in rows:  # registered directly at the parent level (本级) or outside the tree
            name = "其他" if base is None else base.name if base.level == "county" else f"{base.name}本级"
            k = "__self__"
            rows.setdefault(k, {"code": base.code if base else None, "name": name, **_empty()})
        _add(rows[k], values)
    return [_finish(r) for r in rows.values()]


def _industry_breakdown(cells: dict, names: dict) -> list[dict]:
    grouped = _combine(cells, "range", lambda _region, industry: industry)
    rows = [{"code": k, "name": names.get(k, ""), **_finish(v)} for k, v in grouped.items()]
    return sorted(rows, key=lambda r: (-r["enterprises"], r["code"]))


def _trend(scope, end: date, months: int) -> list[dict]:
    first = add_months(end.replace(day=1), -(months - 1))
    year, month = extract("year", SelfCheck.due_date), extract("month", SelfCheck.due_date)
    submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED
    rows = db.session.execute(
        select(year, month, func.count(SelfCheck.id), func.sum(case((submitted, 1), else_=0)),
               func.avg(case((submitted, SelfCheck.score))))
        .select_from(SelfCheck).join(Enterprise, Enterprise.id == SelfCheck.enterprise_id)
        .where(scope, SelfCheck.due_date >= first, SelfCheck.due_date <= end).group_by(year, month)).all()
    found = {(int(y), int(m)): (due, int(done or 0), avg) for y, m, due, done, avg in rows}
    out = []
    for i in range(months):
        day = add_months(first, i)
        due, done, avg = found.get((day.year, day.month), (0, 0, None))
        out.append({"month": f"{day.year}-{day.month:02d}", "due": due, "completed": done,
                    "completion_rate": _rate(done, due),
                    "average_score": round(float(avg), 1) if avg is not None else None})
    return out


def attention(scope, today: date, limit: int = ATTENTION_LIMIT) -> dict:
    """Red/amber list with the reasons; green = every other enterprise in scope."""
    found: dict[int, dict] = {}

    def entry(eid, name, region):
        return found.setdefault(eid, {"enterprise_id": eid, "name": name, "region_code": region,
                                      "colour": "green", "reasons": []})

    def flag(item, colour, reason):
        item["reasons"].append({"colour": colour, "text": reason})
        if colour == "red" or item["colour"] == "green":
            item["colour"] = colour

    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, Problem.severity, func.count(Problem.id),
               func.min(Problem.deadline))
        .join(Problem, Problem.enterprise_id == Enterprise.id)
        .where(scope, Problem.overdue_clause(today))
        .group_by(Enterprise.id, Enterprise.name, Enterprise.region_code, Problem.severity))
    for eid, name, region, severity, n, oldest in rows:
        flag(entry(eid, name, region), "red" if severity == "重大" else "amber",
             f"{n}个{severity}问题整改逾期（最长{(today - oldest).days}天）")
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, func.count(SelfCheck.id),
               func.min(SelfCheck.due_date))
        .join(SelfCheck, SelfCheck.enterprise_id == Enterprise.id)
        .where(scope, SelfCheck.status != SelfCheckStatus.SUBMITTED, SelfCheck.due_date < today)
        .group_by(Enterprise.id, Enterprise.name, Enterprise.region_code))
    for eid, name, region, n, oldest in rows:
        days = (today - oldest).days
        flag(entry(eid, name, region), "red" if days > SELFCHECK_RED_DAYS else "amber",
             f"自查逾期{days}天" + (f"（共{n}次未提交）" if n > 1 else ""))
    # bad grades are the province's (credit.yaml bad_grades; the last one of the scale is red)
    credit = {p: rules_packs.section(p, "credit") for p in rules_packs.provinces()}
    bad = sorted({g for c in credit.values() for g in c["bad_grades"]})
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, Enterprise.permit_valid_until,
               Enterprise.credit_grade)
        .where(scope, (Enterprise.permit_valid_until <= today + timedelta(days=PERMIT_AMBER_DAYS))
               | Enterprise.credit_grade.in_(bad)))
    for eid, name, region, valid_until, grade in rows:
        item = entry(eid, name, region)
        if valid_until is not None and valid_until < today:
            flag(item, "red", f"排污许可证已过期{(today - valid_until).days}天")
        elif valid_until is not None and valid_until <= today + timedelta(days=PERMIT_AMBER_DAYS):
            flag(item, "amber", f"排污许可证{(valid_until - today).days}天后到期")
        scale = credit.get(f"{region[:2]}0000")
        if scale and grade in scale["bad_grades"]:
            flag(item, "red" if grade == scale["scale"][-1] else "amber", f"环境信用等级为{grade}")
    items = [i for i in found.values() if i["colour"] != "green"]
    items.sort(key=lambda i: (i["colour"] != "red", -len(i["reasons"]), i["name"], i["enterprise_id"]))
    total = db.session.scalar(select(func.count(Enterprise.id)).where(scope))
    red = sum(1 for i in items if i["colour"] == "red")
    return {"counts": {"red": red, "amber": len(items) - red, "green": total - len(items)},
            "items": items[:limit], "truncated": len(items) > limit}


def dashboard(user: User, start: date | None, end: date | None, region_code: str | None,
              trend_months: int = 12) -> dict:
    today = today_local()
    end = end or today
    start = start or end.replace(month=1, day=1)
    scope, base = jurisdiction(user, region_code)
    month_start = today.replace(day=1)
    data = rollup(scope, {"range": (start, end), "current": (month_start, today)}, today)
    cells = data["cells"]
    return {
        "filters": {"from": start, "to": end, "region": ({"code": base.code, "name": base.name, "level": base.level}
                                                         if base else None)},
        "today": today,
        "current": {"from": month_start, "to": today,
                    **_finish(_combine(cells, "current", lambda *_: None).get(None, _empty()))},
        "range": {"from": start, "to": end, **_finish(_combine(cells, "range", lambda *_: None).get(None, _empty()))},
        "by_region": _region_breakdown(cells, base),
        "by_industry": _industry_breakdown(cells, data["industry_names"]),
        "trend": _trend(scope, end, trend_months),
        "attention": attention(scope, today),
    }
