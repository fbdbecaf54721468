"""法定义务日历 endpoints (thin) and the secret .ics feed."""
from flask import Response, abort, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import ENTERPRISE, login_required, roles_required
from app.common.schemas import RowView
from app.common.tx import transactional
from app.extensions import db
from app.obligations import ics, service
from app.obligations.rules import province_rules
from app.obligations.schemas import (
    ObligationArgs,
    ObligationDoneIn,
    ObligationFeedOut,
    ObligationList,
    ObligationOut,
)

obligations_blp = Blueprint("obligations", __name__, url_prefix="/api/obligations", description="法定义务日历")


def _present(obligation, today, rules):
    rule = rules.get(obligation.code) or {}
    row = RowView(obligation, legal_basis=rule.get("legal_basis") or [], proof=rule.get("proof", ""),
                  self_check_items=rule.get("self_check_items") or [],
                  allowed_actions=["mark_done"] if (
                      obligation.status == "pending" and current_user.is_enterprise_user
                      and current_user.enterprise_id == obligation.enterprise_id) else [])
    out = {c: getattr(row, c) for c in ObligationOut().fields}
    out["status"] = service.display_status(obligation, today)
    return out


def _rules(obligations):
    from app.accounts.models import Enterprise

    rules = {}
    for enterprise_id in {o.enterprise_id for o in obligations}:
        for rule in province_rules(db.session.get(Enterprise, enterprise_id).region_code):
            rules.setdefault(rule["code"], rule)
    return rules


def _ics_url(enterprise_id):
    token = service.feed_token(enterprise_id)
    return url_for("obligations.feed", token=token, _external=True)


@obligations_blp.route("")
@login_required
@transactional()
@obligations_blp.arguments(ObligationArgs, location="query")
@obligations_blp.response(200, ObligationList)
def list_obligations(args):
    items, today = service.list_obligations(current_user, args)
    rules = _rules(items)
    own = current_user.enterprise_id if current_user.is_enterprise_user else None
    return {"items": [_present(o, today, rules) for o in items], "total": len(items), "today": today,
            "ics_url": _ics_url(own) if own else None}


@obligations_blp.route("/<int:obligation_id>/done", methods=["POST"])
@roles_required(*ENTERPRISE)
@transactional(idempotent=True)
@obligations_blp.arguments(ObligationDoneIn)
@obligations_blp.response(200, ObligationOut)
def mark_done(data, obligation_id):
    from app.common.timeutil import today_local

    obligation = service.mark_done(current_user, obligation_id, data)
    return _present(obligation, today_local(), _rules([obligation]))


@obligations_blp.route("/feed/rotate", methods=["POST"])
@roles_required(*ENTERPRISE)
@transactional()
@obligations_blp.response(200, ObligationFeedOut)
def rotate_feed():
    token = service.rotate_feed(current_user)
    return {"ics_url": url_for("obligations.feed", token=token, _external=True)}


@obligations_blp.route("/feed/<token>.ics")
@obligations_blp.doc(security=[])
@obligations_blp.response(200, description="iCalendar (text/calendar)")
def feed(token):
    """The enterprise's calendar at its secret address (no login: calendar apps cannot log in)."""
    found = service.feed_obligations(token if len(token) <= 64 else "")
    if found is None:
        abort(404)
    enterprise, items = found
    rules = {r["code"]: r for r in province_rules(enterprise.region_code)}
    response = Response(ics.render(enterprise, items, rules), mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=obligations.ics"
    response.headers["Cache-Control"] = "private, max-age=900"
    return response
