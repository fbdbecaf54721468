"""Schemas for plans and draws, quiet periods, special actions (附件1) and the public listing."""
from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.inspections.models import ActionStatus
from app.inspections.schemas import ID, OpinionOut, one_of, text

YEAR = validate.Range(2000, 2100, error="年份应为2000-2100")
CATEGORY = one_of(["重点", "一般", "特殊"], "监管类别")


class YearArgs(PageArgs):
    year = fields.Integer(load_default=None, validate=YEAR)


class PlanIn(InSchema):
    year = fields.Integer(required=True, validate=YEAR)
    name = text(200, required=True, minimum=2)
    basis = text(2000, load_default="")
    ratios = fields.Dict(keys=fields.String(validate=CATEGORY),
                         values=fields.Float(validate=validate.Range(0, 1, error="应在0到1之间")), load_default=None)
    caps = fields.Dict(keys=fields.String(validate=CATEGORY),
                       values=fields.Integer(validate=validate.Range(1, 52, error="应为1-52次")), load_default=None)
    team_size = fields.Integer(load_default=None, validate=validate.Range(2, 10, error="应为2-10人"))


class PlanOut(OutSchema):
    id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    year = fields.Integer()
    name = fields.String()
    basis = fields.String()
    ratios = fields.Dict()
    caps = fields.Dict()
    team_size = fields.Integer()
    created_at = fields.DateTime()


class PlanPage(OutSchema):
    items = fields.List(fields.Nested(PlanOut))
    total = fields.Integer()


class DrawIn(InSchema):
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)


class ExcludedOut(OutSchema):
    enterprise_id = fields.Integer()
    name = fields.String()
    reason = fields.String()
    label = fields.String()
    detail = fields.String()


class SelectedOut(OutSchema):
    enterprise_id = fields.Integer()
    category = fields.String()
    inspector_ids = fields.List(fields.Integer())
    inspection_id = fields.Integer()


class CandidateOut(OutSchema):
    enterprise_id = fields.Integer()
    category = fields.String()
    credit_grade = fields.String()
    weight = fields.Integer()


class DrawOut(OutSchema):
    id = fields.Integer()
    plan_id = fields.Integer()
    seq = fields.Integer()
    window_start = fields.Date()
    window_end = fields.Date()
    seed = fields.String()
    algorithm = fields.String()
    candidates = fields.List(fields.Nested(CandidateOut))
    inspector_pool = fields.List(fields.Integer())
    excluded = fields.List(fields.Nested(ExcludedOut))
    selected = fields.List(fields.Nested(SelectedOut))
    created_at = fields.DateTime()
    reproducible = fields.Boolean()


class DrawList(OutSchema):
    items = fields.List(fields.Nested(DrawOut))


class QuietArgs(PageArgs):
    enterprise_id = fields.Integer(load_default=None, validate=ID)
    on = fields.Date(load_default=None)


class QuietIn(InSchema):
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\d{6}$", error="应为6位行政区划代码"))
    enterprise_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    reason = text(500, required=True, minimum=1)


class QuietOut(OutSchema):
    id = fields.Integer()
    region_code = fields.String(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    reason = fields.String()
    unit_code = fields.String(allow_none=True)
    created_at = fields.DateTime()
    removed_at = fields.DateTime(allow_none=True)


class QuietPage(OutSchema):
    items = fields.List(fields.Nested(QuietOut))
    total = fields.Integer()


class SpecialArgs(PageArgs):
    status = fields.String(load_default=None, validate=one_of([s.value for s in ActionStatus], "状态"))


class SpecialIn(InSchema):
    form_date = fields.Date(load_default=None)
    name = text(200, required=True, minimum=2)
    basis = text(2000, required=True, minimum=1)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, error_messages={"required": "专项执法检查必须限定结束日期"})
    targets = text(2000, required=True, minimum=1)
    target_industries = fields.List(text(64), load_default=list, validate=validate.Length(max=50, error="最多50项"))
    target_regions = fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码")),
                                 load_default=list, validate=validate.Length(max=50, error="最多50项"))
    target_enterprise_ids = fields.List(fields.Integer(validate=ID), load_default=list,
                                        validate=validate.Length(max=500, error="最多500家"))
    content = text(4000, required=True, minimum=1)


class SpecialPatch(InSchema):
    form_date = fields.Date()
    name = text(200, minimum=2)
    basis = text(2000, minimum=1)
    start_date = fields.Date()
    end_date = fields.Date()
    targets = text(2000, minimum=1)
    content = text(4000, minimum=1)


class FilingIn(InSchema):
    filed_with = text(200, required=True, minimum=1)
    filing_no = text(64, load_default=None, allow_none=True)


class SpecialOut(OutSchema):
    id = fields.Integer()
    number = fields.String()
    form_date = fields.Date()
    name = fields.String()
    basis = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    unit_code = fields.String()
    unit_name = fields.String()
    targets = fields.String()
    target_industries = fields.List(fields.String())
    target_regions = fields.List(fields.String())
    target_enterprise_ids = fields.List(fields.Integer())
    content = fields.String()
    status = fields.String()
    status_label = fields.String()
    filed_with = fields.String(allow_none=True)
    filing_no = fields.String(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    allowed_actions = fields.List(fields.String())


class SpecialDetail(SpecialOut):
    current_step = fields.String(allow_none=True)
    opinions = fields.List(fields.Nested(OpinionOut))


class SpecialPage(OutSchema):
    items = fields.List(fields.Nested(SpecialOut))
    total = fields.Integer()


class PublicArgs(InSchema):
    region_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码"))
    year = fields.Integer(load_default=None, validate=YEAR)


class PublicInspector(OutSchema):
    name = fields.String()
    cert_no = fields.String(allow_none=True)


class PublicPlanned(OutSchema):
    number = fields.String()
    unit_name = fields.String()
    name = fields.String()
    basis = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    targets = fields.String()
    content = fields.String()
    inspectors = fields.List(fields.Nested(PublicInspector))


class PublicCompleted(OutSchema):
    number = fields.String()
    unit_name = fields.String()
    enterprise_name = fields.String()
    inspection_type = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    completed_on = fields.Date()
    result = fields.String()
    problem_count = fields.Integer()
    inspectors = fields.List(fields.Nested(PublicInspector))


class PublicListing(OutSchema):
    planned = fields.List(fields.Nested(PublicPlanned))
    completed = fields.List(fields.Nested(PublicCompleted))


