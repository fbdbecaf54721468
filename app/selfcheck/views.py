"""Self-check and upload endpoints."""

from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import ADMIN, login_required, roles_required
from app.common.tx import transactional
from app.selfcheck import authoring, service
from app.selfcheck.schemas import (
    AnswersIn,
    LocalItemIn,
    SaveAnswersOut,
    SelfCheckDetail,
    SelfCheckListArgs,
    SelfCheckPage,
    TemplateOut,
    VersionDetail,
)

selfcheck_blp = Blueprint("selfchecks", __name__, url_prefix="/api/selfchecks", description="定时线上自检")
checklists_blp = Blueprint("checklists", __name__, url_prefix="/api/checklists", description="检查表库与本地检查项")


@selfcheck_blp.route("")
@login_required
@selfcheck_blp.arguments(SelfCheckListArgs, location="query")
@selfcheck_blp.response(200, SelfCheckPage)
def list_selfchecks(args):
    items, total = service.list_selfchecks(current_user, args["status"], args["page"], args["per_page"])
    return {"items": items, "total": total}


@selfcheck_blp.route("/<int:selfcheck_id>")
@login_required
@selfcheck_blp.response(200, SelfCheckDetail)
def get_selfcheck(selfcheck_id):
    return service.selfcheck_detail(service.get_selfcheck(current_user, selfcheck_id), current_user)


@selfcheck_blp.route("/<int:selfcheck_id>/answers", methods=["PUT"])
@login_required
@transactional()
@selfcheck_blp.arguments(AnswersIn)
@selfcheck_blp.response(200, SaveAnswersOut)
def save_answers(data, selfcheck_id):
    selfcheck, saved = service.save_answers(current_user, selfcheck_id, data["answers"])
    return {"answers": saved, "status": selfcheck.status, "notices": getattr(selfcheck, "notices", []),
            "progress": {"answered": selfcheck.answered_count, "total": len(selfcheck.item_ids)}}


@checklists_blp.route("")
@login_required
@checklists_blp.response(200, TemplateOut(many=True))
def list_templates():
    return authoring.list_templates()


@checklists_blp.route("/versions/<int:version_id>")
@login_required
@checklists_blp.response(200, VersionDetail)
def get_version(version_id):
    return authoring.get_version(version_id)


@checklists_blp.route("/<int:template_id>/drafts", methods=["POST"])
@roles_required(*ADMIN)
@transactional()
@checklists_blp.response(201, VersionDetail)
def create_draft(template_id):
    return authoring.create_draft(current_user, template_id)


@checklists_blp.route("/versions/<int:version_id>/items", methods=["POST"])
@roles_required(*ADMIN)
@transactional()
@checklists_blp.arguments(LocalItemIn)
@checklists_blp.response(201, VersionDetail)
def add_local_item(data, version_id):
    authoring.add_local_item(current_user, version_id, data)
    return authoring.get_version(version_id)


@checklists_blp.route("/versions/<int:version_id>/publish", methods=["POST"])
@roles_required(*ADMIN)
@transactional()
@checklists_blp.response(200, VersionDetail)
def publish(version_id):
    return authoring.publish(current_user, version_id)
