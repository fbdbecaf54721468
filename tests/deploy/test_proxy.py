"""ProxyFix: behind nginx the client address and scheme come from X-Forwarded-*, only when trusted."""
import pytest
from flask import Flask, request

from app.common.proxy import apply_proxy_fix, trusted_proxies

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _probe(trust):
    app = Flask(__name__)
    if trust is not None:
        app.config["TRUST_PROXY"] = trust

    @app.route("/probe")
    def probe():
        return {"ip": request.remote_addr, "scheme": request.scheme}

    return apply_proxy_fix(app)


@pytest.mark.parametrize("trust,ip,scheme", [
    (None, "127.0.0.1", "http"),    # default: forwarded headers are ignored (no spoofing)
    ("0", "127.0.0.1", "http"),
    (1, "203.0.113.7", "https"),
    ("1", "203.0.113.7", "https"),
])
def test_forwarded_headers_count_only_when_trusted(monkeypatch, trust, ip, scheme):
    monkeypatch.delenv("TRUST_PROXY", raising=False)
    response = _probe(trust).test_client().get("/probe", headers=FORWARDED,
                                                environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_json() == {"ip": ip, "scheme": scheme}


def test_a_client_cannot_prepend_a_fake_address(monkeypatch):
    monkeypatch.delenv("TRUST_PROXY", raising=False)
    client = _probe(1).test_client()
    # nginx appends the real peer to whatever the client sent; only the last hop is trusted
    response = client.get("/probe", headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.4"})
    assert response.get_json()["ip"] == "198.51.100.4"


def test_environment_setting_and_no_double_wrap(monkeypatch):
    monkeypatch.setenv("TRUST_PROXY", "1")
    app = _probe(None)
    wrapped = app.wsgi_app
    assert apply_proxy_fix(app).wsgi_app is wrapped


@pytest.mark.parametrize("value", ["yes", "-1"])
def test_bad_setting_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("TRUST_PROXY", value)
    with pytest.raises(ValueError, match="TRUST_PROXY"):
        trusted_proxies(Flask(__name__))
