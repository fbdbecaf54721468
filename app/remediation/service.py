"""Problems and the rectification lifecycle (问题主动报告 → 限时整改反馈 → 核查销号)."""
from app.common import audit
from app.common.timeutil import add_days, local_date, utcnow
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus

SEVERITY_DEFAULT_DAYS = {"一般": 15, "较重": 30, "重大": 60}


def open_problems_for_selfcheck(selfcheck, items, answers, user) -> list[Problem]:
    """One problem per non-compliant item, with the item's legal basis and time limit."""
    today = local_date(utcnow())
    problems = []
    for item in items:
        answer = answers.get(item.id)
        if answer is None or answer.result != "non_compliant":
            continue
        observed = "；".join(p for p in (f"填写值：{answer.value}{item.unit or ''}" if answer.value else "",
                                         answer.note or "") if p)
        deadline = add_days(today, item.time_limit_days or SEVERITY_DEFAULT_DAYS[item.severity])
        problem = Problem(
            enterprise_id=selfcheck.enterprise_id, source="selfcheck", selfcheck_id=selfcheck.id,
            item_id=item.id, item_code=item.code, title=item.question[:200], description=observed,
            category=item.section_title, severity=item.severity, legal_basis=item.legal_basis,
            recommendation=item.recommendation, upload_ids=list(answer.upload_ids or []),
            deadline=deadline, original_deadline=deadline, owner_id=user.id,
            status=ProblemStatus.OPEN, needs_regulator=item.severity != "一般", created_by_id=user.id)
        db.session.add(problem)
        problems.append(problem)
    db.session.flush()
    for problem in problems:
        audit.record("problem.opened", "problem", problem.id, enterprise_id=problem.enterprise_id,
                     to_state="open", comment=f"自查发现：{problem.item_code}")
    return problems
