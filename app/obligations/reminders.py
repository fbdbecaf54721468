"""法定义务提醒 through the notify ladders (D-30/D-7/D-1/overdue, then the regulator), once each."""
from datetime import datetime

from app.notify.reminders import Ladder, _run_ladder, cn_date
from app.obligations.models import PENDING, Obligation


def _wording(days, label, ent, due, to_regulator):
    if to_regulator:
        return (f"企业法定义务逾期{days}天：{ent}",
                f"{ent}的「{label}」期限为{cn_date(due)}，已逾期{days}天仍未登记完成凭证。")
    if days < 0:
        when = "明天到期" if days == -1 else f"还有{-days}天到期"
        return f"法定义务{when}：{label}", f"「{label}」的期限为{cn_date(due)}，请按时办理并在系统中登记凭证。"
    return (f"法定义务已逾期{days}天：{label}",
            f"「{label}」的期限为{cn_date(due)}，已逾期{days}天，请尽快办理并登记凭证，以免受到处罚。")


OBLIGATION = Ladder(
    kind="obligation_due", object_type="obligation", model=Obligation, due=Obligation.due_date,
    assignee=Obligation.assignee_id, label=Obligation.title, open_clause=lambda: Obligation.status == PENDING,
    ent_link="/ent/obligations", gov_link=lambda row: f"/gov/enterprises/{row.enterprise_id}", wording=_wording)


def obligation_reminders(as_of: datetime) -> int:
    return _run_ladder(OBLIGATION, as_of, escalation=False) + _run_ladder(OBLIGATION, as_of, escalation=True)
