"""One clock: local dates and times in Asia/Shanghai."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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


def working_days_between(start: date, end: date) -> int:
    """Count Mon–Fri days after `start` up to and including `end` (statutory holidays not modelled)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count
