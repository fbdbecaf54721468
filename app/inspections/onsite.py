"""On site (一表通查, 一证式): the composed checklist, recorded results, findings → problems, result notice."""
from sqlalchemy import select

from app.accounts.models import User
from app.common import audit
from app.common.errors import ValidationFailed, field_error
from app.common.timeutil import add_working_days, isoformat, local_date, utcnow
from app.evidence.models import Upload
from app.extensions import db
from app.inspections import rules
from app.inspections.models import RESULTS, Inspection
from app.inspections.service import ensure, get_inspection, transition
from app.remediation.models import CLOSED, Problem
from app.remediation.service import report_problem
from app.reports.models import Report
from app.selfcheck.library import compose, latest_published
from app.selfcheck.models import ChecklistItem, ChecklistTemplate

PERMIT_CODE = "PERMIT"


def checklist(insp: Inspection) -> list[dict]:
    """Statutory items of the full library that apply to the enterprise, plus the permit's own conditions."""
    enterprise = insp.enterprise
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "FULL"))
    version = latest_published(template.id) if template else None
    items = []
    if version is not None:
        ids = compose(version, enterprise)
        by_id = {i.id: i for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(ids)))}
        for item_id in ids:
            i = by_id[item_id]
            if not i.statutory:
                continue  # a 管理建议 is no matter for law enforcement
            items.append({"code": i.code, "section": i.section_title, "question": i.question, "guidance": i.guidance,
                          "severity": i.severity, "legal_basis": i.legal_basis, "item_id": i.id})
    if enterprise.permit_no:
        items.append({"code": PERMIT_CODE, "section": "排污许可（一证式检查）",
                      "question": f"是否按排污许可证（{enterprise.permit_no}）载明的排放口、污染物种类、浓度和总量限值、"
                                  "自行监测及台账记录要求排污", "guidance": "逐项核对许可证副本的许可事项和管理要求",
                      "severity": "较重", "item_id": None,
                      "legal_basis": [{"law": "排污许可管理条例", "article": "第十七条", "excerpt": "", "certainty": "知"}]})
    return items


def context(insp: Inspection) -> dict:
    """What the enterprise already found: its latest self-check report and its open problems."""
    report = db.session.scalar(select(Report).where(Report.enterprise_id == insp.enterprise_id, Report.revoked.is_(False))
                               .order_by(Report.issued_at.desc()).limit(1))
    problems = db.session.scalars(select(Problem).where(Problem.enterprise_id == insp.enterprise_id,
                                                        Problem.status.not_in(CLOSED))
                                  .order_by(Problem.deadline).limit(50)).unique().all()
    return {"latest_report": {"id": report.id, "number": report.number, "score": report.score, "grade": report.grade,
                              "issued_at": isoformat(report.issued_at)} if report else None,
            "open_problems": [{"id": p.id, "title": p.title, "severity": p.severity, "status": p.status,
                               "deadline": p.deadline.isoformat()} for p in problems]}


def save_results(user: User, inspection_id: int, entries: list[dict]) -> Inspection:
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "record")
    items = {i["code"]: i for i in checklist(insp)}
    current = {r["item_code"]: r for r in insp.results or []}
    for index, entry in enumerate(entries):
        code = entry["item_code"]
        if code not in items:
            raise ValidationFailed(f"第{index + 1}项：检查项 {code} 不在本次检查表中", code="unknown_item",
                                   details={"fields": {"results": [f"检查项 {code} 不在本次检查表中"]}})
        uploads = list(dict.fromkeys(entry.get("upload_ids") or []))
        if uploads:
            usable = set(db.session.scalars(select(Upload.id).where(
                Upload.id.in_(uploads), (Upload.enterprise_id == insp.enterprise_id) | (Upload.uploaded_by_id == user.id))))
            if set(uploads) - usable:
                raise field_error("upload_ids", "照片不存在或无权使用")
        current[code] = {"item_code": code, "result": entry["result"], "note": entry.get("note") or "",
                         "severity": entry.get("severity") or items[code]["severity"], "upload_ids": uploads,
                         "recorded_by_id": user.id}
    insp.results = [current[c] for c in items if c in current]
    audit.record("inspection.results_recorded", "inspection", insp.id, enterprise_id=insp.enterprise_id,
                 from_state=insp.status, to_state=insp.status, comment=f"记录{len(entries)}项检查结果")
    return insp


def complete(user: User, inspection_id: int, summary: str) -> Inspection:
    """End the visit: each non-compliant result becomes a problem (source 执法检查); tell the enterprise."""
    insp = get_inspection(user, inspection_id, lock=True)
    ensure(insp, user, "complete")
    if not summary.strip():
        raise field_error("summary", "请填写检查结果")
    items = {i["code"]: i for i in checklist(insp)}
    library = {i.id: i for i in db.session.scalars(select(ChecklistItem).where(
        ChecklistItem.id.in_([i["item_id"] for i in items.values() if i["item_id"]])))} if items else {}
    problem_ids = []
    for result in insp.results or []:
        if result["result"] != "non_compliant":
            continue
        item = items.get(result["item_code"]) or {}
        lib = library.get(item.get("item_id"))
        problem = report_problem(user, {
            "enterprise_id": insp.enterprise_id, "source": "regulator", "title": (item.get("question") or "")[:200],
            "description": result.get("note") or "", "severity": result["severity"],
            "category": item.get("section") or "", "legal_basis": item.get("legal_basis") or [],
            "recommendation": lib.recommendation if lib else "", "upload_ids": result.get("upload_ids") or [],
            "deadline_days": lib.time_limit_days if lib and lib.time_limit_days else None})
        problem.source, problem.item_id, problem.item_code = "inspection", item.get("item_id"), result["item_code"]
        problem_ids.append(problem.id)
        audit.record("problem.from_inspection", "problem", problem.id, enterprise_id=insp.enterprise_id,
                     from_state=problem.status, to_state=problem.status, comment=f"执法检查发现：{insp.number}")
    insp.problem_ids, insp.summary, insp.completed_at = problem_ids, summary.strip(), utcnow()
    transition(insp, "complete", f"检查结束，发现问题{len(problem_ids)}个")
    _notify_result(insp)
    return insp


def result_due(insp: Inspection):
    """Changzhi 6 (检查结束后及时反馈): the result reaches the enterprise within N working days of the visit."""
    if insp.started_at is None:
        return None
    days = int(rules.rules_for(insp.unit_code).get("result_feedback_working_days", 5))
    return add_working_days(max(insp.end_date, local_date(insp.started_at)), days)


def _notify_result(insp: Inspection) -> None:
    from app.notify.service import notify

    recipients = list(db.session.scalars(select(User.id).where(User.enterprise_id == insp.enterprise_id,
                                                               User.active.is_(True))))
    found = f"发现问题{len(insp.problem_ids)}个，请按期整改" if insp.problem_ids else "未发现问题"
    notify(recipients, "inspection_result", "inspection", insp.id, "completed",
           f"执法检查结果：{insp.number}", f"{rules.unit_name(insp.unit_code)}已完成入企执法检查，{found}。"
           f"检查结果：{insp.summary[:200]}", f"/ent/inspections/{insp.id}", enterprise_id=insp.enterprise_id)


__all__ = ["RESULTS", "checklist", "context", "save_results", "complete"]
