"""Channels and delivery: quiet hours, Web Push (410 removes), email over SMTP, retries, digests."""
import email
import email.policy
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.common.timeutil import TZ, as_utc
from app.extensions import db
from app.notify.models import Delivery, Notification, PushSubscription
from app.scheduler.runner import tick
from tests.notify.conftest import at, make_selfcheck, run_tick, subscribe
from tests.notify.test_ladders import DUE, _on


def _deliveries(app, channel=None):
    with app.app_context():
        stmt = select(Delivery, Notification.kind).join(Notification, Notification.id == Delivery.notification_id)
        if channel:
            stmt = stmt.where(Delivery.channel == channel)
        rows = db.session.execute(stmt.order_by(Delivery.id)).all()
        db.session.expunge_all()
        return rows


def test_quiet_hours_hold_push_until_0730(app, ids, push_service):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], push_service.endpoint("a"))
    run_tick(app, _on(DUE, -3, "23:00"))
    (delivery, kind), = _deliveries(app, "push")
    assert kind == "selfcheck_due" and delivery.status == "pending" and delivery.attempts == 0
    assert as_utc(delivery.next_attempt_at) == at(_on(DUE, -2, "07:30"))
    assert push_service.requests == []
    run_tick(app, _on(DUE, -2, "07:29"))
    assert push_service.requests == []
    run_tick(app, _on(DUE, -2, "07:30"))
    (delivery, _), = _deliveries(app, "push")
    assert delivery.status == "sent" and delivery.attempts == 1
    assert len(push_service.requests) == 1


def test_push_uses_vapid_and_encrypts(app, ids, auth, push_service):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], push_service.endpoint("a"))
    public_key = auth.client("staff-a").get("/api/push/vapid-public-key").get_json()["public_key"]
    run_tick(app, _on(DUE, -3))
    (request,) = push_service.requests
    assert request["path"] == "/push/a"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert request["headers"]["authorization"].endswith(f",k={public_key}")
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert "季度自查".encode() not in request["body"]  # the payload is encrypted for the browser


def test_gone_push_endpoint_removes_the_subscription(app, ids, push_service):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], push_service.endpoint("gone"))
    push_service.status = 410
    run_tick(app, _on(DUE, -3))
    assert len(push_service.requests) == 1
    (delivery, _), = _deliveries(app, "push")
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert "410" in delivery.last_error
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
    run_tick(app, _on(DUE, -1))  # the next reminder has no push delivery at all
    assert len(_deliveries(app, "push")) == 1


def test_push_server_error_is_retried_with_backoff(app, ids, push_service):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], push_service.endpoint("flaky"))
    push_service.status = 503
    run_tick(app, _on(DUE, -3, "09:00"))
    (delivery, _), = _deliveries(app, "push")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert as_utc(delivery.next_attempt_at) == at(_on(DUE, -3, "09:01"))
    assert "503" in delivery.last_error
    push_service.status = 201
    run_tick(app, _on(DUE, -3, "09:01"))
    (delivery, _), = _deliveries(app, "push")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, None)
    assert len(push_service.requests) == 2
    with app.app_context():
        assert len(db.session.scalars(select(PushSubscription)).all()) == 1


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "环保自查 <noreply@ecocheck.test>")
    yield inbox
    controller.stop()


def _set_email(app, user_id, address):
    with app.app_context():
        db.session.get(User, user_id).email = address
        db.session.commit()


def test_email_arrives_with_chinese_subject_and_bodies(app, ids, smtp):
    _set_email(app, ids["staff-a"], "staff-a@ecocheck.test")
    with app.app_context():
        sid = make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, -3))
    (rcpt, raw), = smtp.messages
    assert rcpt == ["staff-a@ecocheck.test"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "【环保自查】自查任务3天后到期：季度自查（2026年第4季度）"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "将于2026年12月10日到期" in text and f"/ent/selfchecks/{sid}" in text
    assert "将于2026年12月10日到期" in html and "查看详情" in html
    (delivery, _), = _deliveries(app, "email")
    assert delivery.status == "sent"


def test_email_failure_is_recorded_and_retried(app, ids, smtp, monkeypatch):
    _set_email(app, ids["staff-a"], "staff-a@ecocheck.test")
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    good_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    run_tick(app, _on(DUE, -3, "09:00"))
    (delivery, _), = _deliveries(app, "email")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "邮件发送失败" in delivery.last_error
    assert as_utc(delivery.next_attempt_at) == at(_on(DUE, -3, "09:01"))
    monkeypatch.setitem(app.config, "MAIL_PORT", good_port)
    run_tick(app, _on(DUE, -3, "09:00"))      # not due yet: no second attempt
    assert smtp.messages == []
    run_tick(app, _on(DUE, -3, "09:02"))
    (delivery, _), = _deliveries(app, "email")
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp.messages) == 1


def test_no_mail_host_means_no_email_deliveries(app, ids):
    _set_email(app, ids["staff-a"], "staff-a@ecocheck.test")
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, -3))
    assert _deliveries(app, "email") == []


def test_digest_users_get_one_summary_instead_of_individual_messages(app, ids, auth, smtp):
    _set_email(app, ids["staff-a"], "staff-a@ecocheck.test")
    response = auth.client("staff-a").put("/api/notifications/preferences",
                                          json={"channels": ["inbox", "email"], "digest": True})
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
        make_selfcheck(ids["ent-a"], DUE - timedelta(days=2), ids["staff-a"])
    with app.app_context():  # the 08:00 reminder job (and the delivery job) only
        tick(at(_on(DUE, -3, "08:00")), ["selfcheck_reminders", "deliver_notifications"])
    assert smtp.messages == []   # both reminders are in the inbox only
    run_tick(app, _on(DUE, -3, "08:30"))   # the daily digest job
    (_, raw), = smtp.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"].startswith("【环保自查】每日消息汇总：2条新提醒")
    assert "自查任务3天后到期" in message.get_body(("plain",)).get_content()
    assert "自查任务明天到期" in message.get_body(("plain",)).get_content()
    run_tick(app, _on(DUE, -3, "20:00"))
    assert len(smtp.messages) == 1       # one digest a day


def test_quiet_hours_do_not_hold_email(app, ids, smtp):
    _set_email(app, ids["staff-a"], "staff-a@ecocheck.test")
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    run_tick(app, _on(DUE, -3, "23:00"))
    assert len(smtp.messages) == 1


def test_sent_at_is_the_instant_of_the_run(app, ids, push_service):
    with app.app_context():
        make_selfcheck(ids["ent-a"], DUE, ids["staff-a"])
    subscribe(app, ids["staff-a"], push_service.endpoint("a"))
    run_tick(app, _on(DUE, -3, "10:15"))
    (delivery, _), = _deliveries(app, "push")
    assert as_utc(delivery.sent_at).astimezone(TZ).strftime("%H:%M") == "10:15"
