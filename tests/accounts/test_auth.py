"""Login, session, CSRF and rate limiting through the HTTP API."""
from tests.factories import PASSWORD


def test_login_returns_user_and_csrf_and_sets_httponly_cookie(client, world):
    response = client.post("/api/auth/login", json={"username": "ehs-a", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "ehs-a"
    assert body["user"]["role"] == "enterprise_admin"
    assert body["user"]["enterprise_name"] == "道里电镀厂"
    assert body["user"]["region_code"] == "230102"
    assert body["user"]["region_name"] == "道里区"
    assert body["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_regulator_login_reports_region(client, world):
    body = client.post("/api/auth/login", json={"username": "reg-city", "password": PASSWORD}).get_json()
    assert body["user"]["region_code"] == "230100"
    assert body["user"]["enterprise_id"] is None


def test_wrong_password_and_unknown_user_get_the_same_401(client, world):
    wrong = client.post("/api/auth/login", json={"username": "ehs-a", "password": "nope"})
    unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["error"]["message"] == unknown.get_json()["error"]["message"] == "用户名或密码错误"


def test_me_and_logout(auth, world):
    client = auth.client("ehs-a")
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.get_json()["user"]["username"] == "ehs-a"
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_logout_invalidates_a_copied_session_cookie(app, auth, world):
    client = auth.client("ehs-a")
    cookie = client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/api/auth/me").status_code == 200
    client.post("/api/auth/logout")
    assert thief.get("/api/auth/me").status_code == 401


def test_a_late_answer_to_an_ended_session_does_not_put_its_cookie_back(app, auth, world):
    """Logged out elsewhere, logged in again: a response to a request sent with the old cookie that
    arrives after the new login must not overwrite the new cookie (the browser would be logged out)."""
    browser = auth.client("ehs-a")
    old = browser.get_cookie("session").value
    assert "Set-Cookie" in browser.get("/api/auth/me").headers  # a live session's cookie is refreshed
    auth.client("ehs-a").post("/api/auth/logout")  # the session ends on another device
    late = app.test_client()
    late.set_cookie("session", old)
    response = late.get("/api/selfchecks")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_me_without_login_is_401_in_error_shape(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_state_change_without_csrf_token_is_403(auth, world):
    client = auth.client("ehs-a")
    del client.environ_base["HTTP_X_CSRF_TOKEN"]
    response = client.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "Newpass123"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"
    client.environ_base["HTTP_X_CSRF_TOKEN"] = "wrong"
    assert client.post("/api/auth/logout").status_code == 403


def test_repeated_failures_are_rate_limited(client, world):
    for _ in range(3):  # then the pair waits 1 s, 2 s, 4 s … (tests/accounts/test_login_throttle.py)
        assert client.post("/api/auth/login", json={"username": "ehs-a", "password": "bad"}).status_code == 401
    response = client.post("/api/auth/login", json={"username": "ehs-a", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "login_rate_limited"


def test_ten_failures_do_not_lock_the_account_and_admin_unlock_still_works(app, auth, world):
    """No lock by failures alone (tests/accounts/test_login_throttle.py); an admin lock is still honoured."""
    app.config["LOGIN_MAX_FAILURES_PER_USER"] = 100
    try:
        anon = app.test_client()
        for _ in range(10):
            anon.post("/api/auth/login", json={"username": "ehs-b", "password": "bad"})
        clean = app.test_client().post("/api/auth/login", json={"username": "ehs-b", "password": PASSWORD},
                                       environ_base={"REMOTE_ADDR": "10.20.30.40"})
        assert clean.status_code == 200
        admin = auth.client("sysadmin")
        assert admin.patch(f"/api/admin/users/{world.users['ehs-b']}", json={"locked": True}).status_code == 200
        locked = app.test_client().post("/api/auth/login", json={"username": "ehs-b", "password": PASSWORD},
                                        environ_base={"REMOTE_ADDR": "10.20.30.40"})
        assert locked.status_code == 403 and locked.get_json()["error"]["code"] == "account_locked"
        assert admin.patch(f"/api/admin/users/{world.users['ehs-b']}", json={"locked": False}).status_code == 200
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_USER"] = 5


def test_change_password_enforces_strength(auth, world):
    client = auth.client("ehs-a")
    weak = client.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    assert "new_password" in weak.get_json()["error"]["details"]["fields"]
    wrong_old = client.post("/api/auth/password", json={"old_password": "x", "new_password": "Goodpass123"})
    assert wrong_old.status_code == 422 and "old_password" in wrong_old.get_json()["error"]["details"]["fields"]
    ok = client.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "Goodpass123"})
    assert ok.status_code == 200
    assert client.get("/api/auth/me").status_code == 200
    client.post("/api/auth/logout")
    assert auth.client().post("/api/auth/login", json={"username": "ehs-a", "password": "Goodpass123"}).status_code == 200


def test_login_validation_error_names_field_in_chinese(client):
    response = client.post("/api/auth/login", json={"username": "x"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "password" in error["details"]["fields"]
    assert "密码" in error["message"]
