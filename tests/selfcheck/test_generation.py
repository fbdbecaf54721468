"""Schedules and run generation: one run per (schedule, period), due dates in local time."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.selfcheck.models import SelfCheck
from app.selfcheck.periods import day_in_period, period_of
from app.selfcheck.service import generate_due_selfchecks
from tests.factories import make_runs


def _count():
    return db.session.scalar(select(func.count()).select_from(SelfCheck))


def test_generation_is_idempotent(app, world):
    with app.app_context():
        make_runs(world, date(2026, 12, 1), "MONTHLY", "monthly", 10)
        assert _count() == 3
        assert generate_due_selfchecks(date(2026, 12, 1)) == 0
        assert generate_due_selfchecks(date(2026, 12, 25)) == 0
        assert _count() == 3
        generate_due_selfchecks(date(2027, 1, 1))
        assert _count() == 6


def test_cli_generate_by_hand(app, runner, world):
    with app.app_context():
        make_runs(world, date(2026, 10, 5), "MONTHLY", "monthly", 10)
    result = runner.invoke(args=["selfcheck", "generate", "--as-of", "2026-12-01"])
    assert result.exit_code == 0 and "3" in result.output
    result = runner.invoke(args=["selfcheck", "generate", "--as-of", "2026-12-01"])
    assert "0" in result.output


def test_run_due_date_and_period(app, world):
    with app.app_context():
        runs = make_runs(world, date(2026, 11, 3), "FULL", "quarterly", 15)
        run = db.session.get(SelfCheck, runs["a"])
        assert run.period_key == "2026-Q4" and run.due_date == date(2026, 10, 15)
        assert run.period_label == "2026年第4季度"


@pytest.mark.parametrize("recurrence,day,key,start,end", [
    ("monthly", date(2026, 2, 28), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("monthly", date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("quarterly", date(2026, 12, 31), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("weekly", date(2026, 11, 22), "2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
    ("yearly", date(2026, 6, 1), "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(recurrence, day, key, start, end):
    period = period_of(recurrence, day)
    assert (period.key, period.start, period.end) == (key, start, end)


def test_due_day_clamps_to_the_period_end():
    assert day_in_period(period_of("monthly", date(2026, 2, 10)), 31) == date(2026, 2, 28)


def test_overdue_is_derived_from_the_local_due_date(app, auth, world, monkeypatch):
    with app.app_context():
        make_runs(world, date(2026, 11, 3), "FULL", "quarterly", 15)
    client = auth.client("ehs-a")
    # The quarter's run is due 2026-10-15; "overdue" is judged against the local date of the request.
    monkeypatch.setattr("app.selfcheck.service.today_local", lambda: date(2026, 12, 2))
    monkeypatch.setattr("app.selfcheck.schemas.today_local", lambda: date(2026, 12, 2))
    overdue = client.get("/api/selfchecks?status=overdue").get_json()
    assert overdue["total"] == 1 and overdue["items"][0]["overdue"] is True
    monkeypatch.setattr("app.selfcheck.service.today_local", lambda: date(2026, 10, 15))
    monkeypatch.setattr("app.selfcheck.schemas.today_local", lambda: date(2026, 10, 15))
    assert client.get("/api/selfchecks?status=overdue").get_json()["total"] == 0
    assert client.get("/api/selfchecks?status=pending").get_json()["items"][0]["overdue"] is False
