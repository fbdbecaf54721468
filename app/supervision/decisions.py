"""State changes: penalty and incident records, positive-list decisions, credit repair, warning handling.

Scope is checked before role (out of scope → 404; in scope but wrong role → 403). Every change is
audited and decisions are notified to the enterprise's users.
"""

from sqlalchemy import select

from app import rules as rules_packs
from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped
from app.common import audit
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from app.common.timeutil import last_day_of_years, today_local, utcnow
from app.evidence.models import Upload
from app.extensions import db
from app.notify.service import notify
from app.remediation.models import Problem, Rectification
from app.reports.models import Report
from app.supervision import dynamic, eligibility
from app.supervision.enterprises import standing_membership
from app.supervision.facts import EnvironmentalCrime
from app.supervision.models import CreditRepairApplication, Incident, Penalty, PositiveListEntry, RiskWarning


def _regulator_enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = get_scoped(Enterprise, enterprise_id, user, message="未找到该企业")
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以执行该操作")
    return enterprise


def _notify_enterprise(enterprise_id: int, kind: str, object_type: str, object_id: int, stage: str,
                       title: str, body: str, link: str) -> None:
    """Tell the enterprise's users (inbox, and push/email where they enabled it)."""
    recipients = list(db.session.scalars(select(User.id).where(User.enterprise_id == enterprise_id,
                                                               User.active.is_(True))))
    if recipients:
        notify(recipients, kind, object_type, object_id, stage, title, body, link)


# --- penalties and incidents ---------------------------------------------------------------

def _check_problem_ids(enterprise_id: int, problem_ids: list[int]) -> list[int]:
    problem_ids = list(dict.fromkeys(problem_ids or []))
    if problem_ids:
        found = set(db.session.scalars(select(Problem.id).where(Problem.id.in_(problem_ids),
                                                                Problem.enterprise_id == enterprise_id)))
        unknown = [i for i in problem_ids if i not in found]
        if unknown:
            raise field_error("problem_ids", f"问题不存在或不属于该企业：{unknown}")
    return problem_ids


def _check_pack_value(enterprise: Enterprise, section: str, key: str, value, field: str, noun: str) -> None:
    """A value the province's pack lists (incident levels, credit categories) — the pack of the enterprise."""
    allowed = list(rules_packs.for_region(enterprise.region_code, section)[key])
    if value is not None and value not in allowed:
        raise field_error(field, f"{noun}应为{'、'.join(allowed)}")


def record_penalty(user: User, enterprise_id: int, data: dict) -> Penalty:
    enterprise = _regulator_enterprise(user, enterprise_id)
    _check_pack_value(enterprise, "credit", "penalty_categories", data.get("credit_category"), "credit_category",
                      "失信类别")
    if db.session.scalar(select(Penalty.id).where(Penalty.decision_no == data["decision_no"])):
        raise Conflict("该处罚决定书文号已登记", code="duplicate_decision_no")
    if data.get("paid_on") and data["paid_on"] < data["decided_on"]:
        raise field_error("paid_on", "缴纳日期不能早于处罚决定日期")
    penalty = Penalty(enterprise_id=enterprise.id, decision_no=data["decision_no"], decided_on=data["decided_on"],
                      amount=data.get("amount") or 0, paid_on=data.get("paid_on"),
                      credit_category=data["credit_category"], description=data.get("description", ""),
                      problem_ids=_check_problem_ids(enterprise.id, data.get("problem_ids")), recorded_by_id=user.id)
    db.session.add(penalty)
    db.session.flush()
    audit.record("penalty.recorded", "penalty", penalty.id, enterprise_id=enterprise.id, to_state="recorded",
                 comment=f"{penalty.decision_no} {penalty.credit_category} 罚款{penalty.amount}元")
    dynamic.check_member(enterprise.id)
    return penalty


def update_penalty(user: User, enterprise_id: int, penalty_id: int, data: dict) -> Penalty:
    enterprise = _regulator_enterprise(user, enterprise_id)
    penalty = db.session.scalar(select(Penalty).where(Penalty.id == penalty_id, Penalty.enterprise_id == enterprise.id))
    if penalty is None:
        raise NotFound("未找到该处罚记录")
    if "credit_category" in data:
        _check_pack_value(enterprise, "credit", "penalty_categories", data["credit_category"], "credit_category",
                          "失信类别")
    changes = []
    if "paid_on" in data:
        if data["paid_on"] and data["paid_on"] < penalty.decided_on:
            raise field_error("paid_on", "缴纳日期不能早于处罚决定日期")
        penalty.paid_on = data["paid_on"]
        changes.append(f"缴纳日期 {data['paid_on'] or '清除'}")
    if "problem_ids" in data:
        penalty.problem_ids = _check_problem_ids(enterprise.id, data["problem_ids"])
        changes.append(f"关联问题 {penalty.problem_ids}")
    for name, label in (("amount", "罚款金额"), ("credit_category", "失信类别"), ("description", "说明")):
        if name in data:
            setattr(penalty, name, data[name])
            changes.append(f"{label} {data[name]}")
    db.session.flush()
    audit.record("penalty.updated", "penalty", penalty.id, enterprise_id=enterprise.id, comment="；".join(changes))
    return penalty


def record_incident(user: User, enterprise_id: int, data: dict) -> Incident:
    enterprise = _regulator_enterprise(user, enterprise_id)
    _check_pack_value(enterprise, "incidents", "levels", data.get("level"), "level", "事件等级")
    incident = Incident(enterprise_id=enterprise.id, occurred_on=data["occurred_on"], level=data["level"],
                        description=data.get("description", ""), recorded_by_id=user.id)
    db.session.add(incident)
    db.session.flush()
    audit.record("incident.recorded", "incident", incident.id, enterprise_id=enterprise.id, to_state="recorded",
                 comment=f"{incident.occurred_on} {incident.level}突发环境事件")
    dynamic.check_member(enterprise.id)
    return incident


def record_crime(user: User, enterprise_id: int, data: dict) -> EnvironmentalCrime:
    """环境犯罪记录: read by the positive list's `no_environmental_crime` fact (近N年无环境犯罪)."""
    enterprise = _regulator_enterprise(user, enterprise_id)
    crime = EnvironmentalCrime(enterprise_id=enterprise.id, decided_on=data["decided_on"],
                               reference=data["reference"], description=data.get("description", ""))
    db.session.add(crime)
    db.session.flush()
    audit.record("crime.recorded", "crime", crime.id, enterprise_id=enterprise.id, to_state="recorded",
                 comment=f"{crime.reference}（{crime.decided_on}）")
    return crime


# --- positive list -------------------------------------------------------------------------

def _failed(result: dict) -> list[dict]:
    return [{"code": c["code"], "label": c["label"], "detail": c["detail"]} for c in result["criteria"]
            if not c["passed"]]


def positive_list_decision(user: User, enterprise_id: int, data: dict) -> PositiveListEntry:
    enterprise = _regulator_enterprise(user, enterprise_id)
    db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise.id).with_for_update())
    today = today_local()
    current = db.session.scalar(select(PositiveListEntry).where(
        PositiveListEntry.enterprise_id == enterprise.id, standing_membership(today)))
    if data["action"] == "admit":
        if current is not None and current.suspended_on is not None:
            raise Conflict("该企业的正面清单资格已暂停，请先确认移出或恢复", code="suspended_member")
        if current is not None:
            raise Conflict(f"该企业已在正面清单内（有效期至{current.valid_until}）", code="already_member")
        result = eligibility.evaluate(enterprise, today)["positive_list"]
        failed = _failed(result)
        if failed and not data.get("override"):
            raise Conflict("该企业不符合纳入正面清单的条件", code="not_eligible", details={"failed": failed})
        if failed and not data.get("override_reason"):
            raise field_error("override_reason", "不符合条件仍要纳入的，须说明理由（至少10个字）")
        years = data.get("valid_years") or int(eligibility.rules_for(enterprise)["positive_list"].get("validity_years", 3))
        entry = PositiveListEntry(enterprise_id=enterprise.id, admitted_on=today,
                                  valid_until=last_day_of_years(today, years),
                                  reason=data["reason"], admitted_by_id=user.id,
                                  override_reason=data["override_reason"] if failed else None,
                                  override_failed=failed or None,
                                  admitted_credit_grade=enterprise.credit_grade)
        db.session.add(entry)
        db.session.flush()
        audit.record("positive_list.admitted", "positive_list", entry.id, enterprise_id=enterprise.id,
                     from_state="none", to_state="member", comment=f"{data['reason']}（有效期至{entry.valid_until}）" + (
                         f"；不符合{'、'.join(f['label'] for f in failed)}，经说明理由纳入：{data['override_reason']}"
                         if failed else ""))
        _notify_enterprise(enterprise.id, "positive_list", "positive_list", entry.id, "admitted",
                           "已纳入监督执法正面清单", f"有效期至{entry.valid_until}。{data['reason']}", "/eligibility")
        return entry
    if current is None:
        raise Conflict("该企业不在正面清单内", code="not_member")
    if data["action"] == "reinstate":
        return _reinstate(user, enterprise, current, data["reason"], today)
    current.removed_on = today
    current.removed_reason = data["reason"]
    current.removed_by_id = user.id
    db.session.flush()
    audit.record("positive_list.removed", "positive_list", current.id, enterprise_id=enterprise.id,
                 from_state="member", to_state="removed", comment=data["reason"])
    _notify_enterprise(enterprise.id, "positive_list", "positive_list", current.id, "removed",
                       "已移出监督执法正面清单", data["reason"], "/eligibility")
    return current


def _reinstate(user: User, enterprise: Enterprise, entry: PositiveListEntry, reason: str, today) -> PositiveListEntry:
    """The regulator checked a suspension and keeps the member: facts up to today are taken as reviewed."""
    if entry.suspended_on is None:
        raise Conflict("该企业的正面清单资格未暂停", code="not_suspended")
    entry.suspended_on = None
    entry.suspension_reasons = [*(entry.suspension_reasons or []), {"trigger": "reinstated", "label": "监管确认恢复",
                                                                   "detail": reason, "evidence_ids": []}]
    entry.reviewed_on, entry.admitted_credit_grade = today, enterprise.credit_grade
    db.session.flush()
    audit.record("positive_list.reinstated", "positive_list", entry.id, enterprise_id=enterprise.id,
                 from_state="suspended", to_state="member", comment=reason)
    _notify_enterprise(enterprise.id, "positive_list", "positive_list", entry.id, f"reinstated@{today}",
                       "正面清单资格已恢复", reason, "/eligibility")
    return entry


# --- credit repair -------------------------------------------------------------------------

def _evidence_pack(enterprise: Enterprise, penalty: Penalty, commitment: str) -> dict:
    problems = db.session.scalars(select(Problem).where(Problem.id.in_(penalty.problem_ids or [-1]),
                                                        Problem.enterprise_id == enterprise.id)).all()
    rects = db.session.scalars(select(Rectification).where(
        Rectification.problem_id.in_([p.id for p in problems] or [-1]), Rectification.decision == "approve")
        .order_by(Rectification.reviewed_at)).all()
    upload_ids = {u for r in rects for u in (r.before_upload_ids or []) + (r.upload_ids or [])}
    hashes = dict(db.session.execute(select(Upload.id, Upload.sha256).where(Upload.id.in_(upload_ids or [-1])))
                  .all())
    reports = db.session.execute(select(Report.number, Report.score, Report.grade, Report.issued_at).where(
        Report.enterprise_id == enterprise.id, Report.revoked.is_(False))
        .order_by(Report.issued_at.desc()).limit(12)).all()

    def photos(ids):
        return [{"upload_id": u, "sha256": hashes.get(u)} for u in ids or []]

    return {
        "penalty": {"id": penalty.id, "decision_no": penalty.decision_no, "decided_on": penalty.decided_on.isoformat(),
                    "amount": float(penalty.amount or 0), "paid_on": penalty.paid_on.isoformat() if penalty.paid_on
                    else None, "credit_category": penalty.credit_category},
        "problems": [{"id": p.id, "title": p.title, "severity": p.severity, "status": p.status,
                      "deadline": p.deadline.isoformat(),
                      "rectifications": [{"id": r.id, "description": r.description,
                                          "before_photos": photos(r.before_upload_ids),
                                          "after_photos": photos(r.upload_ids),
                                          "reviewed_at": r.reviewed_at.isoformat() if r.reviewed_at else None}
                                         for r in rects if r.problem_id == p.id]} for p in problems],
        "reports": [{"number": n, "score": s, "grade": g} for n, s, g, _ in reports],
        "commitment_text": commitment,
    }


def _case_of(penalty_id: int) -> int | None:
    """The case (案件, app/cases) behind a penalty, read through the table so this package does not import it."""
    cases = db.metadata.tables.get("cases")
    if cases is None:
        return None
    return db.session.scalar(select(cases.c.id).where(cases.c.penalty_id == penalty_id))


def apply_credit_repair(user: User, enterprise_id: int, data: dict) -> CreditRepairApplication:
    enterprise = get_scoped(Enterprise, enterprise_id, user, message="未找到该企业")
    if not (user.is_enterprise_user and user.enterprise_id == enterprise.id):
        raise Forbidden("只有本企业用户可以申请信用修复")
    penalty = db.session.scalar(select(Penalty).where(Penalty.id == data["penalty_id"],
                                                      Penalty.enterprise_id == enterprise.id).with_for_update())
    if penalty is None:
        raise field_error("penalty_id", "处罚记录不存在")
    if penalty.repaired_at is not None:
        raise Conflict("该处罚已完成信用修复", code="already_repaired")
    if db.session.scalar(select(CreditRepairApplication.id).where(
            CreditRepairApplication.penalty_id == penalty.id, CreditRepairApplication.status == "submitted")):
        raise Conflict("该处罚已有待审核的信用修复申请", code="pending_application")
    rules = eligibility.rules_for(enterprise)
    facts = eligibility.gather_facts(enterprise, rules=rules)
    result = eligibility.credit_repair(facts, rules, penalty.id, assume_commitment=True)
    if not result["eligible"]:
        raise ValidationFailed("尚不符合信用修复条件", code="not_eligible", details={"failed": _failed(result)})
    application = CreditRepairApplication(
        enterprise_id=enterprise.id, penalty_id=penalty.id, case_id=_case_of(penalty.id),
        commitment_text=data["commitment_text"],
        evidence={**_evidence_pack(enterprise, penalty, data["commitment_text"]), "criteria": result["criteria"]},
        status="submitted", submitted_by_id=user.id, submitted_at=utcnow())
    db.session.add(application)
    db.session.flush()
    audit.record("credit_repair.submitted", "credit_repair", application.id, enterprise_id=enterprise.id,
                 to_state="submitted", comment=f"处罚决定 {penalty.decision_no}")
    return application


def decide_credit_repair(user: User, application_id: int, data: dict) -> CreditRepairApplication:
    application = get_scoped(CreditRepairApplication, application_id, user, message="未找到该信用修复申请")
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以审核信用修复申请")
    if application.status != "submitted":
        raise Conflict("该申请已审核", code="already_decided")
    application.status = "approved" if data["approve"] else "rejected"
    application.decided_by_id = user.id
    application.decided_at = utcnow()
    application.decision_reason = data["reason"]
    if data["approve"]:
        application.penalty.repaired_at = application.decided_at
    db.session.flush()
    audit.record(f"credit_repair.{application.status}", "credit_repair", application.id,
                 enterprise_id=application.enterprise_id, from_state="submitted", to_state=application.status,
                 comment=data["reason"])
    _notify_enterprise(application.enterprise_id, "credit_repair", "credit_repair", application.id,
                       application.status, "信用修复申请已通过" if data["approve"] else "信用修复申请未通过",
                       data["reason"], "/eligibility")
    return application


# --- warnings ------------------------------------------------------------------------------

def _regulator_warning(user: User, warning_id: int) -> RiskWarning:
    warning = get_scoped(RiskWarning, warning_id, user, message="未找到该预警")
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以处理预警")
    if warning.status != "open":
        raise Conflict("该预警已处理", code="already_handled")
    return warning


def acknowledge_warning(user: User, warning_id: int, comment: str | None) -> RiskWarning:
    warning = _regulator_warning(user, warning_id)
    warning.status, warning.handled_by_id, warning.handled_at = "acknowledged", user.id, utcnow()
    warning.comment = comment
    db.session.flush()
    audit.record("warning.acknowledged", "warning", warning.id, enterprise_id=warning.enterprise_id,
                 from_state="open", to_state="acknowledged", comment=comment)
    return warning


def warning_to_problem(user: User, warning_id: int, data: dict) -> RiskWarning:
    """One action: open a problem (via the remediation service) from the warning and mark it converted."""
    from app.remediation import service as remediation

    warning = _regulator_warning(user, warning_id)
    description = warning.detail + (f"\n监管意见：{data['comment']}" if data.get("comment") else "")
    problem = remediation.report_problem(user, {
        "enterprise_id": warning.enterprise_id, "title": warning.title, "description": description,
        "severity": data["severity"], "category": "风险预警", "location": "", "upload_ids": [],
        "source": "warning", "deadline_days": data.get("deadline_days")})
    warning.status, warning.handled_by_id, warning.handled_at = "converted", user.id, utcnow()
    warning.comment, warning.problem_id = data.get("comment"), problem.id
    db.session.flush()
    audit.record("warning.converted", "warning", warning.id, enterprise_id=warning.enterprise_id,
                 from_state="open", to_state="converted", comment=f"转为问题 {problem.id}")
    return warning


def list_credit_repairs(user: User, args: dict, enterprise_id: int | None = None):
    from sqlalchemy import func

    from app.accounts.scoping import scoped

    stmt = scoped(select(CreditRepairApplication), user, CreditRepairApplication)
    enterprise_id = enterprise_id or args.get("enterprise_id")
    if enterprise_id:
        stmt = stmt.where(CreditRepairApplication.enterprise_id == enterprise_id)
    if args.get("status"):
        stmt = stmt.where(CreditRepairApplication.status == args["status"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    items = db.session.scalars(stmt.order_by(CreditRepairApplication.submitted_at.desc(),
                                             CreditRepairApplication.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).unique().all()
    return items, total
