"""Special actions (附件1), quiet periods, and the public 执法公示 listing."""
from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, roles_required
from app.common.tx import transactional
from app.inspections import pdf, present, public, quiet, special
from app.inspections.schemas import ApprovalIn, InspectionReasonIn
from app.inspections.schemas_other import (
    FilingIn,
    PublicArgs,
    PublicListing,
    QuietArgs,
    QuietIn,
    QuietOut,
    QuietPage,
    SpecialArgs,
    SpecialDetail,
    SpecialIn,
    SpecialPage,
    SpecialPatch,
)

special_blp = Blueprint("special_actions", __name__, url_prefix="/api/special-actions", description="专项执法检查")
quiet_blp = Blueprint("quiet_periods", __name__, url_prefix="/api/quiet-periods", description="企业安静期")
public_inspections_blp = Blueprint("public_inspections", __name__, url_prefix="/api/public/inspections",
                                   description="执法公示（公开）")


def _detail(action):
    return present.special_action(action, current_user, detail=True)


@special_blp.route("")
@roles_required(*REGULATOR)
@special_blp.arguments(SpecialArgs, location="query")
@special_blp.response(200, SpecialPage)
def list_actions(args):
    items, total = special.list_actions(current_user, args)
    return {"items": [present.special_action(a, current_user) for a in items], "total": total}


@special_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@special_blp.arguments(SpecialIn)
@special_blp.response(201, SpecialDetail)
def create_action(data):
    return _detail(special.create(current_user, data))


@special_blp.route("/<int:special_action_id>")
@roles_required(*REGULATOR)
@special_blp.response(200, SpecialDetail)
def get_action(special_action_id):
    return _detail(special.get_action(current_user, special_action_id))


@special_blp.route("/<int:special_action_id>", methods=["PATCH"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.arguments(SpecialPatch)
@special_blp.response(200, SpecialDetail)
def update_action(data, special_action_id):
    return _detail(special.update(current_user, special_action_id, data))


@special_blp.route("/<int:special_action_id>/submit", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.response(200, SpecialDetail)
def submit_action(special_action_id):
    return _detail(special.submit(current_user, special_action_id))


@special_blp.route("/<int:special_action_id>/approvals", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.arguments(ApprovalIn)
@special_blp.response(200, SpecialDetail)
def decide_action(data, special_action_id):
    return _detail(special.decide(current_user, special_action_id, data["decision"], data["opinion"]))


@special_blp.route("/<int:special_action_id>/filing", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.arguments(FilingIn)
@special_blp.response(200, SpecialDetail)
def file_action(data, special_action_id):
    return _detail(special.file(current_user, special_action_id, data["filed_with"], data.get("filing_no")))


@special_blp.route("/<int:special_action_id>/publish", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.response(200, SpecialDetail)
def publish_action(special_action_id):
    return _detail(special.publish(current_user, special_action_id))


@special_blp.route("/<int:special_action_id>/cancel", methods=["POST"])
@roles_required(*REGULATOR)
@transactional()
@special_blp.arguments(InspectionReasonIn)
@special_blp.response(200, SpecialDetail)
def cancel_action(data, special_action_id):
    return _detail(special.cancel(current_user, special_action_id, data["reason"]))


@special_blp.route("/<int:special_action_id>/form.pdf")
@roles_required(*REGULATOR)
@special_blp.response(200, description="专项执法检查审批表（附件1）PDF")
def action_form_pdf(special_action_id):
    action = _detail(special.get_action(current_user, special_action_id))
    response = Response(pdf.special_action_pdf(action), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{action.number}.pdf"'
    return response


@quiet_blp.route("")
@roles_required(*REGULATOR)
@quiet_blp.arguments(QuietArgs, location="query")
@quiet_blp.response(200, QuietPage)
def list_periods(args):
    items, total = quiet.list_periods(current_user, args)
    return {"items": items, "total": total}


@quiet_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@quiet_blp.arguments(QuietIn)
@quiet_blp.response(201, QuietOut)
def create_period(data):
    return quiet.create_period(current_user, data)


@quiet_blp.route("/<int:quiet_period_id>")
@roles_required(*REGULATOR)
@quiet_blp.response(200, QuietOut)
def get_period(quiet_period_id):
    return quiet.get_period(current_user, quiet_period_id)


@quiet_blp.route("/<int:quiet_period_id>", methods=["DELETE"])
@roles_required(*REGULATOR)
@transactional()
@quiet_blp.response(200, QuietOut)
def remove_period(quiet_period_id):
    return quiet.remove_period(current_user, quiet_period_id)


@public_inspections_blp.route("")
@public_inspections_blp.arguments(PublicArgs, location="query")
@public_inspections_blp.response(200, PublicListing)
def public_listing(args):
    return public.listing(args.get("region_code"), args.get("year"))
