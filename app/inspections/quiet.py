"""企业安静期 (Changzhi 10): periods per region or enterprise, and the check before going on site."""
from datetime import date

from sqlalchemy import func, or_, select

from app.accounts.models import Enterprise, Region, User
from app.accounts.scoping import enterprise_clause, get_scoped, region_clause
from app.common import audit
from app.common.errors import Conflict, Forbidden, NotFound, field_error
from app.common.timeutil import utcnow
from app.extensions import db
from app.inspections.models import QuietPeriod


def _visible(user: User):
    return or_(QuietPeriod.enterprise_id.in_(select(Enterprise.id).where(enterprise_clause(user))),
               region_clause(user, QuietPeriod.region_code))


def list_periods(user: User, args: dict):
    stmt = select(QuietPeriod).where(_visible(user), QuietPeriod.removed_at.is_(None))
    if args.get("enterprise_id"):
        stmt = stmt.where(QuietPeriod.enterprise_id == args["enterprise_id"])
    if args.get("on"):
        stmt = stmt.where(QuietPeriod.start_date <= args["on"], QuietPeriod.end_date >= args["on"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(stmt.order_by(QuietPeriod.start_date.desc(), QuietPeriod.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def get_period(user: User, period_id: int) -> QuietPeriod:
    period = db.session.scalar(select(QuietPeriod).where(QuietPeriod.id == period_id, _visible(user)))
    if period is None:
        raise NotFound("未找到该安静期")
    return period


def create_period(user: User, data: dict) -> QuietPeriod:
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以设置企业安静期")
    region_code, enterprise_id = data.get("region_code"), data.get("enterprise_id")
    if bool(region_code) == bool(enterprise_id):
        raise field_error("region_code", "请选择行政区划或企业之一")
    if enterprise_id:
        enterprise_id = get_scoped(Enterprise, enterprise_id, user, message="企业不存在或不在管辖范围内").id
    elif db.session.get(Region, region_code) is None or not db.session.scalar(
            select(func.count()).select_from(Region).where(Region.code == region_code,
                                                           region_clause(user, Region.code))):
        raise field_error("region_code", "行政区划不存在或不在管辖范围内")
    if data["end_date"] < data["start_date"]:
        raise field_error("end_date", "结束日期不能早于开始日期")
    if not data["reason"].strip():
        raise field_error("reason", "请填写安静期事由")
    period = QuietPeriod(region_code=region_code or None, enterprise_id=enterprise_id or None,
                         start_date=data["start_date"], end_date=data["end_date"], reason=data["reason"].strip(),
                         unit_code=user.region_code, created_by_id=user.id)
    db.session.add(period)
    db.session.flush()
    audit.record("quiet_period.created", "quiet_period", period.id, enterprise_id=enterprise_id,
                 comment=f"{period.start_date}至{period.end_date}：{period.reason}")
    return period


def remove_period(user: User, period_id: int) -> QuietPeriod:
    """Withdraw a period: it stops applying but stays on record."""
    period = get_period(user, period_id)
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以撤销企业安静期")
    if period.removed_at is not None:
        raise Conflict("该安静期已撤销", code="invalid_transition")
    period.removed_at, period.removed_by_id = utcnow(), user.id
    audit.record("quiet_period.removed", "quiet_period", period.id, enterprise_id=period.enterprise_id,
                 comment=f"{period.start_date}至{period.end_date}：{period.reason}")
    return period


def ancestors(region_code: str) -> set[str]:
    return {region_code, region_code[:4] + "00", region_code[:2] + "0000"}


def overlapping(enterprise: Enterprise, start: date, end: date) -> list[QuietPeriod]:
    """Quiet periods of the enterprise or of a region containing it that overlap [start, end]."""
    return list(db.session.scalars(select(QuietPeriod).where(
        or_(QuietPeriod.enterprise_id == enterprise.id, QuietPeriod.region_code.in_(ancestors(enterprise.region_code))),
        QuietPeriod.start_date <= end, QuietPeriod.end_date >= start, QuietPeriod.removed_at.is_(None)).order_by(QuietPeriod.start_date)))


def describe(period: QuietPeriod) -> str:
    return f"企业安静期“{period.reason}”（{period.start_date}至{period.end_date}）"
