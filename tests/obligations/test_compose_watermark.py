"""The daily composition is bounded by its watermark and still lists exactly what a complete run would."""
from datetime import date, timedelta

from sqlalchemy import delete, event, func, select

from app.accounts.models import Enterprise
from app.extensions import db
from app.obligations.models import ComposeMark, Obligation
from app.obligations.rules import moved_codes
from app.obligations.service import compose_all


def _keys() -> set[tuple]:
    return set(db.session.execute(select(Obligation.enterprise_id, Obligation.code, Obligation.period_key)).all())


def _statements(fn) -> list[str]:
    seen: list[str] = []

    def listener(*args):
        seen.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_day_by_day_bounded_runs_list_what_a_complete_run_lists(app, world):
    """Every day from 2026-12-02 to 2027-02-05 (a quarter end, a year end, January's annual dates), bounded."""
    with app.app_context():
        day = date(2026, 12, 2)
        compose_all(day)
        while day < date(2027, 2, 5):
            day += timedelta(days=1)
            compose_all(day)
            db.session.commit()
        bounded = _keys()
        # the same day from nothing: drop every pending row and the watermark, compose completely
        db.session.execute(delete(ComposeMark))
        assert compose_all(day) == 0  # a complete run finds nothing the bounded runs missed
        assert _keys() == bounded
        # the annual report of 2026 (due 2027-01-15, on_miss: a problem) was missed and opened its problem
        annual = db.session.scalar(select(Obligation).where(
            Obligation.enterprise_id == world.enterprises["a"], Obligation.code == "PERMIT_REPORT_ANNUAL",
            Obligation.period_key == "2026"))
        assert annual.problem_id is not None
        # and later periods entered the window on their day (monthly 2027-12 is due 2028-01-15)
        assert (world.enterprises["a"], "HW_DECLARE_MONTHLY", "2027-12") in bounded
        db.session.rollback()


def test_a_second_run_the_same_day_reads_only_the_watermark_and_changed_enterprises(app, world):
    with app.app_context():
        compose_all(date(2026, 12, 2))
        db.session.commit()
        statements = _statements(lambda: compose_all(date(2026, 12, 2)))
        # watermark, changed enterprises (none), missed obligations due since the watermark, watermark update
        assert not any(s.startswith("SELECT obligations.enterprise_id, obligations.code, obligations.period_key")
                       for s in statements), statements  # no stored periods compared
        scans = [s for s in statements if "FROM enterprises" in s and "ORDER BY enterprises.id" in s]
        assert scans and all("enterprises.updated_at >=" in s for s in scans), statements
        assert len(statements) <= 5, statements
        db.session.rollback()


def test_an_enterprise_changed_since_the_last_run_is_composed_on_the_next(app, world):
    with app.app_context():
        compose_all(date(2026, 12, 2))
        db.session.commit()
        enterprise = db.session.get(Enterprise, world.enterprises["a"])
        enterprise.permit_valid_until = date(2027, 6, 30)  # 延续申请 due 60 days before: 2027-05-01
        db.session.commit()
        assert enterprise.updated_at is not None
        compose_all(date(2026, 12, 2))
        db.session.commit()
        renewal = db.session.scalar(select(Obligation).where(
            Obligation.enterprise_id == enterprise.id, Obligation.code == "PERMIT_RENEWAL",
            Obligation.period_key == "until-2027-06-30"))
        assert renewal is not None and renewal.due_date == date(2027, 5, 1)


def test_a_changed_rules_pack_or_a_long_gap_composes_everything(app, world):
    with app.app_context():
        compose_all(date(2026, 12, 2))
        db.session.commit()
        db.session.get(ComposeMark, "all").rules_digest = "0" * 64
        db.session.commit()
        db.session.execute(delete(Obligation).where(Obligation.enterprise_id == world.enterprises["a"]))
        db.session.commit()
        assert compose_all(date(2026, 12, 2)) > 0  # the digest differs: every enterprise again
        assert db.session.scalar(select(func.count()).select_from(Obligation).where(
            Obligation.enterprise_id == world.enterprises["a"])) > 0
        db.session.commit()


def test_moved_codes_are_the_rules_whose_window_gained_a_period():
    assert moved_codes(date(2026, 12, 2), date(2026, 12, 2)) == set()
    # 2026-12-02 + 366 days = 2027-12-03; a day later nothing new is due 2027-12-04 …
    assert "HW_DECLARE_MONTHLY" not in moved_codes(date(2026, 12, 2), date(2026, 12, 3))
    # … but by 2026-12-16 the month 2027-11 (due 2027-12-15) has entered the window
    assert "HW_DECLARE_MONTHLY" in moved_codes(date(2026, 12, 2), date(2026, 12, 16))
    # a new year starts a first cycle for every_years rules never done
    assert "EMERGENCY_PLAN_REVIEW" in moved_codes(date(2026, 12, 31), date(2027, 1, 1))
