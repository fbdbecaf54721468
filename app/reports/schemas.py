"""Report schemas: the submit body (the signature), and what a report shows."""
from marshmallow import fields, validate

from app.common.schemas import ErrorBody, InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat


class SignatureIn(InSchema):
    name = fields.String(required=True, validate=validate.Length(max=64),
                         metadata={"description": "签字人（企业环保负责人）姓名"})
    image = fields.String(required=True, validate=validate.Length(max=420_000),
                          metadata={"description": "手写签名，PNG 的 data URL（data:image/png;base64,…），≤ 300 KB"})


class SubmitIn(InSchema):
    signature = fields.Nested(SignatureIn, load_default=None, allow_none=True,
                              metadata={"description": "负责人签名；不提供时报告注明“未签名”"})


def _signature(r):
    sig = r.snapshot.get("signature")
    return None if not sig else {"name": sig["name"], "signed_at": sig["signed_at"],
                                 "image_url": f"/api/reports/{r.id}/signature"}


class ReportListArgs(PageArgs):
    enterprise_id = fields.Integer(load_default=None)


class ReportSummary(OutSchema):
    id = fields.Integer()
    number = fields.String()
    enterprise = fields.Function(lambda r: {"id": r.enterprise_id, "name": r.snapshot["enterprise"]["name"]})
    period_label = fields.Function(lambda r: r.snapshot["selfcheck"]["period_label"])
    submitted_at = fields.Function(lambda r: r.snapshot["submitted_at"])
    issued_at = fields.Function(lambda r: isoformat(r.issued_at))
    score = fields.Float()
    grade = fields.String()
    trend = fields.Function(lambda r: r.snapshot.get("trend"))
    problem_count = fields.Function(lambda r: len(r.snapshot["problems"]))


class ReportPage(OutSchema):
    items = fields.List(fields.Nested(ReportSummary))
    total = fields.Integer()


class ReportDetail(OutSchema):
    id = fields.Integer()
    number = fields.String()
    enterprise = fields.Function(lambda r: {k: r.snapshot["enterprise"][k] for k in ("id", "name", "uscc")}
                                 | {k: v for k, v in r.snapshot["enterprise"].items() if k not in ("id", "name", "uscc")})
    period_label = fields.Function(lambda r: r.snapshot["selfcheck"]["period_label"])
    selfcheck = fields.Function(lambda r: r.snapshot["selfcheck"])
    submitted_by = fields.Function(lambda r: r.snapshot["submitted_by"])
    signature = fields.Function(_signature, metadata={"description": "负责人签名（姓名、时间、图片地址），未签名为 null"})
    submitted_at = fields.Function(lambda r: r.snapshot["submitted_at"])
    score = fields.Float()
    grade = fields.String()
    grade_label = fields.Function(lambda r: r.snapshot["grade_label"])
    totals = fields.Function(lambda r: r.snapshot["totals"])
    previous = fields.Function(lambda r: r.snapshot["previous"])
    trend = fields.Function(lambda r: r.snapshot["trend"])
    sections = fields.Function(lambda r: r.snapshot["sections"])
    problems = fields.Function(lambda r: [
        p | {"photos": [{"upload_id": u, "thumbnail_url": f"/api/uploads/{u}/thumb", "url": f"/api/uploads/{u}/file"}
                        for u in p.get("photo_upload_ids", [])]} for p in r.snapshot["problems"]])
    warnings = fields.Function(lambda r: r.snapshot["warnings"])
    # 管理建议 (no statutory basis, not scored) and how many cited articles are still 待核实.
    advice = fields.Function(lambda r: r.snapshot.get("advice", []))
    unchecked_citations = fields.Function(lambda r: r.snapshot.get("unchecked_citations", 0))
    digest = fields.String()
    verify_url = fields.String()
    pdf_url = fields.Function(lambda r: f"/api/reports/{r.id}/pdf")
    pdf_ready = fields.Function(lambda r: bool(r.pdf_key))
    qr_url = fields.Function(lambda r: f"/api/reports/{r.id}/qr.png")


class VerifyOut(OutSchema):
    valid = fields.Boolean()
    number = fields.String()
    enterprise_name = fields.String()
    period_label = fields.String()
    issued_date = fields.String()
    score = fields.Float()
    grade = fields.String()
    digest = fields.String()
    signed = fields.Boolean(metadata={"description": "企业负责人是否签字（签名本身不公开）"})


class VerifyInvalidOut(OutSchema):
    valid = fields.Boolean()
    error = fields.Nested(ErrorBody)
