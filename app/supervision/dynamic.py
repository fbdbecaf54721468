"""正面清单动态管理: a member is suspended automatically when a trigger of its province's pack happens.

Triggers (eligibility.yaml `dynamic.suspend_on`): a penalty decided since admission, an incident at or
above `incidents.yaml suspend_at_level` since admission, a credit downgrade (a bad grade, or lower than
at admission), an expired discharge permit, an overdue problem of a severity in `overdue_severities`.
The suspension is recorded with its reasons, audited, shown on the enterprise's eligibility, and the
regulators in charge are asked to confirm removal (or reinstate); the enterprise is told. Checked by the
daily job `positive_list_dynamic` and at once when a penalty or incident is recorded.
"""
from datetime import date

from sqlalchemy import select

from app import rules as rules_packs
from app.accounts.models import Enterprise, User
from app.common import audit
from app.common.timeutil import today_local
from app.extensions import db
from app.notify.recipients import RegulatorsInCharge
from app.notify.service import notify
from app.remediation.models import Problem
from app.supervision.enterprises import active_membership
from app.supervision.models import Incident, Penalty, PositiveListEntry

LABELS = {"penalty": "受到环境行政处罚", "incident": "发生突发环境事件", "downgrade": "环境信用等级下降",
          "permit_expired": "排污许可证已过期", "overdue_major": "重大问题整改逾期"}


def _reason(trigger: str, detail: str, evidence: list[str]) -> dict:
    return {"trigger": trigger, "label": LABELS[trigger], "detail": detail, "evidence_ids": evidence}


def triggers(enterprise: Enterprise, entry: PositiveListEntry, today: date) -> list[dict]:
    """The suspension reasons that hold for this member today (empty: none)."""
    province = rules_packs.province_of(enterprise.region_code)
    pack = rules_packs.pack(province)
    wanted = set(pack["eligibility"]["dynamic"].get("suspend_on") or [])
    # events since admission, or since the regulator last reviewed a suspension (reinstated)
    if entry.reviewed_on is not None:
        penalty_since, incident_since = Penalty.decided_on > entry.reviewed_on, Incident.occurred_on > entry.reviewed_on
    else:
        penalty_since, incident_since = Penalty.decided_on >= entry.admitted_on, Incident.occurred_on >= entry.admitted_on
    found = []
    if "penalty" in wanted:
        rows = db.session.execute(select(Penalty.id, Penalty.decision_no, Penalty.decided_on).where(
            Penalty.enterprise_id == enterprise.id, penalty_since)).all()
        if rows:
            found.append(_reason("penalty", "、".join(f"{r.decision_no}（{r.decided_on}）" for r in rows),
                                 [f"penalty:{r.id}" for r in rows]))
    if "incident" in wanted:
        levels = list(pack["incidents"]["levels"])
        floor = levels.index(pack["incidents"]["suspend_at_level"])
        rows = [r for r in db.session.execute(select(Incident.id, Incident.occurred_on, Incident.level).where(
            Incident.enterprise_id == enterprise.id, incident_since)).all()
            if r.level in levels and levels.index(r.level) >= floor]
        if rows:
            found.append(_reason("incident", "、".join(f"{r.occurred_on}{r.level}突发环境事件" for r in rows),
                                 [f"incident:{r.id}" for r in rows]))
    if "downgrade" in wanted:
        credit = pack["credit"]
        scale = list(credit["scale"])
        now, then = enterprise.credit_grade, entry.admitted_credit_grade
        lower = now in scale and then in scale and scale.index(now) > scale.index(then)
        if now in credit["bad_grades"] or lower:
            found.append(_reason("downgrade", f"环境信用等级{f'由{then}' if then else ''}降为{now}",
                                 [f"enterprise:{enterprise.id}"]))
    if ("permit_expired" in wanted and enterprise.permit_valid_until is not None
            and enterprise.permit_valid_until < today):
        found.append(_reason("permit_expired", f"排污许可证{enterprise.permit_no or ''}已于{enterprise.permit_valid_until}过期",
                             [f"enterprise:{enterprise.id}"]))
    if "overdue_major" in wanted:
        severities = list(pack["eligibility"]["dynamic"].get("overdue_severities") or ["重大"])
        rows = db.session.execute(select(Problem.id, Problem.title, Problem.deadline).where(
            Problem.enterprise_id == enterprise.id, Problem.severity.in_(severities),
            Problem.overdue_clause(today))).all()
        if rows:
            found.append(_reason("overdue_major", "、".join(f"{r.title[:40]}（期限{r.deadline}）" for r in rows),
                                 [f"problem:{r.id}" for r in rows]))
    return found


def check_member(enterprise_id: int, today: date | None = None) -> PositiveListEntry | None:
    """Suspend the enterprise's current membership if a trigger holds; return the entry if suspended now."""
    today = today or today_local()
    entry = db.session.scalar(select(PositiveListEntry).where(
        PositiveListEntry.enterprise_id == enterprise_id, PositiveListEntry.suspended_on.is_(None),
        active_membership(today)))
    if entry is None:
        return None
    enterprise = db.session.get(Enterprise, enterprise_id)
    reasons = triggers(enterprise, entry, today)
    if not reasons:
        return None
    entry.suspended_on, entry.suspension_reasons = today, reasons
    db.session.flush()
    summary = "；".join(f"{r['label']}：{r['detail']}" for r in reasons)
    audit.record("positive_list.suspended", "positive_list", entry.id, enterprise_id=enterprise.id,
                 from_state="member", to_state="suspended", comment=summary[:500])
    notify(RegulatorsInCharge().for_region(enterprise.region_code), "positive_list_review", "positive_list",
           entry.id, f"suspended@{today}", f"正面清单成员已自动暂停，请确认是否移出：{enterprise.name}",
           f"{enterprise.name}出现{summary}。已自动暂停其正面清单资格，请核实后确认移出或恢复。",
           f"/gov/enterprises/{enterprise.id}", enterprise_id=enterprise.id)
    users = db.session.scalars(select(User.id).where(User.enterprise_id == enterprise.id, User.active.is_(True)))
    notify(list(users), "positive_list", "positive_list", entry.id, f"suspended@{today}",
           "正面清单资格已暂停", f"原因：{summary}。监管部门将核实后决定是否移出。", "/eligibility",
           enterprise_id=enterprise.id)
    return entry


def daily_check(today: date | None = None) -> int:
    """The daily job: check every unsuspended member; return how many were suspended."""
    today = today or today_local()
    ids = db.session.scalars(select(PositiveListEntry.enterprise_id).where(
        PositiveListEntry.suspended_on.is_(None), active_membership(today))).all()
    suspended = 0
    for enterprise_id in dict.fromkeys(ids):
        try:
            suspended += check_member(enterprise_id, today) is not None
        except rules_packs.RulesPackError:
            continue  # a province without a pack: `flask rules check` reports it
    return suspended


def membership(enterprise_id: int, today: date) -> dict:
    """For the enterprise's page: member, suspended and why, the regulator's removal if any."""
    entry = db.session.scalar(select(PositiveListEntry).where(
        PositiveListEntry.enterprise_id == enterprise_id, PositiveListEntry.admitted_on <= today)
        .order_by(PositiveListEntry.admitted_on.desc(), PositiveListEntry.id.desc()).limit(1))
    if entry is None:
        return {"member": False, "status": "none", "suspended": False, "reasons": []}
    removed = entry.removed_on is not None
    expired = entry.valid_until < today
    status = "removed" if removed else "expired" if expired else "suspended" if entry.suspended_on else "member"
    return {"member": status == "member", "status": status, "since": entry.admitted_on, "until": entry.valid_until,
            "suspended": status == "suspended", "suspended_on": entry.suspended_on,
            "reasons": list(entry.suspension_reasons or []) if status in ("suspended", "removed") else [],
            "removed_on": entry.removed_on, "removed_reason": entry.removed_reason,
            "override_reason": entry.override_reason, "override_failed": entry.override_failed}
