"""Input and output schemas for the inbox, preferences and Web Push subscriptions."""
import base64

from marshmallow import ValidationError, fields, validate, validates

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat
from app.notify.pushguard import PushPolicy, endpoint_problem
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
        """Only a public push service's https URL, never an IP literal or a local name (no SSRF)."""
        problem = endpoint_problem(value, PushPolicy.from_config())
        if problem:
            raise ValidationError(problem)


class PushUnsubscribeIn(InSchema):
    endpoint = fields.String(required=True, validate=validate.Length(max=1024, error="地址过长"))


class PushSubscriptionOut(OutSchema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.Function(lambda s: isoformat(s.created_at))
