"""执法检查: plans and 双随机 draws, quiet periods, special actions (附件1), inspections (附件2), approvals."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class InspectionStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ActionStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


STATUS_LABELS = {"draft": "草稿", "pending_approval": "待审批", "approved": "已审批", "on_site": "现场检查中",
                 "completed": "已完成", "cancelled": "已取消", "published": "已公开"}
INSPECTION_TYPES = {"double_random": "双随机", "special": "专项", "complaint": "举报投诉", "other": "其他"}
METHODS = {"on_site": "现场检查", "document_review": "资料核查", "monitoring_sampling": "监测采样",
           "inquiry": "问询调查", "other": "其他"}
# Inspections with one of these triggers are outside the frequency caps (Changzhi 3).
TRIGGERS = {"complaint": "投诉举报", "referral": "转办交办", "monitoring": "监测数据", "enterprise_request": "企业申请"}
RESULTS = {"compliant": "符合", "non_compliant": "不符合", "not_applicable": "不适用"}
EXCLUSION_REASONS = {"positive_list": "正面清单", "cap_reached": "已达频次上限", "quiet_period": "安静期",
                     "already_inspected": "本期已查"}


class InspectionPlan(db.Model):
    """年度执法检查计划 of one unit (行政执法主体) for one year."""

    __tablename__ = "inspection_plans"
    __table_args__ = (UniqueConstraint("unit_code", "year", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text, default="")
    ratios: Mapped[dict] = mapped_column(JSON, default=dict)  # supervision category → share drawn per draw
    caps: Mapped[dict] = mapped_column(JSON, default=dict)  # supervision category → inspections/year
    team_size: Mapped[int] = mapped_column(Integer, default=2)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanDraw(db.Model):
    """One 双随机 draw: the seed and every input are kept, so anyone can re-run it (一公开)."""

    __tablename__ = "inspection_draws"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(16), default="es-sha256-v1")
    candidates: Mapped[list] = mapped_column(JSON, default=list)  # eligible enterprises with category, weight
    inspector_pool: Mapped[list] = mapped_column(JSON, default=list)
    excluded: Mapped[list] = mapped_column(JSON, default=list)  # {enterprise_id, name, reason, label, detail}
    selected: Mapped[list] = mapped_column(JSON, default=list)  # {enterprise_id, inspector_ids, inspection_id}
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuietPeriod(db.Model):
    """企业安静期 (Changzhi 10): a region or one enterprise is not visited on site between the dates."""

    __tablename__ = "quiet_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(6))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # withdrawn; kept for the record
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SpecialAction(db.Model):
    """专项执法检查 (附件1)."""

    __tablename__ = "special_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    form_date: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    unit_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    targets: Mapped[str] = mapped_column(Text)  # 检查对象 as written on the form
    target_industries: Mapped[list] = mapped_column(JSON, default=list)
    target_regions: Mapped[list] = mapped_column(JSON, default=list)
    target_enterprise_ids: Mapped[list] = mapped_column(JSON, default=list)
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.DRAFT)
    step: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    filed_with: Mapped[str | None] = mapped_column(String(200))  # 备案机关
    filing_no: Mapped[str | None] = mapped_column(String(64))
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Inspection(db.Model):
    """入企执法检查 (附件2), one enterprise per inspection."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_enterprise_status", "enterprise_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    form_date: Mapped[date] = mapped_column(Date)
    inspection_type: Mapped[str] = mapped_column(String(16))
    type_other: Mapped[str] = mapped_column(String(100), default="")
    trigger: Mapped[str | None] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    inspector_ids: Mapped[list] = mapped_column(JSON, default=list)
    content: Mapped[str] = mapped_column(Text)
    methods: Mapped[list] = mapped_column(JSON, default=list)
    method_other: Mapped[str] = mapped_column(String(100), default="")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_draws.id"))
    special_action_id: Mapped[int | None] = mapped_column(ForeignKey("special_actions.id"), index=True)
    separate_reason: Mapped[str | None] = mapped_column(Text)  # why it was not merged into another visit
    status: Mapped[str] = mapped_column(String(20), default=InspectionStatus.DRAFT)
    step: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    quiet_exception_reason: Mapped[str | None] = mapped_column(Text)
    quiet_exception_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    quiet_exception_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results: Mapped[list] = mapped_column(JSON, default=list)  # {item_code, result, note, severity, upload_ids}
    summary: Mapped[str | None] = mapped_column(Text)  # 检查结果 fed back to the enterprise
    problem_ids: Mapped[list] = mapped_column(JSON, default=list)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class Approval(db.Model):
    """One step's opinion on an inspection or a special action (the form's 审批意见 lines)."""

    __tablename__ = "inspection_approvals"
    __table_args__ = (Index("ix_inspection_approvals_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))  # inspection | special_action
    target_id: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    position: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(8))  # approve | reject
    opinion: Mapped[str] = mapped_column(Text)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
