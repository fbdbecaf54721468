"""Reminder ladders: self-check due dates, rectification deadlines, permit expiry, the review clock.

Each function takes the instant `as_of` (never the wall clock) and is set-based: one query per
ladder stage returns every object whose *latest* applicable stage is that stage and that has not
had it yet, then one bulk insert creates the notifications (ON CONFLICT DO NOTHING on the dedupe
key). Choosing only the latest stage means a run on D+2 sends the D+1 overdue notice, never a
stale D-3. Stage keys carry the due date, so a changed deadline (an approved extension) starts
its ladder afresh.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, cast, literal, select
from sqlalchemy.orm import aliased

from app import rules as rules_packs
from app.accounts.models import Enterprise, User
from app.common.timeutil import TZ, as_utc, local_date
from app.extensions import db
from app.notify.models import Notification
from app.notify.policy import Policy, Stage, load_policy, working_days_cutoff
from app.notify.recipients import RegulatorsInCharge, admins_by_enterprise
from app.notify.service import create_notifications
from app.remediation.models import Problem, ProblemStatus
from app.selfcheck.judgement import renewal_advice, renewal_applied
from app.selfcheck.models import SelfCheck, SelfCheckStatus


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def stage_windows(ladder: tuple[Stage, ...], today: date, escalation: bool):
    """Yield (stage, earliest_due, latest_due): objects due in that range have `stage` as latest stage.

    Each audience has its own ladder: after downtime the enterprise still gets its latest reminder
    even when the regulator's escalation is also due.
    """
    stages = [stage for stage in ladder if stage.escalation == escalation]
    for index, stage in enumerate(stages):
        latest_due = today - timedelta(days=stage.offset)
        following = stages[index + 1] if index + 1 < len(stages) else None
        earliest_due = today - timedelta(days=following.offset) + timedelta(days=1) if following else None
        yield stage, earliest_due, latest_due


@dataclass(frozen=True)
class Ladder:
    """What one ladder reminds about: the object table, its due column and its wording."""

    kind: str
    object_type: str
    model: type
    due: object
    assignee: object
    label: object
    open_clause: Callable
    ent_link: str
    gov_link: Callable
    wording: Callable  # (days, label, enterprise_name, due, to_regulator) -> (title, body)

    def policy_ladder(self, policy: Policy) -> tuple[Stage, ...]:
        return getattr(policy, self.kind)


def _selfcheck_wording(days, label, ent, due, to_regulator):
    if to_regulator:
        return (f"企业自查逾期{days}天：{ent}",
                f"{ent}的自查任务「{label}」已于{cn_date(due)}到期，逾期{days}天仍未提交。")
    if days < 0:
        when = "明天到期" if days == -1 else f"{-days}天后到期"
        return f"自查任务{when}：{label}", f"{ent}的自查任务「{label}」将于{cn_date(due)}到期，请及时完成并提交。"
    if days == 0:
        return f"自查任务今天到期：{label}", f"{ent}的自查任务「{label}」今天（{cn_date(due)}）到期，请今天内完成并提交。"
    return (f"自查任务已逾期{days}天：{label}",
            f"{ent}的自查任务「{label}」已于{cn_date(due)}到期，至今未提交，请尽快完成。")


def _rectification_wording(days, label, ent, due, to_regulator):
    if to_regulator:
        return (f"企业整改逾期{days}天：{ent}",
                f"{ent}的问题「{label}」整改期限为{cn_date(due)}，已逾期{days}天仍未提交整改材料。")
    if days < 0:
        when = "整改明天到期" if days == -1 else f"整改期限还有{-days}天"
        return f"{when}：{label}", f"问题「{label}」的整改期限为{cn_date(due)}，请按期完成整改并提交整改材料。"
    if days == 0:
        return f"整改今天到期：{label}", f"问题「{label}」的整改期限为今天（{cn_date(due)}），请今天内提交整改材料。"
    return (f"整改已逾期{days}天：{label}",
            f"问题「{label}」的整改期限为{cn_date(due)}，已逾期{days}天，目前尚未提交整改材料，请尽快整改。")


SELFCHECK = Ladder(
    kind="selfcheck_due", object_type="selfcheck", model=SelfCheck, due=SelfCheck.due_date,
    assignee=SelfCheck.assignee_id, label=SelfCheck.title + "（" + SelfCheck.period_label + "）",
    open_clause=lambda: SelfCheck.status != SelfCheckStatus.SUBMITTED.value,
    ent_link="/ent/selfchecks/{id}", gov_link=lambda row: f"/gov/enterprises/{row.enterprise_id}",
    wording=_selfcheck_wording)

# Stops the moment the problem is submitted: only open / rectifying / extension_requested remind.
RECTIFICATION = Ladder(
    kind="rectification_due", object_type="problem", model=Problem, due=Problem.deadline,
    assignee=Problem.owner_id, label=Problem.title, open_clause=lambda: Problem.status.in_(ProblemStatus.ACTIVE),
    ent_link="/ent/problems/{id}", gov_link=lambda row: f"/gov/problems/{row.id}",
    wording=_rectification_wording)


def _candidates(ladder: Ladder, stage: Stage, earliest: date | None, latest: date):
    model = ladder.model
    assignee = aliased(User)
    key = literal(stage.name + "@") + cast(ladder.due, String)
    already = select(Notification.id).where(
        Notification.kind == ladder.kind, Notification.object_type == ladder.object_type,
        Notification.object_id == model.id, Notification.stage == key).exists()
    stmt = (select(model.id.label("id"), model.enterprise_id.label("enterprise_id"), ladder.due.label("due"),
                   assignee.id.label("assignee_id"), ladder.label.label("label"),
                   Enterprise.name.label("enterprise_name"), Enterprise.region_code.label("region_code"))
            .join(Enterprise, Enterprise.id == model.enterprise_id)
            .outerjoin(assignee, (assignee.id == ladder.assignee) & assignee.active.is_(True))
            .where(ladder.open_clause(), ladder.due <= latest, ~already))
    if earliest is not None:
        stmt = stmt.where(ladder.due >= earliest)
    return stmt


def _run_ladder(ladder: Ladder, as_of: datetime, escalation: bool) -> int:
    as_of = as_utc(as_of)
    today = local_date(as_of)
    regulators = RegulatorsInCharge() if escalation else None
    created = 0
    for province, policy in _policies():
        created += _run_province(ladder, policy, province, as_of, today, escalation, regulators)
    return created


def _policies():
    """Each province that ships a rules pack, with its reminder policy (its enterprises follow its ladders)."""
    return [(province, load_policy(province)) for province in rules_packs.provinces()]


def _in_province(province: str):
    return Enterprise.region_code.startswith(province[:2])


def _run_province(ladder: Ladder, policy: Policy, province: str, as_of: datetime, today: date, escalation: bool,
                  regulators) -> int:
    created = 0
    for stage, earliest, latest in stage_windows(ladder.policy_ladder(policy), today, escalation):
        stmt = _candidates(ladder, stage, earliest, latest).where(_in_province(province))
        rows = db.session.execute(stmt).all()
        if not rows:
            continue
        admins = admins_by_enterprise(stmt.with_only_columns(ladder.model.enterprise_id).scalar_subquery()) \
            if {"admins", "assignee_or_admins"} & set(stage.audience) else {}
        notes = []
        for row in rows:
            for recipient_id, to_regulator in _recipients(stage, row, admins, regulators):
                days = (today - row.due).days
                title, body = ladder.wording(days, row.label, row.enterprise_name, row.due, to_regulator)
                link = ladder.gov_link(row) if to_regulator else ladder.ent_link.format(id=row.id)
                notes.append({"recipient_id": recipient_id, "kind": ladder.kind,
                              "object_type": ladder.object_type, "object_id": row.id,
                              "stage": f"{stage.name}@{row.due.isoformat()}", "title": title[:200],
                              "body": body, "link": link, "enterprise_id": row.enterprise_id})
        created += len(create_notifications(notes, as_of))
    return created


def _recipients(stage: Stage, row, admins, regulators) -> list[tuple[int, bool]]:
    found: dict[int, bool] = {}
    for audience in stage.audience:
        if audience == "assignee_or_admins":
            ids = [row.assignee_id] if row.assignee_id else admins.get(row.enterprise_id, [])
        elif audience == "assignee":
            ids = [row.assignee_id] if row.assignee_id else []
        elif audience == "admins":
            ids = admins.get(row.enterprise_id, [])
        else:
            ids = regulators.for_region(row.region_code)
        for user_id in ids:
            found.setdefault(user_id, audience == "regulator")
    return list(found.items())


# --- the jobs' service functions -----------------------------------------------------------

def selfcheck_reminders(as_of: datetime) -> int:
    """自查到期提醒: D-3, D-1, D0 to the assignee (else admins), D+1 overdue to assignee and admins."""
    return _run_ladder(SELFCHECK, as_of, escalation=False)


def rectification_reminders(as_of: datetime) -> int:
    """整改期限提醒: D-7, D-3, D-1 to the owner; D+1 and D+3 overdue to owner and enterprise admins."""
    return _run_ladder(RECTIFICATION, as_of, escalation=False)


def escalations(as_of: datetime) -> int:
    """升级提醒 to the regulators in charge: D+7 self-checks, D+7 rectifications, reviews waiting too long."""
    return (_run_ladder(SELFCHECK, as_of, escalation=True) + _run_ladder(RECTIFICATION, as_of, escalation=True)
            + review_clock(as_of))


def review_clock(as_of: datetime) -> int:
    """待核查超时: a rectification waiting for review more than N working days reminds the regulator."""
    as_of = as_utc(as_of)
    return sum(_review_clock(as_of, province, policy.review_working_days) for province, policy in _policies())


def _review_clock(as_of: datetime, province: str, n: int) -> int:
    cutoff = working_days_cutoff(local_date(as_of), n)
    before = as_utc(datetime.combine(cutoff + timedelta(days=1), datetime.min.time(), TZ))
    rows = db.session.execute(
        select(Problem.id, Problem.enterprise_id, Problem.title, Problem.submitted_at, Enterprise.name,
               Enterprise.region_code)
        .join(Enterprise, Enterprise.id == Problem.enterprise_id)
        .where(Problem.status == ProblemStatus.SUBMITTED.value, Problem.needs_regulator.is_(True),
               Problem.submitted_at.is_not(None), Problem.submitted_at < before, _in_province(province),
               # not already reminded for this submission (a resubmission moves submitted_at): the daily run
               # reads only the rectifications that newly crossed the clock, not every one still waiting
               ~select(Notification.id).where(
                   Notification.object_type == "problem", Notification.object_id == Problem.id,
                   Notification.kind == "review_overdue", Notification.created_at >= Problem.submitted_at)
               .exists())).all()
    regulators = RegulatorsInCharge()
    notes = []
    for pid, enterprise_id, title, submitted_at, ent, region in rows:
        submitted_on = local_date(submitted_at)
        for recipient_id in regulators.for_region(region):
            notes.append({"recipient_id": recipient_id, "kind": "review_overdue", "object_type": "problem",
                          "object_id": pid, "stage": f"W+{n}@{submitted_on.isoformat()}",
                          "title": f"整改待核查已超过{n}个工作日：{ent}"[:200],
                          "body": f"{ent}于{cn_date(submitted_on)}提交了问题「{title}」的整改材料，"
                                  f"已等待核查超过{n}个工作日，请尽快核查。",
                          "link": f"/gov/problems/{pid}", "enterprise_id": enterprise_id})
    return len(create_notifications(notes, as_of))


def permit_expiry_reminders(as_of: datetime) -> int:
    """排污许可证到期提醒 at the policy's ladder (120, 90, 60 days before permit_valid_until), to the admins.

    An enterprise that has registered its renewal application for this permit is not reminded.
    """
    as_of = as_utc(as_of)
    today = local_date(as_of)
    return sum(_permit_expiry(as_of, today, province, policy.permit_expiry_days) for province, policy in _policies())


def _permit_expiry(as_of: datetime, today: date, province: str, thresholds: tuple[int, ...]) -> int:
    created = 0   # thresholds descending: 120, 90, 60
    for index, days in enumerate(thresholds):
        closer = thresholds[index + 1] if index + 1 < len(thresholds) else -1
        key = literal(f"P-{days}@") + cast(Enterprise.permit_valid_until, String)
        already = select(Notification.id).where(
            Notification.kind == "permit_expiry", Notification.object_type == "enterprise",
            Notification.object_id == Enterprise.id, Notification.stage == key).exists()
        stmt = select(Enterprise.id, Enterprise.name, Enterprise.permit_no, Enterprise.permit_valid_until,
                      Enterprise.permit_renewal_applied_on).where(
            Enterprise.permit_valid_until <= today + timedelta(days=days),
            Enterprise.permit_valid_until > today + timedelta(days=closer), ~already, _in_province(province))
        rows = db.session.execute(stmt).all()
        if not rows:
            continue
        admins = admins_by_enterprise(stmt.with_only_columns(Enterprise.id).scalar_subquery())
        notes = []
        for enterprise_id, name, permit_no, valid_until, applied_on in rows:
            if renewal_applied(valid_until, applied_on):
                continue
            left = (valid_until - today).days
            for recipient_id in admins.get(enterprise_id, []):
                notes.append({
                    "recipient_id": recipient_id, "kind": "permit_expiry", "object_type": "enterprise",
                    "object_id": enterprise_id, "stage": f"P-{days}@{valid_until.isoformat()}",
                    "title": f"排污许可证{left}天后到期" if left else "排污许可证今天到期",
                    "body": f"{name}的排污许可证（编号{permit_no or '未登记'}）有效期至{cn_date(valid_until)}，"
                            f"还有{left}天到期。" + renewal_advice(valid_until, today),
                    "link": "/ent", "enterprise_id": enterprise_id})
        created += len(create_notifications(notes, as_of))
    return created
