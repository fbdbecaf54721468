"""Report endpoints, and the public verification page and API."""
from flask import Response, jsonify, render_template, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.common.errors import NotFound
from app.common.storage import get_storage
from app.common.tx import transactional
from app.reports import render, service, submission
from app.reports.schemas import (
    ReportDetail,
    ReportListArgs,
    ReportPage,
    SubmitIn,
    VerifyInvalidOut,
    VerifyOut,
)
from app.selfcheck.schemas import SubmitOut

reports_blp = Blueprint("reports", __name__, url_prefix="/api/reports", description="环保体检报告",
                        template_folder="templates")
verify_blp = Blueprint("verify", __name__, description="报告真伪核验（公开）")
# Submitting a self-check issues its report: the route keeps its URL under /api/selfchecks.
submit_blp = Blueprint("submission", __name__, url_prefix="/api/selfchecks", description="定时线上自检：提交")


@submit_blp.route("/<int:selfcheck_id>/submit", methods=["POST"])
@login_required
@transactional(idempotent=True)
@submit_blp.arguments(SubmitIn, required=False)
@submit_blp.response(200, SubmitOut)
def submit(data, selfcheck_id):
    return submission.submit(current_user, selfcheck_id, (data or {}).get("signature"))


@reports_blp.route("")
@login_required
@reports_blp.arguments(ReportListArgs, location="query")
@reports_blp.response(200, ReportPage)
def list_reports(args):
    items, total = service.list_reports(current_user, args["enterprise_id"], args["page"], args["per_page"])
    return {"items": items, "total": total}


@reports_blp.route("/<int:report_id>")
@login_required
@reports_blp.response(200, ReportDetail)
def get_report(report_id):
    report = service.get_report(current_user, report_id)
    report.verify_url = service.verify_url(report)
    return report


@reports_blp.route("/<int:report_id>/signature")
@login_required
@reports_blp.response(200, description="负责人手写签名（PNG）")
def report_signature(report_id):
    report = service.get_report(current_user, report_id)
    signed = report.snapshot.get("signature")
    if not signed:
        raise NotFound("该报告未签名")
    response = Response(get_storage().get(signed["sha256"]), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@reports_blp.route("/<int:report_id>/pdf")
@login_required
@reports_blp.response(200, description="A4 PDF")
def report_pdf(report_id):
    report = service.get_report(current_user, report_id)
    pdf, rendered = render.stored_pdf(report)
    response = Response(pdf, mimetype="application/pdf")
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{report.number}.pdf"'
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-PDF-Rendered"] = "1" if rendered else "0"
    response.set_etag(report.pdf_key or "")
    return response.make_conditional(request)


@reports_blp.route("/<int:report_id>/qr.png")
@login_required
@reports_blp.response(200, description="核验二维码 PNG")
def report_qr(report_id):
    report = service.get_report(current_user, report_id)
    return Response(render.qr_png(service.verify_url(report)), mimetype="image/png")


@verify_blp.route("/api/verify/<token>")
@verify_blp.response(200, VerifyOut)
@verify_blp.alt_response(404, schema=VerifyInvalidOut, description="无法验证：令牌无效、被篡改或报告已撤销")
def verify_api(token):
    try:
        return service.public_summary(service.resolve_token(token))
    except NotFound:
        body = {"valid": False, "error": {"code": "invalid_token", "message": "无法验证该报告", "details": {}}}
        return jsonify(body), 404


@verify_blp.route("/verify/<token>")
@verify_blp.response(200, description="核验结果页面（HTML）")
def page(token):
    try:
        summary = service.public_summary(service.resolve_token(token))
    except NotFound:
        return Response(render_template("verify.html", s=None), status=404, mimetype="text/html")
    return Response(render_template("verify.html", s=summary), mimetype="text/html")
