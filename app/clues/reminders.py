"""线索移送 time limits: the step's due date (accept, then conclude) reminds the receiving unit, then the sender."""
from datetime import datetime

from app.clues.models import Clue, ClueStatus
from app.notify.reminders import Ladder, _run_ladder, cn_date

S = ClueStatus


def _wording(days, label, ent, due, to_regulator):
    if days < 0:
        return f"移送线索明天到期：{ent}", f"线索{label}（{ent}）的办理期限为{cn_date(due)}，请及时接收或办结。"
    if days == 0:
        return f"移送线索今天到期：{ent}", f"线索{label}（{ent}）的办理期限为今天（{cn_date(due)}）。"
    who = "" if to_regulator else "接收单位"
    return (f"移送线索办理超时{days}天：{ent}",
            f"线索{label}（{ent}）的办理期限为{cn_date(due)}，{who}已超时{days}天仍未接收或办结。")


CLUE = Ladder(
    kind="clue_step_due", object_type="clue", model=Clue, due=Clue.step_due_clause(), assignee=Clue.created_by_id,
    label=Clue.number, open_clause=lambda: Clue.status.in_([S.TRANSFERRED.value, S.ACCEPTED.value]),
    ent_link="/gov/clues/{id}", gov_link=lambda row: f"/gov/clues/{row.id}", wording=_wording)


def clue_reminders(as_of: datetime) -> int:
    """提醒与升级 for transferred clues not accepted in time and accepted clues not concluded in time."""
    return _run_ladder(CLUE, as_of, escalation=False) + _run_ladder(CLUE, as_of, escalation=True)
