"""Cases and guidance (one table, `kind`), read receipts, and 送法入企 training events with attendees."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db

KINDS = ("case", "guidance")   # 以案说法 | 规则解读


class LegalCase(db.Model):
    """An anonymised enforcement case (violation, law, penalty, lesson) or a guidance note, authored by a unit."""

    __tablename__ = "legal_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="case")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)  # the author's jurisdiction
    title: Mapped[str] = mapped_column(String(200))
    violation: Mapped[str] = mapped_column(Text, default="")
    law: Mapped[str] = mapped_column(Text, default="")
    penalty: Mapped[str] = mapped_column(Text, default="")
    lesson: Mapped[str] = mapped_column(Text, default="")
    item_codes: Mapped[list] = mapped_column(JSON, default=list)        # checklist item codes (B5, K1…)
    obligation_codes: Mapped[list] = mapped_column(JSON, default=list)  # obligation rule codes
    industries: Mapped[list] = mapped_column(JSON, default=list)        # target industry groups; empty = all
    permit_classes: Mapped[list] = mapped_column(JSON, default=list)    # target permit classes; empty = all
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LegalRead(db.Model):
    """Read receipt: a user of an enterprise opened a case or guidance note."""

    __tablename__ = "legal_reads"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("legal_cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalTraining(db.Model):
    """送法入企: a training event held by a county (date, topic, form) and the enterprises that attended."""

    __tablename__ = "legal_trainings"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(16), default="集中培训")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalTrainingAttendee(db.Model):
    __tablename__ = "legal_training_attendees"
    __table_args__ = (UniqueConstraint("training_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("legal_trainings.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
