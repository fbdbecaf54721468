"""Problems and the rectification lifecycle (问题主动报告 → 限时整改反馈 → 核查销号).

One function per transition: check scope, role and state, mutate, append an audit event, flush.
"""
import hashlib
import hmac
import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import rules as rules_packs
from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped
from app.common import audit, events
from app.common.errors import Conflict, Forbidden, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import add_days, local_date, today_local, utcnow
from app.common.vocab import SEVERITIES
from app.evidence.service import attach_uploads
from app.extensions import db
from app.remediation.models import (
    CLOSED,
    STATUS_LABELS,
    ExtensionRequest,
    Problem,
    ProblemStatus,
    Rectification,
)

S = ProblemStatus


def _pack(problem: Problem) -> dict:
    """The remediation section of the rules pack of the problem's province (app/rules/<province>/remediation.yaml)."""
    return rules_packs.for_region(problem.enterprise.region_code, "remediation")


def reopen_window_days(problem: Problem) -> int:
    return int(_pack(problem)["reopen_window_days"])


def self_close_sample_rate(problem: Problem) -> float:
    """The province's sampling rate; config SELF_CLOSE_SAMPLE_RATE overrides it (tests, a pilot)."""
    configured = current_app.config.get("SELF_CLOSE_SAMPLE_RATE")
    return float(configured if configured is not None else _pack(problem)["self_close_sample_rate"])


def default_days(severity: str) -> int:
    return current_app.config.get("PROBLEM_DEFAULT_DAYS", {"一般": 15, "较重": 30, "重大": 60})[severity]


# --- guards ------------------------------------------------------------------------------

def _is_owner_side(problem: Problem, user: User) -> bool:
    return user.is_enterprise_user and user.enterprise_id == problem.enterprise_id


def _is_regulator_side(user: User) -> bool:
    return user.is_regulator or user.is_sysadmin  # scope was checked when the problem was fetched


def _self_closed_recently(problem: Problem) -> bool:
    return (problem.status == S.SELF_CLOSED and problem.closed_at is not None
            and (today_local() - local_date(problem.closed_at)).days <= reopen_window_days(problem))


def _reopen_refusal(problem: Problem) -> str | None:
    return None if _self_closed_recently(problem) else f"自行销号超过{reopen_window_days(problem)}天，不能重新打开"


LIFECYCLE = Lifecycle(
    kind="problem", noun="问题", labels=STATUS_LABELS,
    steps={
        # action: Step(who, states it may start from); each service function names the state it moves to
        "accept": Step("enterprise", (S.OPEN,)),
        "submit_rectification": Step("enterprise", (S.OPEN, S.RECTIFYING)),
        "request_extension": Step("enterprise", (S.OPEN, S.RECTIFYING)),
        "review": Step("regulator", (S.SUBMITTED,)),
        "decide_extension": Step("regulator", (S.EXTENSION_REQUESTED,)),
        "cancel": Step("regulator", (S.OPEN, S.RECTIFYING, S.EXTENSION_REQUESTED, S.SUBMITTED)),
        "require_review": Step("regulator", (S.OPEN, S.RECTIFYING, S.EXTENSION_REQUESTED)),
        "reopen": Step("regulator", (S.SELF_CLOSED,)),
    },
    sides={"enterprise": lambda problem, user: _is_owner_side(problem, user),
           "regulator": lambda _problem, user: _is_regulator_side(user)},
    refusals={"enterprise": "只有本企业用户可以执行该操作", "regulator": "只有监管人员可以执行该操作"},
    guards={"require_review": lambda p: "该问题已需监管核查" if p.needs_regulator else None,
            "reopen": _reopen_refusal},
)


def allowed_actions(problem: Problem, user: User) -> list[str]:
    actions = LIFECYCLE.allowed_actions(problem, user)
    if _may_assign(problem, user):
        actions.append("assign")
    return actions


def _may_assign(problem: Problem, user: User) -> bool:
    """The enterprise's 环保负责人 names who of its people deals with a problem the enterprise still has to act on."""
    return (user.role == "enterprise_admin" and user.enterprise_id == problem.enterprise_id
            and problem.status in S.ACTIVE)


def assignees(user: User) -> list[User]:
    """Who an enterprise's problems can be assigned to: its active accounts."""
    if not user.is_enterprise_user:
        return []
    return list(db.session.scalars(select(User).where(
        User.enterprise_id == user.enterprise_id, User.active.is_(True)).order_by(User.role, User.display_name)))


def assign(actor: User, problem_id: int, owner_id: int) -> Problem:
    problem = get_problem(actor, problem_id, lock=True)
    if not (actor.role == "enterprise_admin" and actor.enterprise_id == problem.enterprise_id):
        raise Forbidden("只有本企业的环保负责人可以指派问题")
    if problem.status not in S.ACTIVE:
        raise Conflict("该问题已提交核查或已关闭，不能再指派", code="invalid_state")
    owner = db.session.scalar(select(User).where(User.id == owner_id, User.enterprise_id == problem.enterprise_id,
                                                 User.active.is_(True)))
    if owner is None:
        raise field_error("owner_id", "应为本企业在用的账号")
    problem.owner_id = owner.id
    audit.record("problem.assigned", "problem", problem.id, enterprise_id=problem.enterprise_id,
                 comment=f"指派给 {owner.display_name}")
    events.problem_assigned.send(problem, assignee_id=owner.id, by_id=actor.id)
    return problem


def _ensure(problem: Problem, user: User, action: str) -> None:
    LIFECYCLE.ensure(problem, user, action)


def _transition(problem: Problem, to: str, action: str, comment: str | None = None) -> None:
    """The one place a problem changes state (compare-and-set + audit), then the loop tells the other party."""
    previous = LIFECYCLE.move(problem, action, to=to, comment=comment)
    events.problem_moved.send(problem, action=action, from_state=previous, to_state=to, comment=comment)


def get_problem(user: User, problem_id: int, *, lock: bool = False) -> Problem:
    problem = get_scoped(Problem, problem_id, user, message="未找到该问题")
    if lock:
        db.session.refresh(problem, with_for_update={"of": Problem})
    return problem


# --- creation ------------------------------------------------------------------------------

def _owner_for(enterprise_id: int) -> int | None:
    return db.session.scalar(select(User.id).where(
        User.enterprise_id == enterprise_id, User.active.is_(True)).order_by(User.role, User.id).limit(1))


def report_problem(actor: User, data: dict) -> Problem:
    """问题主动报告 by an enterprise, or a regulator finding (also from a risk warning)."""
    if actor.is_enterprise_user:
        enterprise_id, source = actor.enterprise_id, "self_report"
    else:
        if not data.get("enterprise_id"):
            raise field_error("enterprise_id", "请选择企业")
        enterprise_id = get_scoped(Enterprise, data["enterprise_id"], actor, message="企业不存在或不在管辖范围内").id
        source = data.get("source") or "regulator"
    severity = data["severity"]
    if severity not in SEVERITIES:
        raise field_error("severity", "应为一般、较重或重大")
    days = data.get("deadline_days") or default_days(severity)
    deadline = add_days(today_local(), int(days))
    problem = Problem(
        enterprise_id=enterprise_id, source=source, title=data["title"], description=data.get("description") or "",
        location=data.get("location") or "", category=data.get("category") or "", severity=severity,
        legal_basis=data.get("legal_basis") or [], recommendation=data.get("recommendation") or "",
        upload_ids=attach_uploads(data.get("upload_ids"), enterprise_id, actor), deadline=deadline,
        original_deadline=deadline, owner_id=actor.id if actor.is_enterprise_user else _owner_for(enterprise_id),
        status=S.OPEN, needs_regulator=severity != "一般" or source != "self_report", created_by_id=actor.id)
    db.session.add(problem)
    db.session.flush()
    label = {"self_report": "企业主动报告", "regulator": "监管发现", "warning": "风险预警转问题"}[source]
    audit.record("problem.opened", "problem", problem.id, enterprise_id=enterprise_id, to_state=S.OPEN,
                 comment=label)
    events.problem_opened.send(problem)
    return problem


def open_problems_for_selfcheck(selfcheck, items, answers, user, findings=None) -> list[Problem]:
    """One problem per non-compliant item, with the item's legal basis and time limit.

    A 管理建议 item (statutory false) is not a violation of law and opens no problem; a judgement's finding
    (e.g. an expired permit: 重大, stop at once) overrides the item's severity, advice and time limit.
    """
    today = local_date(utcnow())
    problems, repeated = [], []
    still_open = {p.item_code: p for p in db.session.scalars(select(Problem).where(
        Problem.enterprise_id == selfcheck.enterprise_id, Problem.source == "selfcheck",
        Problem.item_code.is_not(None), Problem.status.not_in(CLOSED)).order_by(Problem.id))}
    for item in items:
        answer = answers.get(item.id)
        if answer is None or answer.result != "non_compliant" or item.statutory is False:
            continue
        finding = (findings or {}).get(item.id)
        observed = "；".join(p for p in (f"填写值：{answer.value}{item.unit or ''}" if answer.value else "",
                                         *(finding.notes if finding else ()), answer.note or "") if p)
        earlier = still_open.get(item.code)
        if earlier is not None:  # 重复发现: the same problem, seen again — not a second one
            earlier.repeat_count = (earlier.repeat_count or 0) + 1
            earlier.upload_ids = list(dict.fromkeys([*(earlier.upload_ids or []), *(answer.upload_ids or [])]))
            repeated.append((earlier, observed))
            problems.append(earlier)
            continue
        severity = (finding.severity if finding else None) or item.severity
        days = (finding.time_limit_days if finding else None) or item.time_limit_days or default_days(severity)
        deadline = add_days(today, days)
        problem = Problem(
            enterprise_id=selfcheck.enterprise_id, source="selfcheck", selfcheck_id=selfcheck.id,
            item_id=item.id, item_code=item.code, title=(item.finding or item.question)[:200], description=observed,
            category=item.section_title, severity=severity, legal_basis=item.legal_basis,
            recommendation=(finding.recommendation if finding else None) or item.recommendation,
            upload_ids=list(answer.upload_ids or []),
            deadline=deadline, original_deadline=deadline, owner_id=user.id,
            status=S.OPEN, needs_regulator=severity != "一般", created_by_id=user.id)
        db.session.add(problem)
        problems.append(problem)
    db.session.flush()
    again = {p.id for p, _ in repeated}
    for problem in problems:
        if problem.id not in again:
            audit.record("problem.opened", "problem", problem.id, enterprise_id=problem.enterprise_id,
                         to_state=S.OPEN, comment=f"自查发现：{problem.item_code}")
    for problem, observed in repeated:
        audit.record("problem.repeated", "problem", problem.id, enterprise_id=problem.enterprise_id,
                     comment=f"重复发现（{selfcheck.period_label or selfcheck.title}自查，第{problem.repeat_count + 1}次）"
                             + (f"：{observed}" if observed else ""))
    return problems


# --- transitions ---------------------------------------------------------------------------

def accept(actor: User, problem_id: int, plan: str | None, target_date: date | None) -> Problem:
    """Enterprise accepts the problem and starts rectifying (optionally with a plan)."""
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "accept")
    if target_date and target_date < today_local():
        raise field_error("target_date", "计划完成日期不能早于今天")
    problem.plan, problem.target_date = plan, target_date
    _transition(problem, S.RECTIFYING, "accepted", plan)
    return problem


def _sample_key() -> bytes:
    return (current_app.config.get("SAMPLE_SECRET") or current_app.config["SECRET_KEY"]).encode()


def new_sample_nonce() -> str:
    return secrets.token_hex(16)


def sample_draw(rectification: Rectification) -> float:
    """The 抽样核查 draw in [0, 1): HMAC-SHA256 of the rectification's own random nonce under a server secret.

    The enterprise can neither predict it (no secret) nor steer it (ids and other filings do not enter it);
    an auditor with the secret recomputes it from the stored nonce and compares with `sample_value`.
    """
    digest = hmac.new(_sample_key(), f"ecocheck-sample:{rectification.sample_nonce}".encode(),
                      hashlib.sha256).hexdigest()
    return int(digest[:13], 16) / float(16 ** 13)


def sample_draw_holds(rectification: Rectification) -> bool:
    """Audit: does the recorded draw match a recomputation with the server secret?"""
    if rectification.sample_nonce is None or rectification.sample_value is None:
        return False
    return abs(sample_draw(rectification) - rectification.sample_value) < 1e-12


def submit_rectification(actor: User, problem_id: int, description: str, upload_ids: list[int],
                         before_upload_ids: list[int]) -> Problem:
    """限时整改反馈: evidence goes to review, or closes a 一般 problem unless sampled."""
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "submit_rectification")
    if not description.strip():
        raise field_error("description", "请填写整改情况")
    after = attach_uploads(upload_ids, problem.enterprise_id, actor)
    if not after:
        raise field_error("upload_ids", "请至少上传一张整改后照片")
    before = attach_uploads(before_upload_ids, problem.enterprise_id, actor, "before_upload_ids")
    rectification = Rectification(problem_id=problem.id, description=description, upload_ids=after,
                                  before_upload_ids=before, submitted_by_id=actor.id, submitted_at=utcnow())
    db.session.add(rectification)
    db.session.flush()
    if problem.status == S.OPEN:
        _transition(problem, S.RECTIFYING, "accepted", "提交整改时自动接受")
    problem.submitted_at = rectification.submitted_at
    rate = self_close_sample_rate(problem)
    if problem.needs_regulator:
        _transition(problem, S.SUBMITTED, "rectification_submitted", description[:200])
        return problem
    rectification.sample_nonce = new_sample_nonce()
    draw = rectification.sample_value = sample_draw(rectification)
    problem.sampled = rectification.sampled = draw < rate
    if problem.sampled:
        _transition(problem, S.SUBMITTED, "rectification_submitted",
                    f"抽样核查：抽样值 {draw:.4f} < 抽样比例 {rate:.2f}，转监管核查")
    else:
        problem.closed_at = utcnow()
        _transition(problem, S.SELF_CLOSED, "self_closed",
                    f"一般问题凭整改材料自行销号（抽样值 {draw:.4f} ≥ 抽样比例 {rate:.2f}）")
    return problem


def review(actor: User, problem_id: int, decision: str, comment: str | None) -> Problem:
    """整改核查: approve (核查通过，销号) or return with a reason."""
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "review")
    if decision == "return" and not (comment or "").strip():
        raise field_error("comment", "退回时必须填写理由")
    rectification = db.session.scalar(select(Rectification).where(
        Rectification.problem_id == problem.id).order_by(Rectification.id.desc()).limit(1))
    if rectification is not None:
        rectification.decision, rectification.comment = decision, comment
        rectification.reviewed_by_id, rectification.reviewed_at = actor.id, utcnow()
    if decision == "approve":
        problem.closed_at = utcnow()
        _transition(problem, S.VERIFIED, "verified", comment or "核查通过，销号")
    else:
        _transition(problem, S.RECTIFYING, "returned", comment)
    return problem


def request_extension(actor: User, problem_id: int, days: int, reason: str) -> Problem:
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "request_extension")
    if not reason.strip():
        raise field_error("reason", "请填写延期理由")
    limits = _pack(problem)["extension"]
    if days > int(limits["max_days"]):
        raise field_error("days", f"单次申请延期不超过{int(limits['max_days'])}天")
    asked = db.session.scalar(select(func.count()).select_from(ExtensionRequest).where(
        ExtensionRequest.problem_id == problem.id)) or 0
    if limits.get("max_requests") is not None and asked >= int(limits["max_requests"]):
        raise Conflict(f"每个问题最多申请延期{int(limits['max_requests'])}次", code="extension_limit")
    db.session.add(ExtensionRequest(problem_id=problem.id, days=days, reason=reason,
                                    previous_status=problem.status, requested_by_id=actor.id))
    _transition(problem, S.EXTENSION_REQUESTED, "extension_requested", f"申请延期{days}天：{reason}")
    return problem


def decide_extension(actor: User, problem_id: int, approve: bool, new_deadline: date | None,
                     comment: str | None) -> Problem:
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "decide_extension")
    request = db.session.scalar(select(ExtensionRequest).where(
        ExtensionRequest.problem_id == problem.id, ExtensionRequest.approved.is_(None)
    ).order_by(ExtensionRequest.id.desc()).limit(1))
    if request is None:
        raise Conflict("没有待审批的延期申请", code="invalid_transition")
    if approve:
        new_deadline = new_deadline or problem.deadline + timedelta(days=request.days)
        if new_deadline <= problem.deadline:
            raise field_error("new_deadline", "新期限应晚于原期限")
        problem.deadline = new_deadline
    request.approved, request.new_deadline, request.comment = approve, new_deadline if approve else None, comment
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    verdict = f"同意延期至{new_deadline}" if approve else "不同意延期"
    _transition(problem, request.previous_status, "extension_decided", f"{verdict}。{comment or ''}".strip("。"))
    return problem


def cancel(actor: User, problem_id: int, reason: str) -> Problem:
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "cancel")
    if not reason.strip():
        raise field_error("reason", "请填写撤销理由")
    problem.closed_at = utcnow()
    _transition(problem, S.CANCELLED, "cancelled", reason)
    return problem


def require_review(actor: User, problem_id: int, comment: str | None) -> Problem:
    """The regulator asks to see a 一般 problem's rectification before it closes."""
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "require_review")
    problem.needs_regulator = True
    audit.record("problem.review_required", "problem", problem.id, enterprise_id=problem.enterprise_id,
                 from_state=problem.status, to_state=problem.status, comment=comment or "监管要求核查")
    return problem


def reopen(actor: User, problem_id: int, reason: str) -> Problem:
    """Reopen a self-closed problem within 30 days (e.g. evidence found insufficient)."""
    problem = get_problem(actor, problem_id, lock=True)
    _ensure(problem, actor, "reopen")
    if not reason.strip():
        raise field_error("reason", "请填写重新打开的理由")
    problem.closed_at = None
    problem.needs_regulator = True
    _transition(problem, S.RECTIFYING, "reopened", reason)
    return problem


__all__ = ["CLOSED", "report_problem", "open_problems_for_selfcheck", "allowed_actions",
           "accept", "submit_rectification", "review", "request_extension", "decide_extension", "cancel",
           "require_review", "reopen", "get_problem"]


def open_rule_problem(enterprise_id: int, *, source: str, title: str, description: str, category: str,
                      severity: str, legal_basis: list, recommendation: str, days: int, today: date) -> Problem:
    """A problem opened by a rule with no acting user (e.g. a missed statutory date): the regulator reviews it."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity}")
    deadline = add_days(today, days)
    problem = Problem(
        enterprise_id=enterprise_id, source=source, title=title[:200], description=description, category=category,
        severity=severity, legal_basis=legal_basis, recommendation=recommendation, upload_ids=[],
        deadline=deadline, original_deadline=deadline, owner_id=_owner_for(enterprise_id), status=S.OPEN,
        needs_regulator=True, created_by_id=None)
    db.session.add(problem)
    db.session.flush()
    audit.record("problem.opened", "problem", problem.id, enterprise_id=enterprise_id, to_state=S.OPEN,
                 comment=f"规则发现：{title[:80]}")
    return problem
