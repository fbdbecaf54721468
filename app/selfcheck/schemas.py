"""Input and output schemas for self-checks and uploads."""
from marshmallow import ValidationError, fields, validate

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat, today_local
from app.common.vocab import severity_validator
from app.selfcheck.models import EVIDENCE_RULES, RESULTS


class SelfCheckListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["pending", "in_progress", "submitted", "overdue"], error="状态应为 pending、in_progress、submitted 或 overdue"))


class ProgressOut(OutSchema):
    answered = fields.Integer()
    total = fields.Integer()


class SelfCheckSummary(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda s: s.enterprise.name)
    title = fields.String()
    period_key = fields.String()
    period_label = fields.String()
    open_date = fields.Date()
    due_date = fields.Date()
    status = fields.String()
    overdue = fields.Function(lambda s: s.is_overdue(today_local()))
    late = fields.Boolean()
    submitted_at = fields.Function(lambda s: isoformat(s.submitted_at))
    progress = fields.Function(lambda s: {"answered": s.answered_count, "total": len(s.item_ids)})
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    report_id = fields.Integer(allow_none=True)


class SelfCheckPage(OutSchema):
    items = fields.List(fields.Nested(SelfCheckSummary))
    total = fields.Integer()


class LegalBasisOut(OutSchema):
    law = fields.String()
    article = fields.String()
    excerpt = fields.String()
    # True only where the article text was compared with an official text; the UI shows 待核实 otherwise.
    checked = fields.Function(lambda b: bool(b.get("checked", False)))
    certainty = fields.Function(lambda b: b.get("certainty"))
    note = fields.Function(lambda b: b.get("note"))


def _item_range(item):
    limit = getattr(item, "limit_info", None)
    if limit is not None:
        return {"min": limit.min, "max": limit.max} if limit.known else None
    if item.range_min is None and item.range_max is None:
        return None
    return {"min": item.range_min, "max": item.range_max}


def _limit_basis(item):
    limit = getattr(item, "limit_info", None)
    if limit is None:
        return None
    return limit.basis if limit.known else limit.missing


class ItemOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    section_code = fields.String()
    section_title = fields.String()
    local = fields.Boolean()
    question = fields.String()
    finding = fields.String()  # how a 不合格 reads as a problem
    guidance = fields.String()
    answer_type = fields.String()
    unit = fields.String(allow_none=True)
    range = fields.Function(_item_range)  # for a profile-dependent limit: this enterprise's limit
    limit_basis = fields.Function(_limit_basis)  # which table/row the limit comes from, or why none applies
    choices = fields.List(fields.String(), allow_none=True)
    date_rule = fields.Dict(allow_none=True)
    severity = fields.String()
    legal_basis = fields.List(fields.Nested(LegalBasisOut))
    statutory = fields.Function(lambda i: i.statutory is not False)
    nature = fields.Function(lambda i: "法定要求" if i.statutory is not False else "管理建议")
    proof = fields.Dict(allow_none=True)  # what proves compliance, and whether 合格 needs it
    judgement = fields.Dict(allow_none=True)  # a profile-dependent rule ({"kind": "table", …}); see limit_basis
    # items answered from the statutory calendar: its rows and the answer they give (None: the user answers)
    calendar = fields.Function(lambda i: getattr(i, "calendar", None))
    evidence_rule = fields.String()
    time_limit_days = fields.Integer()
    recommendation = fields.String()


class AnswerOut(OutSchema):
    item_id = fields.Integer()
    result = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    upload_ids = fields.List(fields.Integer())
    evidence_ref = fields.String(allow_none=True)
    updated_at = fields.Function(lambda a: isoformat(a.updated_at))


class SectionOut(OutSchema):
    code = fields.String()
    title = fields.String()
    items = fields.List(fields.Nested(ItemOut))


class SelfCheckDetail(SelfCheckSummary):
    """The run with its checklist; the view attaches sections, answers and allowed_actions."""

    sections = fields.List(fields.Nested(SectionOut))
    answers = fields.List(fields.Nested(AnswerOut))
    allowed_actions = fields.List(fields.String())


class SaveAnswersOut(OutSchema):
    answers = fields.List(fields.Nested(AnswerOut))
    progress = fields.Nested(ProgressOut)
    status = fields.String()
    # Non-blocking notes per item (evidence still missing for 合格, no automatic judgement possible …);
    # submission is refused while a required proof is missing.
    notices = fields.List(fields.Dict(), dump_default=list)


class SubmitOut(OutSchema):
    selfcheck = fields.Nested(SelfCheckSummary)
    report_id = fields.Integer()
    problem_ids = fields.List(fields.Integer())


MAX_ANSWER_TEXT = 2000


def _answer_value(value) -> bool:
    """A number, yes/no or a text of at most 2000 characters; never a list, an object or a megabyte."""
    if isinstance(value, str) and len(value) > MAX_ANSWER_TEXT:
        raise ValidationError(f"过长（最多{MAX_ANSWER_TEXT}个字符）")
    if isinstance(value, (list, dict)):
        raise ValidationError("应为数字或文本")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > 1e15:
        raise ValidationError("数值超出允许范围")
    return True


class AnswerIn(InSchema):
    item_id = fields.Integer(required=True)
    result = fields.String(allow_none=True, load_default=None,
                           validate=validate.OneOf(RESULTS, error="应为 compliant、non_compliant 或 not_applicable"))
    value = fields.Raw(allow_none=True, load_default=None, validate=lambda v: _answer_value(v))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000, error="备注过长"))
    upload_ids = fields.List(fields.Integer(), load_default=list,
                             validate=validate.Length(max=20, error="每项最多20张照片"))
    evidence_ref = fields.String(allow_none=True, load_default=None,
                                 validate=validate.Length(max=200, error="证明材料编号过长"))


class AnswersIn(InSchema):
    answers = fields.List(fields.Nested(AnswerIn), required=True,
                          validate=validate.Length(1, 500, error="应包含1-500条答案"))


class LegalBasisIn(InSchema):
    law = fields.String(required=True, validate=validate.Length(1, 100, error="长度应为1-100个字符"))
    article = fields.String(required=True, validate=validate.Length(1, 100, error="长度应为1-100个字符"))
    excerpt = fields.String(load_default="", validate=validate.Length(max=300, error="过长"))
    checked = fields.Boolean(load_default=False)


class LocalItemIn(InSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9\-]{1,16}$", error="1-16位字母、数字或横线"))
    section_code = fields.String(required=True, validate=validate.Length(1, 8, error="长度应为1-8个字符"))
    section_title = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    question = fields.String(required=True, validate=validate.Length(4, 500, error="长度应为4-500个字符"))
    finding = fields.String(load_default="", validate=validate.Length(max=200, error="不超过200个字符"))
    guidance = fields.String(load_default="", validate=validate.Length(max=1000, error="过长"))
    legal_basis = fields.List(fields.Nested(LegalBasisIn), required=True,
                              validate=validate.Length(1, 5, error="应有1-5条法律依据"))
    severity = fields.String(required=True, validate=severity_validator())
    answer_type = fields.String(load_default="yes_no_na", validate=validate.OneOf(
        ["yes_no_na", "number", "text", "photo"], error="应为 yes_no_na、number、text 或 photo"))
    unit = fields.String(load_default=None, validate=validate.Length(max=16, error="过长"))
    range_min = fields.Float(load_default=None, allow_none=True)
    range_max = fields.Float(load_default=None, allow_none=True)
    evidence_rule = fields.String(load_default="photo_if_noncompliant", validate=validate.OneOf(
        EVIDENCE_RULES, error="应为 none、photo_if_noncompliant 或 photo_always"))
    time_limit_days = fields.Integer(required=True, validate=validate.Range(1, 365, error="应为1-365天"))
    recommendation = fields.String(required=True, validate=validate.Length(1, 1000, error="长度应为1-1000个字符"))
    frequency = fields.String(load_default="quarterly", validate=validate.OneOf(
        ["monthly", "quarterly"], error="应为 monthly 或 quarterly"))
    statutory = fields.Boolean(load_default=True)  # false: 管理建议, never scored as a violation of law


class VersionOut(OutSchema):
    id = fields.Integer()
    template_id = fields.Integer()
    version = fields.Integer()
    status = fields.String()
    published_at = fields.Function(lambda v: isoformat(v.published_at))
    item_count = fields.Function(lambda v: len(v.items))


class VersionDetail(VersionOut):
    items = fields.List(fields.Nested(ItemOut))


class TemplateOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    description = fields.String()
    versions = fields.List(fields.Nested(VersionOut))
