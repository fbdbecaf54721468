"""Problem schemas: inputs per transition, and outputs carrying allowed_actions."""
from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat, today_local
from app.common.vocab import severity_validator
from app.remediation.models import STATUS_LABELS, ProblemStatus
from app.selfcheck.schemas import LegalBasisOut

SEVERITY = severity_validator()
TEXT = validate.Length(max=4000, error="内容过长")


_STATES = "|".join(s.value for s in ProblemStatus)


class ProblemListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.Regexp(
        rf"^({_STATES})(,({_STATES}))*$", error="状态无效；可用逗号分隔多个状态"))
    severity = fields.String(load_default=None, validate=SEVERITY)
    overdue = fields.Boolean(load_default=None)
    enterprise_id = fields.Integer(load_default=None)
    source = fields.String(load_default=None, validate=validate.OneOf(
        ["selfcheck", "self_report", "regulator", "warning"], error="来源无效"))
    sort = fields.String(load_default="deadline", validate=validate.OneOf(
        ["deadline", "-created", "severity"], error="排序应为 deadline（期限最近）、-created（最新）或 severity（最严重）"))


class ProblemIn(InSchema):
    title = fields.String(required=True, validate=validate.Length(2, 200, error="长度应为2-200个字符"))
    description = fields.String(load_default="", validate=TEXT)
    severity = fields.String(required=True, validate=SEVERITY)
    category = fields.String(load_default="", validate=validate.Length(max=32, error="过长"))
    location = fields.String(load_default="", validate=validate.Length(max=200, error="过长"))
    upload_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=20, error="最多20张"))
    enterprise_id = fields.Integer(load_default=None)
    deadline_days = fields.Integer(load_default=None, validate=validate.Range(1, 365, error="应为1-365天"))


class AcceptIn(InSchema):
    plan = fields.String(load_default=None, validate=TEXT)
    target_date = fields.Date(load_default=None)


class RectificationIn(InSchema):
    description = fields.String(required=True, validate=validate.Length(1, 4000, error="长度应为1-4000个字符"))
    upload_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=20, error="最多20张"))
    before_upload_ids = fields.List(fields.Integer(), load_default=list,
                                    validate=validate.Length(max=20, error="最多20张"))


class ReviewIn(InSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"], error="应为 approve 或 return"))
    comment = fields.String(load_default=None, validate=TEXT)


class ExtensionIn(InSchema):
    days = fields.Integer(required=True, validate=validate.Range(1, 180, error="应为1-180天"))
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="长度应为1-2000个字符"))


class ExtensionDecisionIn(InSchema):
    approve = fields.Boolean(required=True)
    new_deadline = fields.Date(load_default=None)
    comment = fields.String(load_default=None, validate=TEXT)


class ReasonIn(InSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="长度应为1-2000个字符"))


class CommentIn(InSchema):
    comment = fields.String(load_default=None, validate=TEXT)


class ProblemSummary(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda p: p.enterprise.name)
    source = fields.String()
    item_code = fields.String(allow_none=True)
    repeat_count = fields.Integer()  # 重复发现: later self-checks found it again while it was open
    owner_id = fields.Integer(allow_none=True)  # the enterprise user responsible (指派)
    title = fields.String()
    severity = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda p: STATUS_LABELS[p.status])
    deadline = fields.Date()
    original_deadline = fields.Date()
    overdue = fields.Function(lambda p: p.is_overdue(today_local()))
    days_left = fields.Function(lambda p: (p.deadline - today_local()).days)
    needs_regulator = fields.Boolean()
    sampled = fields.Boolean()
    created_at = fields.Function(lambda p: isoformat(p.created_at))
    submitted_at = fields.Function(lambda p: isoformat(p.submitted_at))
    closed_at = fields.Function(lambda p: isoformat(p.closed_at))
    allowed_actions = fields.List(fields.String())
    waiting_working_days = fields.Integer(allow_none=True)


class ProblemPage(OutSchema):
    items = fields.List(fields.Nested(ProblemSummary))
    total = fields.Integer(metadata={"description": "行数；超过 10000 时为 10000，且 total_capped 为 true"})
    total_capped = fields.Boolean(metadata={"description": "total 是下限（实际多于 10000 行）"})


class EvidenceOut(OutSchema):
    id = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    captured_at = fields.Function(lambda u: isoformat(u.captured_at))
    received_at = fields.Function(lambda u: isoformat(u.received_at))
    gps = fields.Function(lambda u: {"lat": u.gps_lat, "lon": u.gps_lon} if u.gps_lat is not None else None)
    url = fields.Function(lambda u: f"/api/uploads/{u.id}/file")
    thumbnail_url = fields.Function(lambda u: f"/api/uploads/{u.id}/thumb" if u.thumb_key else None)
    phone_gps = fields.Function(lambda u: {"lat": u.client_lat, "lon": u.client_lon, "accuracy_m": u.client_accuracy_m}
                                if u.client_lat is not None else None,
                                metadata={"description": "拍摄时手机定位（用户允许时）；gps 是照片 EXIF 中的位置"})
    watermarked_url = fields.Function(lambda u: f"/api/uploads/{u.id}/watermarked" if u.watermark_key else None)


class RectificationOut(OutSchema):
    id = fields.Integer()
    description = fields.String()
    submitted_at = fields.Function(lambda r: isoformat(r.submitted_at))
    submitted_by = fields.String()
    before = fields.List(fields.Nested(EvidenceOut))
    after = fields.List(fields.Nested(EvidenceOut))
    photo_warnings = fields.List(fields.String(), dump_default=list)  # same or near-identical before/after photos
    decision = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    reviewed_at = fields.Function(lambda r: isoformat(r.reviewed_at))


class ExtensionOut(OutSchema):
    id = fields.Integer()
    days = fields.Integer()
    reason = fields.String()
    requested_at = fields.Function(lambda e: isoformat(e.requested_at))
    approved = fields.Boolean(allow_none=True)
    new_deadline = fields.Date(allow_none=True)
    comment = fields.String(allow_none=True)


class HistoryOut(OutSchema):
    action = fields.String()
    actor_role = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    at = fields.Function(lambda e: isoformat(e.at))
    hash = fields.String()


class ProblemDetail(ProblemSummary):
    owner_name = fields.Function(lambda p: getattr(p, "owner_name", None))  # who of the enterprise handles it
    description = fields.String()
    location = fields.String()
    category = fields.String()
    legal_basis = fields.List(fields.Nested(LegalBasisOut))
    recommendation = fields.String()
    plan = fields.String(allow_none=True)
    target_date = fields.Date(allow_none=True)
    selfcheck_id = fields.Integer(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceOut))
    rectifications = fields.List(fields.Nested(RectificationOut))
    extensions = fields.List(fields.Nested(ExtensionOut))
    history = fields.List(fields.Nested(HistoryOut))


class AssignIn(InSchema):
    owner_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1, error="无效的账号"))


class AssigneeOut(OutSchema):
    id = fields.Integer()
    display_name = fields.String()
    role = fields.String()

