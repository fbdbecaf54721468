"""Fixtures for the regulator console: compact builders that insert self-checks and problems directly."""
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest

from app.common.timeutil import today_local
from app.extensions import db
from app.remediation.models import Problem
from app.selfcheck.models import ChecklistTemplate, Schedule, SelfCheck, TemplateVersion

TODAY = today_local()


class Builder:
    """Insert rows with only the fields a test cares about (the app context must be active)."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        with app.app_context():
            template = ChecklistTemplate(code="T", name="月度自查")
            db.session.add(template)
            db.session.flush()
            version = TemplateVersion(template_id=template.id, version=1, status="published")
            db.session.add(version)
            db.session.commit()
            self.template_id, self.version_id = template.id, version.id
        self.schedules: dict[int, int] = {}
        self.seq = 0

    @contextmanager
    def session(self):
        """An app context whose changes are committed at the end of the block."""
        with self.app.app_context():
            yield db.session
            db.session.commit()

    def eid(self, key):
        return self.world.enterprises[key] if isinstance(key, str) else key

    def schedule(self, key) -> int:
        eid = self.eid(key)
        if eid not in self.schedules:
            schedule = Schedule(enterprise_id=eid, template_id=self.template_id, recurrence="monthly", due_day=10)
            db.session.add(schedule)
            db.session.flush()
            self.schedules[eid] = schedule.id
        return self.schedules[eid]

    def selfcheck(self, key, due: date, status="pending", score=None, late=False, period_key=None,
                  submitted_at=None) -> SelfCheck:
        self.seq += 1
        run = SelfCheck(schedule_id=self.schedule(key), enterprise_id=self.eid(key), version_id=self.version_id,
                        title="月度自查", period_key=period_key or f"{due.year}-{due.month:02d}-{self.seq}",
                        period_label=f"{due.year}年{due.month}月", open_date=due - timedelta(days=9), due_date=due,
                        status=status, item_ids=[], score=score, late=late,
                        submitted_at=submitted_at or (datetime.now(UTC) if status == "submitted" else None))
        db.session.add(run)
        db.session.flush()
        return run

    def problem(self, key, severity="一般", status="open", deadline=None, created_at=None, closed_at=None,
                selfcheck_id=None, item_code=None, title="问题", description="") -> Problem:
        deadline = deadline or TODAY + timedelta(days=10)
        problem = Problem(enterprise_id=self.eid(key), source="selfcheck", title=title, description=description,
                          severity=severity, status=status, deadline=deadline, original_deadline=deadline,
                          created_at=created_at or datetime.now(UTC), closed_at=closed_at,
                          selfcheck_id=selfcheck_id, item_code=item_code)
        db.session.add(problem)
        db.session.flush()
        return problem


@pytest.fixture
def build(app, world):
    return Builder(app, world)


@pytest.fixture
def notified(monkeypatch):
    """Capture the notifications that decisions send (the real service is tested in tests/notify)."""
    calls = []
    monkeypatch.setattr("app.supervision.decisions.notify", lambda *args, **kwargs: calls.append(args))
    return calls
