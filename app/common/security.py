"""CSRF check for state-changing API requests, and response security headers."""
import secrets

from flask import current_app, request, session
from flask_login import current_user

from app.common.errors import error_response

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"/api/auth/login", "/api/monitoring/hj212"}  # the latter authenticates the device, not a session

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")


def issue_csrf_token() -> str:
    session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_token() -> str:
    return session.get("csrf") or issue_csrf_token()


def check_csrf():
    if request.method not in UNSAFE or not request.path.startswith("/api/") or request.path in CSRF_EXEMPT:
        return None
    if not current_user.is_authenticated:
        return None  # the view answers 401
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token", "")
    if not expected or not secrets.compare_digest(expected, sent):
        return error_response(403, "csrf_failed", "安全校验失败，请刷新页面后重试")
    return None


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
