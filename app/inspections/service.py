"""入企执法检查 (附件2): one transition table (app.common.lifecycle), guards, and one function per transition.

draft → pending_approval → (each chain step) → approved → on_site → completed; cancelled from any
open state; a rejection returns the form to draft with the opinion.
"""
from datetime import date

from sqlalchemy import func, select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit
from app.common.errors import Conflict, Forbidden, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import today_local, utcnow
from app.extensions import db
from app.inspections import approvals, quiet, rules
from app.inspections.models import STATUS_LABELS, TRIGGERS, Inspection, InspectionStatus
from app.supervision.enterprises import active_membership
from app.supervision.models import PositiveListEntry

S = InspectionStatus
KIND = "inspection"
OPEN = (S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.ON_SITE)

WHO = {"team": "本次检查的执法人员", "approver": "当前审批环节的负责人", "unit": "实施单位的监管人员",
       "unit_head": "本级行政执法主体主要负责人"}


# --- guards ------------------------------------------------------------------------------

def _team(insp: Inspection, user: User) -> bool:
    return user.is_regulator and (user.id in (insp.inspector_ids or []) or user.id == insp.created_by_id)


def _unit(insp: Inspection, user: User) -> bool:
    return user.is_regulator and (user.region_code == insp.unit_code or user.id in (insp.inspector_ids or []))


def _unit_head(insp: Inspection, user: User) -> bool:
    return (user.is_regulator and user.region_code == insp.unit_code
            and user.position == rules.unit_head(insp.unit_code))


LIFECYCLE = Lifecycle(
    kind=KIND, noun="检查", labels=STATUS_LABELS,
    steps={  # action: Step(who may, states it may start from, state it leads to)
        "edit": Step("team", (S.DRAFT,)),
        "submit": Step("team", (S.DRAFT,), S.PENDING_APPROVAL),
        "approve": Step("approver", (S.PENDING_APPROVAL,)),  # next step, or approved after the last
        "reject": Step("approver", (S.PENDING_APPROVAL,), S.DRAFT),
        "quiet_exception": Step("unit_head", (S.DRAFT, S.PENDING_APPROVAL, S.APPROVED)),
        "merge": Step("unit", (S.APPROVED,)),
        "start": Step("team", (S.APPROVED,), S.ON_SITE),
        "record": Step("team", (S.ON_SITE,)),
        "complete": Step("team", (S.ON_SITE,), S.COMPLETED),
        "cancel": Step("unit", OPEN, S.CANCELLED),
    },
    sides={"team": _team, "unit": _unit, "unit_head": _unit_head,
           "approver": lambda insp, user: user.is_regulator and approvals.may_approve(user, insp, KIND)},
    refusals={side: f"只有{label}可以执行该操作" for side, label in WHO.items()},
)


def allowed_actions(insp: Inspection, user: User) -> list[str]:
    return LIFECYCLE.allowed_actions(insp, user)


def ensure(insp: Inspection, user: User, action: str) -> None:
    if action in ("approve", "reject"):
        return  # approvals.decide checks the state (409) and names the step a wrong position may not sign (403)
    LIFECYCLE.ensure(insp, user, action)


def transition(insp: Inspection, action: str, comment: str | None = None) -> None:
    """Compare-and-set on the status (a double tap that read the old state gets 409), then audit."""
    LIFECYCLE.move(insp, action, comment=comment)


def get_inspection(user: User, inspection_id: int, *, lock: bool = False) -> Inspection:
    insp = get_scoped(Inspection, inspection_id, user, message="未找到该检查")
    if user.is_enterprise_user and insp.status != S.COMPLETED:
        raise Forbidden("检查结束并反馈结果后，企业方可查看")
    if lock:
        db.session.refresh(insp, with_for_update={"of": Inspection})
    return insp


def list_inspections(user: User, args: dict):
    stmt = scoped(select(Inspection), user, Inspection)
    if user.is_enterprise_user:
        stmt = stmt.where(Inspection.status == S.COMPLETED)
    for key in ("status", "enterprise_id", "plan_id", "inspection_type"):
        if args.get(key):
            stmt = stmt.where(getattr(Inspection, key) == args[key])
    if args.get("year"):
        stmt = stmt.where(Inspection.start_date.between(date(args["year"], 1, 1), date(args["year"], 12, 31)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(stmt.order_by(Inspection.start_date.desc(), Inspection.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).unique().all()
    return items, total


# --- checks on the form ------------------------------------------------------------------

def next_number(prefix: str, model, unit_code: str, year: int) -> str:
    count = db.session.scalar(select(func.count()).select_from(model).where(
        model.unit_code == unit_code, model.number.like(f"{prefix}-{unit_code}-{year}-%")))
    return f"{prefix}-{unit_code}-{year}-{count + 1:04d}"


def regulator_unit(user: User) -> str:
    if not user.is_regulator or not user.region_code or rules.unit_level(user.region_code) == "province":
        raise Forbidden("只有市、县级生态环境执法单位的监管人员可以执行该操作")
    return user.region_code


def check_inspectors(unit_code: str, inspector_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(inspector_ids or []))
    minimum = int(rules.rules_for(unit_code).get("team_size_min", 2))
    if len(ids) < minimum:
        raise field_error("inspector_ids", f"执法检查人员不得少于{minimum}人")
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    prefix = unit_code[:4] if rules.unit_level(unit_code) == "city" else unit_code
    for uid in ids:
        u = users.get(uid)
        if u is None or not u.active or not u.is_regulator or not (u.region_code or "").startswith(prefix):
            raise field_error("inspector_ids", f"人员 {uid} 不是本单位的执法人员")
        if not (u.enforcement_cert_no or "").strip():
            raise field_error("inspector_ids", f"{u.display_name} 未登记执法证号，不能参加执法检查")
    return ids


def check_dates(start: date, end: date) -> None:
    if end < start:
        raise field_error("end_date", "检查结束日期不能早于开始日期")


def merge_candidate(enterprise_id: int, start: date, end: date, exclude_id: int | None = None) -> Inspection | None:
    """An approved, not yet visited inspection of the enterprise whose dates overlap (综合一次查)."""
    stmt = select(Inspection).where(Inspection.enterprise_id == enterprise_id, Inspection.status == S.APPROVED,
                                    Inspection.start_date <= end, Inspection.end_date >= start)
    if exclude_id:
        stmt = stmt.where(Inspection.id != exclude_id)
    return db.session.scalar(stmt.order_by(Inspection.start_date).limit(1))


def inspections_this_year(enterprise_id: int, year: int, exclude_id: int | None = None) -> int:
    """Inspections that count against the cap: not cancelled and not triggered (Changzhi 3)."""
    stmt = select(func.count()).select_from(Inspection).where(
        Inspection.enterprise_id == enterprise_id, Inspection.status != S.CANCELLED, Inspection.trigger.is_(None),
        Inspection.start_date.between(date(year, 1, 1), date(year, 12, 31)))
    if exclude_id:
        stmt = stmt.where(Inspection.id != exclude_id)
    return db.session.scalar(stmt)


def cap_for(enterprise: Enterprise, unit_code: str) -> int:
    r = rules.rules_for(unit_code)
    return int(r["caps"].get(rules.supervision_category(enterprise, r), 1))


def on_positive_list(enterprise_id: int, day: date) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PositiveListEntry).where(
        PositiveListEntry.enterprise_id == enterprise_id, active_membership(day))))


def _check_schedulable(insp: Inspection, start: date, end: date) -> None:
    """Before the visit is scheduled or begins: quiet periods, positive list, frequency cap."""
    if "on_site" in (insp.methods or []) and not insp.quiet_exception_reason:
        periods = quiet.overlapping(insp.enterprise, start, end)
        if periods:
            raise Conflict(f"检查时间处于{quiet.describe(periods[0])}内，现场检查须经本级行政执法主体主要负责人"
                           "批准例外", code="quiet_period", details={"quiet_period_id": periods[0].id})
    if insp.trigger is None and "on_site" in (insp.methods or []) and on_positive_list(insp.enterprise_id, start):
        raise Conflict("该企业在监督执法正面清单内：除投诉举报、转办交办、监测数据线索或企业申请外，不安排现场检查",
                       code="positive_list")
    if insp.trigger is None:
        cap = cap_for(insp.enterprise, insp.unit_code)
        if inspections_this_year(insp.enterprise_id, start.year, insp.id) >= cap:
            raise Conflict(f"该企业{start.year}年入企检查已达频次上限（{cap}次）；投诉举报等线索触发的检查请注明触发原因",
                           code="cap_reached")


# --- creation and transitions ------------------------------------------------------------

FIELDS = ("form_date", "inspection_type", "type_other", "trigger", "basis", "start_date", "end_date", "content",
          "methods", "method_other", "special_action_id")


def create(user: User, data: dict, *, plan_id: int | None = None, draw_id: int | None = None) -> Inspection:
    unit_code = regulator_unit(user)
    enterprise = get_scoped(Enterprise, data["enterprise_id"], user, message="企业不存在或不在管辖范围内")
    check_dates(data["start_date"], data["end_date"])
    inspector_ids = check_inspectors(unit_code, data["inspector_ids"])
    if data["inspection_type"] == "complaint" and not data.get("trigger"):
        data["trigger"] = "complaint"
    if data.get("special_action_id"):
        from app.inspections.special import get_action

        if get_action(user, data["special_action_id"]).status not in ("approved", "published"):
            raise field_error("special_action_id", "专项执法检查尚未审批")
    existing = merge_candidate(enterprise.id, data["start_date"], data["end_date"])
    if existing is not None and not (data.get("separate_reason") or "").strip():
        raise Conflict(f"该企业在检查期间已有已审批的入企执法检查（{existing.number}，{existing.start_date}至"
                       f"{existing.end_date}），建议将检查内容并入该次检查（综合一次查）；确需单独检查请填写理由",
                       code="merge_proposed", details={"inspection_id": existing.id, "number": existing.number,
                                                       "merge": f"/api/inspections/{existing.id}/merge"})
    insp = Inspection(number=next_number("JC", Inspection, unit_code, data["start_date"].year),
                      enterprise_id=enterprise.id, unit_code=unit_code, inspector_ids=inspector_ids,
                      status=S.DRAFT, created_by_id=user.id, plan_id=plan_id, draw_id=draw_id,
                      separate_reason=(data.get("separate_reason") or "").strip() or None,
                      **{k: data.get(k) for k in FIELDS if k in data})
    insp.form_date = insp.form_date or today_local()
    insp.enterprise = enterprise
    db.session.add(insp)
    db.session.flush()
    audit.record("inspection.created", KIND, insp.id, enterprise_id=enterprise.id, to_state=S.DRAFT,
                 comment=f"{insp.number}：{insp.content[:150]}")
    return insp


def update(user: User, inspection_id: int, data: dict) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "edit")
    for key in FIELDS:
        if key in data and key != "special_action_id":
            setattr(insp, key, data[key])
    if "inspector_ids" in data:
        insp.inspector_ids = check_inspectors(insp.unit_code, data["inspector_ids"])
    check_dates(insp.start_date, insp.end_date)
    audit.record("inspection.edited", KIND, insp.id, enterprise_id=insp.enterprise_id, from_state=insp.status,
                 to_state=insp.status, comment="、".join(sorted(data)))
    return insp


def submit(user: User, inspection_id: int) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "submit")
    _check_schedulable(insp, insp.start_date, insp.end_date)
    approvals.submit(insp, KIND)
    transition(insp, "submit", "提交审批")
    return insp


def decide(user: User, inspection_id: int, decision: str, opinion: str) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, decision)
    approvals.decide(user, insp, KIND, decision, opinion, enterprise_id=insp.enterprise_id)
    return insp


def quiet_exception(user: User, inspection_id: int, reason: str) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "quiet_exception")
    if not reason.strip():
        raise field_error("reason", "请填写确需在安静期内开展现场检查的理由")
    insp.quiet_exception_reason, insp.quiet_exception_by_id, insp.quiet_exception_at = reason.strip(), user.id, utcnow()
    audit.record("inspection.quiet_exception", KIND, insp.id, enterprise_id=insp.enterprise_id,
                 from_state=insp.status, to_state=insp.status, comment=f"安静期例外批准：{reason.strip()}")
    return insp


def merge(user: User, inspection_id: int, content: str, basis: str | None) -> Inspection:
    """综合一次查: fold another check's content into this approved visit."""
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "merge")
    if not content.strip():
        raise field_error("content", "请填写并入的检查内容")
    insp.content = f"{insp.content}\n【并入】{content.strip()}"
    if basis and basis.strip():
        insp.basis = f"{insp.basis}；{basis.strip()}"
    audit.record("inspection.merged", KIND, insp.id, enterprise_id=insp.enterprise_id, from_state=insp.status,
                 to_state=insp.status, comment=f"综合一次查并入：{content.strip()[:150]}")
    return insp


def start(user: User, inspection_id: int) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "start")
    today = today_local()
    if "on_site" in (insp.methods or []) and not insp.quiet_exception_reason:
        periods = quiet.overlapping(insp.enterprise, today, today)
        if periods:
            raise Conflict(f"今天处于{quiet.describe(periods[0])}内，现场检查须经本级行政执法主体主要负责人批准例外",
                           code="quiet_period", details={"quiet_period_id": periods[0].id})
    insp.started_at = utcnow()
    transition(insp, "start", "开始现场检查")
    return insp


def cancel(user: User, inspection_id: int, reason: str) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "cancel")
    if not reason.strip():
        raise field_error("reason", "请填写取消理由")
    insp.cancel_reason = reason.strip()
    transition(insp, "cancel", reason.strip())
    return insp


def trigger_label(insp: Inspection) -> str:
    return TRIGGERS.get(insp.trigger or "", "")
