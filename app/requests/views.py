"""企业诉求 endpoints (thin: parse, call one service function, dump)."""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.models import Enterprise
from app.accounts.permissions import ENTERPRISE, REGULATOR, login_required, roles_required
from app.common.schemas import RowView
from app.common.tx import transactional
from app.extensions import db
from app.requests import schemas as s
from app.requests import service

requests_blp = Blueprint("requests", __name__, url_prefix="/api/requests", description="企业诉求")


def _out(request, with_events=True):
    return RowView(request, allowed_actions=service.allowed_actions(request, current_user),
                   enterprise_name=db.session.get(Enterprise, request.enterprise_id).name,
                   events=service.events_for(request, current_user) if with_events else [])


@requests_blp.route("", methods=["POST"])
@roles_required(*ENTERPRISE)
@transactional(idempotent=True)
@requests_blp.arguments(s.ReqRequestIn)
@requests_blp.response(201, s.ReqRequestOut)
def file_request(data):
    return _out(service.file_request(current_user, data))


@requests_blp.route("")
@login_required
@requests_blp.arguments(s.ReqRequestArgs, location="query")
@requests_blp.response(200, s.ReqRequestPage)
def list_requests(args):
    items, total = service.list_requests(current_user, args)
    return {"items": [_out(r, with_events=False) for r in items], "total": total}


@requests_blp.route("/quality")
@roles_required(*REGULATOR)
@requests_blp.arguments(s.ReqQualityArgs, location="query")
@requests_blp.response(200, s.ReqQualityOut)
def quality(args):
    """办理质效: on-time rates per step, satisfaction, reopened share (the user's jurisdiction)."""
    return service.quality(current_user, args.get("year"))


@requests_blp.route("/<int:request_id>")
@login_required
@requests_blp.response(200, s.ReqRequestOut)
def get_request(request_id):
    return _out(service.get_request(current_user, request_id))


def _action(name, schema, roles):
    @requests_blp.route(f"/<int:request_id>/{name}", methods=["POST"], endpoint=name)
    @roles_required(*roles)
    @transactional()
    @requests_blp.arguments(schema)
    @requests_blp.response(200, s.ReqRequestOut)
    def view(data, request_id):
        return _out(service.act(current_user, request_id, name, data))

    view.__doc__ = service.ACTION_DOCS[name]
    return view


register = _action("register", s.ReqCommentIn, REGULATOR)
assign = _action("assign", s.ReqAssignIn, REGULATOR)
reply = _action("reply", s.ReqReplyIn, REGULATOR)
close = _action("close", s.ReqCloseIn, REGULATOR)
rate = _action("rate", s.ReqRateIn, ENTERPRISE)
review = _action("review", s.ReqReviewIn, REGULATOR)
followup = _action("followup", s.ReqFollowupIn, REGULATOR)
