"""专项执法检查 (附件1): focused and time-bounded (Changzhi 4), approved by the chain, 备案, then published."""
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.scoping import region_clause
from app.common import audit
from app.common.errors import Conflict, Forbidden, NotFound, field_error
from app.common.timeutil import today_local, utcnow
from app.common.tx import compare_and_set_status
from app.extensions import db
from app.inspections import approvals, rules
from app.inspections.models import STATUS_LABELS, ActionStatus, SpecialAction
from app.inspections.service import next_number, regulator_unit

A = ActionStatus
KIND = "special_action"
ACTIONS = {
    "edit": ("unit", (A.DRAFT,)),
    "submit": ("unit", (A.DRAFT,)),
    "approve": ("approver", (A.PENDING_APPROVAL,)),
    "reject": ("approver", (A.PENDING_APPROVAL,)),
    "file": ("unit", (A.APPROVED,)),
    "publish": ("unit", (A.APPROVED,)),
    "cancel": ("unit", (A.DRAFT, A.PENDING_APPROVAL, A.APPROVED)),
}
FIELDS = ("form_date", "name", "basis", "start_date", "end_date", "targets", "target_industries", "target_regions",
          "target_enterprise_ids", "content")


def _may(user: User, action: SpecialAction, side: str) -> bool:
    if not user.is_regulator:
        return False
    if side == "approver":
        return approvals.may_approve(user, action, KIND)
    return user.region_code == action.unit_code


def allowed_actions(action: SpecialAction, user: User) -> list[str]:
    return [a for a, (side, states) in ACTIONS.items() if action.status in states and _may(user, action, side)]


def _ensure(action: SpecialAction, user: User, name: str) -> None:
    side, states = ACTIONS[name]
    if action.status not in states:
        raise Conflict(f"专项执法检查当前状态为“{STATUS_LABELS[action.status]}”，不能执行该操作",
                       code="invalid_transition", details={"status": action.status, "action": name})
    if side != "approver" and not _may(user, action, side):
        raise Forbidden("只有实施单位的监管人员可以执行该操作")


def _transition(action: SpecialAction, to: str, name: str, comment: str | None = None) -> None:
    previous = compare_and_set_status(action, to, "该专项执法检查已被其他操作处理，请刷新后查看", {"action": name})
    audit.record(f"special_action.{name}", KIND, action.id, from_state=previous, to_state=to, comment=comment)


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
    _transition(action, A.PENDING_APPROVAL, "submitted", "提交审批")
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
    _transition(action, A.PUBLISHED, "published", "向社会公开")
    return action


def cancel(user: User, action_id: int, reason: str) -> SpecialAction:
    action = get_action(user, action_id, lock=True)
    _ensure(action, user, "cancel")
    if not reason.strip():
        raise field_error("reason", "请填写取消理由")
    _transition(action, A.CANCELLED, "cancelled", reason.strip())
    return action
