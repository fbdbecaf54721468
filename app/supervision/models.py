"""Regulator-side records: risk warnings, penalties, incidents, positive list, credit-repair applications."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db

WARNING_STATUSES = ("open", "acknowledged", "converted")
WARNING_KINDS = {
    "permit_expiring": "排污许可证即将到期",
    "permit_expired": "排污许可证已过期",
    "selfcheck_overdue": "自查逾期",
    "rectification_overdue": "整改逾期",
    "repeated_failure": "同一检查项连续两期不合格",
    "major_problem": "发现重大问题",
    "score_drop": "自查得分大幅下降",
    "missed_periods": "连续两期未提交自查",
    "obligation_missed": "法定义务逾期",
    # raised by app/monitoring at ingest and in its daily judgement, one per episode
    "monitoring_exceedance": "在线监测超标",
    "monitoring_missing": "在线监测数据缺失",
    "monitoring_over_permit": "排放量超许可",
}
CREDIT_CATEGORIES = ("轻微失信", "一般失信", "严重失信")
INCIDENT_LEVELS = ("一般", "较大", "重大", "特别重大")
REPAIR_STATUSES = ("submitted", "approved", "rejected")


class RiskWarning(db.Model):
    """风险预警: one fact found by the daily job; the dedupe key makes a rerun add nothing."""

    __tablename__ = "risk_warnings"
    __table_args__ = (Index("ix_risk_warnings_enterprise_status", "enterprise_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))  # high | medium
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    problem_id: Mapped[int | None] = mapped_column(Integer)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class Penalty(db.Model):
    """An administrative penalty (行政处罚) recorded by a regulator; drives credit repair."""

    __tablename__ = "env_penalties"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decision_no: Mapped[str] = mapped_column(String(64), unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False), default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    credit_category: Mapped[str] = mapped_column(String(8))
    problem_ids: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    repaired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Incident(db.Model):
    """A 突发环境事件 recorded by a regulator."""

    __tablename__ = "env_incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PositiveListEntry(db.Model):
    """One admission to the 监督执法正面清单; a member while not removed and valid_until >= today."""

    __tablename__ = "positive_list_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    admitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_reason: Mapped[str | None] = mapped_column(Text)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    admitted_credit_grade: Mapped[str | None] = mapped_column(String(8))   # to tell a later downgrade
    # 动态管理: suspended automatically (app/supervision/dynamic.py) until a regulator removes or reinstates
    suspended_on: Mapped[date | None] = mapped_column(Date)
    suspension_reasons: Mapped[list | None] = mapped_column(JSON)   # [{trigger, label, detail, evidence_ids}]
    reviewed_on: Mapped[date | None] = mapped_column(Date)   # reinstated: facts up to this day were reviewed
    # Admitted although criteria failed: the regulator's stated reason and the criteria it overrode.
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_failed: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class CreditRepairApplication(db.Model):
    """信用修复申请 with its automatically assembled evidence pack."""

    __tablename__ = "credit_repair_applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    penalty_id: Mapped[int] = mapped_column(ForeignKey("env_penalties.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the case (案件) behind the penalty
    commitment_text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    penalty: Mapped[Penalty] = relationship(lazy="joined")
