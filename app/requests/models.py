"""A request (诉求) and its events (progress the enterprise sees, and the regulator's internal steps)."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"      # 已提交
    REGISTERED = "registered"    # 已登记
    ASSIGNED = "assigned"        # 已交办
    REPLIED = "replied"          # 已答复（办理中）
    CLOSED = "closed"            # 已办结
    RATED = "rated"              # 已评价
    REOPENED = "reopened"        # 不满意，待负责人复核


STATUS_LABELS = {"submitted": "已提交", "registered": "已登记", "assigned": "已交办", "replied": "已答复",
                 "closed": "已办结", "rated": "已评价", "reopened": "待复核"}
OPEN_STATES = (RequestStatus.SUBMITTED, RequestStatus.REGISTERED, RequestStatus.ASSIGNED, RequestStatus.REPLIED,
               RequestStatus.REOPENED)


class EnterpriseRequest(db.Model):
    __tablename__ = "enterprise_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    category: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.SUBMITTED, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_on: Mapped[date] = mapped_column(Date)
    register_due: Mapped[date] = mapped_column(Date)
    reply_due: Mapped[date] = mapped_column(Date)
    close_due: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(8))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    followup_due: Mapped[date | None] = mapped_column(Date)
    followup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestEvent(db.Model):
    __tablename__ = "enterprise_request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("enterprise_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visible_to_enterprise: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
