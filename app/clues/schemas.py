"""Clue schemas: the form's fields in and out, the transitions' inputs, allowed_actions for the current user."""
from marshmallow import fields, validate

from app.clues.models import CATEGORIES, CONCLUSIONS, OPINIONS, ORIGINS, SOURCES, STATUS_LABELS
from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat
from app.inspections.rules import unit_name

SHORT = validate.Length(max=64, error="过长")
TEXT = validate.Length(max=4000, error="内容过长")
UNIT = validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码")


class ClueFields(InSchema):
    from_dept = fields.String(validate=SHORT)
    to_unit_code = fields.String(validate=UNIT)
    to_dept = fields.String(validate=SHORT)
    source = fields.String(validate=validate.OneOf(list(SOURCES), error="线索来源无效"))
    source_other = fields.String(validate=validate.Length(max=100, error="过长"))
    categories = fields.List(fields.String(validate=validate.OneOf(list(CATEGORIES), error="违法行为类别无效")),
                             validate=validate.Length(max=len(CATEGORIES), error="过多"))
    category_other = fields.String(validate=validate.Length(max=100, error="过长"))
    description = fields.String(validate=TEXT)
    legal_basis = fields.String(validate=TEXT)
    sender_opinion = fields.String(validate=validate.OneOf(list(OPINIONS), error="移送方意见无效"))
    assist_dept = fields.String(validate=SHORT)
    handler_name = fields.String(validate=SHORT)
    sender_head = fields.String(validate=SHORT)
    upload_ids = fields.List(fields.Integer(), validate=validate.Length(max=30, error="最多30个"))


class ClueIn(ClueFields):
    enterprise_id = fields.Integer(load_default=None)
    origin_type = fields.String(load_default=None, validate=validate.OneOf(list(ORIGINS), error="来源对象类型无效"))
    origin_id = fields.Integer(load_default=None)


class ActionIn(InSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000, error="过长"))
    receiver_opinion = fields.String(load_default="", validate=TEXT)
    receiver_head = fields.String(load_default="", validate=SHORT)
    conclusion = fields.String(load_default="", validate=validate.OneOf([*CONCLUSIONS, ""], error="办理结果无效"))
    outcome = fields.String(load_default="", validate=TEXT)
    referred_to = fields.String(load_default="", validate=validate.Length(max=100, error="过长"))


class ClueListArgs(PageArgs):
    box = fields.String(load_default=None, validate=validate.OneOf(["inbox", "outbox"], error="应为inbox或outbox"))
    status = fields.String(load_default=None, validate=validate.OneOf(list(STATUS_LABELS), error="状态无效"))
    enterprise_id = fields.Integer(load_default=None)


class MaterialOut(OutSchema):
    kind = fields.String()
    title = fields.String()
    upload_id = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    lines = fields.List(fields.String())


class ClueSummary(OutSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS[c.status])
    from_unit_code = fields.String()
    from_unit_name = fields.Function(lambda c: unit_name(c.from_unit_code))
    from_dept = fields.String()
    to_unit_code = fields.String()
    to_unit_name = fields.Function(lambda c: unit_name(c.to_unit_code))
    to_dept = fields.String()
    transferred_on = fields.Date(allow_none=True)
    enterprise_id = fields.Integer()
    subject_name = fields.String()
    subject_id_no = fields.String()
    source = fields.String()
    source_label = fields.Function(lambda c: SOURCES.get(c.source, c.source))
    categories = fields.List(fields.String())
    category_labels = fields.Function(lambda c: [CATEGORIES[k] for k in c.categories if k in CATEGORIES])
    accept_due = fields.Date(allow_none=True)
    conclude_due = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    allowed_actions = fields.List(fields.String())


class ClueDetail(ClueSummary):
    source_other = fields.String()
    category_other = fields.String()
    description = fields.String()
    legal_basis = fields.String()
    materials = fields.List(fields.Nested(MaterialOut))
    sender_opinion = fields.String(allow_none=True)
    sender_opinion_label = fields.Function(lambda c: OPINIONS.get(c.sender_opinion) if c.sender_opinion else None)
    assist_dept = fields.String()
    handler_name = fields.String()
    sender_head = fields.String()
    receiver_opinion = fields.String()
    receiver_head = fields.String()
    origin_type = fields.String(allow_none=True)
    origin_id = fields.Integer(allow_none=True)
    return_reason = fields.String(allow_none=True)
    conclusion = fields.String(allow_none=True)
    conclusion_label = fields.Function(lambda c: CONCLUSIONS.get(c.conclusion) if c.conclusion else None)
    outcome = fields.String(allow_none=True)
    referred_to = fields.String(allow_none=True)
    created_at = fields.Function(lambda c: isoformat(c.created_at))
    transferred_at = fields.Function(lambda c: isoformat(c.transferred_at))
    accepted_at = fields.Function(lambda c: isoformat(c.accepted_at))
    concluded_at = fields.Function(lambda c: isoformat(c.concluded_at))


class CluePage(OutSchema):
    items = fields.List(fields.Nested(ClueSummary))
    total = fields.Integer()
