"""The delivery worker: send due push/email deliveries, record the outcome, retry with backoff.

Unlike a service function this commits: each delivery is claimed in its own committed
transaction before the network call, so two schedulers never both send it, and a crash after
the claim only delays it (the claim expires and it is retried) — at-least-once, never dropped.
"""
import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.common.timeutil import as_utc
from app.extensions import db
from app.notify.channels import DeliveryError, get_channel
from app.notify.models import Delivery, DeliveryStatus
from app.notify.policy import load_policy

log = logging.getLogger(__name__)
CLAIM_SECONDS = 600
BATCH = 500
RETRYABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value)


def deliver_due(as_of: datetime, limit: int = BATCH) -> int:
    """Send what is due as of `as_of`; return how many went out."""
    as_of = as_utc(as_of)
    policy = load_policy()
    if policy.in_quiet_hours(as_of):
        # Push waits for the end of the quiet hours; it stays pending, with its time recorded.
        db.session.execute(update(Delivery).where(
            Delivery.channel == "push", Delivery.status.in_(RETRYABLE), Delivery.next_attempt_at <= as_of)
            .values(next_attempt_at=policy.after_quiet_hours(as_of)))
        db.session.commit()
    due = db.session.scalars(select(Delivery.id).where(
        Delivery.status.in_(RETRYABLE), Delivery.next_attempt_at <= as_of)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)).all()
    sent = 0
    for delivery_id in due:
        sent += _deliver_one(delivery_id, as_of, policy)
    return sent


def _claim(delivery_id: int, as_of: datetime) -> bool:
    result = db.session.execute(update(Delivery).where(
        Delivery.id == delivery_id, Delivery.status.in_(RETRYABLE), Delivery.next_attempt_at <= as_of)
        .values(next_attempt_at=as_of + timedelta(seconds=CLAIM_SECONDS), attempts=Delivery.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


def _deliver_one(delivery_id: int, as_of: datetime, policy) -> int:
    if not _claim(delivery_id, as_of):
        return 0  # another scheduler took it
    delivery = db.session.get(Delivery, delivery_id)
    channel = get_channel(delivery.channel)
    try:
        if channel is None or not channel.enabled():
            raise DeliveryError(f"渠道 {delivery.channel} 未启用")
        channel.send(delivery)
    except Exception as exc:
        if not isinstance(exc, DeliveryError):
            db.session.rollback()  # an unexpected error may leave the session unusable
            delivery = db.session.get(Delivery, delivery_id)
        # A DeliveryError keeps the channel's own changes (e.g. expired push subscriptions removed).
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        message = str(exc) if isinstance(exc, DeliveryError) else f"{exc.__class__.__name__}: {exc}"
        backoff = policy.retry_backoff_seconds
        retry = not permanent and delivery.attempts <= len(backoff)
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = message[:2000]
        delivery.next_attempt_at = None
        if retry:
            at = as_of + timedelta(seconds=backoff[delivery.attempts - 1])
            delivery.next_attempt_at = policy.after_quiet_hours(at) if delivery.channel == "push" else at
        log.warning("delivery %s (%s) failed, attempt %s%s: %s", delivery_id, delivery.channel,
                    delivery.attempts, "" if retry else ", giving up", message)
        db.session.commit()
        return 0
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = as_of
    delivery.next_attempt_at = None
    delivery.last_error = None
    db.session.commit()
    return 1
