"""The blueprint registry (every feature's API in one tuple), the health check, and bounded integer URLs."""
from flask import Flask
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from app.common.schemas import OutSchema
from app.extensions import db

system_blp = Blueprint("system", __name__, url_prefix="/api", description="系统")


def api_blueprints():
    """Every feature's API blueprint, in one tuple."""
    from app.accounts.views import admin_blp, auth_blp
    from app.cases.views import cases_blp, penalties_blp
    from app.clues.views import clues_blp
    from app.evidence.views import uploads_blp
    from app.inspections.views import blueprints as inspection_blueprints
    from app.legal.views import legal_blp, legal_cases_blp
    from app.monitoring.views import monitoring_blp
    from app.notify.views import notify_blp
    from app.obligations.views import obligations_blp
    from app.remediation.views import problems_blp
    from app.reports.views import reports_blp, submit_blp, verify_blp
    from app.requests.views import requests_blp
    from app.selfcheck.views import checklists_blp, selfcheck_blp
    from app.supervision.views import supervision_blp
    from app.supervision.views_enterprise import enterprise_blp, public_blp, warnings_blp

    return (system_blp, auth_blp, admin_blp, checklists_blp, selfcheck_blp, submit_blp, uploads_blp, reports_blp, verify_blp,
            problems_blp, supervision_blp, notify_blp, enterprise_blp, warnings_blp, public_blp,
            obligations_blp, requests_blp, legal_cases_blp, legal_blp,
            cases_blp, penalties_blp, monitoring_blp, clues_blp, *inspection_blueprints())


class HealthOut(OutSchema):
    status = fields.String()
    database = fields.String()


@system_blp.route("/health")
@system_blp.response(200, HealthOut)
@system_blp.alt_response(503, schema=HealthOut, description="数据库不可用")
def health():
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}
    except Exception:
        db.session.rollback()
        return {"status": "error", "database": "error"}, 503


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` that only matches ids a database integer column can hold (else a plain 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def bound_integer_urls(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter


__all__ = ["api_blueprints", "bound_integer_urls", "system_blp"]
