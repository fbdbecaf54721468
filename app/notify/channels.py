"""Delivery channels: Web Push and email, behind one small interface.

A channel has a `name` and `send(delivery)`; it raises DeliveryError when the message did not go
out. SMS or WeChat template messages are added later as further adapters: subclass Channel and
call register_channel() — nothing here pretends to send them.
"""
import base64
import json
import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import formataddr
from html import escape
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, select

from app.accounts.models import User
from app.common.links import external_url
from app.extensions import db
from app.notify.models import Delivery, Notification, PushSubscription
from app.notify.policy import setting
from app.notify.pushguard import PushPolicy, UnsafeEndpoint, endpoint_problem, pinned_session

log = logging.getLogger(__name__)
SUBJECT_PREFIX = "【环保自查】"


class DeliveryError(Exception):
    """The send failed; `permanent` means retrying cannot help (the error is kept, no retry)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Channel:
    name = ""

    def enabled(self) -> bool:
        return True

    def send(self, delivery: Delivery) -> None:
        raise NotImplementedError


def absolute_link(link: str) -> str:
    return external_url(link) if link.startswith("/") else link


def _load(delivery: Delivery) -> tuple[Notification, User]:
    notification = db.session.get(Notification, delivery.notification_id)
    return notification, db.session.get(User, notification.recipient_id)


# --- email ---------------------------------------------------------------------------------

class EmailChannel(Channel):
    """SMTP from MAIL_HOST/MAIL_PORT/MAIL_TLS/MAIL_USER/MAIL_PASSWORD/MAIL_FROM; no host, no email."""

    name = "email"

    def enabled(self) -> bool:
        return bool(setting("MAIL_HOST"))

    def build(self, notification: Notification, to: str) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = SUBJECT_PREFIX + notification.title
        message["From"] = setting("MAIL_FROM") or formataddr(("环保自查", "noreply@localhost"))
        message["To"] = to
        link = absolute_link(notification.link)
        text = f"{notification.title}\n\n{notification.body}\n\n查看详情：{link}\n\n——环保自查系统（此邮件由系统自动发送，请勿回复）\n"
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in notification.body.splitlines() if line)
        html = (f'<!doctype html><html lang="zh-CN"><body><h3>{escape(notification.title)}</h3>{paragraphs}'
                f'<p><a href="{escape(link, quote=True)}">查看详情</a></p>'
                f'<p style="color:#888">环保自查系统（此邮件由系统自动发送，请勿回复）</p></body></html>')
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message

    def send(self, delivery: Delivery) -> None:
        notification, user = _load(delivery)
        if not user or not user.active or not user.email:
            raise DeliveryError("收件人没有可用的邮箱", permanent=True)
        message = self.build(notification, user.email)
        host, port = setting("MAIL_HOST"), int(setting("MAIL_PORT") or 25)
        tls = str(setting("MAIL_TLS") or "0").lower()
        try:
            smtp_class = smtplib.SMTP_SSL if tls == "ssl" else smtplib.SMTP
            with smtp_class(host, port, timeout=30) as smtp:
                if tls in ("1", "true", "yes", "starttls"):
                    smtp.starttls()
                if setting("MAIL_USER"):
                    smtp.login(setting("MAIL_USER"), setting("MAIL_PASSWORD") or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"收件地址被拒绝：{exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"邮件发送失败：{exc}") from exc


# --- Web Push ------------------------------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_private_pem() -> bytes:
    """VAPID_PRIVATE_KEY (PEM) from config, else a P-256 key generated once into instance/."""
    configured = setting("VAPID_PRIVATE_KEY")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    path = Path(current_app.instance_path) / "vapid_private.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process generated it first; use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return path.read_bytes()


def vapid_public_key() -> str:
    """The applicationServerKey for PushManager.subscribe(): base64url of the uncompressed point."""
    key = serialization.load_pem_private_key(vapid_private_pem(), password=None)
    return _b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint))


class PushChannel(Channel):
    """Web Push (RFC 8030/8291/8292) with pywebpush; 404/410 from the push service removes the subscription."""

    name = "push"

    def payload(self, notification: Notification) -> str:
        return json.dumps({"id": notification.id, "title": notification.title, "body": notification.body,
                           "url": notification.link, "kind": notification.kind}, ensure_ascii=False)

    def send(self, delivery: Delivery) -> None:
        from py_vapid import Vapid
        from pywebpush import WebPushException, webpush

        notification, user = _load(delivery)
        subscriptions = db.session.scalars(select(PushSubscription).where(
            PushSubscription.user_id == notification.recipient_id)).all()
        if not subscriptions or not user or not user.active:
            raise DeliveryError("没有有效的推送订阅", permanent=True)
        vapid = Vapid.from_pem(vapid_private_pem())
        subject = setting("VAPID_SUBJECT") or "mailto:admin@localhost"
        data, delivered, errors = self.payload(notification), 0, []
        policy = PushPolicy.from_config()
        session = pinned_session(policy)
        for subscription in subscriptions:
            problem = endpoint_problem(subscription.endpoint, policy)
            if problem:  # stored before the rules were tightened, or the allow-list changed: drop it
                db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription.id))
                log.warning("push subscription %s refused and removed: %s", subscription.id, problem)
                errors.append(f"订阅已失效（{problem}）")
                continue
            info = {"endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
            try:
                webpush(info, data, vapid_private_key=vapid, vapid_claims={"sub": subject}, ttl=86400,
                        timeout=15, requests_session=session)
                delivered += 1
            except UnsafeEndpoint as exc:  # resolved to a non-global address: no connection was made
                log.warning("push subscription %s blocked: %s", subscription.id, exc)
                errors.append(f"订阅已失效（{exc}）")
            except WebPushException as exc:
                if exc.status_code in (404, 410):
                    db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription.id))
                    log.info("push subscription %s expired (%s), removed", subscription.id, exc.status_code)
                    errors.append(f"订阅已失效（{exc.status_code}）")
                else:
                    errors.append(f"推送服务返回错误（{exc.status_code}）")
            except Exception as exc:  # network errors, bad keys: keep the reason, retry later
                errors.append(f"推送失败：{exc.__class__.__name__}: {exc}")
        session.close()
        if delivered:
            return
        expired_only = all(e.startswith("订阅已失效") for e in errors)
        raise DeliveryError("；".join(errors)[:1000], permanent=expired_only)


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add or replace a channel adapter (e.g. SMS, WeChat template messages)."""
    _CHANNELS[channel.name] = channel


def get_channel(name: str) -> Channel | None:
    return _CHANNELS.get(name)


register_channel(PushChannel())
register_channel(EmailChannel())
