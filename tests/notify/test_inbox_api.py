"""The inbox API, preferences and push subscriptions: each user sees and changes only their own."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.timeutil import utcnow
from app.extensions import db
from app.notify.models import Notification, PushSubscription
from app.notify.service import notify
from tests.notify.conftest import browser_keys


@pytest.fixture
def inbox(app, ids):
    """Three notifications for ehs-a (oldest first) and one for ehs-b; return their ids."""
    with app.app_context():
        now = utcnow()
        made = {}
        for n, (user, stage) in enumerate([("ehs-a", "s1"), ("ehs-a", "s2"), ("ehs-a", "s3"), ("ehs-b", "s1")]):
            (made[f"{user}:{stage}"],) = notify([ids[user]], "test", "problem", 7, stage, f"标题{stage}", "内容",
                                                "/ent/problems/7", as_of=now + timedelta(minutes=n))
        db.session.commit()
        return made


def test_list_is_newest_first_with_unread_count(auth, inbox):
    body = auth.client("ehs-a").get("/api/notifications").get_json()
    assert [i["id"] for i in body["items"]] == [inbox["ehs-a:s3"], inbox["ehs-a:s2"], inbox["ehs-a:s1"]]
    assert body["unread_count"] == 3 and body["total"] == 3
    assert body["items"][0]["link"] == "/ent/problems/7"
    assert body["items"][0]["read"] is False and body["items"][0]["title"] == "标题s3"


def test_pagination(auth, inbox):
    body = auth.client("ehs-a").get("/api/notifications?page=2&per_page=2").get_json()
    assert [i["id"] for i in body["items"]] == [inbox["ehs-a:s1"]]
    assert (body["total"], body["page"], body["per_page"]) == (3, 2, 2)


def test_read_one_then_unread_filter(auth, inbox):
    client = auth.client("ehs-a")
    response = client.post(f"/api/notifications/{inbox['ehs-a:s2']}/read")
    assert response.status_code == 200 and response.get_json()["read"] is True
    first_read_at = response.get_json()["read_at"]
    again = client.post(f"/api/notifications/{inbox['ehs-a:s2']}/read")
    assert again.status_code == 200 and again.get_json()["read_at"] == first_read_at
    body = client.get("/api/notifications?unread=1").get_json()
    assert [i["id"] for i in body["items"]] == [inbox["ehs-a:s3"], inbox["ehs-a:s1"]]
    assert body["unread_count"] == 2


def test_read_all_touches_only_own(app, auth, inbox, ids):
    response = auth.client("ehs-a").post("/api/notifications/read-all")
    assert response.status_code == 200 and response.get_json() == {"updated": 3, "unread_count": 0}
    assert auth.client("ehs-a").get("/api/notifications?unread=1").get_json()["items"] == []
    assert auth.client("ehs-b").get("/api/notifications").get_json()["unread_count"] == 1


@pytest.mark.parametrize("user", ["ehs-a", "reg-city", "sysadmin"])
def test_another_users_notification_is_not_found(auth, inbox, user):
    response = auth.client(user).post(f"/api/notifications/{inbox['ehs-b:s1']}/read")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    ids_seen = [i["id"] for i in auth.client(user).get("/api/notifications").get_json()["items"]]
    assert inbox["ehs-b:s1"] not in ids_seen


def test_unknown_id_is_404_and_anonymous_is_401(auth, client, inbox):
    assert auth.client("ehs-a").post("/api/notifications/999999/read").status_code == 404
    assert client.get("/api/notifications").status_code == 401
    assert client.post("/api/notifications/read-all").status_code == 401


def test_notify_is_idempotent(app, ids):
    with app.app_context():
        first = notify([ids["ehs-a"], ids["ehs-a"], ids["staff-a"]], "credit_repair", "problem", 5, "verified",
                       "信用修复提醒", "问题已销号，可申请信用修复", "/ent/problems/5")
        again = notify([ids["ehs-a"], ids["staff-a"]], "credit_repair", "problem", 5, "verified",
                       "信用修复提醒", "问题已销号，可申请信用修复", "/ent/problems/5")
        db.session.commit()
        assert len(first) == 2 and again == []
        assert len(db.session.scalars(select(Notification)).all()) == 2


# --- preferences ---------------------------------------------------------------------------

def test_preferences_default_and_update(ids, auth):
    client = auth.client("staff-a")
    assert client.get("/api/notifications/preferences").get_json() == {
        "channels": ["inbox", "push", "email"], "digest": False}
    response = client.put("/api/notifications/preferences", json={"channels": ["email"], "digest": True})
    assert response.status_code == 200
    assert response.get_json() == {"channels": ["inbox", "email"], "digest": True}  # the inbox stays on
    assert client.get("/api/notifications/preferences").get_json() == {"channels": ["inbox", "email"], "digest": True}
    assert auth.client("ehs-a").get("/api/notifications/preferences").get_json()["digest"] is False


@pytest.mark.parametrize("body", [{"channels": ["sms"]}, {"channels": "push"}, {"digest": True},
                                  {"channels": ["push"], "digest": "maybe"}])
def test_bad_preferences_are_422(ids, auth, body):
    response = auth.client("staff-a").put("/api/notifications/preferences", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


# --- push subscriptions --------------------------------------------------------------------

def test_vapid_key_is_generated_once_and_stable(ids, app, auth):
    client = auth.client("staff-a")
    first = client.get("/api/push/vapid-public-key").get_json()["public_key"]
    assert len(first) == 87  # base64url of a 65-byte uncompressed P-256 point
    assert auth.client("ehs-b").get("/api/push/vapid-public-key").get_json()["public_key"] == first


def test_subscribe_and_unsubscribe(app, auth, ids):
    client = auth.client("staff-a")
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": browser_keys()}
    response = client.post("/api/push/subscriptions", json=body)
    assert response.status_code == 201, response.get_json()
    assert client.post("/api/push/subscriptions", json=body).status_code == 200  # the same browser again
    assert auth.client("ehs-a").delete("/api/push/subscriptions", json={"endpoint": body["endpoint"]}) \
        .status_code == 204
    with app.app_context():  # someone else's DELETE removed nothing
        (sub,) = db.session.scalars(select(PushSubscription)).all()
        assert sub.user_id == ids["staff-a"]
    assert client.delete("/api/push/subscriptions", json={"endpoint": body["endpoint"]}).status_code == 204
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


@pytest.mark.parametrize("endpoint", ["http://push.example.com/x", "https://127.0.0.1/x", "https://10.0.0.8/x",
                                      "https://localhost/x", "ftp://push.example.com/x", "not a url"])
def test_push_endpoint_must_be_public_https(ids, auth, endpoint):
    response = auth.client("staff-a").post("/api/push/subscriptions",
                                           json={"endpoint": endpoint, "keys": browser_keys()})
    assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("keys", [{"p256dh": "abc", "auth": "abc"}, {"p256dh": browser_keys()["p256dh"]}, {}])
def test_push_keys_are_checked(ids, auth, keys):
    response = auth.client("staff-a").post("/api/push/subscriptions",
                                           json={"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": keys})
    assert response.status_code == 422
