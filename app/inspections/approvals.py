"""Approval chains shared by inspections (附件2) and special actions (附件1): one step per position."""
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import POSITION_LABELS, User
from app.common import audit
from app.common.errors import Conflict, Forbidden, field_error
from app.common.timeutil import utcnow
from app.extensions import db
from app.inspections import rules
from app.inspections.models import Approval


def current_step(obj, kind: str) -> dict | None:
    steps = rules.chain(kind, obj.unit_code)
    return steps[obj.step] if obj.status == "pending_approval" and obj.step < len(steps) else None


def may_approve(user: User, obj, kind: str) -> bool:
    step = current_step(obj, kind)
    return bool(step) and user.position == step["position"] and user.region_code == step["unit_code"]


def submit(obj, kind: str) -> None:
    """Start a new approval round at the first step."""
    if not rules.chain(kind, obj.unit_code):
        raise Conflict("该单位未配置审批流程", code="no_approval_chain")
    obj.round = (obj.round or 0) + 1
    obj.step = 0


def decide(user: User, obj, kind: str, decision: str, opinion: str, *, enterprise_id: int | None) -> None:
    """Record one step's opinion; approve moves on (or finishes), reject returns the form to draft."""
    if obj.status != "pending_approval":
        raise Conflict("当前状态不是待审批，不能审批", code="invalid_transition",
                       details={"status": obj.status})
    step = current_step(obj, kind)
    if not may_approve(user, obj, kind):
        raise Forbidden(f"当前审批环节为“{step['label']}意见”，您的职务不能审批此环节", code="wrong_position",
                        details={"position": step["position"]})
    opinion = (opinion or "").strip()
    if decision == "reject" and not opinion:
        raise field_error("opinion", "退回时必须填写审批意见")
    opinion = opinion or "同意。"
    db.session.add(Approval(target_type=kind, target_id=obj.id, round=obj.round, step=obj.step,
                            position=step["position"], decision=decision, opinion=opinion,
                            approver_id=user.id, at=utcnow()))
    previous = obj.status
    last = obj.step + 1 >= len(rules.chain(kind, obj.unit_code))
    if decision == "reject":
        _claim(obj, "draft", 0)
    elif last:
        _claim(obj, "approved", obj.step)
    else:
        _claim(obj, obj.status, obj.step + 1)
    verdict = "同意" if decision == "approve" else "退回"
    audit.record(f"{kind}.{decision}", kind, obj.id, enterprise_id=enterprise_id, from_state=previous,
                 to_state=obj.status, comment=f"{step['label']}{verdict}：{opinion}")


def _claim(obj, status: str, step: int) -> None:
    """Move from the (status, step, round) this request read, or 409: two taps never sign one step twice."""
    model = type(obj)
    claimed = db.session.execute(update(model).where(
        model.id == obj.id, model.status == obj.status, model.step == obj.step, model.round == obj.round)
        .values(status=status, step=step).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Conflict("该审批环节已被其他操作处理，请刷新后查看", code="invalid_transition")
    set_committed_value(obj, "status", status)
    set_committed_value(obj, "step", step)


def opinions(obj, kind: str) -> list[dict]:
    """Every step of the chain with the latest round's opinion (empty where nobody has signed yet)."""
    rows = db.session.scalars(select(Approval).where(
        Approval.target_type == kind, Approval.target_id == obj.id, Approval.round == obj.round)
        .order_by(Approval.id)).all()
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({r.approver_id for r in rows}))).all()) if rows else {}
    by_step = {r.step: r for r in rows}
    out = []
    for index, step in enumerate(rules.chain(kind, obj.unit_code)):
        row = by_step.get(index)
        out.append({"step": index, "position": step["position"], "label": step["label"],
                    "decision": row.decision if row else None, "opinion": row.opinion if row else "",
                    "approver": names.get(row.approver_id, "") if row else "", "at": row.at if row else None})
    return out


def history(obj, kind: str) -> list[Approval]:
    return db.session.scalars(select(Approval).where(
        Approval.target_type == kind, Approval.target_id == obj.id).order_by(Approval.id)).all()


def position_label(position: str | None) -> str:
    return POSITION_LABELS.get(position or "", "")
