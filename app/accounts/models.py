"""Regions (行政区划), enterprises and users."""
import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class Role(enum.StrEnum):
    ENTERPRISE_STAFF = "enterprise_staff"
    ENTERPRISE_ADMIN = "enterprise_admin"
    REGULATOR = "regulator"
    REGULATOR_ADMIN = "regulator_admin"
    SYSADMIN = "sysadmin"


ENTERPRISE_ROLES = (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN)
REGULATOR_ROLES = (Role.REGULATOR, Role.REGULATOR_ADMIN)


class Position(enum.StrEnum):
    """A regulator's position within the unit (行政执法主体); the approval chains name these."""

    INSPECTOR = "inspector"              # 执法人员
    DIVISION_HEAD = "division_head"      # 承办机构负责人 (city bureau)
    DEPUTY_DIRECTOR = "deputy_director"  # 分管局长 (city bureau)
    DIRECTOR = "director"                # 局长 (city bureau)
    BRANCH_HEAD = "branch_head"          # 分局主要负责人 (county branch)


POSITION_LABELS = {"inspector": "执法人员", "division_head": "承办机构负责人", "deputy_director": "分管局长",
                   "director": "局长", "branch_head": "分局主要负责人"}

PERMIT_CLASSES = ("重点管理", "简化管理", "登记管理")
# Credit grades are the province's scale (app/rules/<province>/credit.yaml): the national 2013 four grades
# (环发〔2013〕150号) in Heilongjiang, A/B/C/D in Shanxi. An enterprise nobody has rated is 未评价.
UNRATED = "未评价"
CREDIT_GRADES = ("环保诚信", "环保良好", "环保警示", "环保不良")  # the national scale (Heilongjiang's pack)
ALL_CREDIT_GRADES = (UNRATED, *CREDIT_GRADES, "A", "B", "C", "D")  # any pack's; the pack decides per province
ENTERPRISE_FLAGS = {
    "key_discharger": "重点排污单位",
    "hazardous_waste": "产生危险废物",
    "boiler": "有锅炉",
    "online_monitoring": "安装自动监测",
    "soil_key_unit": "土壤污染重点监管单位",
    "wastewater": "排放工业废水",
    "listed_disclosure": "依法披露企业",
    "noise_key": "噪声重点排污单位",
    "hw_operator": "持危险废物经营许可证（收集、贮存、利用、处置）",
}
# The facts an item's automatic judgement reads from the profile (see app/selfcheck/data/limits.yaml).
BOILER_FUELS = ("燃煤", "燃油", "燃气")
NOISE_ZONES = ("0", "1", "2", "3", "4")


class Region(db.Model):
    """行政区划: 6-digit code; province 230000, city 230100, county 230102."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10))  # province | city | county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)

    @property
    def prefix(self) -> str:
        """Code prefix shared by every region below this one (GB/T 2260 structure)."""
        return {"province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)


class Enterprise(db.Model):
    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    industry_code: Mapped[str] = mapped_column(String(8))
    industry_name: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    permit_no: Mapped[str | None] = mapped_column(String(64))
    permit_class: Mapped[str] = mapped_column(String(8))
    permit_valid_until: Mapped[date | None] = mapped_column(Date)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    credit_grade: Mapped[str] = mapped_column(String(8), default=UNRATED, server_default=UNRATED)
    # Profile facts for the automatic judgements (GB 13271, GB 12348, GB 21900, 固废法 81, 条例 14).
    boiler_fuel: Mapped[str | None] = mapped_column(String(8))            # 燃煤 | 燃油 | 燃气
    boiler_existing: Mapped[bool | None] = mapped_column(Boolean)          # 在用锅炉 (表1) rather than 新建 (表2)
    # 执行大气/水污染物特别排放限值; the server default lets bulk loads (COPY) leave them out, as the migration does
    air_special_limits: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    water_special_limits: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    noise_zone: Mapped[str | None] = mapped_column(String(4))              # 厂界声环境功能区类别
    hw_storage_limit_days: Mapped[int | None] = mapped_column(Integer)     # 环评批复/许可证/地方规定的危废贮存期限
    permit_renewal_applied_on: Mapped[date | None] = mapped_column(Date)   # 排污许可证延续申请提交日期
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    public_code: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: secrets.token_urlsafe(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set on every ORM or Core UPDATE of the row: the daily jobs re-derive what depends on the profile only for
    # enterprises changed since their last run (app/obligations/service.compose_all)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    region: Mapped[Region] = relationship(lazy="joined")

    def has_flag(self, flag: str) -> bool:
        return flag in (self.flags or [])


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    position: Mapped[str | None] = mapped_column(String(20))  # Position, regulators only
    enforcement_cert_no: Mapped[str | None] = mapped_column(String(32))  # 执法证号
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rotated at logout and password reset: every cookie issued before stops working.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_enterprise_user(self) -> bool:
        return self.role in ENTERPRISE_ROLES

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_sysadmin(self) -> bool:
        return self.role == Role.SYSADMIN


class LoginAttempt(db.Model):
    """A failed login, kept for rate limiting by username and by client IP."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
