"""年度执法检查计划 and its 双随机 draws (seed and inputs stored, excluded enterprises with reasons)."""
import secrets
from datetime import date

from sqlalchemy import func, select

from app.accounts.models import Enterprise, Position, Region, User
from app.accounts.scoping import enterprise_clause, region_clause
from app.common import audit
from app.common.errors import Conflict, NotFound, field_error
from app.extensions import db
from app.inspections import draw as algorithm
from app.inspections import quiet, rules, service
from app.inspections.models import (
    EXCLUSION_REASONS,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    PlanDraw,
    QuietPeriod,
)
from app.supervision.enterprises import active_membership
from app.supervision.models import PositiveListEntry


def list_plans(user: User, args: dict):
    stmt = select(InspectionPlan).where(region_clause(user, InspectionPlan.unit_code))
    if args.get("year"):
        stmt = stmt.where(InspectionPlan.year == args["year"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(stmt.order_by(InspectionPlan.year.desc(), InspectionPlan.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def get_plan(user: User, plan_id: int) -> InspectionPlan:
    plan = db.session.scalar(select(InspectionPlan).where(InspectionPlan.id == plan_id,
                                                          region_clause(user, InspectionPlan.unit_code)))
    if plan is None:
        raise NotFound("未找到该执法检查计划")
    return plan


def create_plan(user: User, data: dict) -> InspectionPlan:
    unit_code = service.regulator_unit(user)
    r = rules.rules_for(unit_code)
    ratios = {**r["ratios"], **(data.get("ratios") or {})}
    caps = {**r["caps"], **(data.get("caps") or {})}
    if any(not 0 <= float(v) <= 1 for v in ratios.values()):
        raise field_error("ratios", "抽查比例应在0到1之间")
    if any(int(v) < 1 for v in caps.values()):
        raise field_error("caps", "频次上限至少为1次")
    team_size = data.get("team_size") or int(r.get("team_size_min", 2))
    if team_size < int(r.get("team_size_min", 2)):
        raise field_error("team_size", "每组执法人员不得少于2人")
    if db.session.scalar(select(InspectionPlan.id).where(InspectionPlan.unit_code == unit_code,
                                                         InspectionPlan.year == data["year"],
                                                         InspectionPlan.name == data["name"])):
        raise Conflict("本单位该年度已有同名计划", code="duplicate")
    plan = InspectionPlan(unit_code=unit_code, year=data["year"], name=data["name"], basis=data.get("basis") or "",
                          ratios=ratios, caps=caps, team_size=team_size, created_by_id=user.id)
    db.session.add(plan)
    db.session.flush()
    audit.record("inspection_plan.created", "inspection_plan", plan.id, comment=f"{plan.year}年 {plan.name}")
    return plan


def list_draws(plan: InspectionPlan) -> list[PlanDraw]:
    return db.session.scalars(select(PlanDraw).where(PlanDraw.plan_id == plan.id).order_by(PlanDraw.seq)).all()


def get_draw(plan: InspectionPlan, draw_id: int) -> PlanDraw:
    draw = db.session.get(PlanDraw, draw_id)
    if draw is None or draw.plan_id != plan.id:
        raise NotFound("未找到该次抽取")
    return draw


def inspector_pool(unit_code: str) -> list[int]:
    return list(db.session.scalars(select(User.id).where(
        User.region_code == unit_code, User.position == Position.INSPECTOR, User.active.is_(True),
        User.enforcement_cert_no.is_not(None), User.enforcement_cert_no != "").order_by(User.id)))


class _Facts:
    """What the exclusions need, read in a handful of queries for the whole unit (not per enterprise)."""

    def __init__(self, plan: InspectionPlan, start: date, end: date):
        self.members = set(db.session.scalars(select(PositiveListEntry.enterprise_id).where(active_membership(start))))
        self.periods = db.session.scalars(select(QuietPeriod).where(
            QuietPeriod.start_date <= end, QuietPeriod.end_date >= start, QuietPeriod.removed_at.is_(None))
            .order_by(QuietPeriod.start_date, QuietPeriod.id)).all()
        self.in_window = dict(db.session.execute(select(Inspection.enterprise_id, func.min(Inspection.number)).where(
            Inspection.status != InspectionStatus.CANCELLED, Inspection.start_date <= end,
            Inspection.end_date >= start).group_by(Inspection.enterprise_id)).all())
        self.this_year = dict(db.session.execute(select(Inspection.enterprise_id, func.count()).where(
            Inspection.status != InspectionStatus.CANCELLED, Inspection.trigger.is_(None),
            Inspection.start_date.between(date(plan.year, 1, 1), date(plan.year, 12, 31)))
            .group_by(Inspection.enterprise_id)).all())

    def quiet_period(self, enterprise: Enterprise) -> QuietPeriod | None:
        regions = quiet.ancestors(enterprise.region_code)
        return next((p for p in self.periods if p.enterprise_id == enterprise.id or p.region_code in regions), None)


def _exclusion(enterprise: Enterprise, plan: InspectionPlan, facts: _Facts, r: dict) -> tuple[str, str] | None:
    if enterprise.id in facts.members:
        return "positive_list", "监督执法正面清单成员，免于双随机抽查"
    period = facts.quiet_period(enterprise)
    if period is not None:
        return "quiet_period", quiet.describe(period)
    if enterprise.id in facts.in_window:
        return "already_inspected", f"本期已安排检查（{facts.in_window[enterprise.id]}）"
    category = rules.supervision_category(enterprise, r)
    cap = int(plan.caps.get(category, 1))
    done = facts.this_year.get(enterprise.id, 0)
    if done >= cap:
        return "cap_reached", f"{plan.year}年已检查{done}次，达到{category}类上限{cap}次"
    return None


def create_draw(user: User, plan_id: int, data: dict) -> PlanDraw:
    plan = get_plan(user, plan_id)
    service.regulator_unit(user)
    if user.region_code != plan.unit_code:
        raise NotFound("未找到该执法检查计划")
    start, end = data["window_start"], data["window_end"]
    if end < start:
        raise field_error("window_end", "结束日期不能早于开始日期")
    if start.year != plan.year or end.year != plan.year:
        raise field_error("window_start", f"抽查时段应在{plan.year}年内")
    pool = inspector_pool(plan.unit_code)
    if len(pool) < plan.team_size:
        raise Conflict(f"持执法证的执法人员不足{plan.team_size}人，不能抽取", code="not_enough_inspectors")
    r = rules.rules_for(plan.unit_code)
    region = db.session.get(Region, plan.unit_code)
    enterprises = db.session.scalars(select(Enterprise).where(
        enterprise_clause(user), Enterprise.region_code.startswith(region.prefix, autoescape=True))
        .order_by(Enterprise.id)).unique().all()
    facts = _Facts(plan, start, end)
    candidates, excluded = [], []
    for e in enterprises:
        reason = _exclusion(e, plan, facts, r)
        if reason:
            excluded.append({"enterprise_id": e.id, "name": e.name, "reason": reason[0],
                             "label": EXCLUSION_REASONS[reason[0]], "detail": reason[1]})
            continue
        candidates.append({"enterprise_id": e.id, "category": rules.supervision_category(e, r),
                           "credit_grade": e.credit_grade, "weight": int(r["credit_weights"].get(e.credit_grade, 1))})
    seed = secrets.token_hex(32)
    selected = algorithm.run(seed, candidates, pool, plan.ratios, plan.team_size)
    seq = (db.session.scalar(select(func.max(PlanDraw.seq)).where(PlanDraw.plan_id == plan.id)) or 0) + 1
    record = PlanDraw(plan_id=plan.id, seq=seq, window_start=start, window_end=end, seed=seed,
                      algorithm=algorithm.ALGORITHM, candidates=candidates, inspector_pool=pool, excluded=excluded,
                      selected=[], created_by_id=user.id)
    db.session.add(record)
    db.session.flush()
    rows = []
    for pick in selected:
        insp = service.create(user, {
            "enterprise_id": pick["enterprise_id"], "inspection_type": "double_random", "inspector_ids": pick["inspector_ids"],
            "basis": plan.basis or f"《{plan.name}》", "start_date": start, "end_date": end, "methods": ["on_site"],
            "content": f"按《{plan.name}》第{seq}次双随机抽查开展现场检查", "separate_reason": "双随机抽取"},
            plan_id=plan.id, draw_id=record.id)
        rows.append({**pick, "inspection_id": insp.id})
    record.selected = rows
    audit.record("inspection_draw.created", "inspection_plan", plan.id,
                 comment=f"第{seq}次抽取：种子 {seed}，候选{len(candidates)}家，排除{len(excluded)}家，抽中{len(rows)}家")
    return record


def verify_draw(draw: PlanDraw, plan: InspectionPlan) -> dict:
    """Re-run the draw from its stored inputs; it must give the stored result."""
    again = algorithm.run(draw.seed, draw.candidates, draw.inspector_pool, plan.ratios, plan.team_size)
    stored = [{k: s[k] for k in ("enterprise_id", "category", "inspector_ids")} for s in draw.selected]
    return {"reproducible": again == stored, "seed": draw.seed, "algorithm": draw.algorithm, "result": again}
