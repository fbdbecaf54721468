from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema

CODES = fields.List(fields.String(validate=validate.Length(1, 40)), validate=validate.Length(max=50))


class LegalCaseIn(InSchema):
    kind = fields.String(load_default="case", validate=validate.OneOf(["case", "guidance"], error="应为case或guidance"))
    title = fields.String(required=True, validate=validate.Length(1, 200, error="应为1-200个字符"))
    violation = fields.String(load_default="", validate=validate.Length(max=4000))
    law = fields.String(load_default="", validate=validate.Length(max=2000))
    penalty = fields.String(load_default="", validate=validate.Length(max=2000))
    lesson = fields.String(load_default="", validate=validate.Length(max=4000))
    item_codes = CODES
    obligation_codes = fields.List(fields.String(validate=validate.Length(1, 40)), validate=validate.Length(max=50))
    industries = fields.List(fields.String(validate=validate.Length(1, 20)), validate=validate.Length(max=20))
    permit_classes = fields.List(fields.String(validate=validate.OneOf(["重点管理", "简化管理", "登记管理"],
                                                                       error="应为重点管理、简化管理或登记管理")))


class LegalCasePatch(LegalCaseIn):
    title = fields.String(validate=validate.Length(1, 200, error="应为1-200个字符"))
    kind = fields.String(validate=validate.OneOf(["case", "guidance"], error="应为case或guidance"))
    violation = fields.String(validate=validate.Length(max=4000))
    law = fields.String(validate=validate.Length(max=2000))
    penalty = fields.String(validate=validate.Length(max=2000))
    lesson = fields.String(validate=validate.Length(max=4000))


class LegalCaseArgs(InSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(["case", "guidance"], error="应为case或guidance"))
    item_code = fields.String(load_default=None, validate=validate.Length(max=40))
    obligation_code = fields.String(load_default=None, validate=validate.Length(max=40))


class LegalCaseOut(OutSchema):
    id = fields.Integer()
    kind = fields.String()
    region_code = fields.String()
    title = fields.String()
    violation = fields.String()
    law = fields.String()
    penalty = fields.String()
    lesson = fields.String()
    item_codes = fields.List(fields.String())
    obligation_codes = fields.List(fields.String())
    industries = fields.List(fields.String())
    permit_classes = fields.List(fields.String())
    created_at = fields.DateTime()
    read = fields.Boolean(allow_none=True)
    read_count = fields.Integer(allow_none=True)


class LegalCaseList(OutSchema):
    items = fields.List(fields.Nested(LegalCaseOut))
    total = fields.Integer()


class LegalTrainingIn(InSchema):
    held_on = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.Length(1, 200, error="应为1-200个字符"))
    form = fields.String(load_default="集中培训", validate=validate.OneOf(
        ["集中培训", "行业培训", "专题讲座", "现场帮扶", "座谈答疑"], error="应为集中培训、行业培训、专题讲座、现场帮扶或座谈答疑"))
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(6, 6, error="应为6位行政区划代码"))
    enterprise_ids = fields.List(fields.Integer(validate=validate.Range(1, 2**31 - 1)), required=True,
                                 validate=validate.Length(1, 1000, error="请选择参加的企业"))


class LegalTrainingOut(OutSchema):
    id = fields.Integer()
    region_code = fields.String()
    held_on = fields.Date()
    topic = fields.String()
    form = fields.String()
    enterprise_ids = fields.List(fields.Integer())


class LegalTrainingList(OutSchema):
    items = fields.List(fields.Nested(LegalTrainingOut))
    total = fields.Integer()


class LegalYearArgs(InSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100, error="应为2000-2100"))


class LegalCountyCoverage(OutSchema):
    region_code = fields.String()
    region_name = fields.String()
    key_enterprises = fields.Integer()
    covered = fields.Integer()
    rate = fields.Float()


class LegalCoverageOut(OutSchema):
    year = fields.Integer()
    key_enterprises = fields.Integer()
    covered = fields.Integer()
    rate = fields.Float(allow_none=True)
    counties = fields.List(fields.Nested(LegalCountyCoverage))
