"""Login limits per IP, idle timeout, secure cookies, and configuration checks."""
from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import PASSWORD


def test_failures_from_one_ip_throttle_the_failing_pairs_not_the_other_users(app, world):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    # The clock stands still: the delays are seconds, and a loaded machine must not outwait them.
    with time_machine.travel(datetime.now(UTC), tick=False):
        try:
            client = app.test_client()
            for name in ("ehs-a", "ehs-b", "ghost"):
                assert client.post("/api/auth/login", json={"username": name, "password": "x"}).status_code == 401
            response = client.post("/api/auth/login", json={"username": "ehs-c", "password": PASSWORD})
            assert response.status_code == 200      # a colleague behind the same address is not locked out
            again = client.post("/api/auth/login", json={"username": "ehs-a", "password": "x"})
            assert again.status_code == 429         # the pair that failed, from a noisy address, waits
        finally:
            app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_idle_session_expires(app, auth, world):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=30)
    try:
        client = auth.client("ehs-a")
        start = datetime.now(UTC)
        with time_machine.travel(start + timedelta(minutes=29), tick=False):
            assert client.get("/api/auth/me").status_code == 200   # activity renews the idle window
        with time_machine.travel(start + timedelta(minutes=58), tick=False):
            assert client.get("/api/auth/me").status_code == 200   # 29 minutes after the last request
        with time_machine.travel(start + timedelta(minutes=58 + 31), tick=False):
            assert client.get("/api/auth/me").status_code == 401
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=8)


def test_secure_cookie_and_hsts_behind_tls(app, world):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = app.test_client().post("/api/auth/login", json={"username": "ehs-a", "password": PASSWORD},
                                          base_url="https://localhost")
        assert "Secure" in response.headers["Set-Cookie"]
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_password_reset_by_admin_ends_the_users_sessions(auth, world):
    victim = auth.client("ehs-a")
    assert auth.client("sysadmin").patch(f"/api/admin/users/{world.users['ehs-a']}",
                                         json={"password": "Temp12345"}).status_code == 200
    assert victim.get("/api/auth/me").status_code == 401


def test_deactivated_user_loses_access(auth, world):
    client = auth.client("ehs-a")
    auth.client("sysadmin").patch(f"/api/admin/users/{world.users['ehs-a']}", json={"active": False})
    assert client.get("/api/selfchecks").status_code == 401
    assert auth.client().post("/api/auth/login", json={"username": "ehs-a", "password": PASSWORD}).status_code == 401


def test_check_config_warns_about_weak_settings(app, runner):
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "short"
    try:
        result = runner.invoke(args=["check-config"])
        assert "SECRET_KEY" in result.output and "SESSION_COOKIE_SECURE" in result.output
    finally:
        app.config["SECRET_KEY"] = original
