"""Output schemas for the dashboard, the enterprise profile and the public card."""
from marshmallow import fields

from app.common.schemas import OutSchema
from app.common.timeutil import today_local
from app.supervision.schemas import (
    CreditRepairOut,
    EligibilityOut,
    EnterpriseRowOut,
    IncidentOut,
    PenaltyOut,
    WarningOut,
    when,
)

# --- dashboard -----------------------------------------------------------------------------

class SelfCheckMetricsOut(OutSchema):
    due = fields.Integer()
    completed = fields.Integer()
    on_time = fields.Integer()
    overdue = fields.Integer()
    completion_rate = fields.Float(allow_none=True)
    average_score = fields.Float(allow_none=True)


class ProblemMetricsOut(OutSchema):
    open = fields.Integer()
    overdue = fields.Integer()
    awaiting_review = fields.Integer()
    by_severity = fields.Dict(keys=fields.String(), values=fields.Dict())
    created = fields.Integer()
    closed = fields.Integer()
    average_days_to_close = fields.Float(allow_none=True)


class MetricsOut(OutSchema):
    code = fields.String(allow_none=True)
    name = fields.String()
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    enterprises = fields.Integer()
    selfchecks = fields.Nested(SelfCheckMetricsOut)
    problems = fields.Nested(ProblemMetricsOut)
    positive_list_members = fields.Integer()
    warnings_open = fields.Integer()


class TrendOut(OutSchema):
    month = fields.String()
    due = fields.Integer()
    completed = fields.Integer()
    completion_rate = fields.Float(allow_none=True)
    average_score = fields.Float(allow_none=True)


class ReasonOut(OutSchema):
    colour = fields.String()
    text = fields.String()


class AttentionItemOut(OutSchema):
    enterprise_id = fields.Integer()
    name = fields.String()
    region_code = fields.String()
    colour = fields.String()
    reasons = fields.List(fields.Nested(ReasonOut))


class AttentionOut(OutSchema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(AttentionItemOut))
    truncated = fields.Boolean()


class DashboardOut(OutSchema):
    filters = fields.Dict()
    today = fields.Date()
    current = fields.Nested(MetricsOut)
    range = fields.Nested(MetricsOut)
    by_region = fields.List(fields.Nested(MetricsOut))
    by_industry = fields.List(fields.Nested(MetricsOut))
    trend = fields.List(fields.Nested(TrendOut))
    attention = fields.Nested(AttentionOut)


# --- profile -------------------------------------------------------------------------------

class EnterpriseDetailOut(EnterpriseRowOut):
    address = fields.String()
    flags = fields.List(fields.String())
    contact_name = fields.String()
    contact_phone = fields.String()
    public_code = fields.String()


class ScheduleOut(OutSchema):
    id = fields.Integer()
    template_name = fields.Function(lambda s: s.template.name)
    recurrence = fields.String()
    due_day = fields.Integer()
    active = fields.Boolean()


class SelfCheckBriefOut(OutSchema):
    id = fields.Integer()
    title = fields.String()
    period_key = fields.String()
    period_label = fields.String()
    due_date = fields.Date()
    status = fields.String()
    overdue = fields.Function(lambda s: s.is_overdue(today_local()))
    late = fields.Boolean()
    submitted_at = when("submitted_at")
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    report_id = fields.Integer(allow_none=True)


class ReportBriefOut(OutSchema):
    id = fields.Integer()
    number = fields.String()
    score = fields.Float()
    grade = fields.String()
    issued_at = when("issued_at")


class ProblemBriefOut(OutSchema):
    id = fields.Integer()
    title = fields.String()
    severity = fields.String()
    status = fields.String()
    source = fields.String()
    deadline = fields.Date()
    overdue = fields.Function(lambda p: p.status in ("open", "rectifying", "extension_requested")
                              and p.deadline < today_local())
    created_at = when("created_at")
    closed_at = when("closed_at")


class AuditOut(OutSchema):
    id = fields.Integer()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    at = when("at")


class ScoreTrendOut(OutSchema):
    period_key = fields.String()
    period_label = fields.String()
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)


class ProfileOut(OutSchema):
    enterprise = fields.Nested(EnterpriseDetailOut)
    schedules = fields.List(fields.Nested(ScheduleOut))
    selfchecks = fields.List(fields.Nested(SelfCheckBriefOut))
    score_trend = fields.List(fields.Nested(ScoreTrendOut))
    reports = fields.List(fields.Nested(ReportBriefOut))
    problems = fields.List(fields.Nested(ProblemBriefOut))
    warnings = fields.List(fields.Nested(WarningOut))
    penalties = fields.List(fields.Nested(PenaltyOut))
    incidents = fields.List(fields.Nested(IncidentOut))
    credit_repairs = fields.List(fields.Nested(CreditRepairOut))
    eligibility = fields.Nested(EligibilityOut, allow_none=True)
    audit = fields.List(fields.Nested(AuditOut))


class PublicSelfCheckOut(OutSchema):
    status = fields.String()
    label = fields.String()
    on_time = fields.Boolean()
    period_label = fields.String()
    due_date = fields.Date()
    submitted_date = fields.Date(allow_none=True)


class PublicMembershipOut(OutSchema):
    member = fields.Boolean()
    until = fields.Date(allow_none=True)


class PublicCardOut(OutSchema):
    name = fields.String()
    uscc = fields.String()
    latest_selfcheck = fields.Nested(PublicSelfCheckOut)
    positive_list = fields.Nested(PublicMembershipOut)
    as_of = fields.Date()
