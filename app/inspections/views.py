"""Inspection endpoints (附件2) and the registry of this package's blueprints (thin: parse, call, dump)."""
from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, login_required, roles_required
from app.common.errors import Conflict
from app.common.tx import transactional
from app.inspections import onsite, pdf, present, service, stats
from app.inspections.schemas import (
    ApprovalIn,
    ChecklistOut,
    CompleteIn,
    InspectionDetail,
    InspectionIn,
    InspectionListArgs,
    InspectionPage,
    InspectionPatch,
    InspectionReasonIn,
    MergeIn,
    ResultsIn,
    StatsArgs,
    StatsOut,
)

inspections_blp = Blueprint("inspections", __name__, url_prefix="/api/inspections", description="入企执法检查",
                            template_folder="templates")


def blueprints():
    """Every blueprint of the package, for app/blueprints.py."""
    from app.inspections.views_other import public_inspections_blp, quiet_blp, special_blp
    from app.inspections.views_plans import plans_blp

    return (plans_blp, inspections_blp, special_blp, quiet_blp, public_inspections_blp)


def _detail(insp):
    return present.inspection(insp, current_user, detail=True)


@inspections_blp.route("")
@login_required
@inspections_blp.arguments(InspectionListArgs, location="query")
@inspections_blp.response(200, InspectionPage)
def list_inspections(args):
    items, total = service.list_inspections(current_user, args)
    return {"items": [present.inspection(i, current_user) for i in items], "total": total}


@inspections_blp.route("/stats")
@roles_required(*REGULATOR)
@inspections_blp.arguments(StatsArgs, location="query")
@inspections_blp.response(200, StatsOut)
def inspection_stats(args):
    """无事不扰: this year's inspections per category, positive-list members inspected, enterprises over cap."""
    return stats.yearly(current_user, args["year"])


@inspections_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@inspections_blp.arguments(InspectionIn)
@inspections_blp.response(201, InspectionDetail)
@inspections_blp.alt_response(409, description="综合一次查：该企业已有已审批的检查，建议合并（code merge_proposed）")
def create_inspection(data):
    return _detail(service.create(current_user, data))


@inspections_blp.route("/<int:inspection_id>")
@login_required
@inspections_blp.response(200, InspectionDetail)
def get_inspection(inspection_id):
    return _detail(service.get_inspection(current_user, inspection_id))


@inspections_blp.route("/<int:inspection_id>", methods=["PATCH"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(InspectionPatch)
@inspections_blp.response(200, InspectionDetail)
def update_inspection(data, inspection_id):
    return _detail(service.update(current_user, inspection_id, data))


@inspections_blp.route("/<int:inspection_id>/submit", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.response(200, InspectionDetail)
def submit_inspection(inspection_id):
    return _detail(service.submit(current_user, inspection_id))


@inspections_blp.route("/<int:inspection_id>/approvals", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(ApprovalIn)
@inspections_blp.response(200, InspectionDetail)
def decide_inspection(data, inspection_id):
    return _detail(service.decide(current_user, inspection_id, data["decision"], data["opinion"]))


@inspections_blp.route("/<int:inspection_id>/quiet-exception", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(InspectionReasonIn)
@inspections_blp.response(200, InspectionDetail)
def quiet_exception(data, inspection_id):
    return _detail(service.quiet_exception(current_user, inspection_id, data["reason"]))


@inspections_blp.route("/<int:inspection_id>/merge", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(MergeIn)
@inspections_blp.response(200, InspectionDetail)
def merge_inspection(data, inspection_id):
    return _detail(service.merge(current_user, inspection_id, data["content"], data.get("basis")))


@inspections_blp.route("/<int:inspection_id>/start", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.response(200, InspectionDetail)
def start_inspection(inspection_id):
    return _detail(service.start(current_user, inspection_id))


@inspections_blp.route("/<int:inspection_id>/checklist")
@roles_required(*REGULATOR)
@inspections_blp.response(200, ChecklistOut)
def inspection_checklist(inspection_id):
    insp = service.get_inspection(current_user, inspection_id)
    return {"items": onsite.checklist(insp), "results": insp.results or [], **onsite.context(insp)}


@inspections_blp.route("/<int:inspection_id>/results", methods=["PUT"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(ResultsIn)
@inspections_blp.response(200, InspectionDetail)
def save_results(data, inspection_id):
    return _detail(onsite.save_results(current_user, inspection_id, data["results"]))


@inspections_blp.route("/<int:inspection_id>/complete", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@inspections_blp.arguments(CompleteIn)
@inspections_blp.response(200, InspectionDetail)
def complete_inspection(data, inspection_id):
    return _detail(onsite.complete(current_user, inspection_id, data["summary"]))


@inspections_blp.route("/<int:inspection_id>/cancel", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@inspections_blp.arguments(InspectionReasonIn)
@inspections_blp.response(200, InspectionDetail)
def cancel_inspection(data, inspection_id):
    return _detail(service.cancel(current_user, inspection_id, data["reason"]))


@inspections_blp.route("/<int:inspection_id>/record.pdf")
@login_required
@inspections_blp.response(200, description="现场检查笔录 PDF（现场检查开始后）")
def inspection_record_pdf(inspection_id):
    insp = _detail(service.get_inspection(current_user, inspection_id))
    if insp.started_at is None:
        raise Conflict("现场检查尚未开始，没有检查笔录", code="invalid_transition")
    response = Response(pdf.record_pdf(insp, onsite.checklist(insp)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{insp.number}-record.pdf"'
    return response


@inspections_blp.route("/<int:inspection_id>/form.pdf")
@login_required
@inspections_blp.response(200, description="入企执法检查计划审批表（附件2）PDF")
def inspection_form_pdf(inspection_id):
    insp = _detail(service.get_inspection(current_user, inspection_id))
    response = Response(pdf.inspection_pdf(insp), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{insp.number}.pdf"'
    return response
