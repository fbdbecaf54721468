"""The regulator's enterprise list (filters, sort, paging, .xlsx export) and one enterprise's profile.

The list is one SELECT over the jurisdiction's enterprises joined to their stored state (app/rollups: latest
score, overdue counts — an indexed lookup, nothing that grows with history) and to the current positive list
and open warnings, plus one COUNT: the number of queries does not grow with the page size.
"""
from datetime import date

from sqlalchemy import and_, case, func, select

from app.accounts.models import Enterprise, Region, User
from app.accounts.scoping import can_see_region, enterprise_clause, get_scoped, prefix_clause
from app.common.audit import AuditEvent
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.common.timeutil import today_local
from app.extensions import db
from app.remediation.models import Problem
from app.reports.models import Report
from app.rollups import enterprise as enterprise_state
from app.rollups.models import EnterpriseState
from app.selfcheck.models import Schedule, SelfCheck, SelfCheckStatus
from app.supervision.models import (
    CreditRepairApplication,
    Incident,
    Penalty,
    PositiveListEntry,
    RiskWarning,
)

EXPORT_MAX_ROWS = 50_000


def jurisdiction(user: User, region_code: str | None = None):
    """(WHERE clause on Enterprise, the region the numbers are about or None for "everything visible")."""
    clause = enterprise_clause(user)
    if region_code:
        region = db.session.get(Region, region_code)
        if region is None or not can_see_region(user, region_code):
            raise NotFound("未找到该行政区划")
        return and_(clause, prefix_clause(Enterprise.region_code, region.prefix)), region
    region = user.region if (user.is_regulator or user.is_sysadmin) and user.region_code else None
    return clause, region


def active_membership(today: date):
    """A member today: admitted, not removed, not expired, not suspended (动态管理, app/supervision/dynamic.py)."""
    return and_(standing_membership(today), PositiveListEntry.suspended_on.is_(None))


def standing_membership(today: date):
    """Admitted, not removed and not expired — suspended or not (the entry a regulator removes or reinstates)."""
    return and_(PositiveListEntry.removed_on.is_(None), PositiveListEntry.admitted_on <= today,
                PositiveListEntry.valid_until >= today)


def overdue_problem_clause(today: date):
    return Problem.overdue_clause(today)


def overdue_selfcheck_clause(today: date):
    return SelfCheck.overdue_clause(today)


def _subqueries(scope, today: date, only=None):
    """Positive-list membership and open warnings per enterprise, of the enterprises in scope (or of `only`)."""
    ids = only if only is not None else select(Enterprise.id).where(scope)
    pl = (select(PositiveListEntry.enterprise_id.label("eid"), func.min(PositiveListEntry.admitted_on).label("since"),
                 func.max(PositiveListEntry.valid_until).label("until"))
          .where(active_membership(today), *([PositiveListEntry.enterprise_id.in_(only)] if only is not None else []))
          .group_by(PositiveListEntry.enterprise_id).subquery("pl"))
    wo = (select(RiskWarning.enterprise_id.label("eid"), func.count().label("n"))
          .where(RiskWarning.status == "open", RiskWarning.enterprise_id.in_(ids))
          .group_by(RiskWarning.enterprise_id).subquery("wo"))
    return pl, wo


def _filtered(user: User, args: dict, today: date, only=None):
    scope, _ = jurisdiction(user, args.get("region"))
    enterprise_state.current(today)  # the stored state (latest report, overdue counts) made exact for today
    st = EnterpriseState
    pl, wo = _subqueries(scope, today, only)
    overdue = func.coalesce(st.overdue_total, 0)
    overdue_problems = func.coalesce(st.overdue_general + st.overdue_serious + st.overdue_major, 0)
    columns = {"score": st.latest_score, "grade": st.latest_grade, "overdue_problems": overdue_problems,
               "overdue_selfchecks": func.coalesce(st.overdue_selfchecks, 0), "since": pl.c.since,
               "until": pl.c.until, "warnings_open": func.coalesce(wo.c.n, 0)}
    conditions = [scope]
    if args.get("id"):
        conditions.append(Enterprise.id == args["id"])
    if args.get("industry"):
        conditions.append(Enterprise.industry_code.startswith(args["industry"], autoescape=True))
    if args.get("permit_class"):
        conditions.append(Enterprise.permit_class == args["permit_class"])
    if args.get("credit_grade"):
        conditions.append(Enterprise.credit_grade == args["credit_grade"])
    if args.get("positive_list") is not None:
        conditions.append(pl.c.eid.isnot(None) if args["positive_list"] else pl.c.eid.is_(None))
    if args.get("has_overdue") is not None:
        conditions.append(overdue > 0 if args["has_overdue"] else overdue == 0)
    if args.get("min_score") is not None:
        conditions.append(st.latest_score >= args["min_score"])
    if args.get("max_score") is not None:
        conditions.append(st.latest_score <= args["max_score"])
    if args.get("q"):
        q = args["q"].strip()
        conditions.append(Enterprise.name.contains(q, autoescape=True)
                          | Enterprise.uscc.startswith(q.upper(), autoescape=True))

    def build(*cols, extras: bool = True):
        """The query; without `extras` the positive list and warnings are joined only when a filter needs them
        (counting and choosing a page then read the enterprises and their stored state alone)."""
        stmt = select(*cols).select_from(Enterprise).outerjoin(st, st.enterprise_id == Enterprise.id)
        if extras or args.get("positive_list") is not None:
            stmt = stmt.outerjoin(pl, pl.c.eid == Enterprise.id)
        if extras:
            stmt = stmt.outerjoin(wo, wo.c.eid == Enterprise.id)
        return stmt.where(*conditions)

    sort = args.get("sort") or "name"
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "score":
        order = [case((st.latest_score.is_(None), 1), else_=0),
                 st.latest_score.desc() if desc else st.latest_score.asc()]
    elif key == "overdue":
        order = [overdue.desc() if desc else overdue.asc()]
    else:
        order = [Enterprise.name.desc() if desc else Enterprise.name.asc()]
    order.append(Enterprise.id)
    return build, columns, order


def _row_out(row, today: date) -> dict:
    enterprise = row[0]
    values = dict(zip(("score", "grade", "overdue_problems", "overdue_selfchecks", "since", "until",
                       "warnings_open"), row[1:], strict=True))
    enterprise.latest_score = values["score"]
    enterprise.latest_grade = values["grade"]
    enterprise.overdue_problems = int(values["overdue_problems"])
    enterprise.overdue_selfchecks = int(values["overdue_selfchecks"])
    enterprise.overdue_count = enterprise.overdue_problems + enterprise.overdue_selfchecks
    enterprise.warnings_open = int(values["warnings_open"])
    enterprise.positive_list = {"member": values["since"] is not None, "since": values["since"],
                                "until": values["until"]}
    return enterprise


def list_enterprises(user: User, args: dict):
    today = today_local()
    build, columns, order = _filtered(user, args, today)
    total = db.session.scalar(build(func.count(Enterprise.id), extras=False))
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    ids = db.session.scalars(build(Enterprise.id, extras=False).order_by(*order)
                             .offset((page - 1) * per_page).limit(per_page)).all()
    if not ids:
        return [], total
    # the page's rows with their warnings and positive-list entries, read for these enterprises only
    build, columns, order = _filtered(user, args, today, only=ids)
    rows = db.session.execute(build(Enterprise, *columns.values()).where(Enterprise.id.in_(ids))
                              .order_by(*order)).unique().all()
    return [_row_out(r, today) for r in rows], total


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ("企业名称", "统一社会信用代码", "行政区划", "行业代码", "行业", "排污许可管理类别", "许可证有效期",
                  "环境信用等级", "最近自查得分", "逾期问题数", "逾期自查数", "正面清单")
def export_rows(user: User, args: dict):
    """The enterprise list as spreadsheet rows (EXPORT_COLUMNS), refused above EXPORT_MAX_ROWS."""
    today = today_local()
    build, columns, order = _filtered(user, args, today)
    total = db.session.scalar(build(func.count(Enterprise.id), extras=False))
    if total > EXPORT_MAX_ROWS:
        raise ValidationFailed(f"导出结果共{total}家企业，超过{EXPORT_MAX_ROWS}家上限，请缩小筛选范围",
                               code="export_too_large")
    rows = db.session.execute(build(Enterprise, *columns.values()).order_by(*order)).unique().all()
    for row in rows:
        e = _row_out(row, today)
        yield (
            e.name, e.uscc, e.region.name if e.region else e.region_code, e.industry_code, e.industry_name,
            e.permit_class, e.permit_valid_until.isoformat() if e.permit_valid_until else "", e.credit_grade,
            e.latest_score, e.overdue_problems, e.overdue_selfchecks,
            f"是（至{e.positive_list['until']}）" if e.positive_list["member"] else "否")


# --- profile -------------------------------------------------------------------------------

def _eligibility_or_none(enterprise: Enterprise, today: date):
    """The profile still opens for an enterprise whose province ships no rules pack (eligibility: null)."""
    from app import rules as rules_packs
    from app.supervision import eligibility

    try:
        return eligibility.evaluate(enterprise, today)
    except rules_packs.RulesPackError:
        return None


def profile(user: User, enterprise_id: int) -> dict:
    """Everything a regulator sees about one enterprise, in a bounded number of queries."""

    enterprise = get_scoped(Enterprise, enterprise_id, user, message="未找到该企业")
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以查看企业档案")
    today = today_local()
    enterprise = list_enterprises(user, {"id": enterprise.id, "per_page": 1})[0][0]
    selfchecks = db.session.scalars(select(SelfCheck).where(SelfCheck.enterprise_id == enterprise.id)
                                    .order_by(SelfCheck.due_date.desc(), SelfCheck.id.desc()).limit(60)).all()
    submitted = [s for s in selfchecks if s.status == SelfCheckStatus.SUBMITTED]
    return {
        "enterprise": enterprise,
        "schedules": db.session.scalars(select(Schedule).where(Schedule.enterprise_id == enterprise.id)
                                        .order_by(Schedule.id)).all(),
        "selfchecks": selfchecks,
        "score_trend": [{"period_key": s.period_key, "period_label": s.period_label, "score": s.score,
                         "grade": s.grade} for s in sorted(submitted, key=lambda s: (s.period_key, s.id))],
        "reports": db.session.scalars(select(Report).where(Report.enterprise_id == enterprise.id)
                                      .order_by(Report.issued_at.desc(), Report.id.desc()).limit(50)).all(),
        "problems": db.session.scalars(select(Problem).where(Problem.enterprise_id == enterprise.id)
                                       .order_by(Problem.created_at.desc(), Problem.id.desc()).limit(100)).all(),
        "warnings": db.session.scalars(select(RiskWarning).where(RiskWarning.enterprise_id == enterprise.id)
                                       .order_by(RiskWarning.created_at.desc(), RiskWarning.id.desc())
                                       .limit(50)).all(),
        "penalties": db.session.scalars(select(Penalty).where(Penalty.enterprise_id == enterprise.id)
                                        .order_by(Penalty.decided_on.desc(), Penalty.id.desc())).all(),
        "incidents": db.session.scalars(select(Incident).where(Incident.enterprise_id == enterprise.id)
                                        .order_by(Incident.occurred_on.desc(), Incident.id.desc())).all(),
        "credit_repairs": db.session.scalars(select(CreditRepairApplication).where(
            CreditRepairApplication.enterprise_id == enterprise.id)
            .order_by(CreditRepairApplication.submitted_at.desc())).all(),
        "eligibility": _eligibility_or_none(enterprise, today),
        "audit": db.session.scalars(select(AuditEvent).where(AuditEvent.enterprise_id == enterprise.id)
                                    .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(50)).all(),
    }


# --- published positive list ---------------------------------------------------------------

def positive_list_members(user: User, region_code: str | None, page: int | None = None, per_page: int = 20):
    """Current members in the jurisdiction, by region then name; all of them when page is None."""
    scope, _ = jurisdiction(user, region_code)
    stmt = (select(PositiveListEntry).join(Enterprise, Enterprise.id == PositiveListEntry.enterprise_id)
            .where(scope, active_membership(today_local())))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    stmt = stmt.order_by(Enterprise.region_code, Enterprise.name, PositiveListEntry.id)
    if page is not None:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    return db.session.scalars(stmt).unique().all(), total


POSITIVE_LIST_COLUMNS = ["序号", "企业名称", "统一社会信用代码", "行政区划", "行业", "纳入日期", "有效期至"]


def positive_list_rows(user: User, region_code: str | None) -> list[tuple]:
    entries, _ = positive_list_members(user, region_code)
    return [(index, entry.enterprise.name, entry.enterprise.uscc,
             entry.enterprise.region.name if entry.enterprise.region else entry.enterprise.region_code,
             entry.enterprise.industry_name, entry.admitted_on.isoformat(), entry.valid_until.isoformat())
            for index, entry in enumerate(entries, 1)]
