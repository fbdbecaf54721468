"""One clock: local dates and times in Asia/Shanghai, and working days with the holiday calendar."""
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import overload
from zoneinfo import ZoneInfo

import yaml
from dateutil.relativedelta import relativedelta

TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return an aware UTC datetime (stored in the database as UTC)."""
    return datetime.now(UTC)


def now_local() -> datetime:
    return datetime.now(TZ)


def today_local() -> date:
    return now_local().date()


def local_date(moment: datetime) -> date:
    """Return the Asia/Shanghai calendar date of an instant: 23:30 local belongs to that day."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).date()


def add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (1-31 + 1 month = 2-28/29)."""
    return start + relativedelta(months=months)


def last_day_of_years(start: date, years: int) -> date:
    """The last day of a period of whole years that begins on `start` (2026-12-02, 3 → 2029-12-01).

    From 29 February the anniversary has no day of its own; the period then ends on 28 February.
    """
    anniversary = add_months(start, 12 * years)
    if (start.month, start.day) == (2, 29) and anniversary.day == 28:
        return anniversary
    return anniversary - timedelta(days=1)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """Return an aware UTC datetime; SQLite hands back naive values that are UTC by convention."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment: datetime | None) -> str | None:
    moment = as_utc(moment)
    return moment.astimezone(TZ).isoformat() if moment else None


HOLIDAYS_FILE = Path(__file__).with_name("holidays.yaml")


@cache
def holiday_calendar() -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(days off, weekend working days, years covered) from holidays.yaml (法定节假日与调休)."""
    raw = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8")) or {}
    off: set[date] = set()
    work: set[date] = set()
    for entry in raw.values():
        for first, last in entry.get("holidays", []):
            off.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        work.update(entry.get("workdays", []))
    return frozenset(off), frozenset(work), frozenset(int(year) for year in raw)


def is_working_day(day: date) -> bool:
    """A working day: Monday–Friday unless a statutory holiday, or a weekend day made a working day (调休)."""
    off, work, _years = holiday_calendar()
    if day in work:
        return True
    return day.weekday() < 5 and day not in off


def working_days_between(start: date, end: date) -> int:
    """Count working days after `start` up to and including `end`, with the holiday calendar."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    off, work, _years = holiday_calendar()
    # Adjust the Mon–Fri count for the calendar's exceptions inside (start, end].
    count -= sum(1 for day in off if start < day <= end and day.weekday() < 5 and day not in work)
    count += sum(1 for day in work if start < day <= end and day.weekday() >= 5)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted); 0 → start."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
