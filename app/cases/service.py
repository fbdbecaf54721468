"""Cases (案件): opening, and one transition table for 立案 → 调查 → 告知 → 决定 → 执行 → 整改验收 → 结案.

Regulators act (scope checked when the case is fetched); enterprise users only read their own cases.
A decision always carries an order to correct (a problem through app/remediation): 不得以罚代管, 免罚不免责.
"""
import uuid

from sqlalchemy import func, select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped, scoped
from app.cases import evaluation, rules
from app.cases.discretion import suggest
from app.cases.models import DECISIONS, PENALISING, STATUS_LABELS, Case, CaseStatus
from app.common import audit
from app.common.errors import Conflict, Forbidden, field_error
from app.common.lifecycle import Lifecycle, Step
from app.common.timeutil import today_local, utcnow
from app.evidence.models import Upload
from app.extensions import db
from app.notify.service import notify
from app.remediation import service as remediation
from app.remediation.models import CLOSED, Problem, ProblemStatus
from app.supervision import decisions as supervision
from app.supervision.models import CREDIT_CATEGORIES, Penalty

S = CaseStatus
LIFECYCLE = Lifecycle(
    kind="case", noun="案件", labels=STATUS_LABELS,
    steps={
        "investigate": Step("regulator", (S.FILED,), S.INVESTIGATING),
        "notify": Step("regulator", (S.INVESTIGATING,), S.NOTIFIED),
        "decide": Step("regulator", (S.NOTIFIED,), S.DECIDED),
        "issue_documents": Step("regulator", (S.DECIDED,), S.EXECUTING),
        "verify_rectification": Step("regulator", (S.EXECUTING,), S.RECTIFICATION_VERIFIED),
        "close": Step("regulator", (S.RECTIFICATION_VERIFIED,), S.CLOSED),
        "withdraw": Step("regulator", (S.FILED, S.INVESTIGATING, S.NOTIFIED), S.WITHDRAWN),
    },
    sides={"regulator": lambda _case, user: user.is_regulator or user.is_sysadmin},
    refusals={"regulator": "只有监管人员可以办理案件"},
)

EDITABLE = (S.FILED, S.INVESTIGATING, S.NOTIFIED)
ABBR = {"23": "黑", "14": "晋"}


def _is_regulator(user: User) -> bool:
    return user.is_regulator or user.is_sysadmin


def allowed_actions(case: Case, user: User) -> list[str]:
    return LIFECYCLE.allowed_actions(case, user)


def get_case(user: User, case_id: int) -> Case:
    return get_scoped(Case, case_id, user, message="未找到该案件")


def _regulator_case(user: User, case_id: int, action: str) -> Case:
    case = get_case(user, case_id)
    LIFECYCLE.ensure(case, user, action)
    return case


def _transition(case: Case, action: str, comment: str | None = None) -> None:
    LIFECYCLE.move(case, action, comment=comment)


def _notify_enterprise(case: Case, stage: str, title: str, body: str) -> None:
    recipients = list(db.session.scalars(select(User.id).where(User.enterprise_id == case.enterprise_id,
                                                               User.active.is_(True))))
    if recipients:
        notify(recipients, "case", "case", case.id, stage, title, body, f"/ent/cases/{case.id}",
               enterprise_id=case.enterprise_id)


def doc_numbers(case: Case) -> dict:
    """The four documents' numbers (四书): one series per kind, numbered by the case id."""
    abbr = ABBR.get(case.province[:2], "")
    year = (case.documents_issued_on or case.decided_on or today_local()).year
    decision = "环不罚" if case.decision == "no_penalty" else "环罚"
    return {"decision": case.decision_no or f"{abbr}{decision}〔{year}〕{case.id}号",
            "compliance": f"{abbr}环守建〔{year}〕{case.id}号", "study": f"{abbr}环学建〔{year}〕{case.id}号",
            "credit": f"{abbr}环信告〔{year}〕{case.id}号"}


# --- opening ---------------------------------------------------------------------------------

def _uploads(ids: list[int], enterprise_id: int, actor: User) -> list[int]:
    ids = list(dict.fromkeys(ids or []))
    if not ids:
        return []
    found = db.session.scalars(select(Upload).where(Upload.id.in_(ids))).all()
    usable = {u.id for u in found if u.enterprise_id == enterprise_id
              or (u.enterprise_id is None and u.uploaded_by_id == actor.id)}
    unknown = [i for i in ids if i not in usable]
    if unknown:
        raise field_error("evidence_upload_ids", f"证据文件不存在或无权使用：{unknown}")
    return ids


def _check_violation(province: str, code: str | None) -> str | None:
    if code is None:
        return None
    if rules.violation(province, code) is None:
        raise field_error("violation_code", "不在本省违法行为目录中")
    return code


def open_case(actor: User, data: dict) -> Case:
    """立案 from a problem, a penalty record, an inspection finding, a clue, a monitoring alarm or on the spot."""
    if not _is_regulator(actor):
        raise Forbidden("只有监管人员可以立案")
    problem = penalty = None
    if data.get("problem_id"):
        problem = get_scoped(Problem, data["problem_id"], actor, message="问题不存在或不在管辖范围内")
    if data.get("penalty_id"):
        penalty = get_scoped(Penalty, data["penalty_id"], actor, message="处罚记录不存在或不在管辖范围内")
        if db.session.scalar(select(Case.id).where(Case.penalty_id == penalty.id)):
            raise Conflict("该处罚记录已有案件", code="duplicate_case")
    enterprise_id = (problem.enterprise_id if problem else penalty.enterprise_id if penalty
                     else data.get("enterprise_id"))
    if not enterprise_id:
        raise field_error("enterprise_id", "请选择企业，或从问题、处罚记录立案")
    enterprise = get_scoped(Enterprise, enterprise_id, actor, message="企业不存在或不在管辖范围内")
    for other in (problem, penalty):
        if other is not None and other.enterprise_id != enterprise.id:
            raise field_error("enterprise_id", "与关联记录的企业不一致")
    province = rules.province_of(enterprise.region_code)
    code = _check_violation(province, data.get("violation_code"))
    if code is None and penalty is None:
        raise field_error("violation_code", "请从违法行为目录中选择")
    source = ("problem" if problem else "penalty" if penalty else "finding" if data.get("finding_id")
              else "clue" if data.get("clue_id") else "alarm" if data.get("alarm_id") else "regulator")
    violation = rules.violation(province, code) or {}
    case = Case(number=f"tmp-{uuid.uuid4().hex}", enterprise_id=enterprise.id, province=province, status=S.FILED,
                source=source, problem_id=problem.id if problem else None,
                penalty_id=penalty.id if penalty else None, finding_id=data.get("finding_id"),
                clue_id=data.get("clue_id"), alarm_id=data.get("alarm_id"), violation_code=code,
                violation_title=violation.get("title", "") or (penalty.description[:200] if penalty else ""),
                facts=data.get("facts") or "", circumstances=data.get("circumstances") or {},
                factors=data.get("factors") or {},
                evidence_upload_ids=_uploads(data.get("evidence_upload_ids"), enterprise.id, actor),
                discovered_on=data.get("discovered_on") or (penalty.decided_on if penalty else today_local()),
                opened_by_id=actor.id, opened_at=utcnow())
    if penalty is not None:  # a recorded penalty is already decided
        case.status, case.decision, case.decision_no = S.DECIDED, "punish", penalty.decision_no
        case.decided_on, case.amount, case.credit_category = penalty.decided_on, penalty.amount, \
            penalty.credit_category
        case.rectification_problem_id = next(iter(penalty.problem_ids or []), None)
    db.session.add(case)
    db.session.flush()
    case.number = f"{ABBR.get(province[:2], '')}环案〔{case.discovered_on.year}〕{case.id}号"
    db.session.flush()
    audit.record("case.filed", "case", case.id, enterprise_id=enterprise.id, to_state=case.status,
                 comment=f"立案（来源：{source}）{case.violation_title}")
    return case


def record_penalty(actor: User, enterprise_id: int, data: dict) -> Penalty:
    """A penalty decided outside EcoCheck (a paper case file) is recorded together with its case (status 决定),
    so eligibility, credit repair and the case list read one source; 执行 → 整改验收 → 结案 follow on the case."""
    penalty = supervision.record_penalty(actor, enterprise_id, data)
    open_case(actor, {"penalty_id": penalty.id, "facts": penalty.description})
    return penalty


def update_case(actor: User, case_id: int, data: dict) -> Case:
    case = get_case(actor, case_id)
    if not _is_regulator(actor):
        raise Forbidden("只有监管人员可以办理案件")
    if case.status not in EDITABLE:
        raise Conflict("案件已作出决定，案情不能再修改", code="invalid_transition", details={"status": case.status})
    changed = []
    if "violation_code" in data:
        case.violation_code = _check_violation(case.province, data["violation_code"])
        case.violation_title = (rules.violation(case.province, case.violation_code) or {}).get("title", "")
        changed.append("违法行为")
    if "evidence_upload_ids" in data:
        case.evidence_upload_ids = _uploads(data["evidence_upload_ids"], case.enterprise_id, actor)
        changed.append("证据")
    for name, label in (("facts", "案情"), ("circumstances", "情节"), ("factors", "裁量因子"),
                        ("discovered_on", "发现日期")):
        if name in data and data[name] is not None:
            setattr(case, name, data[name])
            changed.append(label)
    db.session.flush()
    audit.record("case.updated", "case", case.id, enterprise_id=case.enterprise_id, comment="、".join(changed))
    return case


def list_cases(user: User, args: dict):
    stmt = scoped(select(Case), user, Case)
    for name in ("status", "enterprise_id", "violation_code"):
        if args.get(name):
            stmt = stmt.where(getattr(Case, name) == args[name])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    items = db.session.scalars(stmt.order_by(Case.opened_at.desc(), Case.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).unique().all()
    return items, total


# --- transitions -----------------------------------------------------------------------------

def investigate(actor: User, case_id: int, comment: str | None) -> Case:
    case = _regulator_case(actor, case_id, "investigate")
    _transition(case, "investigate", comment or "开展调查")
    return case


def notify_party(actor: User, case_id: int, comment: str | None) -> Case:
    """告知: the party is told the facts, grounds and its rights (陈述、申辩、听证)."""
    case = _regulator_case(actor, case_id, "notify")
    if not case.violation_code:
        raise field_error("violation_code", "告知前须确定违法行为")
    _transition(case, "notify", comment or "已告知拟作出决定的事实、理由、依据及陈述申辩权利")
    _notify_enterprise(case, "notified", "行政处罚事先告知", f"案件{case.number}：{case.violation_title}。"
                       "您有权进行陈述和申辩。")
    return case


def _order_problem(actor: User, case: Case, severity: str, days: int | None) -> Problem:
    """The order to correct: the open problem the case came from, else a new regulator problem."""
    linked = db.session.get(Problem, case.problem_id) if case.problem_id else None
    if linked is not None and linked.status != ProblemStatus.CANCELLED:
        return linked
    violation = rules.violation(case.province, case.violation_code) or {}
    basis = [{"law": v["law"], "article": v["article"], "checked": bool(v.get("checked"))}
             for v in (violation.get("violated"), violation.get("penalty")) if v]
    return remediation.report_problem(actor, {
        "enterprise_id": case.enterprise_id, "title": f"责令改正：{case.violation_title}"[:200],
        "description": f"案件{case.number}：{case.facts}"[:5000], "severity": severity, "category": "行政执法",
        "legal_basis": basis, "recommendation": violation.get("compliant_practice", ""), "upload_ids": [],
        "source": "regulator", "deadline_days": days})


def decide(actor: User, case_id: int, data: dict) -> Case:
    """决定: 处罚 / 不予处罚 / 从轻 / 减轻 — the regulator's choice, recorded with the suggestion beside it."""
    case = _regulator_case(actor, case_id, "decide")
    kind = data["decision"]
    entry_id = data.get("list_entry_id")
    if entry_id:
        entries = {e["entry_id"]: e for e in evaluation.evaluate(case)["entries"]}
        if entry_id not in entries:
            raise field_error("list_entry_id", "该清单事项不适用于本案的违法行为")
    if kind == "no_penalty":
        if not (data.get("education") or "").strip():
            raise field_error("education", "不予处罚的，应当对当事人进行教育（行政处罚法第三十三条），请填写教育情况")
        case.amount, case.credit_category = 0, None
    else:
        _check_amount(case, kind, data)
    case.decision, case.list_entry_id, case.education = kind, entry_id, data.get("education")
    case.decided_on = today_local()
    severity = data.get("severity") or ("一般" if kind == "no_penalty" else "较重")
    problem = _order_problem(actor, case, severity, data.get("deadline_days"))
    case.rectification_problem_id = problem.id
    case.decision_no = doc_numbers(case)["decision"]
    if kind in PENALISING:
        penalty = supervision.record_penalty(actor, case.enterprise_id, {
            "decision_no": case.decision_no, "decided_on": case.decided_on, "amount": case.amount,
            "credit_category": case.credit_category, "problem_ids": [problem.id],
            "description": f"案件{case.number}：{case.violation_title}"})
        case.penalty_id = penalty.id
    db.session.flush()
    amount = f"，罚款{case.amount:,.0f}元" if kind in PENALISING else ""
    _transition(case, "decide", f"{DECISIONS[kind]}{amount}" + (f"（清单事项 {entry_id}）" if entry_id else "")
                + (f"；偏离建议理由：{case.amount_reason}" if case.amount_reason else ""))
    return case


def _check_amount(case: Case, kind: str, data: dict) -> None:
    if data.get("amount") is None:
        raise field_error("amount", "请填写罚款金额")
    if data.get("credit_category") not in CREDIT_CATEGORIES:
        raise field_error("credit_category", "请选择失信类别")
    amount = float(data["amount"])
    violation = rules.violation(case.province, case.violation_code) or {}
    fine_range = violation.get("fine_range")
    if fine_range:
        low, high = float(fine_range[0]), float(fine_range[1])
        if kind == "mitigated" and low > 0 and amount >= low:
            raise field_error("amount", f"减轻处罚应低于法定最低罚款{low:,.0f}元")
        if kind != "mitigated" and not low <= amount <= high:
            raise field_error("amount", f"应在法定幅度{low:,.0f}–{high:,.0f}元之内")
    suggestion = suggest(case)
    case.suggested_amount = suggestion.get("amount")
    outside = suggestion.get("available") and not (suggestion["band"][0] <= amount <= suggestion["band"][1])
    reason = (data.get("amount_reason") or "").strip()
    if outside and not reason:
        raise field_error("amount_reason", f"金额不在建议区间{suggestion['band'][0]:,.0f}–{suggestion['band'][1]:,.0f}"
                                           "元内，请说明理由")
    case.amount, case.amount_reason, case.credit_category = amount, reason or None, data["credit_category"]


def issue_documents(actor: User, case_id: int, comment: str | None) -> Case:
    """四书同达: the four documents are numbered, dated and served; execution begins."""
    case = _regulator_case(actor, case_id, "issue_documents")
    case.documents_issued_on = today_local()
    _transition(case, "issue_documents", comment or "四书同达：决定书、守法建议书、学法建议书、信用修复告知书已送达")
    _notify_enterprise(case, "documents", "案件文书已送达", f"案件{case.number}的决定书、守法建议书、学法建议书和"
                       "信用修复告知书已送达，请在案件页面下载。")
    return case


def verify_rectification(actor: User, case_id: int, comment: str | None) -> Case:
    """整改验收: the order to correct is verified (approving it here if it waits for review); 罚后帮扶 notice."""
    case = _regulator_case(actor, case_id, "verify_rectification")
    problem = evaluation.order_problem(case)
    if problem is not None and problem.status == ProblemStatus.SUBMITTED:
        problem = remediation.review(actor, problem.id, "approve", comment or f"案件{case.number}整改验收")
    if problem is not None and problem.status not in (ProblemStatus.VERIFIED, ProblemStatus.SELF_CLOSED):
        raise Conflict(f"责令改正的问题尚未整改完成（{problem.status}），不能验收", code="rectification_pending",
                       details={"problem_id": problem.id, "problem_status": problem.status})
    _transition(case, "verify_rectification", comment or "整改已验收")
    if case.decision in PENALISING:
        _notify_enterprise(case, "repair", "整改已验收，可申请信用修复",
                           f"案件{case.number}的整改已验收。罚款缴纳、最短公示期届满并作出信用承诺后，"
                           "可在“信用修复”中提交申请。")
    else:
        _notify_enterprise(case, "verified", "整改已验收", f"案件{case.number}（不予处罚）的整改已验收。")
    return case


def close(actor: User, case_id: int, paid_on, comment: str | None) -> Case:
    """结案 (销号): a fine must have been paid."""
    case = _regulator_case(actor, case_id, "close")
    penalty = db.session.get(Penalty, case.penalty_id) if case.penalty_id else None
    if penalty is not None and penalty.amount and penalty.paid_on is None:
        if paid_on is None:
            raise field_error("paid_on", "罚款尚未登记缴纳，请填写缴纳日期")
        supervision.update_penalty(actor, case.enterprise_id, penalty.id, {"paid_on": paid_on})
    case.closed_at = utcnow()
    _transition(case, "close", comment or "结案")
    return case


def withdraw(actor: User, case_id: int, reason: str) -> Case:
    case = _regulator_case(actor, case_id, "withdraw")
    if not reason.strip():
        raise field_error("reason", "请填写撤销理由")
    case.closed_at = utcnow()
    _transition(case, "withdraw", reason)
    return case


def rectification_summary(case: Case) -> dict | None:
    problem = evaluation.order_problem(case)
    if problem is None:
        return None
    return {"problem_id": problem.id, "status": problem.status, "deadline": problem.deadline,
            "closed": problem.status in CLOSED}


def regulator_view(user: User, case_id: int) -> Case:
    """Evaluation and discretion are the regulator's working papers: in scope, regulator role."""
    case = get_case(user, case_id)
    if not _is_regulator(user):
        raise Forbidden("只有监管人员可以查看")
    return case
