"""专项执法检查 (附件1): focused and time-bounded (Changzhi 4), approved by the chain, 备案, then published."""
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.scoping import region_clause
from app.common import audit
from app.common.errors import Conflict, NotFound, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import today_local, utcnow
from app.extensions import db
from app.inspections import approvals, rules
from app.inspections.models import STATUS_LABELS, ActionStatus, SpecialAction
from app.inspections.service import next_number, regulator_unit

A = ActionStatus
KIND = "special_action"
LIFECYCLE = Lifecycle(
    kind=KIND, noun="专项执法检查", labels=STATUS_LABELS,
    steps={
        "edit": Step("unit", (A.DRAFT,)),
        "submit": Step("unit", (A.DRAFT,), A.PENDING_APPROVAL),
        "approve": Step("approver", (A.PENDING_APPROVAL,)),
        "reject": Step("approver", (A.PENDING_APPROVAL,), A.DRAFT),
        "file": Step("unit", (A.APPROVED,)),
        "publish": Step("unit", (A.APPROVED,), A.PUBLISHED),
        "cancel": Step("unit", (A.DRAFT, A.PENDING_APPROVAL, A.APPROVED), A.CANCELLED),
    },
    sides={"unit": lambda action, user: user.is_regulator and user.region_code == action.unit_code,
           "approver": lambda action, user: user.is_regulator and approvals.may_approve(user, action, KIND)},
    refusals={"unit": "只有实施单位的监管人员可以执行该操作", "approver": "只有当前审批环节的负责人可以审批"},
)


FIELDS = ("form_date", "name", "basis", "start_date", "end_date", "targets", "target_industries", "target_regions",
          "target_enterprise_ids", "content")


def allowed_actions(action: SpecialAction, user: User) -> list[str]:
    return LIFECYCLE.allowed_actions(action, user)


def _ensure(action: SpecialAction, user: User, name: str) -> None:
    if name not in ("approve", "reject"):  # approvals.decide checks state and position itself
        LIFECYCLE.ensure(action, user, name)


def _check_period(action_or_data, unit_code: str) -> None:
    start, end = action_or_data["start_date"], action_or_data["end_date"]
    if end is None:
        raise field_error("end_date", "专项执法检查必须限定结束日期")
    if end < start:
        raise field_error("end_date", "结束日期不能早于开始日期")
    maximum = int(rules.rules_for(unit_code)["special_action_max_days"])
    if (end - start).days + 1 > maximum:
        raise field_error("end_date", f"专项执法检查周期不得超过{maximum}天（应聚焦重点、严格限定时间）")


def list_actions(user: User, args: dict):
    stmt = select(SpecialAction).where(region_clause(user, SpecialAction.unit_code))
    if args.get("status"):
        stmt = stmt.where(SpecialAction.status == args["status"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(stmt.order_by(SpecialAction.start_date.desc(), SpecialAction.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def get_action(user: User, action_id: int, *, lock: bool = False) -> SpecialAction:
    action = db.session.scalar(select(SpecialAction).where(SpecialAction.id == action_id,
                                                           region_clause(user, SpecialAction.unit_code)))
    if action is None:
        raise NotFound("未找到该专项执法检查")
    if lock:
        db.session.refresh(action, with_for_update={"of": SpecialAction})
    return action


def create(user: User, data: dict) -> SpecialAction:
    unit_code = regulator_unit(user)
    _check_period(data, unit_code)
    action = SpecialAction(number=next_number("ZX", SpecialAction, unit_code, data["start_date"].year),
                           unit_code=unit_code, status=A.DRAFT, created_by_id=user.id,
                           **{k: data[k] for k in FIELDS if k in data})
    action.form_date = action.form_date or today_local()
    db.session.add(action)
    db.session.flush()
    audit.record("special_action.created", KIND, action.id, to_state=A.DRAFT, comment=f"{action.number} {action.name}")
    return action


def update(user: User, action_id: int, data: dict) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "edit")
    for key in FIELDS:
        if key in data:
            setattr(action, key, data[key])
    _check_period({"start_date": action.start_date, "end_date": action.end_date}, action.unit_code)
    audit.record("special_action.edited", KIND, action.id, from_state=action.status, to_state=action.status,
                 comment="、".join(sorted(data)))
    return action


def submit(user: User, action_id: int) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "submit")
    _check_period({"start_date": action.start_date, "end_date": action.end_date}, action.unit_code)
    approvals.submit(action, KIND)
    LIFECYCLE.move(action, "submit", comment="提交审批")
    return action


def decide(user: User, action_id: int, decision: str, opinion: str) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, decision)
    approvals.decide(user, action, KIND, decision, opinion, enterprise_id=None)
    return action


def file(user: User, action_id: int, filed_with: str, filing_no: str | None) -> SpecialAction:
    """备案 with the authority named by the rules (recorded, then the action may be published)."""
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "file")
    if not filed_with.strip():
        raise field_error("filed_with", "请填写备案机关")
    action.filed_with, action.filing_no, action.filed_at = filed_with.strip(), (filing_no or "").strip() or None, utcnow()
    audit.record("special_action.filed", KIND, action.id, from_state=action.status, to_state=action.status,
                 comment=f"已向{action.filed_with}备案{('，备案号 ' + action.filing_no) if action.filing_no else ''}")
    return action


def publish(user: User, action_id: int) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "publish")
    if action.filed_at is None:
        raise Conflict("专项执法检查方案须先备案，再向社会公开", code="not_filed")
    action.published_at = utcnow()
    LIFECYCLE.move(action, "publish", comment="向社会公开")
    return action


def cancel(user: User, action_id: int, reason: str) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "cancel")
    if not reason.strip():
        raise field_error("reason", "请填写取消理由")
    LIFECYCLE.move(action, "cancel", comment=reason.strip())
    return action
