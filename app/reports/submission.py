"""Submitting a self-check, in one transaction: freeze and score it (selfcheck), open a problem per
finding (remediation), issue the 环保体检报告 (reports).

It lives above all three so that each of them imports only downward (docs/architecture.md).
"""
from app.accounts.models import User
from app.common.timeutil import isoformat
from app.extensions import db
from app.remediation.service import open_problems_for_selfcheck
from app.reports import service as reports
from app.reports import signature as signatures
from app.selfcheck import service as selfchecks


def submit(user: User, selfcheck_id: int, signature: dict | None = None) -> dict:
    selfcheck, items, answers, findings = selfchecks.close_for_submission(user, selfcheck_id)
    signed = signatures.accept(signature, isoformat(selfcheck.submitted_at))
    problems = open_problems_for_selfcheck(selfcheck, items, answers, user, findings)
    report = reports.issue_report(selfcheck, items, answers, problems, user, signed)
    selfcheck.report_id = report.id
    db.session.flush()
    return {"selfcheck": selfcheck, "report_id": report.id, "problem_ids": [p.id for p in problems]}
