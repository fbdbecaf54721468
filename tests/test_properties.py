"""Property tests for the rules every feature leans on: dates, local days, scoring."""
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app.common.timeutil import TZ, add_days, add_months, is_working_day, local_date, working_days_between
from app.selfcheck.evaluate import grade_for, score
from app.selfcheck.models import SEVERITIES
from app.selfcheck.periods import day_in_period, period_of

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))


@given(dates, st.integers(min_value=0, max_value=3650))
def test_add_days_is_exact(start, days):
    assert (add_days(start, days) - start).days == days


@given(dates, st.integers(min_value=-120, max_value=120))
def test_add_months_lands_in_the_right_month_and_never_overflows(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day


@given(instants)
def test_local_date_is_the_shanghai_calendar_day(moment):
    """China has no DST: local time is always UTC+8, so the local day is never ambiguous."""
    assert local_date(moment) == (moment + timedelta(hours=8)).date()
    assert moment.astimezone(TZ).utcoffset() == timedelta(hours=8)


@given(st.sampled_from(["weekly", "monthly", "quarterly", "yearly"]), dates)
def test_every_day_belongs_to_exactly_its_period(recurrence, day):
    period = period_of(recurrence, day)
    assert period.start <= day <= period.end
    assert period_of(recurrence, period.start).key == period.key == period_of(recurrence, period.end).key
    assert period_of(recurrence, period.end + timedelta(days=1)).key != period.key


@given(st.sampled_from(["monthly", "quarterly"]), dates, st.integers(min_value=-5, max_value=400))
def test_due_day_stays_inside_the_period(recurrence, day, n):
    period = period_of(recurrence, day)
    assert period.start <= day_in_period(period, n) <= period.end


@given(dates, st.integers(min_value=0, max_value=400))
def test_working_days_never_exceed_calendar_days(start, span):
    end = start + timedelta(days=span)
    count = working_days_between(start, end)
    assert 0 <= count <= span
    # Statutory holidays and 调休 make the Mon–Fri lower bound wrong; the day-by-day count is the definition.
    assert count == sum(is_working_day(start + timedelta(days=n)) for n in range(1, span + 1))


results = st.sampled_from(["compliant", "non_compliant", "not_applicable", None])


@given(st.lists(st.tuples(st.sampled_from(SEVERITIES), results), max_size=80))
def test_score_is_bounded_and_grade_consistent(rows):
    items = [SimpleNamespace(id=n, severity=sev) for n, (sev, _) in enumerate(rows)]
    answers = {n: SimpleNamespace(result=res) for n, (_, res) in enumerate(rows)}
    outcome = score(items, answers)
    assert 0.0 <= outcome["score"] <= 100.0
    major_failure = any(sev == "重大" and res == "non_compliant" for sev, res in rows)
    if major_failure:
        assert outcome["grade"] in ("C", "D")
    if not any(res == "non_compliant" for _, res in rows):
        assert outcome["score"] == 100.0


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_a_higher_score_never_gets_a_worse_grade(a, b):
    low, high = sorted((a, b))
    assert grade_for(high, False) <= grade_for(low, False)   # "A" < "B" < "C" < "D"
