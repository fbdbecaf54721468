"""企业诉求 time limits: the current step's deadline reminds the handler, then escalates to the regulators."""
from datetime import datetime

from sqlalchemy import case

from app.notify.reminders import Ladder, _run_ladder, cn_date
from app.requests.models import EnterpriseRequest, RequestStatus

S = RequestStatus
STEP_DUE = case((EnterpriseRequest.status == S.SUBMITTED.value, EnterpriseRequest.register_due),
                (EnterpriseRequest.status.in_([S.REGISTERED.value, S.ASSIGNED.value]), EnterpriseRequest.reply_due),
                else_=EnterpriseRequest.close_due)
STEP_NAME = {S.SUBMITTED: "登记", S.REGISTERED: "答复", S.ASSIGNED: "答复", S.REPLIED: "办结", S.REOPENED: "办结"}


def _wording(days, label, ent, due, to_regulator):
    if to_regulator:
        return (f"企业诉求办理超时{days}天：{ent}", f"{ent}的诉求「{label}」当前环节期限为{cn_date(due)}，已超时{days}天。")
    return (f"企业诉求即将超时：{ent}", f"{ent}的诉求「{label}」当前环节期限为{cn_date(due)}，请及时办理。")


REQUEST = Ladder(
    kind="request_step_due", object_type="request", model=EnterpriseRequest, due=STEP_DUE,
    assignee=EnterpriseRequest.assigned_to_id, label=EnterpriseRequest.category,
    open_clause=lambda: EnterpriseRequest.status.in_(
        [S.SUBMITTED.value, S.REGISTERED.value, S.ASSIGNED.value, S.REPLIED.value, S.REOPENED.value]),
    ent_link="/gov/requests/{id}", gov_link=lambda row: f"/gov/requests/{row.id}", wording=_wording)


def request_reminders(as_of: datetime) -> int:
    return _run_ladder(REQUEST, as_of, escalation=False) + _run_ladder(REQUEST, as_of, escalation=True)
