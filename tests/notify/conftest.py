"""Notify fixtures: minimal self-checks and problems, a tick helper, a stand-in push service."""
import base64
import json
import os
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notify.models import Notification
from app.remediation.models import Problem
from app.scheduler.runner import parse_instant, tick
from app.selfcheck.models import ChecklistTemplate, Schedule, SelfCheck, TemplateVersion

try:  # the supervision job runs in every tick; create its tables too if the package is there
    import app.supervision.models  # noqa: F401
except ImportError:
    pass


def at(text: str) -> datetime:
    """A local (Asia/Shanghai) instant, as the CLI reads it."""
    return parse_instant(text)


def run_tick(app, when: str) -> dict:
    """`flask scheduler tick --at when`, asserting that every notify-owned job succeeded."""
    with app.app_context():
        results = tick(at(when))
    broken = {k: v for k, v in results.items() if isinstance(v, Exception) and k != "risk_warnings"}
    assert not broken, broken
    return results


def make_selfcheck(enterprise_id: int, due: date, assignee_id: int | None = None, status="pending") -> int:
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "NT"))
    if template is None:
        template = ChecklistTemplate(code="NT", name="季度自查")
        db.session.add(template)
        db.session.flush()
        db.session.add(TemplateVersion(template_id=template.id, version=1, status="draft"))
        db.session.flush()
    version = db.session.scalar(select(TemplateVersion).where(TemplateVersion.template_id == template.id))
    schedule = db.session.scalar(select(Schedule).where(Schedule.enterprise_id == enterprise_id))
    if schedule is None:
        schedule = Schedule(enterprise_id=enterprise_id, template_id=template.id, recurrence="quarterly",
                            due_day=15, active=False)
        db.session.add(schedule)
        db.session.flush()
    selfcheck = SelfCheck(schedule_id=schedule.id, enterprise_id=enterprise_id, version_id=version.id,
                          title="季度自查", period_key=f"T{due.isoformat()}", period_label="2026年第4季度",
                          open_date=date(2026, 10, 1), due_date=due, status=status, item_ids=[],
                          assignee_id=assignee_id)
    db.session.add(selfcheck)
    db.session.commit()
    return selfcheck.id


def make_problem(enterprise_id: int, deadline: date, owner_id: int | None, status="open",
                 needs_regulator=True, submitted_at=None, title="危废贮存场所未设置标识") -> int:
    problem = Problem(enterprise_id=enterprise_id, source="regulator", title=title, severity="较重",
                      deadline=deadline, original_deadline=deadline, owner_id=owner_id, status=status,
                      needs_regulator=needs_regulator, submitted_at=submitted_at)
    db.session.add(problem)
    db.session.commit()
    return problem.id


@pytest.fixture(autouse=True)
def _no_statutory_calendar(monkeypatch):
    """These ladder tests count every notification of a tick; the obligations ladder (tests/obligations) stays out."""
    monkeypatch.setattr("app.obligations.service.applicable_rules", lambda enterprise: [])


def notes(app, kinds=None) -> set[tuple[str, str, str]]:
    """Every notification as (recipient username, kind, stage); a duplicate is the same one for the same object."""
    with app.app_context():
        stmt = select(User.username, Notification.kind, Notification.stage, Notification.object_type,
                      Notification.object_id).join(User, User.id == Notification.recipient_id)
        if kinds:
            stmt = stmt.where(Notification.kind.in_(kinds))
        rows = [tuple(row) for row in db.session.execute(stmt).all()]
        assert len(rows) == len(set(rows)), "duplicate notifications"
        return {row[:3] for row in rows}


def count_notes(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Notification.id)).all())


@pytest.fixture
def ids(world):
    return {**world.users, **{f"ent-{k}": v for k, v in world.enterprises.items()}}


# --- a stand-in push service on loopback ---------------------------------------------------

class PushService:
    """Records each POST; answers with `status` (201 accepted, 410 gone, …)."""

    def __init__(self):
        self.status = 201
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                service.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": self.rfile.read(length)})
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def browser_keys() -> dict:
    """The keys a browser's PushSubscription carries (a real P-256 key and a 16-byte secret)."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    enc = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {"p256dh": enc(key), "auth": enc(os.urandom(16))}


@pytest.fixture
def push_service(app):
    """The stand-in listens on loopback, which production refuses; PUSH_ALLOW_LOOPBACK lets it through."""
    service = PushService()
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    yield service
    app.config["PUSH_ALLOW_LOOPBACK"] = False
    service.close()


def subscribe(app, user_id: int, endpoint: str) -> None:
    from app.notify.service import subscribe_push

    keys = browser_keys()
    with app.app_context():
        subscribe_push(db.session.get(User, user_id), endpoint, keys["p256dh"], keys["auth"])
        db.session.commit()


def json_body(response) -> dict:
    return json.loads(response.get_data(as_text=True))
