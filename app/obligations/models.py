"""Dated obligation instances (one per enterprise, rule and period) and each enterprise's secret feed token."""
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db

PENDING, DONE = "pending", "done"


class Obligation(db.Model):
    """One dated duty: e.g. the 2026 Q3 环境保护税 filing of enterprise 7, due 2026-10-15."""

    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("enterprise_id", "code", "period_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(20))
    period_label: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)  # pending | done
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receipt_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    receipt_no: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComposeMark(db.Model):
    """The daily composition's watermark: every enterprise's calendar was complete for `composed_on`, composed
    from rules whose digest was `rules_digest`, by a run that began at `started_at` (one row)."""

    __tablename__ = "obligation_compose_marks"
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    composed_on: Mapped[date] = mapped_column(Date)
    rules_digest: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObligationFeed(db.Model):
    """The secret token of an enterprise's iCalendar feed (the URL is the credential; rotate to revoke)."""

    __tablename__ = "obligation_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["DONE", "PENDING", "ComposeMark", "Obligation", "ObligationFeed"]
