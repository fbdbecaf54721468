"""On 销号 of the last problem of a penalty, remind the enterprise that it can apply for credit repair.

A receiver of `events.problem_moved` (connected at start-up like app/notify/transitions.py): when a
problem becomes verified (核查销号) and every problem linked to an unrepaired penalty is verified, the
enterprise's users are told once per penalty, with the date the minimum publication period ends (from
the province's pack) and the date publication ends by itself.
"""
from sqlalchemy import select

from app.accounts.models import User
from app.common import events
from app.common.timeutil import today_local
from app.extensions import db
from app.notify.service import notify
from app.remediation.models import Problem
from app.supervision import eligibility
from app.supervision.models import Penalty


def on_problem_moved(problem: Problem, **kw) -> None:
    if kw.get("to_state") != "verified":
        return
    penalties = [p for p in db.session.scalars(select(Penalty).where(
        Penalty.enterprise_id == problem.enterprise_id, Penalty.repaired_at.is_(None)))
        if problem.id in (p.problem_ids or [])]
    if not penalties:
        return
    rules = eligibility.rules_for(problem.enterprise)
    recipients = list(db.session.scalars(select(User.id).where(User.enterprise_id == problem.enterprise_id,
                                                               User.active.is_(True))))
    for penalty in penalties:
        linked = list(penalty.problem_ids or [])
        statuses = dict(db.session.execute(select(Problem.id, Problem.status).where(Problem.id.in_(linked))).all())
        if any(statuses.get(i) != "verified" for i in linked):
            continue
        fact = eligibility.PenaltyFact(penalty.id, penalty.decision_no, penalty.decided_on, penalty.credit_category)
        today = today_local()
        window = eligibility.publication({"_credit": rules["credit"], **rules["credit_repair"]}, fact, today)
        when = (f"最短公示期已于{window['min_ends_on']}届满，" if window["min_ends_on"] <= today
                else f"最短公示期至{window['min_ends_on']}届满，届满后")
        tail = f"；该信息最长公示至{window['max_ends_on']}，届时自动停止公示" if window["max_ends_on"] else ""
        notify(recipients, "credit_repair", "penalty", penalty.id, "problems_verified",
               f"可以申请信用修复：{penalty.decision_no}",
               f"处罚决定{penalty.decision_no}关联的问题已全部整改并核查销号，{when}可申请信用修复"
               f"（缴清罚款、作出信用承诺）{tail}。", "/eligibility", enterprise_id=problem.enterprise_id)


def connect_receivers() -> None:
    events.problem_moved.connect(on_problem_moved)
