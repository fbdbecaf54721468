"""Schedule periods: which period a local date falls in, and its open and due dates."""
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # last day of the period


def period_of(recurrence: str, day: date) -> Period:
    if recurrence == "weekly":
        start = day - timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(f"{year}-W{week:02d}", f"{year}年第{week}周", start, start + timedelta(days=6))
    if recurrence == "monthly":
        start = day.replace(day=1)
        return Period(f"{day.year}-{day.month:02d}", f"{day.year}年{day.month}月", start,
                      start + relativedelta(months=1) - timedelta(days=1))
    if recurrence == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * quarter - 2, 1)
        return Period(f"{day.year}-Q{quarter}", f"{day.year}年第{quarter}季度", start,
                      start + relativedelta(months=3) - timedelta(days=1))
    if recurrence == "yearly":
        return Period(f"{day.year}", f"{day.year}年度", date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown recurrence {recurrence}")


def previous_period(recurrence: str, period: Period) -> Period:
    return period_of(recurrence, period.start - timedelta(days=1))


def day_in_period(period: Period, n: int) -> date:
    """The n-th day of the period (1-based), clamped to the period's last day."""
    return min(period.start + timedelta(days=max(n, 1) - 1), period.end)
