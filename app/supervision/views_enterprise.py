"""Routes outside /api/supervision: eligibility, credit-repair applications, 企业环保码 and the public card,
and /api/warnings (the same scoped warning list for enterprise users and regulators)."""
from flask import Response, redirect
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.models import Enterprise
from app.accounts.permissions import login_required
from app.accounts.scoping import get_scoped
from app.common.errors import NotFound
from app.common.tx import transactional
from app.supervision import decisions, eligibility, qrcodes, warnings
from app.supervision.schemas_in import CreditRepairIn, EligibilityArgs, PageArgs, WarningListArgs
from app.supervision.schemas_out import (
    CreditRepairOut,
    CreditRepairPageOut,
    EligibilityOut,
    PublicCardOut,
    WarningPageOut,
)

enterprise_blp = Blueprint("enterprise_compliance", __name__, url_prefix="/api/enterprises",
                           description="企业合规：正面清单与信用修复资格、企业环保码")
warnings_blp = Blueprint("warnings", __name__, url_prefix="/api/warnings", description="风险预警")
public_blp = Blueprint("public_card", __name__, description="企业环保码公开页（无需登录）")


def _enterprise(enterprise_id: int) -> Enterprise:
    return get_scoped(Enterprise, enterprise_id, current_user, message="未找到该企业")


@enterprise_blp.route("/<int:enterprise_id>/eligibility")
@login_required
@enterprise_blp.arguments(EligibilityArgs, location="query")
@enterprise_blp.response(200, EligibilityOut)
def get_eligibility(args, enterprise_id):
    return eligibility.evaluate(_enterprise(enterprise_id), penalty_id=args["penalty_id"])


@enterprise_blp.route("/<int:enterprise_id>/credit-repair", methods=["POST"])
@login_required
@transactional(idempotent=True)
@enterprise_blp.arguments(CreditRepairIn)
@enterprise_blp.response(201, CreditRepairOut)
def apply_credit_repair(data, enterprise_id):
    return decisions.apply_credit_repair(current_user, enterprise_id, data)


@enterprise_blp.route("/<int:enterprise_id>/credit-repair")
@login_required
@enterprise_blp.arguments(PageArgs, location="query")
@enterprise_blp.response(200, CreditRepairPageOut)
def list_credit_repairs(args, enterprise_id):
    enterprise = _enterprise(enterprise_id)
    items, total = decisions.list_credit_repairs(current_user, args, enterprise.id)
    return {"items": items, "total": total}


@enterprise_blp.route("/<int:enterprise_id>/qr.png")
@login_required
@enterprise_blp.response(200, description="企业环保码 PNG")
def qr_png(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    return Response(qrcodes.qr_png(qrcodes.public_url(enterprise)), mimetype="image/png")


@enterprise_blp.route("/<int:enterprise_id>/poster.pdf")
@login_required
@enterprise_blp.response(200, description="企业环保码 A4 海报 PDF")
def poster_pdf(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    response = Response(qrcodes.poster_pdf(enterprise), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="qr-poster-{enterprise.id}.pdf"'
    return response


@warnings_blp.route("")
@login_required
@warnings_blp.arguments(WarningListArgs, location="query")
@warnings_blp.response(200, WarningPageOut)
def list_warnings(args):
    items, total = warnings.list_warnings(current_user, args)
    return {"items": items, "total": total}


@public_blp.route("/api/public/enterprises/<code>")
@public_blp.response(200, PublicCardOut)
def public_card_api(code):
    return qrcodes.public_card(qrcodes.by_public_code(code))


@public_blp.route("/e/<code>")
@public_blp.response(200, description="企业环保码公开页（HTML）；监管人员登录时跳转到企业档案")
def card_page(code):
    try:
        enterprise = qrcodes.by_public_code(code)
    except NotFound:
        html = qrcodes.render("supervision_card_missing.html")
        return Response(html, status=404, mimetype="text/html")
    user = current_user
    if user.is_authenticated and (user.is_regulator or user.is_sysadmin):
        if get_scoped_or_none(enterprise.id) is not None:
            return redirect(f"/gov/enterprises/{enterprise.id}", code=302)
    return Response(qrcodes.render("supervision_card.html", c=qrcodes.public_card(enterprise)), mimetype="text/html")


def get_scoped_or_none(enterprise_id: int):
    try:
        return _enterprise(enterprise_id)
    except NotFound:
        return None
