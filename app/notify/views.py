"""Notification inbox, preferences and Web Push subscription endpoints."""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.common.tx import transactional
from app.notify import service
from app.notify.channels import vapid_public_key
from app.notify.schemas import (
    InboxArgs,
    InboxPage,
    NotificationOut,
    PreferencesSchema,
    PushSubscriptionIn,
    PushSubscriptionOut,
    PushUnsubscribeIn,
    ReadAllOut,
    VapidKeyOut,
)

notify_blp = Blueprint("notify", __name__, url_prefix="/api", description="消息提醒")


@notify_blp.route("/notifications")
@login_required
@notify_blp.arguments(InboxArgs, location="query")
@notify_blp.response(200, InboxPage)
def list_notifications(args):
    """我的消息: newest first, with the unread count."""
    return service.list_inbox(current_user, args["unread"], args["page"], args["per_page"])


@notify_blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
@transactional()
@notify_blp.response(200, NotificationOut)
def read_notification(notification_id):
    return service.mark_read(current_user, notification_id)


@notify_blp.route("/notifications/read-all", methods=["POST"])
@login_required
@transactional()
@notify_blp.response(200, ReadAllOut)
def read_all():
    return {"updated": service.mark_all_read(current_user), "unread_count": 0}


@notify_blp.route("/notifications/preferences")
@login_required
@notify_blp.response(200, PreferencesSchema)
def get_preferences():
    return service.get_preferences(current_user)


@notify_blp.route("/notifications/preferences", methods=["PUT"])
@login_required
@transactional()
@notify_blp.arguments(PreferencesSchema)
@notify_blp.response(200, PreferencesSchema)
def put_preferences(data):
    return service.set_preferences(current_user, data["channels"], data["digest"])


@notify_blp.route("/push/vapid-public-key")
@login_required
@notify_blp.response(200, VapidKeyOut)
def push_public_key():
    """The applicationServerKey for PushManager.subscribe()."""
    return {"public_key": vapid_public_key()}


@notify_blp.route("/push/subscriptions", methods=["POST"])
@login_required
@transactional()
@notify_blp.arguments(PushSubscriptionIn)
@notify_blp.response(201, PushSubscriptionOut)
def subscribe(data):
    subscription, created = service.subscribe_push(current_user, data["endpoint"], data["keys"]["p256dh"],
                                                   data["keys"]["auth"])
    return subscription, 201 if created else 200


@notify_blp.route("/push/subscriptions", methods=["DELETE"])
@login_required
@transactional()
@notify_blp.arguments(PushUnsubscribeIn)
@notify_blp.response(204)
def unsubscribe(data):
    service.unsubscribe_push(current_user, data["endpoint"])
