"""Checklist library (versioned templates), schedules, self-check runs, answers and uploads."""
import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.common.vocab import SEVERITIES  # noqa: F401 (re-exported for the library's checks)
from app.extensions import db

ANSWER_TYPES = ("yes_no_na", "number", "choice", "text", "date", "photo")
EVIDENCE_RULES = ("none", "photo_if_noncompliant", "photo_always")
RESULTS = ("compliant", "non_compliant", "not_applicable")
RECURRENCES = ("weekly", "monthly", "quarterly", "yearly")


class SelfCheckStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ChecklistTemplate(db.Model):
    __tablename__ = "checklist_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    frequency_filter: Mapped[str | None] = mapped_column(String(16))  # monthly → only monthly items


class TemplateVersion(db.Model):
    """A version of a template; once published it never changes (edits make a new draft)."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | published
    source_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[ChecklistTemplate] = relationship(lazy="joined")
    items: Mapped[list["ChecklistItem"]] = relationship(
        order_by="ChecklistItem.position", back_populates="version", cascade="all, delete-orphan")


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("version_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    section_code: Mapped[str] = mapped_column(String(8))
    section_title: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    # how a 不合格 reads as a finding (问题表述): the problem's title instead of the question
    finding: Mapped[str] = mapped_column(String(200), default="", server_default="", nullable=False)
    guidance: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(4))
    answer_type: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(String(16))
    range_min: Mapped[float | None] = mapped_column(Float)
    range_max: Mapped[float | None] = mapped_column(Float)
    choices: Mapped[list | None] = mapped_column(JSON)
    compliant_choices: Mapped[list | None] = mapped_column(JSON)
    date_rule: Mapped[dict | None] = mapped_column(JSON)
    evidence_rule: Mapped[str] = mapped_column(String(24))
    time_limit_days: Mapped[int] = mapped_column(Integer)
    recommendation: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(12), default="quarterly")
    applies_to: Mapped[dict] = mapped_column(JSON, default=dict)
    local: Mapped[bool] = mapped_column(Boolean, default=False)
    # False: a 管理建议 with no statutory basis, never scored or reported as a violation of law.
    statutory: Mapped[bool] = mapped_column(Boolean, default=True)
    # A judgement that depends on the enterprise profile (limit tables, renewal deadline), see judgement.py.
    judgement: Mapped[dict | None] = mapped_column(JSON)
    # What proves compliance: {"label": …, "kinds": [photo|document|record_no], "on_compliant": bool}.
    proof: Mapped[dict | None] = mapped_column(JSON)

    version: Mapped[TemplateVersion] = relationship(back_populates="items")


class Schedule(db.Model):
    """A recurring self-check of one enterprise with one template."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("enterprise_id", "template_id", "recurrence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    recurrence: Mapped[str] = mapped_column(String(12))
    open_day: Mapped[int] = mapped_column(Integer, default=1)   # day of the period the run opens
    due_day: Mapped[int] = mapped_column(Integer, default=10)   # day of the period it is due
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    template: Mapped[ChecklistTemplate] = relationship(lazy="joined")
    enterprise: Mapped[Enterprise] = relationship()


class SelfCheck(db.Model):
    """One run of a schedule for one period: pending → in_progress → submitted."""

    __tablename__ = "selfchecks"
    __table_args__ = (
        UniqueConstraint("schedule_id", "period_key"),
        Index("ix_selfchecks_enterprise_status", "enterprise_id", "status"),
        Index("ix_selfchecks_status_due", "status", "due_date"),
        Index("ix_selfchecks_schedule_status_period", "schedule_id", "status", "period_key"),
        Index("ix_selfchecks_enterprise_submitted", "enterprise_id", "submitted_at",
              postgresql_where=text("status = 'submitted'"), sqlite_where=text("status = 'submitted'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"))
    title: Mapped[str] = mapped_column(String(120))
    period_key: Mapped[str] = mapped_column(String(16))
    period_label: Mapped[str] = mapped_column(String(40))
    open_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=SelfCheckStatus.PENDING)
    item_ids: Mapped[list] = mapped_column(JSON)  # composed at creation; the run keeps its version
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(2))
    # The issued report's id (reports.selfcheck_id is the foreign key; this copy saves a join in lists).
    report_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    @property
    def is_submitted(self) -> bool:
        return self.status == SelfCheckStatus.SUBMITTED

    def is_overdue(self, today: date) -> bool:
        return not self.is_submitted and today > self.due_date

    @classmethod
    def overdue_clause(cls, today: date):
        """The SQL form of ``is_overdue``."""
        return and_(cls.status != SelfCheckStatus.SUBMITTED.value, cls.due_date < today)

    def belongs_to(self, user) -> bool:
        """Only the enterprise's own users fill in its self-checks (regulators read them)."""
        return bool(user.is_enterprise_user and user.enterprise_id == self.enterprise_id)

    def can_edit(self, user) -> bool:
        return not self.is_submitted and self.belongs_to(user)


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("selfcheck_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    selfcheck_id: Mapped[int] = mapped_column(ForeignKey("selfchecks.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    result: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    evidence_ref: Mapped[str | None] = mapped_column(String(200))  # 证明材料编号（联单号、许可证号、报告编号…）
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
