"""Input schemas (request bodies and query arguments) for the regulator console, eligibility, warnings and decisions."""
from datetime import date

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from app.accounts.models import ALL_CREDIT_GRADES, PERMIT_CLASSES
from app.common.schemas import InSchema
from app.common.timeutil import today_local
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


# --- inputs --------------------------------------------------------------------------------

# The dashboard's ranges (and its trend's months) stay inside years that can hold data.
DASHBOARD_DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="日期应在2000-01-01至2099-12-31之间")


class DashboardArgs(InSchema):
    from_ = fields.Date(data_key="from", load_default=None, validate=DASHBOARD_DATES)
    to = fields.Date(load_default=None, validate=DASHBOARD_DATES)
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
