"""Input and output schemas for /api/cases."""
from marshmallow import fields, validate

from app.cases.models import DECISIONS, STATUS_LABELS
from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.vocab import SEVERITIES
from app.supervision.models import CREDIT_CATEGORIES

ID = {"validate": validate.Range(1, 2**31 - 1, error="编号无效")}
TEXT = validate.Length(max=5000, error="过长（最多5000个字符）")
SCALAR = fields.Raw(validate=lambda v: v is None or isinstance(v, bool | int | float) or (
    isinstance(v, str) and len(v) <= 200))


class CaseCircumstances(fields.Dict):
    """情节: fact name → bool, number or short text (e.g. area_m2, harm_caused, heavy_pollution_weather)."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(validate=validate.Length(1, 64)), values=SCALAR,
                         validate=validate.Length(max=50, error="最多50项"), **kwargs)


class CaseFactors(fields.Dict):
    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(validate=validate.Length(1, 64)),
                         values=fields.String(validate=validate.Length(1, 64)),
                         validate=validate.Length(max=30, error="最多30项"), **kwargs)


class CaseIn(InSchema):
    enterprise_id = fields.Integer(load_default=None, allow_none=True, **ID)
    problem_id = fields.Integer(load_default=None, allow_none=True, **ID)
    penalty_id = fields.Integer(load_default=None, allow_none=True, **ID)
    finding_id = fields.Integer(load_default=None, allow_none=True, **ID)
    clue_id = fields.Integer(load_default=None, allow_none=True, **ID)
    alarm_id = fields.Integer(load_default=None, allow_none=True, **ID)
    violation_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    facts = fields.String(load_default="", validate=TEXT)
    evidence_upload_ids = fields.List(fields.Integer(**ID), load_default=list, validate=validate.Length(max=200))
    discovered_on = fields.Date(load_default=None, allow_none=True)
    circumstances = CaseCircumstances(load_default=dict)
    factors = CaseFactors(load_default=dict)


class CaseUpdateIn(InSchema):
    violation_code = fields.String(allow_none=True, validate=validate.Length(1, 64))
    facts = fields.String(validate=TEXT)
    evidence_upload_ids = fields.List(fields.Integer(**ID), validate=validate.Length(max=200))
    discovered_on = fields.Date()
    circumstances = CaseCircumstances()
    factors = CaseFactors()


class CaseCommentIn(InSchema):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CaseWithdrawIn(InSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="请填写撤销理由"))


class CaseCloseIn(CaseCommentIn):
    paid_on = fields.Date(load_default=None, allow_none=True)


class CaseDecisionIn(InSchema):
    decision = fields.String(required=True, validate=validate.OneOf(list(DECISIONS), error="应为 punish、no_penalty、"
                                                                                          "lighter 或 mitigated"))
    list_entry_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 32))
    amount = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 1e10, error="金额无效"))
    amount_reason = fields.String(load_default=None, allow_none=True, validate=TEXT)
    credit_category = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(CREDIT_CATEGORIES, error="失信类别无效"))
    education = fields.String(load_default=None, allow_none=True, validate=TEXT)
    severity = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SEVERITIES))
    deadline_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 365))


class CaseListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))
    enterprise_id = fields.Integer(**ID)
    violation_code = fields.String(validate=validate.Length(1, 64))


class CaseCatalogueArgs(InSchema):
    province = fields.String(load_default="230000", validate=validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码"))


class CaseOut(OutSchema):
    id = fields.Integer()
    number = fields.String()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda c: c.enterprise.name)
    enterprise_uscc = fields.Function(lambda c: c.enterprise.uscc)
    province = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS[c.status])
    source = fields.String()
    problem_id = fields.Integer(allow_none=True)
    penalty_id = fields.Integer(allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    clue_id = fields.Integer(allow_none=True)
    alarm_id = fields.Integer(allow_none=True)
    violation_code = fields.String(allow_none=True)
    violation_title = fields.String()
    facts = fields.String()
    evidence_upload_ids = fields.List(fields.Integer())
    circumstances = fields.Dict()
    factors = fields.Dict()
    discovered_on = fields.Date()
    decision = fields.String(allow_none=True)
    decision_label = fields.Function(lambda c: DECISIONS.get(c.decision or "", None), allow_none=True)
    list_entry_id = fields.String(allow_none=True)
    decision_no = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    amount = fields.Float(allow_none=True)
    suggested_amount = fields.Float(allow_none=True)
    amount_reason = fields.String(allow_none=True)
    credit_category = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    rectification_problem_id = fields.Integer(allow_none=True)
    documents_issued_on = fields.Date(allow_none=True)
    legacy = fields.Boolean()
    allowed_actions = fields.List(fields.String())


class CasePageOut(OutSchema):
    items = fields.List(fields.Nested(CaseOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CaseConditionOut(OutSchema):
    kind = fields.String()
    label = fields.String()
    passed = fields.Boolean(allow_none=True)
    detail = fields.String()
    evidence_ids = fields.List(fields.String())


class CaseExclusionOut(OutSchema):
    fact = fields.String()
    label = fields.String()
    present = fields.Boolean(allow_none=True)
    detail = fields.String()
    source = fields.String(allow_none=True)


class CaseEntryOut(OutSchema):
    entry_id = fields.String()
    lists = fields.List(fields.String())
    list_labels = fields.List(fields.String())
    number = fields.String()
    basis = fields.Dict(allow_none=True)
    result = fields.String()
    first_offence = fields.Boolean()
    source_title = fields.String()
    source_url = fields.String(allow_none=True)
    checked = fields.Boolean()
    conditions = fields.List(fields.Nested(CaseConditionOut))
    exclusions = fields.List(fields.Nested(CaseExclusionOut))


class CaseEvaluationOut(OutSchema):
    case_id = fields.Integer()
    province = fields.String()
    violation_code = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(CaseEntryOut))
    mitigating = fields.List(fields.Dict())
    recommendation = fields.Dict()


class CaseDiscretionOut(OutSchema):
    available = fields.Boolean()
    reason = fields.String()
    source = fields.Dict()
    percent = fields.Float()
    amount = fields.Float()
    band = fields.List(fields.Float())
    statutory_range = fields.List(fields.Float())
    lines = fields.List(fields.Dict())
    auto = fields.List(fields.Dict())
    arithmetic = fields.String()
    penalty_article = fields.Dict()
    note = fields.String()
    similar_cases = fields.List(fields.Dict())


class CaseCatalogueOut(OutSchema):
    province = fields.String()
    name = fields.String()
    violations = fields.List(fields.Dict())
    lists = fields.Dict()
    entries = fields.List(fields.Dict())
