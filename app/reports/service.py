"""Build, number, list and verify 环保体检报告."""
import hashlib
import json
from datetime import date

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit
from app.common.errors import NotFound
from app.common.links import external_url
from app.common.timeutil import isoformat, local_date, utcnow
from app.extensions import db
from app.remediation.models import Problem
from app.reports.models import Report, ReportCounter
from app.selfcheck import evaluate
from app.selfcheck.models import Answer, SelfCheck, SelfCheckStatus

PERMIT_WARNING_DAYS = 90


def canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest_of(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def next_number(region_code: str, year: int) -> tuple[int, str]:
    """Take the next sequence number; the UPDATE locks the counter row, so concurrent submits queue."""
    for _ in range(3):
        result = db.session.execute(update(ReportCounter).where(
            ReportCounter.region_code == region_code, ReportCounter.year == year,
        ).values(last_seq=ReportCounter.last_seq + 1))
        if result.rowcount:
            seq = db.session.scalar(select(ReportCounter.last_seq).where(
                ReportCounter.region_code == region_code, ReportCounter.year == year))
            break
        try:
            with db.session.begin_nested():
                db.session.add(ReportCounter(region_code=region_code, year=year, last_seq=1))
            seq = 1
            break
        except Exception:  # another submit created the row first: loop and increment it
            continue
    else:
        raise RuntimeError("could not allocate a report number")
    prefix = current_app.config["REPORT_NUMBER_PREFIX"]
    return seq, f"{prefix}-{region_code}-{year}-{seq:06d}"


def _warnings(selfcheck: SelfCheck, enterprise, items, answers, today: date) -> list[dict]:
    warnings = []
    if enterprise.permit_valid_until:
        days = (enterprise.permit_valid_until - today).days
        if days < 0:
            warnings.append({"kind": "permit_expired", "message": f"排污许可证已于{enterprise.permit_valid_until}过期"})
        elif days <= PERMIT_WARNING_DAYS:
            warnings.append({"kind": "permit_expiring",
                             "message": f"排污许可证将于{days}天后（{enterprise.permit_valid_until}）到期，请及时申请延续"})
    overdue = db.session.scalars(select(Problem).where(
        Problem.enterprise_id == enterprise.id, Problem.overdue_clause(today),
        Problem.selfcheck_id.is_distinct_from(selfcheck.id),
    ).order_by(Problem.deadline)).all()
    for problem in overdue:
        warnings.append({"kind": "overdue_rectification",
                         "message": f"往期问题“{problem.title[:40]}”整改已逾期{(today - problem.deadline).days}天"})
    previous = db.session.scalar(select(SelfCheck).where(
        SelfCheck.schedule_id == selfcheck.schedule_id, SelfCheck.status == SelfCheckStatus.SUBMITTED,
        SelfCheck.id != selfcheck.id, SelfCheck.period_key < selfcheck.period_key,
    ).order_by(SelfCheck.period_key.desc()).limit(1))
    if previous is not None:
        failed_now = {item.code for item in items
                      if answers.get(item.id) and answers[item.id].result == "non_compliant"}
        failed_before = set(db.session.scalars(select(Problem.item_code).where(
            Problem.selfcheck_id == previous.id)).all())
        for code in sorted(failed_now & failed_before):
            warnings.append({"kind": "repeated_failure", "message": f"检查项 {code} 连续两期不合格"})
    return warnings


def _previous_report(enterprise_id: int, selfcheck_id: int) -> Report | None:
    return db.session.scalar(select(Report).where(
        Report.enterprise_id == enterprise_id, Report.selfcheck_id != selfcheck_id,
    ).order_by(Report.issued_at.desc(), Report.id.desc()).limit(1))


def issue_report(selfcheck: SelfCheck, items, answers: dict[int, Answer], problems: list[Problem],
                 user: User, signature: dict | None = None) -> Report:
    """Snapshot everything the report shows, inside the submit transaction."""
    enterprise = selfcheck.enterprise
    today = local_date(selfcheck.submitted_at)
    severities = {p.item_id: p.severity for p in problems if p.item_id}  # a judgement's graver finding
    scoring = evaluate.scoring_for(enterprise)
    totals = evaluate.score(items, answers, severities, scoring)
    sections = []
    for code in dict.fromkeys(i.section_code for i in items):
        section_items = [i for i in items if i.section_code == code]
        s = evaluate.score(section_items, answers, severities, scoring)
        sections.append({"code": code, "title": section_items[0].section_title, "score": s["score"],
                         "checked": s["checked"], "compliant": s["compliant"],
                         "non_compliant": s["non_compliant"], "not_applicable": s["not_applicable"]})
    by_item = {i.id: i for i in items}
    previous = _previous_report(enterprise.id, selfcheck.id)
    region_code = enterprise.region_code[:4] + "00"
    year = today.year
    seq, number = next_number(region_code, year)
    snapshot = {
        "number": number,
        "enterprise": {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc,
                       "industry": enterprise.industry_name, "region": enterprise.region.name,
                       "address": enterprise.address, "permit_no": enterprise.permit_no,
                       "permit_class": enterprise.permit_class,
                       "permit_valid_until": enterprise.permit_valid_until.isoformat()
                       if enterprise.permit_valid_until else None},
        "selfcheck": {"id": selfcheck.id, "title": selfcheck.title, "period_label": selfcheck.period_label,
                      "due_date": selfcheck.due_date.isoformat(), "late": selfcheck.late},
        "submitted_by": user.display_name, "submitted_at": isoformat(selfcheck.submitted_at),
        "signature": signature,  # {name, sha256, signed_at} of the responsible person, or None (app/reports/signature)
        "score": totals["score"], "grade": totals["grade"], "grade_label": evaluate.GRADE_LABELS[totals["grade"]],
        "totals": {k: totals[k] for k in ("checked", "compliant", "non_compliant", "not_applicable")},
        "previous": ({"number": previous.number, "score": previous.score, "grade": previous.grade}
                     if previous else None),
        "trend": (None if previous is None else "up" if totals["score"] > previous.score
                  else "down" if totals["score"] < previous.score else "same"),
        "sections": sections,
        "problems": [{
            "problem_id": p.id, "item_code": p.item_code, "question": by_item[p.item_id].question,
            "observed": p.description, "severity": p.severity, "legal_basis": p.legal_basis,
            "recommendation": p.recommendation, "deadline": p.deadline.isoformat(),
            "photo_upload_ids": list(p.upload_ids or []),
        } for p in problems],
        "warnings": _warnings(selfcheck, enterprise, items, answers, today),
        # 管理建议: items without a statutory basis, shown apart, never scored or reported as violations.
        "advice": [{"item_code": i.code, "question": i.question, "recommendation": i.recommendation}
                   for i in items if i.statutory is False
                   and answers.get(i.id) is not None and answers[i.id].result == "non_compliant"],
        "unchecked_citations": sum(1 for i in items for b in (i.legal_basis or []) if not b.get("checked")),
    }
    report = Report(number=number, region_code=region_code, year=year, seq=seq, selfcheck_id=selfcheck.id,
                    enterprise_id=enterprise.id, score=totals["score"], grade=totals["grade"],
                    snapshot=snapshot, digest=digest_of(snapshot), issued_at=utcnow())
    db.session.add(report)
    db.session.flush()
    audit.record("report.issued", "report", report.id, enterprise_id=enterprise.id, to_state="issued",
                 comment=f"{number} 摘要 {report.digest[:16]}")
    return report


def list_reports(user: User, enterprise_id: int | None, page: int, per_page: int):
    stmt = scoped(select(Report), user, Report)
    if enterprise_id:
        stmt = stmt.where(Report.enterprise_id == enterprise_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Report.issued_at.desc(), Report.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def get_report(user: User, report_id: int) -> Report:
    return get_scoped(Report, report_id, user, message="未找到该报告")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="report-verify")


def verify_token(report: Report) -> str:
    return _serializer().dumps([report.id, report.digest[:12]])


def verify_url(report: Report) -> str:
    return external_url(url_for("verify.page", token=verify_token(report)))


def resolve_token(token: str) -> Report:
    """Return the report a token names, if the token is genuine and the report unchanged and unrevoked."""
    try:
        report_id, digest_prefix = _serializer().loads(token)
        report = db.session.get(Report, int(report_id))
    except (BadSignature, ValueError, TypeError):
        raise NotFound("无法验证该报告", code="invalid_token") from None
    if (report is None or report.revoked or report.digest[:12] != digest_prefix
            or digest_of(report.snapshot) != report.digest):
        raise NotFound("无法验证该报告", code="invalid_token")
    return report


def public_summary(report: Report) -> dict:
    snap = report.snapshot
    return {"valid": True, "number": report.number, "enterprise_name": snap["enterprise"]["name"],
            "period_label": snap["selfcheck"]["period_label"], "issued_date": local_date(report.issued_at).isoformat(),
            "score": report.score, "grade": report.grade, "digest": report.digest,
            "signed": bool(snap.get("signature"))}
