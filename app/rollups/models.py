"""The rollup tables. Each row sums the base rows of one key; a key with nothing to count has no row.

Keys are (region_code, industry_code, a date) — a province dashboard reads a few thousand rows
whatever the history, and every date-dependent number (overdue, "this month") is a condition on the key.
"""
from datetime import date

from sqlalchemy import Date, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SelfCheckDay(db.Model):
    """Self-checks by due date: due, submitted, on time, and the scores of the submitted ones."""

    __tablename__ = "rollup_selfcheck_day"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)  # this month's days, by day
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
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)  # this month's days, by day
    created: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    close_days: Mapped[float] = mapped_column(Float, default=0.0)


class EnterpriseState(db.Model):
    """One row per enterprise: its latest report, what is overdue, its open warnings and its place on the
    dashboard's attention list (app/rollups/attention.py), with copies of the enterprise's name, region and
    industry so the list is one ordered index scan.

    Date-dependent values are as of `RollupWatermark("enterprise").day`; `app.rollups.enterprise.current`
    rolls them to today first (only enterprises with a deadline, due date or permit date inside the days
    passed can change).
    """

    __tablename__ = "rollup_enterprise"
    # the attention list: ordered by the first three, scoped by the fourth without reading the table
    __table_args__ = (Index("ix_rollup_enterprise_attention", "attention_rank", "name", "enterprise_id", "region_code"),)
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
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    warnings_open: Mapped[int] = mapped_column(Integer, default=0)
    active_general: Mapped[int] = mapped_column(Integer, default=0)    # open, rectifying, extension requested
    active_serious: Mapped[int] = mapped_column(Integer, default=0)
    active_major: Mapped[int] = mapped_column(Integer, default=0)
    waiting_general: Mapped[int] = mapped_column(Integer, default=0)   # submitted, awaiting review
    waiting_serious: Mapped[int] = mapped_column(Integer, default=0)
    waiting_major: Mapped[int] = mapped_column(Integer, default=0)
    colour: Mapped[str | None] = mapped_column(String(5))  # red | amber | NULL (green)
    attention_rank: Mapped[int | None] = mapped_column(SmallInteger)  # ascending; NULL when green


class EnterpriseCell(db.Model):
    """The enterprises of one (region, industry): how many, how many red and amber, their open warnings and
    their problems now (active, overdue, awaiting review, by severity) — summed from `rollup_enterprise`
    whenever one of its enterprises is written."""

    __tablename__ = "rollup_enterprise_cell"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    industry_name: Mapped[str] = mapped_column(String(64), default="")
    enterprises: Mapped[int] = mapped_column(Integer, default=0)
    red: Mapped[int] = mapped_column(Integer, default=0)
    amber: Mapped[int] = mapped_column(Integer, default=0)
    warnings_open: Mapped[int] = mapped_column(Integer, default=0)
    active_general: Mapped[int] = mapped_column(Integer, default=0)
    active_serious: Mapped[int] = mapped_column(Integer, default=0)
    active_major: Mapped[int] = mapped_column(Integer, default=0)
    overdue_general: Mapped[int] = mapped_column(Integer, default=0)
    overdue_serious: Mapped[int] = mapped_column(Integer, default=0)
    overdue_major: Mapped[int] = mapped_column(Integer, default=0)
    waiting_general: Mapped[int] = mapped_column(Integer, default=0)
    waiting_serious: Mapped[int] = mapped_column(Integer, default=0)
    waiting_major: Mapped[int] = mapped_column(Integer, default=0)


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


