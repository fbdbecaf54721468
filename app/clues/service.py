"""线索移送: create a clue (from a monitoring alarm, a risk warning or a problem, carrying its evidence), amend it,
and move it through one transition table: draft → transferred → accepted | returned → concluded.

The sending side is the unit the clue came from (users whose region is from_unit_code), the receiving side the
unit it was transferred to; both must be regulators, and every fetch goes through the enterprise scope.
Enterprise users never see clues.
"""
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, or_, select

from app.accounts.models import REGULATOR_ROLES, Enterprise, Region, User
from app.accounts.scoping import get_scoped, scoped
from app.clues import origins
from app.clues.models import CATEGORIES, CONCLUSIONS, OPINIONS, SOURCES, STATUS_LABELS, Clue, ClueStatus
from app.common import audit
from app.common.errors import Forbidden, NotFound, ValidationFailed, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import add_working_days, today_local, utcnow
from app.extensions import db
from app.inspections.rules import unit_name
from app.notify.service import notify

S = ClueStatus
RULES_PATH = Path(__file__).resolve().parent / "rules.yaml"
DEFAULT_PROVINCE = "230000"
EDITABLE = ("from_dept", "to_unit_code", "to_dept", "source", "source_other", "categories", "category_other",
            "description", "legal_basis", "sender_opinion", "assist_dept", "handler_name", "sender_head")


@cache
def _rules_file() -> dict:
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def time_limits(unit_code: str) -> dict:
    data = _rules_file()
    return data.get(f"{unit_code[:2]}0000") or data[DEFAULT_PROVINCE]


# The lifecycle, in one table: action → who may take it, from which states, to which state.
TRANSITIONS: dict[str, Step] = {
    "transfer": Step("sender", (S.DRAFT, S.RETURNED), S.TRANSFERRED),     # 移送
    "withdraw": Step("sender", (S.DRAFT, S.RETURNED), S.WITHDRAWN),       # 撤回
    "accept": Step("receiver", (S.TRANSFERRED,), S.ACCEPTED),             # 接收
    "return": Step("receiver", (S.TRANSFERRED,), S.RETURNED),             # 退回 (with the reason)
    "conclude": Step("receiver", (S.ACCEPTED,), S.CONCLUDED),             # 办结: 立案 / 不予立案 / 转其他部门
    "edit": Step("sender", (S.DRAFT, S.RETURNED), None),                  # amend the form before (re)transfer
}
ACTION_LABELS = {"transfer": "移送", "withdraw": "撤回", "accept": "接收", "return": "退回", "conclude": "办结",
                 "edit": "修改"}


def _regulator_of(user: User, unit_code: str) -> bool:
    return user.role in {str(r) for r in REGULATOR_ROLES} and bool(user.region_code) and \
        user.region_code == unit_code


def _sender(clue: Any, user: Any) -> bool:
    return _regulator_of(user, clue.from_unit_code)


def _receiver(clue: Any, user: Any) -> bool:
    return _regulator_of(user, clue.to_unit_code)


LIFECYCLE = Lifecycle(
    kind="clue", noun="线索", labels=STATUS_LABELS, steps=TRANSITIONS,
    sides={"sender": _sender, "receiver": _receiver},
    refusals={"sender": "只有移送单位可以修改、移送或撤回线索",
              "receiver": "只有接收单位可以接收、退回或办结线索"})


def allowed_actions(user: User, clue: Clue) -> list[str]:
    return LIFECYCLE.allowed_actions(clue, user)


def _visible(user: User):
    """Drafts belong to the sending unit; everything else is visible within the enterprise scope."""
    return or_(Clue.status != S.DRAFT, Clue.from_unit_code == (user.region_code or ""))


def _ensure_regulator(user: User) -> None:
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以查看和移送线索")


def get_clue(user: User, clue_id: int) -> Clue:
    _ensure_regulator(user)
    clue = get_scoped(Clue, clue_id, user, message="未找到该线索")
    if not db.session.scalar(select(Clue.id).where(Clue.id == clue.id, _visible(user))):
        raise NotFound("未找到该线索")
    return clue


def list_clues(user: User, args: dict) -> tuple[list[Clue], int]:
    """The receiving unit's queue (box=inbox), what a unit sent (box=outbox), or every clue in scope."""
    _ensure_regulator(user)
    stmt = scoped(select(Clue), user, Clue).where(_visible(user))
    box = args.get("box")
    if box == "inbox":
        stmt = stmt.where(Clue.to_unit_code == user.region_code, Clue.status != S.DRAFT)
    elif box == "outbox":
        stmt = stmt.where(Clue.from_unit_code == user.region_code)
    if args.get("status"):
        stmt = stmt.where(Clue.status == args["status"])
    if args.get("enterprise_id"):
        stmt = stmt.where(Clue.enterprise_id == args["enterprise_id"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    order = (Clue.accept_due.is_(None), Clue.accept_due, Clue.id) if box == "inbox" else (Clue.id.desc(),)
    items = db.session.scalars(stmt.order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
    return list(items), total


# --- creating and amending ---------------------------------------------------------------------

def _unit(code: str, enterprise: Enterprise) -> Region:
    region = db.session.get(Region, code) if code else None
    if region is None:
        raise field_error("to_unit_code", "接收单位不存在")
    if not enterprise.region_code.startswith(region.prefix):
        raise field_error("to_unit_code", f"{unit_name(region.code)}不管辖{enterprise.name}所在区域，"
                                          "请移送至该企业所在地的生态环境部门")
    return region


def _check_fields(values: dict) -> None:
    if values.get("source") and values["source"] not in SOURCES:
        raise field_error("source", f"应为{'、'.join(SOURCES)}之一")
    unknown = [c for c in values.get("categories") or [] if c not in CATEGORIES]
    if unknown:
        raise field_error("categories", f"未知的违法行为类别：{'、'.join(unknown)}")
    if values.get("sender_opinion") and values["sender_opinion"] not in OPINIONS:
        raise field_error("sender_opinion", f"应为{'、'.join(OPINIONS)}之一")


def _number(unit_code: str) -> str:
    year = today_local().year
    prefix = f"{unit_code}-XS-{year}-"
    count = db.session.scalar(select(func.count()).select_from(Clue).where(Clue.number.startswith(prefix)))
    return f"{prefix}{(count or 0) + 1:04d}"


def create_clue(user: User, data: dict) -> Clue:
    """A draft clue; from an origin (alarm, warning, problem) its fields and evidence are filled in."""
    _ensure_regulator(user)
    if not user.region_code:
        raise Forbidden("账号未设置所属单位，不能移送线索")
    filled = origins.fill(user, data["origin_type"], data["origin_id"]) if data.get("origin_type") else {}
    enterprise_id = filled.pop("enterprise_id", None) or data.get("enterprise_id")
    if not enterprise_id:
        raise field_error("enterprise_id", "请选择涉嫌违法主体（企业）")
    enterprise = get_scoped(Enterprise, enterprise_id, user, message="企业不存在或不在管辖范围内")
    values = {**filled, **{k: v for k, v in data.items() if k in EDITABLE and v not in (None, "", [])}}
    values.setdefault("source", "other")
    _check_fields(values)
    to_unit = values.get("to_unit_code") or enterprise.region_code
    _unit(to_unit, enterprise)
    materials = filled.get("materials", []) + origins.upload_materials(user, enterprise.id, data.get("upload_ids"))
    clue = Clue(number=_number(user.region_code), status=S.DRAFT, from_unit_code=user.region_code,
                from_dept=values.get("from_dept", ""), to_unit_code=to_unit, to_dept=values.get("to_dept", ""),
                enterprise_id=enterprise.id, subject_name=enterprise.name, subject_id_no=enterprise.uscc,
                source=values["source"], source_other=values.get("source_other", ""),
                categories=list(dict.fromkeys(values.get("categories") or [])),
                category_other=values.get("category_other", ""), description=values.get("description", ""),
                legal_basis=values.get("legal_basis", ""), materials=materials,
                sender_opinion=values.get("sender_opinion"), assist_dept=values.get("assist_dept", ""),
                handler_name=values.get("handler_name") or user.display_name,
                sender_head=values.get("sender_head", ""), origin_type=data.get("origin_type"),
                origin_id=data.get("origin_id"), created_by_id=user.id)
    db.session.add(clue)
    db.session.flush()
    audit.record("clue.created", "clue", clue.id, enterprise_id=enterprise.id, to_state=S.DRAFT,
                 comment=f"{clue.number}" + (f"，来自{origins.origin_label(clue)}" if clue.origin_type else ""))
    return clue


def update_clue(user: User, clue_id: int, data: dict) -> Clue:
    clue = get_clue(user, clue_id)
    LIFECYCLE.ensure(clue, user, "edit")
    values = {k: v for k, v in data.items() if k in EDITABLE}
    _check_fields(values)
    if "to_unit_code" in values:
        _unit(values["to_unit_code"], clue.enterprise)
    for key, value in values.items():
        setattr(clue, key, list(dict.fromkeys(value)) if key == "categories" else (value if value is not None else ""))
    if data.get("upload_ids"):
        clue.materials = [*clue.materials, *origins.upload_materials(user, clue.enterprise_id, data["upload_ids"])]
    db.session.flush()
    audit.record("clue.updated", "clue", clue.id, enterprise_id=clue.enterprise_id, from_state=clue.status,
                 to_state=clue.status, comment="、".join(values) or None)
    return clue


# --- the transitions ---------------------------------------------------------------------------

INPUT_LABELS = {"reason": "理由", "receiver_opinion": "接收方意见", "receiver_head": "科室/单位负责人",
                "conclusion": "办理结果", "outcome": "办理情况", "referred_to": "移交的部门"}


def _require(data: dict, *keys: str) -> None:
    missing = {k: ["必填"] for k in keys if not (data.get(k) or "").strip()}
    if missing:
        raise ValidationFailed("请填写：" + "、".join(INPUT_LABELS[k] for k in missing), code="validation_error",
                               details={"fields": missing})


def _transfer(user: User, clue: Clue, data: dict) -> str:
    missing = [label for key, label in (("description", "简要描述"), ("legal_basis", "涉嫌违反法律规定"),
                                        ("sender_opinion", "移送方意见"), ("handler_name", "经办人"),
                                        ("sender_head", "科室/单位负责人")) if not getattr(clue, key)]
    if not clue.categories:
        missing.append("涉嫌违法行为")
    if clue.sender_opinion == "assist" and not clue.assist_dept:
        missing.append("请协调协助的科室")
    if "other" in clue.categories and not clue.category_other:
        missing.append("其他违法行为的说明")
    if missing:
        raise ValidationFailed(f"移送前请填写：{'、'.join(missing)}", code="incomplete_clue",
                               details={"missing": missing})
    today = today_local()
    clue.transferred_on, clue.transferred_at = today, utcnow()
    clue.accept_due = add_working_days(today, int(time_limits(clue.to_unit_code)["accept_working_days"]))
    clue.return_reason = None
    return f"移送至{unit_name(clue.to_unit_code)}{clue.to_dept}，应于{clue.accept_due}前接收"


def _withdraw(user: User, clue: Clue, data: dict) -> str:
    _require(data, "reason")
    return data["reason"]


def _accept(user: User, clue: Clue, data: dict) -> str:
    _require(data, "receiver_opinion", "receiver_head")
    today = today_local()
    clue.receiver_opinion, clue.receiver_head = data["receiver_opinion"], data["receiver_head"]
    clue.received_by_id, clue.accepted_at = user.id, utcnow()
    clue.conclude_due = add_working_days(today, int(time_limits(clue.to_unit_code)["conclude_working_days"]))
    return f"{data['receiver_opinion']}（负责人：{data['receiver_head']}）"


def _return(user: User, clue: Clue, data: dict) -> str:
    _require(data, "reason")
    clue.return_reason, clue.accept_due = data["reason"], None
    return data["reason"]


def _conclude(user: User, clue: Clue, data: dict) -> str:
    _require(data, "conclusion", "outcome")
    if data["conclusion"] not in CONCLUSIONS:
        raise field_error("conclusion", "应为立案、不予立案或转其他部门")
    if data["conclusion"] == "referred":
        _require(data, "referred_to")
    clue.conclusion, clue.outcome = data["conclusion"], data["outcome"]
    clue.referred_to = data.get("referred_to") if data["conclusion"] == "referred" else None
    clue.concluded_at = utcnow()
    return f"{CONCLUSIONS[clue.conclusion]}" + (f"（{clue.referred_to}）" if clue.referred_to else "") + \
        f"：{clue.outcome}"


MUTATIONS = {"transfer": _transfer, "withdraw": _withdraw, "accept": _accept, "return": _return,
             "conclude": _conclude}


def act(user: User, clue_id: int, action: str, data: dict) -> Clue:
    """Take one transition: the side and the state (403/409), the action's own checks, compare-and-set, audit."""
    if action not in MUTATIONS:
        raise NotFound("没有这个操作")
    clue = get_clue(user, clue_id)
    LIFECYCLE.ensure(clue, user, action)
    comment = MUTATIONS[action](user, clue, data)
    LIFECYCLE.move(clue, action, comment=comment[:1000])
    db.session.flush()
    _tell_the_other_side(clue, action, comment)
    return clue


def _unit_users(unit_code: str) -> list[int]:
    return list(db.session.scalars(select(User.id).where(
        User.region_code == unit_code, User.active.is_(True),
        User.role.in_([str(r) for r in REGULATOR_ROLES])).order_by(User.id)))


def _tell_the_other_side(clue: Clue, action: str, comment: str) -> None:
    if action == "withdraw":
        return
    if action == "transfer":
        recipients, title = _unit_users(clue.to_unit_code), f"收到移送线索：{clue.subject_name}"
        body = (f"{unit_name(clue.from_unit_code)}{clue.from_dept}移送涉嫌环境违法线索{clue.number}"
                f"（{'、'.join(CATEGORIES[c] for c in clue.categories)}），请于{clue.accept_due}前接收或退回。")
    else:
        recipients = [clue.created_by_id]
        title = f"线索已{ACTION_LABELS[action]}：{clue.subject_name}"
        body = f"{unit_name(clue.to_unit_code)}已{ACTION_LABELS[action]}线索{clue.number}：{comment}"
    notify(recipients, "clue", "clue", clue.id, f"{action}@{utcnow():%Y%m%d%H%M%S%f}", title, body,
           f"/gov/clues/{clue.id}", enterprise_id=clue.enterprise_id)


def history(clue: Clue):
    from app.common.audit import AuditEvent

    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "clue", AuditEvent.object_id == str(clue.id),
        AuditEvent.enterprise_id == clue.enterprise_id).order_by(AuditEvent.seq)).all()

