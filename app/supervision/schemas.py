"""Input and output schemas for the regulator console, eligibility, warnings and 企业环保码."""
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from app.accounts.models import ALL_CREDIT_GRADES, PERMIT_CLASSES
from app.common.schemas import InSchema, OutSchema
from app.common.timeutil import isoformat, today_local
from app.common.vocab import severity_validator
from app.supervision.models import (
    CREDIT_CATEGORIES,
    INCIDENT_LEVELS,
    REPAIR_STATUSES,
    WARNING_KINDS,
    WARNING_STATUSES,
)

REGION = validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码")
SORTS = ("name", "-name", "score", "-score", "overdue", "-overdue")


class PageArgs(InSchema):
    """Like app.common.schemas.PageArgs, with validators that raise (marshmallow 4 ignores a False return)."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000, error="页码应为正整数"))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 200, error="每页条数应为1-200"))


def when(attr):
    return fields.Function(lambda o: isoformat(getattr(o, attr)))


# --- inputs --------------------------------------------------------------------------------

class DashboardArgs(InSchema):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    region = fields.String(load_default=None, validate=REGION)
    trend_months = fields.Integer(load_default=12, validate=validate.Range(1, 36, error="应为1-36"))

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("开始日期不能晚于结束日期", "from")


class EnterpriseFilterArgs(InSchema):
    region = fields.String(load_default=None, validate=REGION)
    industry = fields.String(load_default=None, validate=validate.Length(1, 8, error="长度应为1-8个字符"))
    permit_class = fields.String(load_default=None, validate=validate.OneOf(PERMIT_CLASSES, error="管理类别无效"))
    credit_grade = fields.String(load_default=None, validate=validate.OneOf(ALL_CREDIT_GRADES, error="信用等级无效"))
    positive_list = fields.Boolean(load_default=None)
    has_overdue = fields.Boolean(load_default=None)
    min_score = fields.Float(load_default=None, validate=validate.Range(0, 100, error="应为0-100"))
    max_score = fields.Float(load_default=None, validate=validate.Range(0, 100, error="应为0-100"))
    q = fields.String(load_default=None, validate=validate.Length(max=64, error="过长"))
    sort = fields.String(load_default="name", validate=validate.OneOf(SORTS, error="排序方式无效"))


class EnterpriseListArgs(EnterpriseFilterArgs, PageArgs):
    pass


class PenaltyIn(InSchema):
    decision_no = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    decided_on = fields.Date(required=True)
    amount = fields.Float(load_default=0, validate=validate.Range(0, 1e11, error="金额无效"))
    paid_on = fields.Date(load_default=None, allow_none=True)
    credit_category = fields.String(required=True, validate=validate.OneOf(CREDIT_CATEGORIES, error="失信类别无效"))
    problem_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000, error="过长"))

    @validates("decided_on")
    def _not_future(self, value, **kwargs):
        if value > today_local():
            raise ValidationError("处罚决定日期不能晚于今天")


class PenaltyUpdateIn(InSchema):
    paid_on = fields.Date(allow_none=True)
    amount = fields.Float(validate=validate.Range(0, 1e11, error="金额无效"))
    credit_category = fields.String(validate=validate.OneOf(CREDIT_CATEGORIES, error="失信类别无效"))
    problem_ids = fields.List(fields.Integer(), validate=validate.Length(max=200))
    description = fields.String(validate=validate.Length(max=2000, error="过长"))


class IncidentIn(InSchema):
    occurred_on = fields.Date(required=True)
    level = fields.String(required=True, validate=validate.OneOf(INCIDENT_LEVELS, error="事件等级无效"))
    description = fields.String(load_default="", validate=validate.Length(max=2000, error="过长"))


class CrimeIn(InSchema):
    """环境犯罪记录 (a judgement or a transfer to the police), which the positive list's crime fact reads."""
    decided_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    description = fields.String(load_default="", validate=validate.Length(max=2000, error="过长"))


class PositiveListDecisionIn(InSchema):
    action = fields.String(required=True, validate=validate.OneOf(("admit", "remove", "reinstate"),
                                                              error="应为 admit、remove 或 reinstate"))
    reason = fields.String(required=True, validate=validate.Length(1, 1000, error="长度应为1-1000个字符"))
    valid_years = fields.Integer(load_default=None, validate=validate.Range(1, 10, error="应为1-10年"))
    # Admitting an enterprise that fails criteria is an explicit, reasoned and audited override.
    override = fields.Boolean(load_default=False)
    override_reason = fields.String(load_default=None, validate=validate.Length(10, 1000, error="长度应为10-1000个字符"))


class CreditRepairIn(InSchema):
    penalty_id = fields.Integer(required=True)
    commitment_text = fields.String(required=True, validate=validate.Length(10, 5000, error="长度应为10-5000个字符"))


class CreditRepairDecisionIn(InSchema):
    approve = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 1000, error="长度应为1-1000个字符"))


class CreditRepairListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(REPAIR_STATUSES, error="状态无效"))
    enterprise_id = fields.Integer(load_default=None)


class WarningListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(WARNING_STATUSES, error="状态无效"))
    enterprise_id = fields.Integer(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(list(WARNING_KINDS), error="预警类型无效"))
    level = fields.String(load_default=None, validate=validate.OneOf(("high", "medium"), error="等级无效"))


class AcknowledgeIn(InSchema):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000, error="过长"))


class ToProblemIn(InSchema):
    severity = fields.String(required=True, validate=severity_validator())
    deadline_days = fields.Integer(load_default=None, validate=validate.Range(1, 365, error="应为1-365天"))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000, error="过长"))


class EligibilityArgs(InSchema):
    penalty_id = fields.Integer(load_default=None)


class PositiveListArgs(PageArgs):
    region = fields.String(load_default=None, validate=REGION)


# --- outputs -------------------------------------------------------------------------------

class MembershipOut(OutSchema):
    member = fields.Boolean()
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)


class EnterpriseRowOut(OutSchema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    region_name = fields.Function(lambda e: e.region.name if e.region else None)
    industry_code = fields.String()
    industry_name = fields.String()
    permit_class = fields.String()
    permit_no = fields.String(allow_none=True)
    permit_valid_until = fields.Date(allow_none=True)
    credit_grade = fields.String()
    latest_score = fields.Float(allow_none=True)
    latest_grade = fields.String(allow_none=True)
    overdue_problems = fields.Integer()
    overdue_selfchecks = fields.Integer()
    overdue_count = fields.Integer()
    warnings_open = fields.Integer()
    positive_list = fields.Nested(MembershipOut)


class EnterprisePageOut(OutSchema):
    items = fields.List(fields.Nested(EnterpriseRowOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CriterionOut(OutSchema):
    code = fields.String()
    label = fields.String()
    passed = fields.Boolean()
    detail = fields.String()
    evidence_ids = fields.List(fields.String())


class PublicationOut(OutSchema):
    """A penalty's publication window (信用修复管理办法): repair from min_ends_on, publication ends at max_ends_on."""
    credit_category = fields.String()
    min_months = fields.Integer()
    max_months = fields.Integer(allow_none=True)
    min_ends_on = fields.Date()
    max_ends_on = fields.Date(allow_none=True)
    ended = fields.Boolean()
    basis = fields.String()
    basis_checked = fields.Boolean()


class EligibilityPartOut(OutSchema):
    eligible = fields.Boolean()
    penalty_id = fields.Integer(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionOut))
    publication = fields.Nested(PublicationOut, allow_none=True)


class SuspensionReasonOut(OutSchema):
    trigger = fields.String()
    label = fields.String()
    detail = fields.String()
    evidence_ids = fields.List(fields.String())


class MembershipStatusOut(OutSchema):
    """正面清单 status on the enterprise's page: member, suspended (with reasons), removed, expired, none."""
    member = fields.Boolean()
    status = fields.String()
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    suspended = fields.Boolean()
    suspended_on = fields.Date(allow_none=True)
    reasons = fields.List(fields.Nested(SuspensionReasonOut))
    removed_on = fields.Date(allow_none=True)
    removed_reason = fields.String(allow_none=True)
    override_reason = fields.String(allow_none=True)          # admitted against failed criteria: why
    override_failed = fields.List(fields.Dict(), allow_none=True)  # and which criteria it overrode


class EligibilityOut(OutSchema):
    enterprise_id = fields.Integer()
    as_of = fields.Date()
    province = fields.String()
    membership = fields.Nested(MembershipStatusOut)
    positive_list = fields.Nested(EligibilityPartOut)
    credit_repair = fields.Nested(EligibilityPartOut)


class WarningOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda w: w.enterprise.name)
    kind = fields.String()
    kind_label = fields.Function(lambda w: WARNING_KINDS.get(w.kind, w.kind))
    level = fields.String()
    title = fields.String()
    detail = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.Integer(allow_none=True)
    as_of = fields.Date()
    status = fields.String()
    created_at = when("created_at")
    handled_at = when("handled_at")
    comment = fields.String(allow_none=True)
    problem_id = fields.Integer(allow_none=True)


class WarningPageOut(OutSchema):
    items = fields.List(fields.Nested(WarningOut))
    total = fields.Integer()


class PenaltyOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    decision_no = fields.String()
    decided_on = fields.Date()
    amount = fields.Float()
    paid_on = fields.Date(allow_none=True)
    credit_category = fields.String()
    problem_ids = fields.List(fields.Integer())
    description = fields.String()
    repaired = fields.Function(lambda p: p.repaired_at is not None)
    repaired_at = when("repaired_at")
    created_at = when("created_at")


class CrimeOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    decided_on = fields.Date()
    reference = fields.String()
    description = fields.String()


class IncidentOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    occurred_on = fields.Date()
    level = fields.String()
    description = fields.String()
    created_at = when("created_at")


class PositiveListEntryOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda e: e.enterprise.name)
    uscc = fields.Function(lambda e: e.enterprise.uscc)
    region_code = fields.Function(lambda e: e.enterprise.region_code)
    region_name = fields.Function(lambda e: e.enterprise.region.name if e.enterprise.region else None)
    industry_name = fields.Function(lambda e: e.enterprise.industry_name)
    admitted_on = fields.Date()
    valid_until = fields.Date()
    reason = fields.String()
    removed_on = fields.Date(allow_none=True)
    removed_reason = fields.String(allow_none=True)
    member = fields.Function(lambda e: e.removed_on is None and e.valid_until >= today_local())


class PositiveListPageOut(OutSchema):
    items = fields.List(fields.Nested(PositiveListEntryOut))
    total = fields.Integer()


class CreditRepairOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda a: a.enterprise.name)
    penalty_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    decision_no = fields.Function(lambda a: a.penalty.decision_no)
    commitment_text = fields.String()
    evidence = fields.Dict()
    status = fields.String()
    submitted_at = when("submitted_at")
    decided_at = when("decided_at")
    decision_reason = fields.String(allow_none=True)


class CreditRepairPageOut(OutSchema):
    items = fields.List(fields.Nested(CreditRepairOut))
    total = fields.Integer()
