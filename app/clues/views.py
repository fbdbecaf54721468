"""线索移送 endpoints under /api/clues (regulators only): the queue, the form, its transitions and its PDF."""
from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, roles_required
from app.clues import pdf, service
from app.clues.schemas import ActionIn, ClueDetail, ClueFields, ClueIn, ClueListArgs, CluePage
from app.common.schemas import RowView
from app.common.timeutil import today_local
from app.common.tx import transactional
from app.remediation.schemas import HistoryOut

clues_blp = Blueprint("clues", __name__, url_prefix="/api/clues", description="线索移送（附件3）",
                      template_folder="templates")


def _view(clue):
    return RowView(clue, allowed_actions=service.allowed_actions(current_user, clue),
                   overdue=clue.is_overdue(today_local()))


@clues_blp.route("")
@roles_required(*REGULATOR)
@clues_blp.arguments(ClueListArgs, location="query")
@clues_blp.response(200, CluePage)
def list_clues(args):
    items, total = service.list_clues(current_user, args)
    return {"items": [_view(c) for c in items], "total": total}


@clues_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@clues_blp.arguments(ClueIn)
@clues_blp.response(201, ClueDetail)
def create_clue(data):
    return _view(service.create_clue(current_user, data))


@clues_blp.route("/<int:clue_id>")
@roles_required(*REGULATOR)
@clues_blp.response(200, ClueDetail)
def get_clue(clue_id):
    return _view(service.get_clue(current_user, clue_id))


@clues_blp.route("/<int:clue_id>", methods=["PATCH"])
@roles_required(*REGULATOR)
@transactional()
@clues_blp.arguments(ClueFields)
@clues_blp.response(200, ClueDetail)
def update_clue(data, clue_id):
    return _view(service.update_clue(current_user, clue_id, data))


@clues_blp.route("/<int:clue_id>/<any(transfer, withdraw, accept, return, conclude):action>", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@clues_blp.arguments(ActionIn)
@clues_blp.response(200, ClueDetail)
def act(data, clue_id, action):
    return _view(service.act(current_user, clue_id, action, data))


@clues_blp.route("/<int:clue_id>/history")
@roles_required(*REGULATOR)
@clues_blp.response(200, HistoryOut(many=True))
def clue_history(clue_id):
    return service.history(service.get_clue(current_user, clue_id))


@clues_blp.route("/<int:clue_id>/form.pdf")
@roles_required(*REGULATOR)
@clues_blp.response(200, description="涉嫌环境违法线索移送表（附件3）PDF")
def form_pdf(clue_id):
    clue = service.get_clue(current_user, clue_id)
    response = Response(pdf.clue_pdf(clue), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="clue-{clue.number}.pdf"'
    return response
