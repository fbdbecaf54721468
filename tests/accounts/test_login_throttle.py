"""登录失败处理 that cannot be turned into a weapon (issue #15 item 9): throttle (username, address) pairs with an
exponential delay, let the right password through from an address that has not failed, lock only temporarily,
and do not lock out a whole plant behind one NAT. The clock is moved with time-machine, never slept."""
from datetime import UTC, datetime

import pytest
import time_machine

from app.accounts.models import User
from app.extensions import db
from tests.factories import PASSWORD

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
WINDOW = 15 * 60


@pytest.fixture
def limits(app):
    saved = {k: app.config.get(k) for k in ("LOGIN_MAX_FAILURES_PER_USER", "LOGIN_MAX_FAILURES_PER_IP")}
    yield app.config
    app.config.update(saved)


def login(app, username, password, ip):
    response = app.test_client().post("/api/auth/login", json={"username": username, "password": password},
                                      environ_base={"REMOTE_ADDR": ip})
    return response.status_code, response.get_json()


def test_a_pair_waits_exponentially_longer_after_three_free_failures(app, world, limits):
    limits["LOGIN_MAX_FAILURES_PER_USER"] = 100  # isolate the pair rule
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(3):
            assert login(app, "ehs-a", "bad", "10.0.0.1")[0] == 401
        for delay in (1, 2, 4, 8, 16):
            status, body = login(app, "ehs-a", PASSWORD, "10.0.0.1")   # even the right password waits
            assert status == 429 and body["error"]["code"] == "login_rate_limited", body
            assert body["error"]["details"]["retry_after"] == delay and "秒后再试" in body["error"]["message"]
            clock.shift(delay - 0.5)
            assert login(app, "ehs-a", "bad", "10.0.0.1")[0] == 429    # not yet, and not counted
            clock.shift(0.5)
            assert login(app, "ehs-a", "bad", "10.0.0.1")[0] == 401    # the next failure doubles the wait
        clock.shift(32)
        assert login(app, "ehs-a", PASSWORD, "10.0.0.1")[0] == 200
        assert login(app, "ehs-a", PASSWORD, "10.0.0.2")[0] == 200     # other addresses never waited


def test_right_password_from_a_clean_address_gets_through_the_per_username_limit(app, world, limits):
    limits["LOGIN_MAX_FAILURES_PER_USER"] = 5
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(5):   # an attacker on five addresses, one guess each: at the per-username limit
            assert login(app, "ehs-a", "guess", f"203.0.113.{n}")[0] == 401
        assert login(app, "ehs-a", "guess", "203.0.113.1")[0] == 429   # a failed address gets no second guess
        status, body = login(app, "ehs-a", PASSWORD, "203.0.113.0")   # an address that has failed waits
        assert status == 429 and body["error"]["details"]["retry_after"] <= WINDOW + 1
        assert login(app, "ehs-a", PASSWORD, "192.0.2.10")[0] == 200    # the real user, at the plant
        assert login(app, "ehs-a", "guess", "198.51.100.1")[0] == 401   # a new address gets one guess ...
        assert login(app, "ehs-a", "guess", "198.51.100.1")[0] == 429   # ... and then waits
        clock.shift(WINDOW + 2)                                          # temporary: the window ends it
        assert login(app, "ehs-a", PASSWORD, "203.0.113.0")[0] == 200


def test_many_failures_never_lock_the_account_permanently(app, world, limits):
    limits["LOGIN_MAX_FAILURES_PER_USER"] = 5
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(3):   # 12 failures from one address, across three windows (old code: locked after 10)
            for _ in range(4):
                login(app, "ehs-b", "bad", "10.1.1.1")
                clock.shift(20)
            clock.shift(WINDOW + 2)
        assert login(app, "ehs-b", PASSWORD, "10.1.1.1")[0] == 200
    with app.app_context():
        assert db.session.get(User, world.users["ehs-b"]).locked is False


def test_thirty_failures_behind_one_nat_do_not_lock_out_the_other_users(app, world, limits):
    limits["LOGIN_MAX_FAILURES_PER_IP"] = 30
    nat = "100.64.0.1"
    with time_machine.travel(T0, tick=False):
        for n in range(30):   # one careless or hostile machine behind the plant's NAT
            assert login(app, f"worker{n}", "bad", nat)[0] == 401
        for name in ("ehs-a", "ehs-b", "staff-a"):
            assert login(app, name, PASSWORD, nat)[0] == 200      # everyone else behind it still logs in
        assert login(app, "ehs-c", "typo", nat)[0] == 401          # a first mistake is still answered ...
        assert login(app, "ehs-c", PASSWORD, nat)[0] == 429        # ... but a noisy address has no free tries
        assert login(app, "worker0", "bad", nat)[0] == 429         # the failing pairs are the ones throttled


def test_an_administrator_lock_still_holds_until_unlocked(app, auth, world):
    admin = auth.client("sysadmin")
    assert admin.patch(f"/api/admin/users/{world.users['ehs-b']}", json={"locked": True}).status_code == 200
    status, body = login(app, "ehs-b", PASSWORD, "10.2.2.2")
    assert status == 403 and body["error"]["code"] == "account_locked"
    assert admin.patch(f"/api/admin/users/{world.users['ehs-b']}", json={"locked": False}).status_code == 200
    assert login(app, "ehs-b", PASSWORD, "10.2.2.2")[0] == 200


def test_unknown_usernames_are_throttled_alike(app, world):
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            assert login(app, "ghost", "x", "10.3.3.3")[0] == 401
        status, body = login(app, "ghost", "x", "10.3.3.3")
        assert status == 429 and body["error"]["details"]["retry_after"] == 1
