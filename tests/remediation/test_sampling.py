"""抽样核查 of self-closing 一般 problems: unpredictable to the enterprise, unsteerable, auditable afterwards."""
import hashlib
import hmac

import pytest
from sqlalchemy import select

from app.extensions import db
from app.remediation import service
from app.remediation.models import Problem, Rectification
from tests.remediation.conftest import upload


@pytest.fixture
def rate(app):
    def set_rate(value):
        app.config["SELF_CLOSE_SAMPLE_RATE"] = value

    yield set_rate
    app.config["SELF_CLOSE_SAMPLE_RATE"] = 0.10


def _minor_problem(ehs) -> int:
    return ehs.post("/api/problems", json={"title": "标识褪色", "severity": "一般"}).get_json()["id"]


def _rectify(ehs, pid):
    response = ehs.post(f"/api/problems/{pid}/rectification", json={"description": "已更换", "upload_ids": [upload(ehs)]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _rect(pid) -> Rectification:
    return db.session.scalar(select(Rectification).where(Rectification.problem_id == pid))


def test_draw_is_an_hmac_of_the_rectifications_own_nonce_and_is_recorded(app, auth, world, rate):
    ehs = auth.client("ehs-a")
    pid = _minor_problem(ehs)
    body = _rectify(ehs, pid)
    with app.app_context():
        rect, problem = _rect(pid), db.session.get(Problem, pid)
        assert len(rect.sample_nonce) == 32 and int(rect.sample_nonce, 16) >= 0
        expected = hmac.new(app.config["SAMPLE_SECRET"].encode(), f"ecocheck-sample:{rect.sample_nonce}".encode(),
                            hashlib.sha256).hexdigest()
        assert rect.sample_value == int(expected[:13], 16) / 16 ** 13
        assert rect.sampled is problem.sampled is (rect.sample_value < 0.10)
        assert body["status"] == ("submitted" if rect.sampled else "self_closed")
        assert f"{rect.sample_value:.4f}" in body["history"][-1]["comment"]
        assert service.sample_draw_holds(rect)
        # The old draw (SHA-256 of the two sequential ids) is not what decides any more.
        old = hashlib.sha256(f"ecocheck-sample:{pid}:{rect.id}".encode()).hexdigest()
        assert rect.sample_value != int(old[:12], 16) / float(16 ** 12)
        # Unpredictable without the server secret: another secret gives another draw ...
        saved = app.config["SAMPLE_SECRET"]
        app.config["SAMPLE_SECRET"] = "someone-elses-guess"
        try:
            assert service.sample_draw(rect) != rect.sample_value
            assert not service.sample_draw_holds(rect)
        finally:
            app.config["SAMPLE_SECRET"] = saved
        # ... and a tampered record is caught by the audit.
        rect.sample_value = (rect.sample_value + 0.5) % 1
        assert not service.sample_draw_holds(rect)
        db.session.rollback()
    # The nonce is never shown to the enterprise.
    assert "sample_nonce" not in str(ehs.get(f"/api/problems/{pid}").get_json())


def test_nonces_are_random_per_rectification(app, auth, world):
    ehs = auth.client("ehs-a")
    pids = [_minor_problem(ehs) for _ in range(3)]
    for pid in pids:
        _rectify(ehs, pid)
    with app.app_context():
        assert len({_rect(pid).sample_nonce for pid in pids}) == 3


def test_filing_extra_rectifications_does_not_change_another_problems_outcome(app, auth, world, monkeypatch):
    """Same nonce → same draw, however many throwaway rectifications were filed in between."""
    ehs = auth.client("ehs-a")
    first, second = _minor_problem(ehs), _minor_problem(ehs)
    throwaway = [_minor_problem(ehs) for _ in range(3)]
    monkeypatch.setattr(service, "new_sample_nonce", lambda: "0f" * 16)
    first_body = _rectify(ehs, first)
    monkeypatch.undo()
    for pid in throwaway:
        _rectify(ehs, pid)
    monkeypatch.setattr(service, "new_sample_nonce", lambda: "0f" * 16)
    second_body = _rectify(ehs, second)
    with app.app_context():
        a, b = _rect(first), _rect(second)
        assert b.id - a.id == 4
        assert a.sample_value == b.sample_value and a.sampled == b.sampled
    assert first_body["status"] == second_body["status"]


def test_draw_is_uniform_enough_for_a_ten_percent_sample(app):
    with app.app_context():
        app.config["SAMPLE_SECRET"], saved = "fixed-secret-for-this-test", app.config["SAMPLE_SECRET"]
        try:
            draws = [service.sample_draw(Rectification(sample_nonce=f"{i:032x}")) for i in range(2000)]
        finally:
            app.config["SAMPLE_SECRET"] = saved
    assert all(0 <= d < 1 for d in draws)
    assert 0.07 < sum(d < 0.10 for d in draws) / len(draws) < 0.13
