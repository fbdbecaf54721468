"""环保体检报告: an immutable snapshot issued when a self-check is submitted."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class ReportCounter(db.Model):
    """Gap-free report sequence per (region, year); incremented with one atomic UPDATE."""

    __tablename__ = "report_counters"
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("region_code", "year", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    selfcheck_id: Mapped[int] = mapped_column(ForeignKey("selfchecks.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    score: Mapped[float] = mapped_column()
    grade: Mapped[str] = mapped_column(String(2))
    snapshot: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The rendered A4 PDF in file storage (SHA-256 key): rendered on the first request, then served as is.
    pdf_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
