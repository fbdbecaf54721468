"""企业诉求 lifecycle: one transition table, one function per action; deadlines in working days."""
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.accounts.models import Position, Role, User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit
from app.common.errors import Forbidden, ValidationFailed, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import add_working_days, local_date, today_local, utcnow
from app.evidence.models import Upload
from app.extensions import db
from app.requests.models import OPEN_STATES, STATUS_LABELS, EnterpriseRequest, RequestEvent, RequestStatus

S = RequestStatus
CATEGORIES = ("政策咨询", "技术帮扶", "执法投诉", "意见建议", "其他")
RATINGS = ("满意", "基本满意", "不满意")
UNIT_HEAD_POSITIONS = {Position.DIVISION_HEAD, Position.DEPUTY_DIRECTOR, Position.DIRECTOR, Position.BRANCH_HEAD}


@cache
def limits() -> dict[str, dict]:
    return yaml.safe_load(Path(__file__).with_name("limits.yaml").read_text(encoding="utf-8"))


ACTIONS = {
    # action: Step(who, states it may start from, state it moves to; None = decided by the action)
    "register": Step("regulator", (S.SUBMITTED,), S.REGISTERED),
    "assign": Step("regulator", (S.REGISTERED,), S.ASSIGNED),
    "reply": Step("regulator", (S.ASSIGNED, S.REPLIED), S.REPLIED),
    "close": Step("regulator", (S.REPLIED,), S.CLOSED),
    "rate": Step("enterprise", (S.CLOSED,), None),             # 不满意 → reopened, else rated
    "review": Step("unit_head", (S.REOPENED,), None),           # rehandle → assigned, uphold → rated
    "followup": Step("regulator", (S.RATED,), S.RATED),
}


def _is_unit_head(user: User) -> bool:
    return user.is_sysadmin or user.role == Role.REGULATOR_ADMIN or user.position in UNIT_HEAD_POSITIONS


def _needs_followup(request: EnterpriseRequest) -> bool:
    return request.followup_due is not None and request.followup_at is None


LIFECYCLE = Lifecycle(
    kind="request", noun="诉求", labels=STATUS_LABELS, steps=ACTIONS,
    sides={"enterprise": lambda r, user: user.is_enterprise_user and user.enterprise_id == r.enterprise_id,
           "unit_head": lambda _r, user: (user.is_regulator or user.is_sysadmin) and _is_unit_head(user),
           "regulator": lambda _r, user: user.is_regulator or user.is_sysadmin},
    refusals={"enterprise": "只有提出诉求的企业可以执行该操作", "unit_head": "只有单位负责人可以复核",
              "regulator": "只有监管人员可以执行该操作"},
    guards={"followup": lambda r: None if _needs_followup(r) else "该诉求无需回访或已回访"},
)


def allowed_actions(request: EnterpriseRequest, user: User) -> list[str]:
    return LIFECYCLE.allowed_actions(request, user)


def _ensure(request: EnterpriseRequest, user: User, action: str) -> None:
    LIFECYCLE.ensure(request, user, action)


def _move(request: EnterpriseRequest, to: str, action: str, body: str = "", visible: bool = True) -> None:
    LIFECYCLE.move(request, action, to=to, comment=body[:200] or None)
    db.session.add(RequestEvent(request_id=request.id, kind=action, body=body, author_id=_actor_id(),
                                visible_to_enterprise=visible, at=utcnow()))
    db.session.flush()


def _actor_id():
    from flask import has_request_context
    from flask_login import current_user

    return current_user.id if has_request_context() and current_user.is_authenticated else None


def deadlines(category: str, filed_on: date) -> dict[str, date]:
    spec = limits()[category]
    return {step: add_working_days(filed_on, int(spec[step])) for step in ("register", "reply", "close")}


def get_request(user: User, request_id: int) -> EnterpriseRequest:
    return get_scoped(EnterpriseRequest, request_id, user, message="未找到该诉求")


def _uploads(upload_ids: list[int], user: User) -> list[int]:
    ids = list(dict.fromkeys(upload_ids or []))
    if not ids:
        return []
    uploads = db.session.scalars(select(Upload).where(Upload.id.in_(ids))).all()
    usable = {u.id: u for u in uploads if u.enterprise_id == user.enterprise_id
              or (u.enterprise_id is None and u.uploaded_by_id == user.id)}
    unknown = [i for i in ids if i not in usable]
    if unknown:
        raise ValidationFailed(f"照片不存在或无权使用：{unknown}", code="unknown_upload",
                               details={"fields": {"upload_ids": ["照片不存在或无权使用"]}})
    for upload in usable.values():
        upload.enterprise_id = user.enterprise_id
    return ids


def file_request(user: User, data: dict) -> EnterpriseRequest:
    if not (user.is_enterprise_user and user.enterprise_id):
        raise Forbidden("只有企业用户可以提出诉求")
    category = data["category"]
    if category not in CATEGORIES:
        raise field_error("category", "应为政策咨询、技术帮扶、执法投诉、意见建议或其他")
    today = today_local()
    due = deadlines(category, today)
    request = EnterpriseRequest(
        enterprise_id=user.enterprise_id, category=category, content=data["content"],
        upload_ids=_uploads(data.get("upload_ids"), user), problem_id=data.get("problem_id"),
        status=S.SUBMITTED, created_by_id=user.id, submitted_on=today, register_due=due["register"],
        reply_due=due["reply"], close_due=due["close"])
    if request.problem_id:
        from app.remediation.models import Problem

        get_scoped(Problem, request.problem_id, user, message="未找到关联的问题")
    db.session.add(request)
    db.session.flush()
    db.session.add(RequestEvent(request_id=request.id, kind="submitted", body="", author_id=user.id, at=utcnow()))
    audit.record("request.submitted", "request", request.id, enterprise_id=request.enterprise_id,
                 to_state=S.SUBMITTED, comment=category)
    return request


def act(user: User, request_id: int, action: str, data: dict) -> EnterpriseRequest:
    request = get_request(user, request_id)
    _ensure(request, user, action)
    return HANDLERS[action](user, request, data)


def _register(user, request, data):
    request.registered_at = utcnow()
    _move(request, S.REGISTERED, "register", data.get("comment") or "已登记", visible=True)
    return request


def _assign(user, request, data):
    assignee = db.session.get(User, data.get("assignee_id") or 0)
    if assignee is None or not assignee.is_regulator or not assignee.active:
        raise field_error("assignee_id", "承办人不存在或不是监管人员")
    from app.accounts.models import Enterprise
    from app.accounts.scoping import can_see_region

    enterprise = db.session.get(Enterprise, request.enterprise_id)
    if not can_see_region(assignee, enterprise.region_code):
        raise field_error("assignee_id", "承办人不负责该企业所在辖区")
    request.assigned_to_id, request.assigned_at = assignee.id, utcnow()
    _move(request, S.ASSIGNED, "assign", f"已交办：{assignee.display_name}", visible=True)
    return request


def _reply(user, request, data):
    body = (data.get("body") or "").strip()
    if not body:
        raise field_error("body", "请填写答复或办理进展")
    if request.replied_at is None:
        request.replied_at = utcnow()
    _move(request, S.REPLIED, "reply", body)
    return request


def _close(user, request, data):
    result = (data.get("result") or "").strip()
    if not result:
        raise field_error("result", "请填写办理结果")
    request.result, request.closed_at = result, utcnow()
    _move(request, S.CLOSED, "close", result)
    return request


def _rate(user, request, data):
    rating = data.get("rating")
    if rating not in RATINGS:
        raise field_error("rating", "应为满意、基本满意或不满意")
    comment = (data.get("comment") or "").strip()
    if rating == "不满意" and not comment:
        raise field_error("comment", "不满意时请说明原因")
    request.rating, request.rating_comment, request.rated_at = rating, comment, utcnow()
    if rating == "不满意":
        request.reopen_count += 1
        _move(request, S.REOPENED, "rate", f"{rating}：{comment}")
    else:
        days = int(limits()[request.category].get("followup_days") or 0)
        request.followup_due = add_working_days(today_local(), days) if days else None
        _move(request, S.RATED, "rate", f"{rating}" + (f"：{comment}" if comment else ""))
    return request


def _review(user, request, data):
    decision = data.get("decision")
    comment = (data.get("comment") or "").strip()
    if decision not in ("rehandle", "uphold"):
        raise field_error("decision", "应为rehandle（重新办理）或uphold（维持办理结果）")
    if not comment:
        raise field_error("comment", "请填写复核意见")
    if decision == "rehandle":
        due = deadlines(request.category, today_local())
        request.reply_due, request.close_due = due["reply"], due["close"]
        request.replied_at = request.closed_at = None
        _move(request, S.ASSIGNED, "review", f"负责人复核：重新办理。{comment}")
    else:
        days = int(limits()[request.category].get("followup_days") or 0)
        request.followup_due = add_working_days(today_local(), days) if days else None
        _move(request, S.RATED, "review", f"负责人复核：维持办理结果。{comment}")
    return request


def _followup(user, request, data):
    note = (data.get("note") or "").strip()
    if not note:
        raise field_error("note", "请填写回访情况")
    request.followup_at, request.followup_note = utcnow(), note
    _move(request, S.RATED, "followup", f"回访：{note}")
    return request


HANDLERS = {"register": _register, "assign": _assign, "reply": _reply, "close": _close, "rate": _rate,
            "review": _review, "followup": _followup}


def list_requests(user: User, args: dict):
    stmt = scoped(select(EnterpriseRequest), user, EnterpriseRequest)
    if args.get("status") == "open":  # 待办: every state still waiting on someone
        stmt = stmt.where(EnterpriseRequest.status.in_(OPEN_STATES))
    elif args.get("status"):
        stmt = stmt.where(EnterpriseRequest.status == args["status"])
    for key in ("category", "enterprise_id"):
        if args.get(key):
            stmt = stmt.where(getattr(EnterpriseRequest, key) == args[key])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    items = db.session.scalars(stmt.order_by(EnterpriseRequest.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def events_for(request: EnterpriseRequest, user: User) -> list[RequestEvent]:
    stmt = select(RequestEvent).where(RequestEvent.request_id == request.id)
    if user.is_enterprise_user:
        stmt = stmt.where(RequestEvent.visible_to_enterprise.is_(True))
    return list(db.session.scalars(stmt.order_by(RequestEvent.at, RequestEvent.id)))


def _on_time(done_at, due: date) -> bool:
    return done_at is not None and local_date(done_at) <= due


def quality(user: User, year: int | None = None) -> dict:
    """质效: on-time rate per step, satisfaction, reopened share, within the user's jurisdiction."""
    stmt = scoped(select(EnterpriseRequest), user, EnterpriseRequest)
    rows = [r for r in db.session.scalars(stmt) if year is None or r.submitted_on.year == year]
    today = today_local()

    def rate(step, done_attr, due_attr):
        due_rows = [r for r in rows if getattr(r, done_attr) is not None or getattr(r, due_attr) < today]
        ok = sum(1 for r in due_rows if _on_time(getattr(r, done_attr), getattr(r, due_attr)))
        return {"step": step, "due": len(due_rows), "on_time": ok,
                "rate": round(ok / len(due_rows), 4) if due_rows else None}

    rated = [r for r in rows if r.rating]
    satisfied = sum(1 for r in rated if r.rating in ("满意", "基本满意"))
    return {"total": len(rows), "steps": [rate("register", "registered_at", "register_due"),
                                          rate("reply", "replied_at", "reply_due"),
                                          rate("close", "closed_at", "close_due")],
            "rated": len(rated), "satisfaction_rate": round(satisfied / len(rated), 4) if rated else None,
            "reopened": sum(1 for r in rows if r.reopen_count),
            "reopened_share": round(sum(1 for r in rows if r.reopen_count) / len(rows), 4) if rows else None,
            "followups_due": sum(1 for r in rows if _needs_followup(r)),
            "by_category": {c: sum(1 for r in rows if r.category == c) for c in CATEGORIES}}


ACTION_DOCS = {"register": "登记", "assign": "交办承办人", "reply": "答复或更新办理进展（企业可见）",
               "close": "办结并填写结果", "rate": "企业评价（不满意则退回单位负责人复核）",
               "review": "单位负责人复核不满意评价：重新办理或维持", "followup": "记录回访"}
