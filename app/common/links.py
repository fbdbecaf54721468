"""Absolute links that leave the site (report verification URL, its QR code and PDF, the 企业环保码 card,
links in e-mails) — built from configuration only, never from a Host header nobody vouched for.

PUBLIC_BASE_URL when set; else the request's own host if the deployment lists its names in TRUSTED_HOSTS
(Flask then answers 400 to any other Host); else the local development address. `flask check-config`
fails a production start that has neither.
"""
from flask import current_app, has_request_context, request

LOCAL_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if base:
        return base.rstrip("/")
    if current_app.config.get("TRUSTED_HOSTS") and has_request_context():
        return request.host_url.rstrip("/")  # the host was checked against TRUSTED_HOSTS during routing
    return LOCAL_BASE_URL


def external_url(path: str) -> str:
    """`path` (from url_for, starting with /) on the public base."""
    return public_base_url() + path
