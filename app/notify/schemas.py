"""Input and output schemas for the inbox, preferences and Web Push subscriptions."""
import base64
import ipaddress
from urllib.parse import urlsplit

from flask import current_app
from marshmallow import ValidationError, fields, validate, validates

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat
from app.notify.service import CHANNELS


class InboxArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationOut(OutSchema):
    id = fields.Integer()
    kind = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    stage = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    read = fields.Function(lambda n: n.read_at is not None)
    read_at = fields.Function(lambda n: isoformat(n.read_at))
    created_at = fields.Function(lambda n: isoformat(n.created_at))


class InboxPage(OutSchema):
    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Integer()
    unread_count = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ReadAllOut(OutSchema):
    updated = fields.Integer()
    unread_count = fields.Integer()


class PreferencesSchema(InSchema):
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS, error="渠道应为 inbox、push 或 email")),
                           required=True)
    digest = fields.Boolean(load_default=False)

    class Meta(InSchema.Meta):
        ordered = True


class VapidKeyOut(OutSchema):
    public_key = fields.String()


def _b64url_length(value: str, length: int) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) == length
    except (ValueError, TypeError):
        return False


class PushKeysIn(InSchema):
    p256dh = fields.String(required=True, validate=lambda v: _b64url_length(v, 65) or _fail("应为65字节的公钥"))
    auth = fields.String(required=True, validate=lambda v: _b64url_length(v, 16) or _fail("应为16字节的密钥"))


def _fail(message: str):
    raise ValidationError(message)


class PushSubscriptionIn(InSchema):
    endpoint = fields.String(required=True, validate=validate.Length(max=1024, error="地址过长"))
    keys = fields.Nested(PushKeysIn, required=True)

    @validates("endpoint")
    def check_endpoint(self, value: str, **_kwargs):
        """The push service is a public HTTPS server; refuse loopback and private hosts (no SSRF)."""
        parts = urlsplit(value)
        allow_local = current_app.config.get("PUSH_ALLOW_LOOPBACK", False)
        if parts.scheme not in ("https",) + (("http",) if allow_local else ()) or not parts.hostname:
            raise ValidationError("推送地址应为 https 地址")
        host = parts.hostname
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        local = host == "localhost" or host.endswith(".localhost") or (
            address is not None and (address.is_private or address.is_loopback or address.is_link_local
                                     or address.is_reserved or address.is_unspecified))
        if local and not (allow_local and (host == "localhost" or (address and address.is_loopback))):
            raise ValidationError("推送地址不能指向本机或内网")


class PushUnsubscribeIn(InSchema):
    endpoint = fields.String(required=True, validate=validate.Length(max=1024, error="地址过长"))


class PushSubscriptionOut(OutSchema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.Function(lambda s: isoformat(s.created_at))
