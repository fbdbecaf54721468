"""Issue #15 item 1: a push endpoint must not make the server connect to internal hosts (SSRF)."""
import socket

import pytest
from sqlalchemy import select

from app.config import DEFAULT_PUSH_HOSTS
from app.extensions import db
from app.notify import pushguard
from app.notify.models import Delivery, PushSubscription
from app.notify.pushguard import PushPolicy, UnsafeEndpoint, endpoint_problem, is_ip_literal, resolve_public
from tests.notify.conftest import browser_keys, make_selfcheck, run_tick, subscribe
from tests.notify.test_ladders import DUE, _on

# Every form from the issue, and the other spellings resolvers accept.
LITERALS = ["https://127.1:9443/x", "https://2130706433:9444/", "https://0x7f.0.0.1:9445/", "https://0177.0.0.1/",
            "https://0/", "https://0xa9fea9fe/", "https://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1./x", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x", "https://[::ffff:7f00:1]/x",
            "https://[0:0:0:0:0:ffff:a9fe:a9fe]/", "https://[fe80::1%25eth0]/", "https://10.0.0.8/x",
            "https://0x7f000001/", "https://017700000001/", "https://127.0.1/", "https://8.8.8.8/",
            "https://push.example.com.127.0.0.1/", "https://1.2.3.0x4/"]
LOCAL_NAMES = ["https://localhost.:9443/x", "https://localhost/x", "https://LOCALHOST/x", "https://a.localhost/x",
               "https://printer.local/x", "https://intranet/x", "https://metadata.google.internal/x"]
TRICKS = ["https://fcm.googleapis.com@127.0.0.1/x", "https://fcm.googleapis.com\\@127.0.0.1/x",
          "https://user:pw@fcm.googleapis.com/x", "https://fcm.googleapis.com:99999/x", "http://fcm.googleapis.com/x",
          "https://fcm.googleapis.com\t/x", "https://evil.example/x", "https://fcm.googleapis.com.evil.example/x",
          "https://notify.windows.com.evil.example/x"]


@pytest.mark.parametrize("endpoint", LITERALS + LOCAL_NAMES + TRICKS)
def test_subscription_refuses_ip_literals_local_names_and_unknown_hosts(ids, auth, endpoint):
    response = auth.client("staff-a").post("/api/push/subscriptions",
                                           json={"endpoint": endpoint, "keys": browser_keys()})
    assert response.status_code == 422, (endpoint, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "endpoint" in error["details"]["fields"]
    assert "推送地址" in error["message"]


@pytest.mark.parametrize("endpoint", ["https://fcm.googleapis.com/fcm/send/abc:def",
                                      "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
                                      "https://wns2-by3p.notify.windows.com/w/?token=x",
                                      "https://web.push.apple.com/QOu2", "https://fcm.googleapis.com./fcm/send/x"])
def test_the_vendors_push_services_are_accepted(ids, auth, endpoint):
    response = auth.client("staff-a").post("/api/push/subscriptions",
                                           json={"endpoint": endpoint, "keys": browser_keys()})
    assert response.status_code == 201, response.get_json()


def test_allow_list_is_a_setting(app, ids, auth):
    body = {"endpoint": "https://push.example.com/x", "keys": browser_keys()}
    assert auth.client("staff-a").post("/api/push/subscriptions", json=body).status_code == 422
    app.config["PUSH_ALLOWED_HOSTS"] = ["push.example.com"]
    try:
        assert auth.client("staff-a").post("/api/push/subscriptions", json=body).status_code == 201
        body["endpoint"] = "https://fcm.googleapis.com/x"
        assert auth.client("staff-a").post("/api/push/subscriptions", json=body).status_code == 422
    finally:
        app.config["PUSH_ALLOWED_HOSTS"] = list(DEFAULT_PUSH_HOSTS)


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "0", "0xa9fea9fe", "::1",
                                  "[::ffff:127.0.0.1]", "1.2.3.4.", "0x", "010.0.0.1"])
def test_every_ip_notation_is_a_literal(host):
    assert is_ip_literal(host)


@pytest.mark.parametrize("host", ["fcm.googleapis.com", "a1.example.com", "0x7f.example.com", "1e100.net"])
def test_names_are_not_literals(host):
    assert not is_ip_literal(host)


def fake_dns(monkeypatch, answers):
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        answer = answers[min(len(calls), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answer]

    monkeypatch.setattr(pushguard, "_getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize("addresses", [["127.0.0.1"], ["10.1.2.3"], ["169.254.169.254"], ["100.64.0.1"],
                                       ["0.0.0.0"], ["::1"], ["::ffff:127.0.0.1"], ["fd00::1"], ["224.0.0.1"],
                                       ["142.250.72.10", "127.0.0.1"]])
def test_delivery_resolution_refuses_any_non_global_address(monkeypatch, addresses):
    fake_dns(monkeypatch, [addresses])
    with pytest.raises(UnsafeEndpoint):
        resolve_public("fcm.googleapis.com", 443, PushPolicy(("fcm.googleapis.com",)))


def test_delivery_resolution_accepts_global_addresses(monkeypatch):
    fake_dns(monkeypatch, [["142.250.72.10", "2607:f8b0:4005:80c::200a"]])
    assert resolve_public("fcm.googleapis.com", 443, PushPolicy(("fcm.googleapis.com",))) == \
        ["142.250.72.10", "2607:f8b0:4005:80c::200a"]


def test_endpoint_problem_is_checked_again_at_delivery(app, ids, push_service):
    """A subscription stored before the rules (here: an IP literal) is refused and removed, nothing is sent."""
    app.config["PUSH_ALLOW_LOOPBACK"] = False
    endpoint = f"https://127.1:{push_service.server.server_address[1]}/push/a"
    with app.app_context():
        assert endpoint_problem(endpoint, PushPolicy.from_config())
    _deliver_one(app, ids, endpoint)
    assert push_service.requests == []
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
        (delivery,) = db.session.scalars(select(Delivery).where(Delivery.channel == "push")).all()
        assert delivery.status == "failed" and "IP" in delivery.last_error


def test_a_name_that_resolves_to_an_internal_address_is_not_connected_to(app, ids, push_service, monkeypatch):
    """DNS says 127.0.0.1 for an allowed name (rebinding): the delivery makes no connection."""
    app.config["PUSH_ALLOW_LOOPBACK"] = False
    app.config["PUSH_ALLOWED_HOSTS"] = ["push.test"]
    calls = fake_dns(monkeypatch, [["127.0.0.1"]])
    port = push_service.server.server_address[1]
    try:
        _deliver_one(app, ids, f"https://push.test:{port}/push/a")
    finally:
        app.config["PUSH_ALLOWED_HOSTS"] = list(DEFAULT_PUSH_HOSTS)
    assert calls == ["push.test"] and push_service.requests == []
    with app.app_context():
        (delivery,) = db.session.scalars(select(Delivery).where(Delivery.channel == "push")).all()
        assert delivery.status == "failed" and "非公网地址 127.0.0.1" in delivery.last_error


def test_the_connection_goes_to_the_address_that_was_checked(app, ids, push_service, monkeypatch):
    """Resolved once and pinned: a second lookup (here: one that would fail) is never made, and the
    request reaches the checked address although the name exists in no real DNS."""
    app.config["PUSH_ALLOWED_HOSTS"] = ["push.test"]
    calls = fake_dns(monkeypatch, [["127.0.0.1"], socket.gaierror("second lookup")])
    port = push_service.server.server_address[1]
    try:
        _deliver_one(app, ids, f"http://push.test:{port}/push/a")
    finally:
        app.config["PUSH_ALLOWED_HOSTS"] = list(DEFAULT_PUSH_HOSTS)
    assert calls == ["push.test"]
    (request,) = push_service.requests
    assert request["path"] == "/push/a" and request["headers"]["host"] == f"push.test:{port}"


def _deliver_one(app, ids, endpoint):
    """One self-check reminder for staff-a, pushed to `endpoint`."""
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], endpoint)
    run_tick(app, _on(DUE, -3))
