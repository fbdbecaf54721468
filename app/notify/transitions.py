"""When the rectification loop moves, the other party hears of it at once (issue #13 item 5).

The enterprise gets one message per event about its own problem (returned, verified, extension
decided, cancelled, reopened, a regulator's finding). Regulators are many and events are frequent:
each regulator in charge gets at most one message per kind and day ("今日有新的整改待核查"), pointing
at the queue that lists them all — the first event of the day tells them at once, the rest wait in the
queue and in the daily digest. A 重大 self-report is the exception: it is told on its own.
Deduplicated by the notification key; push respects quiet hours (notify.service).
"""
from sqlalchemy import select

from app.accounts.models import User
from app.common import events
from app.common.timeutil import today_local, utcnow
from app.extensions import db
from app.notify.recipients import RegulatorsInCharge, admins_by_enterprise
from app.notify.reminders import cn_date
from app.notify.service import notify
from app.remediation.models import Problem

# action → (title, body); {title} is the problem's, {comment} the actor's words
TO_ENTERPRISE = {
    "returned": ("整改被退回：{title}", "退回原因：{comment}。请按要求补充整改后重新提交。"),
    "verified": ("问题已核查销号：{title}", "{comment}"),
    "extension_decided": ("延期申请已处理：{title}", "{comment}"),
    "cancelled": ("问题已撤销：{title}", "撤销原因：{comment}"),
    "reopened": ("已自行销号的问题被重新打开：{title}", "原因：{comment}。请重新整改并提交材料。"),
}
# action → (kind, title, body) for the regulators in charge, one message per regulator, kind and day
TO_REGULATORS = {
    "rectification_submitted": ("review_waiting", "今日有新的整改待核查",
                                "{enterprise}提交了问题「{title}」的整改材料；今日其余待核查事项见核查列表。"),
    "extension_requested": ("extension_waiting", "今日有新的延期申请",
                            "{enterprise}就问题「{title}」申请延期；今日其余申请见核查列表。"),
}


def _enterprise_recipients(problem: Problem) -> list[int]:
    if problem.owner_id and db.session.scalar(select(User.active).where(User.id == problem.owner_id)):
        return [problem.owner_id]
    return admins_by_enterprise([problem.enterprise_id]).get(problem.enterprise_id, [])


def _tell_regulators(problem: Problem, kind: str, title: str, body: str, *, per_problem: bool = False) -> None:
    enterprise = problem.enterprise
    text = body.format(enterprise=enterprise.name, title=problem.title)
    for regulator_id in RegulatorsInCharge().for_region(enterprise.region_code):
        if per_problem:
            notify([regulator_id], kind, "problem", problem.id, "opened", title, text, f"/gov/problems/{problem.id}",
                   enterprise_id=problem.enterprise_id)
        else:  # the day's one message for this regulator and kind
            notify([regulator_id], kind, "queue", regulator_id, today_local().isoformat(), title, text,
                   "/gov/reviews")


def on_problem_moved(problem: Problem, *, action: str, from_state: str, to_state: str, comment: str | None) -> None:
    if action in TO_ENTERPRISE:
        title, body = TO_ENTERPRISE[action]
        # One message per transition: two returns of the same problem are two messages; a replayed
        # request (Idempotency-Key) does not run again, and a double-tap is refused by the state check.
        stage = f"{utcnow():%Y%m%dT%H%M%S.%f}"  # the kind names the action; 22 characters fit String(40)
        notify(_enterprise_recipients(problem), f"problem_{action}", "problem", problem.id, stage,
               title.format(title=problem.title[:60]), body.format(comment=(comment or "").strip() or "无"),
               f"/ent/problems/{problem.id}", enterprise_id=problem.enterprise_id)
    elif action in TO_REGULATORS and problem.needs_regulator:
        _tell_regulators(problem, *TO_REGULATORS[action])


def on_problem_assigned(problem: Problem, *, assignee_id: int, by_id: int) -> None:
    """The person a problem is assigned to hears of it (not the one who assigned it to themselves)."""
    if assignee_id == by_id:
        return
    notify([assignee_id], "problem_assigned", "problem", problem.id, f"{utcnow():%Y%m%dT%H%M%S.%f}",
           f"指派给您的问题：{problem.title[:60]}", f"整改期限 {problem.deadline.isoformat() if problem.deadline else '—'}",
           f"/ent/problems/{problem.id}", enterprise_id=problem.enterprise_id)


def on_problem_opened(problem: Problem) -> None:
    if problem.source in ("regulator", "warning"):
        notify(_enterprise_recipients(problem), "problem_found", "problem", problem.id, "opened",
               f"监管发现问题：{problem.title[:60]}",
               f"严重程度：{problem.severity}；整改期限：{cn_date(problem.deadline)}。请按期整改并提交材料。",
               f"/ent/problems/{problem.id}", enterprise_id=problem.enterprise_id)
    elif problem.source == "self_report" and problem.severity == "重大":
        _tell_regulators(problem, "self_report_major", "企业主动报告重大问题",
                         "{enterprise}主动报告了重大问题「{title}」。", per_problem=True)
    elif problem.source == "self_report" and problem.needs_regulator:
        _tell_regulators(problem, "self_report_waiting", "今日有企业主动报告问题",
                         "{enterprise}主动报告了问题「{title}」；今日其余报告见问题列表。")


def connect_receivers() -> None:
    """Called once at start-up; connecting again is a no-op (blinker keys receivers by identity)."""
    events.problem_moved.connect(on_problem_moved)
    events.problem_opened.connect(on_problem_opened)
    events.problem_assigned.connect(on_problem_assigned)
