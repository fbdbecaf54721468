"""Inspection (附件2) schemas: inputs per transition, and the form as output."""
from marshmallow import ValidationError, fields, validate

from app.common.errors import FIELD_LABELS
from app.common.schemas import InSchema, OutSchema, PageArgs
from app.inspections.models import INSPECTION_TYPES, METHODS, RESULTS, TRIGGERS, InspectionStatus

ID = validate.Range(1, 2**31 - 1, error="编号无效")
LABELS = {
    "position": "职务", "enforcement_cert_no": "执法证号", "form_date": "日期", "inspection_type": "检查类型",
    "type_other": "其他检查类型", "trigger": "触发原因", "basis": "检查依据", "start_date": "检查开始日期",
    "end_date": "检查结束日期", "inspector_ids": "检查人员", "content": "检查内容", "methods": "检查方式",
    "method_other": "其他检查方式", "special_action_id": "专项执法检查", "separate_reason": "单独检查理由",
    "opinion": "审批意见", "results": "检查结果", "item_code": "检查项", "summary": "检查结果",
    "window_start": "抽查开始日期", "window_end": "抽查结束日期", "ratios": "抽查比例", "caps": "频次上限",
    "team_size": "每组人数", "year": "年度", "targets": "检查对象", "target_industries": "目标行业",
    "target_regions": "目标区域", "target_enterprise_ids": "目标企业", "filed_with": "备案机关", "filing_no": "备案号",
    "plan_id": "执法检查计划", "on": "日期",
}
for _key, _label in LABELS.items():
    FIELD_LABELS.setdefault(_key, _label)  # Chinese field names in error messages


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("不能包含空字符")


def text(maximum: int, *, required: bool = False, minimum: int = 0, **kwargs) -> fields.String:
    rule = validate.And(validate.Length(minimum, maximum, error=f"长度应为{minimum}-{maximum}个字符"), _no_nul)
    if required:
        return fields.String(required=True, validate=rule, **kwargs)
    return fields.String(validate=rule, **kwargs)


def one_of(choices, label: str):
    return validate.OneOf(list(choices), error=f"{label}无效，可选：{'、'.join(choices)}")


class InspectionListArgs(PageArgs):
    status = fields.String(load_default=None, validate=one_of([s.value for s in InspectionStatus], "状态"))
    enterprise_id = fields.Integer(load_default=None, validate=ID)
    plan_id = fields.Integer(load_default=None, validate=ID)
    inspection_type = fields.String(load_default=None, validate=one_of(INSPECTION_TYPES, "检查类型"))
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100, error="年份应为2000-2100"))


class InspectionIn(InSchema):
    enterprise_id = fields.Integer(required=True, validate=ID)
    form_date = fields.Date(load_default=None)
    inspection_type = fields.String(required=True, validate=one_of(INSPECTION_TYPES, "检查类型"))
    type_other = text(100, load_default="")
    trigger = fields.String(load_default=None, allow_none=True, validate=one_of(TRIGGERS, "触发原因"))
    basis = text(2000, required=True, minimum=1)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    inspector_ids = fields.List(fields.Integer(validate=ID), required=True,
                                validate=validate.Length(max=10, error="最多10人"))
    content = text(4000, required=True, minimum=1)
    methods = fields.List(fields.String(validate=one_of(METHODS, "检查方式")), required=True,
                          validate=validate.Length(1, 5, error="请选择检查方式"))
    method_other = text(100, load_default="")
    special_action_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    separate_reason = text(500, load_default=None, allow_none=True)


class InspectionPatch(InSchema):
    form_date = fields.Date()
    inspection_type = fields.String(validate=one_of(INSPECTION_TYPES, "检查类型"))
    type_other = text(100)
    trigger = fields.String(allow_none=True, validate=one_of(TRIGGERS, "触发原因"))
    basis = text(2000, minimum=1)
    start_date = fields.Date()
    end_date = fields.Date()
    inspector_ids = fields.List(fields.Integer(validate=ID), validate=validate.Length(max=10, error="最多10人"))
    content = text(4000, minimum=1)
    methods = fields.List(fields.String(validate=one_of(METHODS, "检查方式")),
                          validate=validate.Length(1, 5, error="请选择检查方式"))
    method_other = text(100)


class ApprovalIn(InSchema):
    decision = fields.String(required=True, validate=one_of(["approve", "reject"], "审批决定"))
    opinion = text(2000, load_default="")


class InspectionReasonIn(InSchema):
    reason = text(2000, required=True, minimum=1)


class MergeIn(InSchema):
    content = text(4000, required=True, minimum=1)
    basis = text(2000, load_default=None, allow_none=True)


class ResultIn(InSchema):
    item_code = text(32, required=True, minimum=1)
    result = fields.String(required=True, validate=one_of(RESULTS, "检查结果"))
    note = text(2000, load_default="")
    severity = fields.String(load_default=None, allow_none=True, validate=one_of(["一般", "较重", "重大"], "严重程度"))
    upload_ids = fields.List(fields.Integer(validate=ID), load_default=list,
                             validate=validate.Length(max=20, error="最多20张"))


class ResultsIn(InSchema):
    results = fields.List(fields.Nested(ResultIn), required=True, validate=validate.Length(1, 500, error="1-500项"))


class CompleteIn(InSchema):
    summary = text(4000, required=True, minimum=1)


class PersonOut(OutSchema):
    id = fields.Integer()
    name = fields.String()
    position = fields.String(allow_none=True)
    cert_no = fields.String(allow_none=True)


class OpinionOut(OutSchema):
    step = fields.Integer()
    position = fields.String()
    label = fields.String()
    decision = fields.String(allow_none=True)
    opinion = fields.String()
    approver = fields.String()
    at = fields.DateTime(allow_none=True)


class ResultOut(OutSchema):
    item_code = fields.String()
    result = fields.String()
    note = fields.String()
    severity = fields.String(allow_none=True)
    upload_ids = fields.List(fields.Integer())


class InspectionOut(OutSchema):
    id = fields.Integer()
    number = fields.String()
    form_date = fields.Date()
    inspection_type = fields.String()
    type_label = fields.String()
    type_other = fields.String()
    trigger = fields.String(allow_none=True)
    basis = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    unit_code = fields.String()
    unit_name = fields.String()
    inspectors = fields.List(fields.Nested(PersonOut))
    content = fields.String()
    methods = fields.List(fields.String())
    method_other = fields.String()
    status = fields.String()
    status_label = fields.String()
    plan_id = fields.Integer(allow_none=True)
    draw_id = fields.Integer(allow_none=True)
    special_action_id = fields.Integer(allow_none=True)
    summary = fields.String(allow_none=True)
    problem_ids = fields.List(fields.Integer())
    completed_at = fields.DateTime(allow_none=True)
    allowed_actions = fields.List(fields.String())


class InspectionDetail(InspectionOut):
    separate_reason = fields.String(allow_none=True)
    current_step = fields.String(allow_none=True)
    opinions = fields.List(fields.Nested(OpinionOut))
    quiet_exception_reason = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    results = fields.List(fields.Nested(ResultOut))
    result_due = fields.Date(allow_none=True)  # feed the result back by this date (working days, rules)


class InspectionPage(OutSchema):
    items = fields.List(fields.Nested(InspectionOut))
    total = fields.Integer()


class ChecklistItemOut(OutSchema):
    code = fields.String()
    section = fields.String()
    question = fields.String()
    guidance = fields.String()
    severity = fields.String()
    legal_basis = fields.List(fields.Dict())


class ChecklistOut(OutSchema):
    items = fields.List(fields.Nested(ChecklistItemOut))
    results = fields.List(fields.Nested(ResultOut))
    latest_report = fields.Dict(allow_none=True)
    open_problems = fields.List(fields.Dict())


class StatsArgs(InSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100, error="年份应为2000-2100"))


class CategoryCount(OutSchema):
    category = fields.String()
    enterprises = fields.Integer()
    inspections = fields.Integer()


class VisitOut(OutSchema):
    number = fields.String()
    trigger = fields.String(allow_none=True)
    trigger_label = fields.String()


class MemberInspected(OutSchema):
    enterprise_id = fields.Integer()
    name = fields.String()
    inspections = fields.List(fields.Nested(VisitOut))


class PositiveListEffect(OutSchema):
    members = fields.Integer()
    inspected = fields.Integer()
    inspected_without_trigger = fields.Integer()
    share_inspected = fields.Float()
    items = fields.List(fields.Nested(MemberInspected))


class OverCap(OutSchema):
    enterprise_id = fields.Integer()
    name = fields.String()
    category = fields.String()
    count = fields.Integer()
    cap = fields.Integer()


class FeedbackOverdue(OutSchema):
    inspection_id = fields.Integer()
    number = fields.String()
    enterprise_name = fields.String()
    result_due = fields.Date()


class StatsOut(OutSchema):
    year = fields.Integer()
    feedback_overdue = fields.List(fields.Nested(FeedbackOverdue))
    by_category = fields.List(fields.Nested(CategoryCount))
    positive_list = fields.Nested(PositiveListEffect)
    over_cap = fields.List(fields.Nested(OverCap))
