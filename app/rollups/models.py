"""The rollup tables. Each row sums the base rows of one key; a key with nothing to count has no row.

Keys are (region_code, industry_code, a date[, severity]) — a province dashboard reads a few thousand rows
whatever the history, and every date-dependent number (overdue, "this month") is a condition on the key.
"""
from datetime import date

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SelfCheckDay(db.Model):
    """Self-checks by due date: due, submitted, on time, and the scores of the submitted ones."""

    __tablename__ = "rollup_selfcheck_day"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    due: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    score_n: Mapped[int] = mapped_column(Integer, default=0)


class ProblemDay(db.Model):
    """Problems created on a local day, and closed (verified / self-closed) on a local day with their days."""

    __tablename__ = "rollup_problem_day"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    close_days: Mapped[float] = mapped_column(Float, default=0.0)


class ProblemOpen(db.Model):
    """Problems as they stand: active (the enterprise must act) and waiting for review, by deadline."""

    __tablename__ = "rollup_problem_open"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    severity: Mapped[str] = mapped_column(String(4), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    active: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)


class EnterpriseState(db.Model):
    """One row per enterprise that has self-checks or problems: its latest report and what is overdue.

    Overdue counts are as of `RollupWatermark("enterprise").day`; `app.rollups.enterprise.current` rolls them
    to today first (only enterprises with a deadline or due date inside the days passed can change).
    """

    __tablename__ = "rollup_enterprise"
    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    latest_selfcheck_id: Mapped[int | None] = mapped_column(Integer)
    latest_score: Mapped[float | None] = mapped_column(Float)
    latest_grade: Mapped[str | None] = mapped_column(String(2))
    latest_submitted_on: Mapped[date | None] = mapped_column(Date)
    overdue_general: Mapped[int] = mapped_column(Integer, default=0)
    overdue_serious: Mapped[int] = mapped_column(Integer, default=0)
    overdue_major: Mapped[int] = mapped_column(Integer, default=0)
    oldest_general: Mapped[date | None] = mapped_column(Date)
    oldest_serious: Mapped[date | None] = mapped_column(Date)
    oldest_major: Mapped[date | None] = mapped_column(Date)
    overdue_selfchecks: Mapped[int] = mapped_column(Integer, default=0)
    oldest_selfcheck: Mapped[date | None] = mapped_column(Date)
    overdue_total: Mapped[int] = mapped_column(Integer, default=0, index=True)


class RollupWatermark(db.Model):
    """The day a date-dependent rollup is exact for (one row per rollup)."""

    __tablename__ = "rollup_watermarks"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date)


# Month companions: the same sums per calendar month of the day key (the first of the month), derived from the
# day tables in the same refresh. A year's range reads twelve month rows and the days of its partial months.

class SelfCheckMonth(db.Model):
    __tablename__ = "rollup_selfcheck_month"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    due: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    score_n: Mapped[int] = mapped_column(Integer, default=0)


class ProblemMonth(db.Model):
    __tablename__ = "rollup_problem_month"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    created: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    close_days: Mapped[float] = mapped_column(Float, default=0.0)


class ProblemOpenMonth(db.Model):
    __tablename__ = "rollup_problem_open_month"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    severity: Mapped[str] = mapped_column(String(4), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    active: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)
