"""Creating notifications idempotently, fanning them out to channels, the inbox, and preferences.

Every notification has a dedupe key (recipient, kind, object, stage) that is unique in the
database; creation is an INSERT … ON CONFLICT DO NOTHING, so running a job twice, or two
schedulers racing, creates each notification once. Deliveries are created only for the rows
this call actually inserted, so they are created once too.
"""
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select, update

from app.accounts.models import User
from app.common.dbutil import analyze_after_bulk, insert_many_ignoring
from app.common.errors import NotFound
from app.common.timeutil import as_utc, utcnow
from app.extensions import db
from app.notify.models import (
    DEDUPE_COLUMNS,
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    PushSubscription,
)

CHUNK = 2000
# Digest kinds are themselves the summary: they go out on push/email even to digest users.
DIGEST_KINDS = frozenset({"daily_digest", "regulator_digest"})
CHANNELS = ("inbox", "push", "email")


def insert_ignoring_duplicates(table, rows: list[dict], conflict_columns, returning=()):
    """Bulk INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL; COPY for many rows); the inserted rows'
    `returning` columns, as attributes."""
    return [SimpleNamespace(**row) for row in insert_many_ignoring(table, list(conflict_columns), rows,
                                                                   tuple(returning))]


# --- creating ------------------------------------------------------------------------------

def notify(recipient_ids, kind: str, object_type: str, object_id: int, stage: str, title: str,
           body: str, link: str, *, enterprise_id: int | None = None,
           as_of: datetime | None = None) -> list[int]:
    """Notify each recipient once per (kind, object, stage); return the ids of new notifications.

    Safe to call again with the same arguments (nothing is created twice). Flushes only: the
    caller's transaction commits, and the delivery job sends push/email after that commit.
    """
    as_of = as_utc(as_of) or utcnow()
    rows = [{"recipient_id": rid, "kind": kind, "object_type": object_type, "object_id": object_id,
             "stage": stage, "title": title[:200], "body": body, "link": link,
             "enterprise_id": enterprise_id} for rid in dict.fromkeys(recipient_ids) if rid]
    return create_notifications(rows, as_of)


def create_notifications(rows: list[dict], as_of: datetime) -> list[int]:
    """Insert notification rows (dicts of the model's columns), skip existing keys, fan out the new."""
    if not rows:
        return []
    as_of = as_utc(as_of)
    for row in rows:
        row.setdefault("created_at", as_of)
        row.setdefault("enterprise_id", None)
    table = Notification.__table__
    created = insert_ignoring_duplicates(table, rows, DEDUPE_COLUMNS, ("id", "recipient_id", "kind"))
    _create_deliveries(created, as_of)
    db.session.flush()
    analyze_after_bulk("notifications", len(created))  # the next ladder's "not yet sent" check reads them
    return [row.id for row in created]


def _recipient_settings(user_ids: list[int]) -> dict[int, tuple]:
    """(email, push_enabled, email_enabled, digest, has_push_subscription) per user, in bulk."""
    has_push = select(PushSubscription.id).where(PushSubscription.user_id == User.id).exists()
    settings = {}
    for start in range(0, len(user_ids), CHUNK):
        rows = db.session.execute(
            select(User.id, User.email, User.active, NotificationPreference.push_enabled,
                   NotificationPreference.email_enabled, NotificationPreference.digest, has_push)
            .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(User.id.in_(user_ids[start:start + CHUNK]))).all()
        for uid, email, active, push_on, email_on, digest, push_ok in rows:
            settings[uid] = (email if active else "", push_on is not False, email_on is not False,
                             bool(digest), bool(push_ok) and bool(active))
    return settings


def _create_deliveries(created, as_of: datetime) -> None:
    from app.notify.channels import get_channel
    from app.notify.policy import load_policy

    if not created:
        return
    policy = load_policy()
    push_at = policy.after_quiet_hours(as_of)
    email_on = get_channel("email").enabled()
    settings = _recipient_settings(sorted({row.recipient_id for row in created}))
    deliveries = []
    for row in created:
        email, push_pref, email_pref, digest, has_push = settings.get(row.recipient_id, ("", False, False,
                                                                                         False, False))
        if digest and row.kind not in DIGEST_KINDS:
            continue  # this user reads one daily digest instead of individual messages
        if push_pref and has_push:
            deliveries.append(_delivery(row.id, "push", push_at, as_of))
        if email_pref and email and email_on:
            deliveries.append(_delivery(row.id, "email", as_of, as_of))
    insert_ignoring_duplicates(Delivery.__table__, deliveries, ("notification_id", "channel"))


def _delivery(notification_id: int, channel: str, at: datetime, as_of: datetime) -> dict:
    return {"notification_id": notification_id, "channel": channel, "status": DeliveryStatus.PENDING.value,
            "attempts": 0, "next_attempt_at": at, "created_at": as_of}


# --- the inbox -----------------------------------------------------------------------------

def _own(user: User):
    return select(Notification).where(Notification.recipient_id == user.id)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)))


def list_inbox(user: User, unread_only: bool, page: int, per_page: int) -> dict:
    """The user's own notifications, newest first (a notification is personal: no one else's)."""
    stmt = _own(user)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": items, "total": total, "unread_count": unread_count(user), "page": page,
            "per_page": per_page}


def mark_read(user: User, notification_id: int) -> Notification:
    notification = db.session.scalar(_own(user).where(Notification.id == notification_id))
    if notification is None:
        raise NotFound("未找到该消息")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.flush()
    return result.rowcount


# --- preferences and push subscriptions ----------------------------------------------------

def get_preferences(user: User) -> dict:
    pref = db.session.get(NotificationPreference, user.id)
    push, email, digest = (pref.push_enabled, pref.email_enabled, pref.digest) if pref else (True, True, False)
    channels = ["inbox"] + (["push"] if push else []) + (["email"] if email else [])
    return {"channels": channels, "digest": digest}


def set_preferences(user: User, channels: list[str], digest: bool) -> dict:
    """Choose push/email and the daily digest; the inbox is the record and always stays on."""
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    pref.push_enabled = "push" in channels
    pref.email_enabled = "email" in channels
    pref.digest = digest
    pref.updated_at = utcnow()
    db.session.flush()
    return get_preferences(user)


def subscribe_push(user: User, endpoint: str, p256dh: str, auth: str) -> tuple[PushSubscription, bool]:
    """Save a browser subscription; the same endpoint re-sent (or by a new user of the device) is updated."""
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    created = subscription is None
    if created:
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    subscription.user_id, subscription.p256dh, subscription.auth = user.id, p256dh, auth
    db.session.flush()
    return subscription, created


def unsubscribe_push(user: User, endpoint: str) -> int:
    """Remove the user's own subscription for an endpoint (nothing to remove is fine)."""
    result = db.session.execute(PushSubscription.__table__.delete().where(
        PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint))
    db.session.flush()
    return result.rowcount
