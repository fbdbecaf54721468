"""排放口, limits, 数采仪, the stored data and the alarms judged from it."""
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Enterprise
from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db

OUTLET_KINDS = {"gas": "废气", "water": "废水"}
PERIODS = {"hour": "小时均值", "day": "日均值"}  # which average a concentration limit is judged on


class AlarmKind(enum.StrEnum):
    EXCEEDANCE = "exceedance"     # 超标
    MISSING = "missing"           # 数据缺失
    OVER_PERMIT = "over_permit"   # 排放量超许可


class AlarmStatus(enum.StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"       # the enterprise gave its reason (设备故障, 启停炉 …) with evidence


ALARM_LABELS = {"exceedance": "超标", "missing": "数据缺失", "over_permit": "排放量超许可"}
ALARM_STATUS_LABELS = {"open": "待说明", "explained": "企业已说明"}


class Outlet(db.Model):
    """排放口 of an enterprise (DA001 废气, DW001 废水 …)."""

    __tablename__ = "monitoring_outlets"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(8))  # OUTLET_KINDS
    location: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_data_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # earliest hour stored: gaps count from here
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    limits: Mapped[list["PollutantLimit"]] = relationship(
        back_populates="outlet", order_by="PollutantLimit.pollutant", cascade="all, delete-orphan")
    devices: Mapped[list["Device"]] = relationship(back_populates="outlet", order_by="Device.id")


class PollutantLimit(db.Model):
    """Per outlet and pollutant: the concentration limit, where it comes from, and the annual permitted total."""

    __tablename__ = "monitoring_limits"
    __table_args__ = (UniqueConstraint("outlet_id", "pollutant"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlets.id", ondelete="CASCADE"))
    pollutant: Mapped[str] = mapped_column(String(16))          # HJ 212-2017 code, e.g. a21002
    name: Mapped[str] = mapped_column(String(32), default="")
    limit_value: Mapped[float | None] = mapped_column(Float)     # none: only the total is permitted
    unit: Mapped[str] = mapped_column(String(16), default="mg/m³")
    basis: Mapped[str] = mapped_column(String(300), default="")  # the standard (or permit) the limit comes from
    basis_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    period: Mapped[str] = mapped_column(String(4), default="hour")  # PERIODS
    annual_permit_t: Mapped[float | None] = mapped_column(Float)    # 许可排放量, t/a

    outlet: Mapped[Outlet] = relationship(back_populates="limits")


class Device(db.Model):
    """A 数采仪 on an outlet: identified by MN, authenticated by its PW (stored as a salted SHA-256)."""

    __tablename__ = "monitoring_devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlets.id"), index=True)
    mn: Mapped[str] = mapped_column(String(24), unique=True)
    pw_salt: Mapped[str] = mapped_column(String(32))
    pw_hash: Mapped[str] = mapped_column(String(64))
    st: Mapped[str | None] = mapped_column(String(2))  # expected 系统编码; none: any
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outlet: Mapped[Outlet] = relationship(back_populates="devices", lazy="joined")


class Record(db.Model):
    """One outlet's data for one CN and DataTime: a packet (or an imported row) is stored once."""

    __tablename__ = "monitoring_records"
    __table_args__ = (UniqueConstraint("outlet_id", "cn", "data_time"),
                      Index("ix_monitoring_records_time", "data_time"))  # the daily judgement reads a day
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlets.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_devices.id"))
    cn: Mapped[str] = mapped_column(String(4))
    data_time: Mapped[datetime] = mapped_column(UTCDateTime)
    qn: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(8))  # http | tcp | import
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Value(db.Model):
    """One pollutant's fields in a record; outlet, CN and time repeated so series read one index."""

    __tablename__ = "monitoring_values"
    __table_args__ = (Index("ix_monitoring_values_series", "outlet_id", "pollutant", "cn", "data_time"),
                      Index("ix_monitoring_values_time", "data_time"))  # the daily totals read a day
    record_id: Mapped[int] = mapped_column(ForeignKey("monitoring_records.id", ondelete="CASCADE"),
                                           primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(16), primary_key=True)
    outlet_id: Mapped[int] = mapped_column(Integer)
    cn: Mapped[str] = mapped_column(String(4))
    data_time: Mapped[datetime] = mapped_column(UTCDateTime)
    rtd: Mapped[float | None] = mapped_column(Float)
    avg: Mapped[float | None] = mapped_column(Float)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    cou: Mapped[float | None] = mapped_column(Float)   # 排放量 in the period (kg; m³ for flow)
    zs: Mapped[float | None] = mapped_column(Float)    # 折算 value (ZsRtd for 2011, ZsAvg otherwise)
    flag: Mapped[str] = mapped_column(String(1), default="N")


class DailyTotal(db.Model):
    """The amount an outlet emitted of a pollutant on one local day (sum of hourly Cou), for the annual totals."""

    __tablename__ = "monitoring_daily_totals"
    __table_args__ = (Index("ix_monitoring_daily_totals_day", "day"),)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlets.id"), primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cou_kg: Mapped[float] = mapped_column(Float, default=0)
    hours: Mapped[int] = mapped_column(Integer, default=0)


class Refusal(db.Model):
    """Refused packets counted per local day, MN (empty when not registered) and reason code."""

    __tablename__ = "monitoring_refusals"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    mn: Mapped[str] = mapped_column(String(24), primary_key=True)
    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_reason: Mapped[str] = mapped_column(String(200), default="")
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alarm(db.Model):
    """An episode judged from the data: a continuous exceedance, a gap, or a total over the permit.

    One row per (outlet, pollutant, kind, data type, start): an exceedance that goes on hour after hour extends
    its row (and its one risk warning) instead of opening another; an hourly and a daily episode are apart.
    """

    __tablename__ = "monitoring_alarms"
    __table_args__ = (UniqueConstraint("outlet_id", "pollutant", "kind", "cn", "started_at"),
                      Index("ix_monitoring_alarms_enterprise", "enterprise_id", "kind", "ended_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlets.id"))
    pollutant: Mapped[str] = mapped_column(String(16), default="")  # empty for 数据缺失 of the whole outlet
    kind: Mapped[str] = mapped_column(String(12))
    cn: Mapped[str] = mapped_column(String(4), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)   # first period's start
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)     # last period's start
    peak: Mapped[float | None] = mapped_column(Float)
    limit_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    basis: Mapped[str] = mapped_column(String(300), default="")
    accumulated_t: Mapped[float | None] = mapped_column(Float)  # over_permit: emitted so far this year
    projected_t: Mapped[float | None] = mapped_column(Float)    # over_permit: projected for the year
    warning_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=AlarmStatus.OPEN)
    reason: Mapped[str | None] = mapped_column(String(16))      # the enterprise's explanation
    explanation: Mapped[str | None] = mapped_column(Text)
    upload_ids: Mapped[list] = mapped_column(JSON, default=list)
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outlet: Mapped[Outlet] = relationship(lazy="joined")

    @property
    def step_hours(self) -> int:
        return 24 if self.cn == "2031" or self.kind == AlarmKind.OVER_PERMIT else 1

    @property
    def periods(self) -> int:
        """Hours (days for daily data and for a year's total) in the episode: continuous, so derived."""
        return int((self.ended_at - self.started_at).total_seconds() // (3600 * self.step_hours)) + 1
