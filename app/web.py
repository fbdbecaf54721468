"""Blueprint registry, health check, API docs page and the built PWA with SPA fallback."""
from pathlib import Path

from flask import Flask, Response, abort, current_app, send_from_directory
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from app.common.schemas import OutSchema
from app.config import PROJECT_ROOT
from app.extensions import db

system_blp = Blueprint("system", __name__, url_prefix="/api", description="系统")

__all__ = ["PROJECT_ROOT", "api_blueprints", "init_app"]


def api_blueprints():
    """Every feature's API blueprint, in one tuple."""
    from app.accounts.views import admin_blp, auth_blp
    from app.cases.views import cases_blp
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
    from app.supervision.views_public import enterprise_blp, public_blp, warnings_blp

    return (system_blp, auth_blp, admin_blp, checklists_blp, selfcheck_blp, submit_blp, uploads_blp, reports_blp, verify_blp,
            problems_blp, supervision_blp, notify_blp, enterprise_blp, warnings_blp, public_blp,
            obligations_blp, requests_blp, legal_cases_blp, legal_blp,
            cases_blp, monitoring_blp, clues_blp, *inspection_blueprints())


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


DOCS_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>EcoCheck API 文档</title><link rel="stylesheet" href="/api/docs.css"></head><body>
<h1>EcoCheck 环保自查 API</h1><p>OpenAPI 文档：<a href="/api/openapi.json">/api/openapi.json</a></p>
<div id="ops">加载中…</div><script src="/api/docs.js"></script></body></html>"""

DOCS_JS = """fetch('/api/openapi.json').then(r => r.json()).then(spec => {
  const el = document.getElementById('ops'); el.textContent = '';
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    if (typeof op !== 'object' || !op.responses) continue;
    const d = document.createElement('details'); const s = document.createElement('summary');
    s.textContent = method.toUpperCase() + ' ' + path + (op.summary ? ' — ' + op.summary : '');
    const pre = document.createElement('pre'); pre.textContent = JSON.stringify(op, null, 2);
    d.append(s, pre); el.append(d);
  }
});"""

DOCS_CSS = "body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em}summary{cursor:pointer;" \
           "padding:.3em;font-family:monospace}pre{background:#f5f5f5;padding:.5em;overflow:auto}"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` that only matches ids a database integer column can hold (else a plain 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def bound_integer_urls(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter


def init_app(app: Flask) -> None:
    from app.notify.transitions import connect_receivers
    from app.supervision.repair_reminder import connect_receivers as connect_repair_reminder

    connect_receivers()
    connect_repair_reminder()
    app.add_url_rule("/api/docs", "api_docs", lambda: Response(DOCS_PAGE, mimetype="text/html"))
    app.add_url_rule("/api/docs.js", "api_docs_js", lambda: Response(DOCS_JS, mimetype="text/javascript"))
    app.add_url_rule("/api/docs.css", "api_docs_css", lambda: Response(DOCS_CSS, mimetype="text/css"))

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def spa(path: str):
        if path == "api" or path.startswith("api/"):
            abort(404)  # an unknown API path is a JSON 404, never the app shell
        return serve_frontend(path)


NO_CACHE = {"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"}
STATIC_SUFFIXES = {".js", ".mjs", ".css", ".map", ".json", ".webmanifest", ".png", ".jpg", ".jpeg", ".gif", ".svg",
                   ".ico", ".webp", ".woff", ".woff2", ".ttf", ".txt", ".xml", ".wasm"}


def serve_frontend(path: str):
    dist = Path(current_app.config["FRONTEND_DIST"])
    if not (dist / "index.html").exists():
        return Response("<!doctype html><meta charset=utf-8><p>前端尚未构建：请运行 make run</p>",
                        status=503, mimetype="text/html")
    target = (dist / path).resolve() if path else None
    if target and target.is_file() and dist.resolve() in target.parents:
        response = send_from_directory(dist, path)
        name = target.name
        if name in NO_CACHE or name.startswith("workbox-"):
            response.headers["Cache-Control"] = "no-cache"
        elif path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    if path.startswith("assets/") or Path(path).suffix.lower() in STATIC_SUFFIXES:
        # A missing build file is a 404, never the app shell: a stale service worker would cache HTML as JS.
        abort(404)
    response = send_from_directory(dist, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
