"""Problems found by self-checks, self-reports or regulators, and their rectification."""
import enum
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class ProblemStatus(enum.StrEnum):
    # ACTIVE and CLOSED (tuples of values) are set below the class: enum bodies turn values into members.
    ACTIVE: ClassVar[tuple[str, ...]]
    CLOSED: ClassVar[tuple[str, ...]]
    OPEN = "open"
    RECTIFYING = "rectifying"
    EXTENSION_REQUESTED = "extension_requested"
    SUBMITTED = "submitted"
    VERIFIED = "verified"          # 核查通过，销号
    SELF_CLOSED = "self_closed"    # 一般 problems closed on the enterprise's evidence
    CANCELLED = "cancelled"


STATUS_LABELS = {
    "open": "待整改", "rectifying": "整改中", "extension_requested": "申请延期", "submitted": "待核查",
    "verified": "已销号", "self_closed": "已自行销号", "cancelled": "已撤销",
}
# Active: the enterprise still has to act; only active problems remind and become overdue.
# A problem waiting for review (submitted) is neither active nor closed.
ProblemStatus.ACTIVE = (ProblemStatus.OPEN.value, ProblemStatus.RECTIFYING.value,
                        ProblemStatus.EXTENSION_REQUESTED.value)
ProblemStatus.CLOSED = (ProblemStatus.VERIFIED.value, ProblemStatus.SELF_CLOSED.value,
                        ProblemStatus.CANCELLED.value)
CLOSED = ProblemStatus.CLOSED


class Problem(db.Model):
    __tablename__ = "problems"
    __table_args__ = (
        Index("ix_problems_enterprise_status", "enterprise_id", "status"),
        Index("ix_problems_status_deadline", "status", "deadline"),
        Index("ix_problems_deadline_id", "deadline", "id"),  # list order: first page without a full sort
        Index("ix_problems_status_submitted", "status", "submitted_at", "id"),  # the review queue, oldest first
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    source: Mapped[str] = mapped_column(String(16))  # selfcheck | self_report | regulator | warning
    selfcheck_id: Mapped[int | None] = mapped_column(ForeignKey("selfchecks.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))
    item_code: Mapped[str | None] = mapped_column(String(16))
    # 重复发现: later self-checks found the same item failing while this problem was still open
    repeat_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(32), default="")
    severity: Mapped[str] = mapped_column(String(4))
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    recommendation: Mapped[str] = mapped_column(Text, default="")
    upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    deadline: Mapped[date] = mapped_column(Date)
    original_deadline: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=ProblemStatus.OPEN)
    needs_regulator: Mapped[bool] = mapped_column(Boolean, default=True)
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    plan: Mapped[str | None] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    def is_overdue(self, today: date) -> bool:
        """Overdue is derived: the deadline has passed and no rectification is waiting or accepted."""
        return self.status in ProblemStatus.ACTIVE and today > self.deadline

    @classmethod
    def overdue_clause(cls, today: date) -> ColumnElement[bool]:
        """The SQL form of ``is_overdue`` (the two must agree; tests/remediation/test_vocabulary.py)."""
        return and_(cls.status.in_(ProblemStatus.ACTIVE), cls.deadline < today)


class Rectification(db.Model):
    """整改反馈: the evidence an enterprise submits, and the regulator's review of it."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    before_upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(12))  # approve | return
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 抽样核查 of a self-closing 一般 problem: draw = HMAC(server secret, nonce); kept so an auditor can recompute.
    sample_nonce: Mapped[str | None] = mapped_column(String(64))
    sample_value: Mapped[float | None] = mapped_column(Float)
    sampled: Mapped[bool | None] = mapped_column(Boolean)


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    previous_status: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved: Mapped[bool | None] = mapped_column(Boolean)
    new_deadline: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
