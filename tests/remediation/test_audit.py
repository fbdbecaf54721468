"""The audit chain: every transition appends; editing or deleting a row breaks verification."""
from sqlalchemy import select, text

from app.common.audit import AuditEvent, verify_chains
from app.extensions import db


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_chain_verifies_and_detects_tampering(app, runner, make_problem):
    make_problem("verified")
    result = _verify(runner)
    assert result.exit_code == 0 and "通过" in result.output
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "problem.verified"))
        db.session.execute(text("UPDATE audit_events SET comment = '篡改' WHERE id = :id"), {"id": event.id})
        db.session.commit()
        assert verify_chains() and "校验失败" in verify_chains()[0]
    result = _verify(runner)
    assert result.exit_code == 1


def test_deleting_the_last_event_is_detected(app, make_problem):
    make_problem("rectifying")
    with app.app_context():
        last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last.id})
        db.session.commit()
        assert any("链尾" in p for p in verify_chains())


def test_chains_are_per_enterprise(app, make_problem):
    make_problem("open")
    with app.app_context():
        chains = set(db.session.scalars(select(AuditEvent.chain)))
        assert any(c.startswith("ent:") for c in chains)
