from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.requests.models import STATUS_LABELS

CATEGORY_ERROR = "应为政策咨询、技术帮扶、执法投诉、意见建议或其他"
CATEGORIES = ["政策咨询", "技术帮扶", "执法投诉", "意见建议", "其他"]
ID = validate.Range(1, 2**31 - 1)


class ReqRequestIn(InSchema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES, error=CATEGORY_ERROR))
    content = fields.String(required=True, validate=validate.Length(1, 2000, error="应为1-2000个字符"))
    upload_ids = fields.List(fields.Integer(validate=ID), load_default=list, validate=validate.Length(max=9))
    problem_id = fields.Integer(load_default=None, allow_none=True, validate=ID)


class ReqRequestArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["open", *STATUS_LABELS], error="应为 open（待办）或 " + "、".join(STATUS_LABELS)))
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES, error=CATEGORY_ERROR))
    enterprise_id = fields.Integer(load_default=None, validate=ID)


class ReqCommentIn(InSchema):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ReqAssignIn(InSchema):
    assignee_id = fields.Integer(required=True, validate=ID)


class ReqReplyIn(InSchema):
    body = fields.String(required=True, validate=validate.Length(1, 2000, error="应为1-2000个字符"))


class ReqCloseIn(InSchema):
    result = fields.String(required=True, validate=validate.Length(1, 2000, error="应为1-2000个字符"))


class ReqRateIn(InSchema):
    rating = fields.String(required=True, validate=validate.OneOf(["满意", "基本满意", "不满意"],
                                                                  error="应为满意、基本满意或不满意"))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ReqReviewIn(InSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["rehandle", "uphold"],
                                                                    error="应为rehandle或uphold"))
    comment = fields.String(required=True, validate=validate.Length(1, 1000, error="应为1-1000个字符"))


class ReqFollowupIn(InSchema):
    note = fields.String(required=True, validate=validate.Length(1, 1000, error="应为1-1000个字符"))


class ReqEventOut(OutSchema):
    kind = fields.String()
    body = fields.String()
    at = fields.DateTime()


class ReqRequestOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    category = fields.String()
    content = fields.String()
    upload_ids = fields.List(fields.Integer())
    problem_id = fields.Integer(allow_none=True)
    status = fields.String()
    submitted_on = fields.Date()
    register_due = fields.Date()
    reply_due = fields.Date()
    close_due = fields.Date()
    assigned_to_id = fields.Integer(allow_none=True)
    result = fields.String()
    rating = fields.String(allow_none=True)
    rating_comment = fields.String()
    reopen_count = fields.Integer()
    followup_due = fields.Date(allow_none=True)
    followup_note = fields.String()
    allowed_actions = fields.List(fields.String())
    events = fields.List(fields.Nested(ReqEventOut))


class ReqRequestPage(OutSchema):
    items = fields.List(fields.Nested(ReqRequestOut))
    total = fields.Integer()


class ReqQualityArgs(InSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100, error="应为2000-2100"))


class ReqStepOut(OutSchema):
    step = fields.String()
    due = fields.Integer()
    on_time = fields.Integer()
    rate = fields.Float(allow_none=True)


class ReqQualityOut(OutSchema):
    total = fields.Integer()
    steps = fields.List(fields.Nested(ReqStepOut))
    rated = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True)
    reopened = fields.Integer()
    reopened_share = fields.Float(allow_none=True)
    followups_due = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
