"""Output schemas: lists, records, eligibility, warnings, the dashboard, the enterprise profile and the public card."""
from marshmallow import fields

from app.common.schemas import OutSchema
from app.common.timeutil import isoformat, today_local
from app.supervision.models import WARNING_KINDS


def when(attr):
    return fields.Function(lambda o: isoformat(getattr(o, attr)))


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
