"""The clue (涉嫌环境违法线索移送表, 附件3): every field of the form, its status and its time limits."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class ClueStatus(enum.StrEnum):
    DRAFT = "draft"
    TRANSFERRED = "transferred"   # 已移送, waiting for the receiving unit
    ACCEPTED = "accepted"         # 已接收
    RETURNED = "returned"         # 已退回 (with the reason); the sender may amend and transfer again
    CONCLUDED = "concluded"       # 已办结: 立案 / 不予立案 / 转其他部门
    WITHDRAWN = "withdrawn"       # 已撤回 by the sender before anyone accepted it


STATUS_LABELS = {"draft": "草稿", "transferred": "已移送", "accepted": "已接收", "returned": "已退回",
                 "concluded": "已办结", "withdrawn": "已撤回"}
# The form's check boxes, in the form's order (附件3).
SOURCES = {"monitoring": "监测数据", "onsite": "现场检查", "complaint": "信访举报", "referral": "其他单位移交",
           "other": "其他"}
CATEGORIES = {"water": "水污染", "air": "大气污染", "solid_waste": "固废违法", "eia": "环评/验收违法",
              "ecology": "生态破坏", "noise": "噪声扰民", "other": "其他"}
OPINIONS = {"suggest_case": "建议立案", "verify": "需进一步核查", "assist": "请协调科室协助"}
CONCLUSIONS = {"case_filed": "立案", "not_filed": "不予立案", "referred": "转其他部门"}
MATERIAL_KINDS = {"monitoring": "监测数据摘录", "photo": "照片", "report": "报告", "document": "文书材料",
                  "other": "其他"}
ORIGINS = {"monitoring_alarm": "在线监测报警", "risk_warning": "风险预警", "problem": "问题（含执法检查发现）"}


class Clue(db.Model):
    """涉嫌环境违法线索: from a unit (and 科室) to a unit in the jurisdiction of the subject enterprise."""

    __tablename__ = "clues"
    __table_args__ = (Index("ix_clues_to_unit_status", "to_unit_code", "status"),
                      Index("ix_clues_from_unit_status", "from_unit_code", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=ClueStatus.DRAFT)
    # 一、移送信息
    from_unit_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    from_dept: Mapped[str] = mapped_column(String(64), default="")      # 移送科室
    to_unit_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    to_dept: Mapped[str] = mapped_column(String(64), default="")        # 接收科室
    transferred_on: Mapped[date | None] = mapped_column(Date)            # 移送日期
    # 二、线索基本信息
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    subject_name: Mapped[str] = mapped_column(String(200))              # 涉嫌违法主体名称
    subject_id_no: Mapped[str] = mapped_column(String(32))              # 统一社会信用代码/身份证号
    source: Mapped[str] = mapped_column(String(16))                     # SOURCES
    source_other: Mapped[str] = mapped_column(String(100), default="")
    categories: Mapped[list] = mapped_column(JSON, default=list)        # CATEGORIES
    category_other: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")          # 涉嫌环境违法问题简要描述
    legal_basis: Mapped[str] = mapped_column(Text, default="")          # 涉嫌违反法律规定
    # 三、移交材料清单: [{kind, title, upload_id?, ref?, lines?}]
    materials: Mapped[list] = mapped_column(JSON, default=list)
    # 四、移交意见
    sender_opinion: Mapped[str | None] = mapped_column(String(16))      # OPINIONS
    assist_dept: Mapped[str] = mapped_column(String(64), default="")    # 请协调＿＿科室协助
    handler_name: Mapped[str] = mapped_column(String(64), default="")   # 经办人
    sender_head: Mapped[str] = mapped_column(String(64), default="")    # 科室/单位负责人（移送方）
    receiver_opinion: Mapped[str] = mapped_column(Text, default="")     # 接收方意见
    receiver_head: Mapped[str] = mapped_column(String(64), default="")  # 科室/单位负责人（接收方）
    # where it came from, time limits and the outcome
    origin_type: Mapped[str | None] = mapped_column(String(24))
    origin_id: Mapped[int | None] = mapped_column(Integer)
    accept_due: Mapped[date | None] = mapped_column(Date)
    conclude_due: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(String(16))          # CONCLUSIONS
    outcome: Mapped[str | None] = mapped_column(Text)
    referred_to: Mapped[str | None] = mapped_column(String(100))        # 转其他部门: which
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    @property
    def step_due(self) -> date | None:
        """The current step's deadline: accept (or return) while transferred, conclude once accepted."""
        if self.status == ClueStatus.TRANSFERRED:
            return self.accept_due
        return self.conclude_due if self.status == ClueStatus.ACCEPTED else None

    @classmethod
    def step_due_clause(cls):
        """`step_due` in SQL, for the reminder ladder."""
        return case((cls.status == ClueStatus.TRANSFERRED.value, cls.accept_due),
                    (cls.status == ClueStatus.ACCEPTED.value, cls.conclude_due))

    def is_overdue(self, today: date) -> bool:
        return self.step_due is not None and self.step_due < today
