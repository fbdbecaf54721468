"""The dashboard's numbers straight from the base tables: the reference the rollups are checked against.

`dashboard(..., source="base")` uses these parts instead of the rollup ones (app/supervision/dashboard.py);
`flask rollups verify` and the tests compare the two. Not used to serve requests: these scans grow with history.
"""
from datetime import date, timedelta

from sqlalchemy import and_, case, extract, func, or_, select

from app import rules as rules_packs
from app.accounts.models import Enterprise
from app.common.timeutil import add_months
from app.common.vocab import SEVERITIES
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.rollups.attention import PERMIT_AMBER_DAYS, SELFCHECK_RED_DAYS
from app.rollups.specs import CLOSED_DONE, days_between
from app.selfcheck.models import SelfCheck, SelfCheckStatus
from app.supervision.dashboard_cells import (
    GROUP,
    Cells,
    num,
    rate,
    utc_bounds,
)


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
            due, done, on_time, overdue, score_sum, score_n = (int(num(v)) if k != 4 else num(v)
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
            values = {"open": int(num(n_open)), "overdue": int(num(n_overdue)), "awaiting_review": int(num(n_review))}
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
                    func.sum(case((closed, days_between(Problem.closed_at, Problem.created_at)), else_=0))]
    for row in db.session.execute(
            select(*GROUP, *columns).select_from(Problem).join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(scope, or_(*any_of)).group_by(*GROUP)):
        target = c(row[0], row[1])
        for i, name in enumerate(c.periods):
            created, closed, days = row[2 + 3 * i: 5 + 3 * i]
            target[name]["problems"]["created"] = int(num(created))
            target[name]["problems"]["closed"] = int(num(closed))
            target[name]["_days"] = num(days)


def trend(scope, end: date, months: int) -> list[dict]:
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
                    "completion_rate": rate(done, due),
                    "average_score": round(float(avg), 1) if avg is not None else None})
    return out


def attention(scope, today: date, limit: int) -> dict:
    """Red/amber list with the reasons; green = every other enterprise in scope."""
    found: dict[int, dict] = {}

    def entry(eid, name, region):
        return found.setdefault(eid, {"enterprise_id": eid, "name": name, "region_code": region,
                                      "colour": "green", "reasons": []})

    def flag(item, colour, reason):
        item["reasons"].append({"colour": colour, "text": reason})
        if colour == "red" or item["colour"] == "green":
            item["colour"] = colour

    overdue_problems = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, Problem.severity, func.count(Problem.id),
               func.min(Problem.deadline))
        .join(Problem, Problem.enterprise_id == Enterprise.id)
        .where(scope, Problem.overdue_clause(today))
        .group_by(Enterprise.id, Enterprise.name, Enterprise.region_code, Problem.severity)
        .order_by(Enterprise.id, case({v: i for i, v in enumerate(SEVERITIES)}, value=Problem.severity)))
    for eid, name, region, severity, n, oldest in overdue_problems:  # reasons in the order 一般, 较重, 重大
        flag(entry(eid, name, region), "red" if severity == "重大" else "amber",
             f"{n}个{severity}问题整改逾期（最长{(today - oldest).days}天）")
    overdue_selfchecks = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, func.count(SelfCheck.id),
               func.min(SelfCheck.due_date))
        .join(SelfCheck, SelfCheck.enterprise_id == Enterprise.id)
        .where(scope, SelfCheck.status != SelfCheckStatus.SUBMITTED, SelfCheck.due_date < today)
        .group_by(Enterprise.id, Enterprise.name, Enterprise.region_code))
    for eid, name, region, n, oldest in overdue_selfchecks:
        days = (today - oldest).days
        flag(entry(eid, name, region), "red" if days > SELFCHECK_RED_DAYS else "amber",
             f"自查逾期{days}天" + (f"（共{n}次未提交）" if n > 1 else ""))
    # bad grades are the province's (credit.yaml bad_grades; the last one of the scale is red)
    credit = {p: rules_packs.section(p, "credit") for p in rules_packs.provinces()}
    bad = sorted({g for c in credit.values() for g in c["bad_grades"]})
    permits = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_code, Enterprise.permit_valid_until,
               Enterprise.credit_grade)
        .where(scope, (Enterprise.permit_valid_until <= today + timedelta(days=PERMIT_AMBER_DAYS))
               | Enterprise.credit_grade.in_(bad)))
    for eid, name, region, valid_until, grade in permits:
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
    total = db.session.scalar(select(func.count(Enterprise.id)).where(scope)) or 0
    red = sum(1 for i in items if i["colour"] == "red")
    return {"counts": {"red": red, "amber": len(items) - red, "green": total - len(items)},
            "items": items[:limit], "truncated": len(items) > limit}
