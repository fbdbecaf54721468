"""The scheduler's own rows: the lease (who acts) and each job's last run (for catch-up)."""
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.extensions import db


class SchedulerLease(db.Model):
    """Who may act as the scheduler until expires_at (renewed by the holder every ~15 s)."""

    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(db.Model):
    """The last instant each periodic job ran as of, so a restarted scheduler can catch up."""

    __tablename__ = "scheduler_job_runs"
    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
