"""Cases (案件): 立案 → 调查 → 告知 → 决定 → 执行 → 整改验收 → 结案, linked to where they came from."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class CaseStatus(enum.StrEnum):
    FILED = "filed"                                   # 立案
    INVESTIGATING = "investigating"                   # 调查
    NOTIFIED = "notified"                             # 告知
    DECIDED = "decided"                               # 决定
    EXECUTING = "executing"                           # 执行
    RECTIFICATION_VERIFIED = "rectification_verified"  # 整改验收
    CLOSED = "closed"                                 # 结案
    WITHDRAWN = "withdrawn"                           # 撤销立案（违法事实不能成立等）


STATUS_LABELS = {"filed": "立案", "investigating": "调查", "notified": "告知", "decided": "决定",
                 "executing": "执行", "rectification_verified": "整改验收", "closed": "结案", "withdrawn": "已撤销"}
DECISIONS = {"punish": "处罚", "no_penalty": "不予处罚", "lighter": "从轻处罚", "mitigated": "减轻处罚"}
PENALISING = ("punish", "lighter", "mitigated")
SOURCES = {"problem": "问题", "penalty": "处罚记录", "finding": "检查发现", "clue": "线索", "alarm": "监测报警",
           "regulator": "执法检查"}


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_enterprise_status", "enterprise_id", "status"),
                      Index("ix_cases_violation_decided", "violation_code", "decided_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    province: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(24), default=CaseStatus.FILED)
    source: Mapped[str] = mapped_column(String(12))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    penalty_id: Mapped[int | None] = mapped_column(ForeignKey("env_penalties.id"), unique=True)
    # Other packages' objects, linked by id only (they may not exist in every deployment).
    finding_id: Mapped[int | None] = mapped_column(Integer)
    clue_id: Mapped[int | None] = mapped_column(Integer)
    alarm_id: Mapped[int | None] = mapped_column(Integer)
    violation_code: Mapped[str | None] = mapped_column(String(64))
    violation_title: Mapped[str] = mapped_column(String(200), default="")
    facts: Mapped[str] = mapped_column(Text, default="")
    evidence_upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    circumstances: Mapped[dict] = mapped_column(JSON, default=dict)   # regulator-recorded facts for the lists
    factors: Mapped[dict] = mapped_column(JSON, default=dict)         # discretion factor choices
    discovered_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(12))
    list_entry_id: Mapped[str | None] = mapped_column(String(32))
    decision_no: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    suggested_amount: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    amount_reason: Mapped[str | None] = mapped_column(Text)
    credit_category: Mapped[str | None] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(Text)               # 普法教育记录 (不予处罚)
    rectification_problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    documents_issued_on: Mapped[date | None] = mapped_column(Date)
    legacy: Mapped[bool] = mapped_column(Boolean, default=False)      # migrated from a penalty record
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
