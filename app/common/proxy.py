"""Trust X-Forwarded-For/-Proto from a known number of reverse proxies (nginx) in front of the app.

Behind nginx every request reaches gunicorn from 127.0.0.1, so without this the per-IP login limit
(LOGIN_MAX_FAILURES_PER_IP) counts all users as one address and the audit log records the proxy's IP.
Only enable it when the app is reachable solely through the proxy: otherwise a client could forge
X-Forwarded-For and dodge the per-IP limit.
"""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_proxies(app: Flask) -> int:
    """TRUST_PROXY: how many proxies append to X-Forwarded-For (0 = off, 1 = nginx alone)."""
    raw = app.config.get("TRUST_PROXY")
    if raw in (None, ""):
        raw = os.environ.get("TRUST_PROXY", "0")
    try:
        count = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"TRUST_PROXY 应为 0 或正整数（代理层数）：{raw!r}") from None
    if count < 0:
        raise ValueError(f"TRUST_PROXY 应为 0 或正整数（代理层数）：{raw!r}")
    return count


def apply_proxy_fix(app: Flask) -> Flask:
    """Wrap app.wsgi_app in ProxyFix when TRUST_PROXY > 0 (idempotent: never wraps twice)."""
    count = trusted_proxies(app)
    if count and not isinstance(app.wsgi_app, ProxyFix):
        # Host comes from nginx's `proxy_set_header Host $host`, so X-Forwarded-Host is not trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
    return app
