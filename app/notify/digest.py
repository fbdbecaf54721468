"""Daily digests (08:30): the regulators' jurisdiction summary, and the per-user digest option.

Both are set-based: the regulator digest counts by enterprise region (a handful of GROUP BY
queries) and adds the counts up per regulator in charge in Python, over regions, not enterprises.
"""
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts.models import Enterprise, User
from app.common.timeutil import TZ, as_utc, local_date
from app.extensions import db
from app.notify.models import Notification, NotificationPreference
from app.notify.policy import load_policy, working_days_cutoff
from app.notify.recipients import RegulatorsInCharge
from app.notify.reminders import cn_date
from app.notify.service import DIGEST_KINDS, create_notifications
from app.remediation.models import Problem, ProblemStatus
from app.selfcheck.models import SelfCheck, SelfCheckStatus

MAX_LINES = 10
LOOKBACK_DAYS = 7


def _escalation_offset(ladder) -> int:
    offsets = [s.offset for s in ladder if s.escalation]
    return min(offsets) if offsets else 7


def _by_region(stmt) -> dict[str, int]:
    return dict(db.session.execute(stmt.group_by(Enterprise.region_code)).all())


def regulator_digests(as_of: datetime) -> int:
    """每日监管摘要: one per regulator with anything to report in the enterprises they are in charge of."""
    as_of = as_utc(as_of)
    today = local_date(as_of)
    policy = load_policy()
    count = select(Enterprise.region_code, func.count())
    review_before = as_utc(datetime.combine(working_days_cutoff(today, policy.review_working_days)
                                            + timedelta(days=1), datetime.min.time(), TZ))
    sections = [
        ("自查逾期{n}天以上的任务", _escalation_offset(policy.selfcheck_due), _by_region(
            count.join(SelfCheck, SelfCheck.enterprise_id == Enterprise.id).where(
                SelfCheck.status != SelfCheckStatus.SUBMITTED.value,
                SelfCheck.due_date <= today - timedelta(days=_escalation_offset(policy.selfcheck_due))))),
        ("整改逾期{n}天以上的问题", _escalation_offset(policy.rectification_due), _by_region(
            count.join(Problem, Problem.enterprise_id == Enterprise.id).where(
                Problem.status.in_(ProblemStatus.ACTIVE),
                Problem.deadline <= today - timedelta(days=_escalation_offset(policy.rectification_due))))),
        ("待核查超过{n}个工作日的整改", policy.review_working_days, _by_region(
            count.join(Problem, Problem.enterprise_id == Enterprise.id).where(
                Problem.status == ProblemStatus.SUBMITTED.value, Problem.needs_regulator.is_(True),
                Problem.submitted_at < review_before))),
        ("排污许可证{n}天内到期的企业", max(policy.permit_expiry_days, default=90), _by_region(
            count.where(Enterprise.permit_valid_until >= today, Enterprise.permit_valid_until
                        <= today + timedelta(days=max(policy.permit_expiry_days, default=90))))),
    ]
    regulators = RegulatorsInCharge()
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(sections))
    for index, (_label, _n, counts) in enumerate(sections):
        for region, number in counts.items():
            for user_id in regulators.for_region(region):
                totals[user_id][index] += number
    notes = []
    for user_id, numbers in totals.items():
        lines = [f"· {label.format(n=n)}：{number}" for (label, n, _), number in zip(sections, numbers, strict=True)
                 if number]
        notes.append({"recipient_id": user_id, "kind": "regulator_digest", "object_type": "user",
                      "object_id": user_id, "stage": today.isoformat(),
                      "title": f"每日监管摘要（{cn_date(today)}）",
                      "body": "您负责的辖区内：\n" + "\n".join(lines), "link": "/gov"})
    return len(create_notifications(notes, as_of))


def personal_digests(as_of: datetime) -> int:
    """每日消息汇总 for users who chose the digest: what arrived since their last digest (or the last day)."""
    as_of = as_utc(as_of)
    today = local_date(as_of)
    digest_users = select(NotificationPreference.user_id).where(NotificationPreference.digest.is_(True))
    last = {uid: as_utc(at) for uid, at in db.session.execute(
        select(Notification.recipient_id, func.max(Notification.created_at))
        .where(Notification.kind == "daily_digest", Notification.recipient_id.in_(digest_users),
               Notification.created_at <= as_of)
        .group_by(Notification.recipient_id)).all()}
    rows = db.session.execute(
        select(Notification.recipient_id, Notification.title, Notification.created_at, User.role)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.recipient_id.in_(digest_users), User.active.is_(True),
               Notification.kind.not_in(DIGEST_KINDS),
               Notification.created_at > as_of - timedelta(days=LOOKBACK_DAYS), Notification.created_at <= as_of)
        .order_by(Notification.recipient_id, Notification.created_at.desc(), Notification.id.desc())).all()
    titles: dict[int, list[str]] = defaultdict(list)
    roles: dict[int, str] = {}
    for recipient_id, title, created_at, role in rows:
        if as_utc(created_at) > last.get(recipient_id, as_of - timedelta(days=1)):
            titles[recipient_id].append(title)
            roles[recipient_id] = role
    notes = []
    for user_id, items in titles.items():
        lines = [f"· {t}" for t in items[:MAX_LINES]]
        if len(items) > MAX_LINES:
            lines.append(f"……另有{len(items) - MAX_LINES}条，请登录查看")
        notes.append({"recipient_id": user_id, "kind": "daily_digest", "object_type": "user", "object_id": user_id,
                      "stage": today.isoformat(), "title": f"每日消息汇总：{len(items)}条新提醒（{cn_date(today)}）",
                      "body": "\n".join(lines),
                      "link": "/ent" if roles[user_id].startswith("enterprise") else "/gov"})
    return len(create_notifications(notes, as_of))


def daily_digests(as_of: datetime) -> int:
    return regulator_digests(as_of) + personal_digests(as_of)
