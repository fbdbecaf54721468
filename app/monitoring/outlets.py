"""排放口, limits and 数采仪: kept by regulators (in their jurisdiction) and the enterprise's admin."""
from sqlalchemy import select

from app.accounts.models import Enterprise, Role, User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit
from app.common.errors import Conflict, Forbidden, NotFound, field_error
from app.extensions import db
from app.monitoring.codes import concentration_unit, pollutant_name
from app.monitoring.ingest import new_credentials
from app.monitoring.models import OUTLET_KINDS, PERIODS, Device, Outlet, PollutantLimit, Refusal
from app.selfcheck.judgement import limits_data, table_limit


def can_edit(user: User, enterprise_id: int) -> bool:
    """Regulators (scope checked by the fetch) and the enterprise's own admin keep outlets and limits."""
    if user.is_regulator or user.is_sysadmin:
        return True
    return user.role == Role.ENTERPRISE_ADMIN and user.enterprise_id == enterprise_id


def _ensure_editor(user: User, enterprise_id: int) -> None:
    if not can_edit(user, enterprise_id):
        raise Forbidden("只有监管人员和企业管理员可以维护排放口与限值")


def get_outlet(user: User, outlet_id: int) -> Outlet:
    return get_scoped(Outlet, outlet_id, user, message="未找到该排放口")


def list_outlets(user: User, enterprise_id: int | None = None) -> list[Outlet]:
    stmt = scoped(select(Outlet), user, Outlet)
    if enterprise_id:
        stmt = stmt.where(Outlet.enterprise_id == enterprise_id)
    return list(db.session.scalars(stmt.order_by(Outlet.enterprise_id, Outlet.code)))


def _enterprise_for(user: User, enterprise_id: int | None) -> Enterprise:
    if user.is_enterprise_user:
        enterprise_id = user.enterprise_id
    if not enterprise_id:
        raise field_error("enterprise_id", "请选择企业")
    return get_scoped(Enterprise, enterprise_id, user, message="企业不存在或不在管辖范围内")


def create_outlet(user: User, data: dict) -> Outlet:
    enterprise = _enterprise_for(user, data.get("enterprise_id"))
    _ensure_editor(user, enterprise.id)
    code = data["code"].strip().upper()
    if db.session.scalar(select(Outlet.id).where(Outlet.enterprise_id == enterprise.id, Outlet.code == code)):
        raise Conflict(f"排放口编号{code}已存在", code="duplicate_outlet", details={"fields": {"code": ["已存在"]}})
    outlet = Outlet(enterprise_id=enterprise.id, code=code, name=data.get("name") or "", kind=data["kind"],
                    location=data.get("location") or "", active=True)
    db.session.add(outlet)
    db.session.flush()
    audit.record("monitoring.outlet_created", "outlet", outlet.id, enterprise_id=enterprise.id,
                 comment=f"{code} {OUTLET_KINDS[outlet.kind]} {outlet.name}".strip())
    return outlet


def update_outlet(user: User, outlet_id: int, data: dict) -> Outlet:
    outlet = get_outlet(user, outlet_id)
    _ensure_editor(user, outlet.enterprise_id)
    changed = []
    for key in ("name", "kind", "location", "active"):
        if key in data and data[key] is not None and getattr(outlet, key) != data[key]:
            setattr(outlet, key, data[key])
            changed.append(key)
    db.session.flush()
    if changed:
        audit.record("monitoring.outlet_updated", "outlet", outlet.id, enterprise_id=outlet.enterprise_id,
                     comment="、".join(changed))
    return outlet


def set_limit(user: User, outlet_id: int, pollutant: str, data: dict) -> PollutantLimit:
    """Create or replace the limit of one pollutant; `table` takes the value from data/limits.yaml by profile."""
    outlet = get_outlet(user, outlet_id)
    _ensure_editor(user, outlet.enterprise_id)
    value, basis, checked = data.get("limit_value"), data.get("basis") or "", bool(data.get("basis_checked"))
    if data.get("table"):
        if data["table"] not in limits_data()["tables"]:
            raise field_error("table", f"限值表{data['table']}不存在")
        found = table_limit(data["table"], outlet.enterprise)
        if not found.known:
            raise field_error("table", found.missing or "无法按企业档案确定限值")
        value, basis, checked = found.max, found.basis, found.checked
    if value is None and data.get("annual_permit_t") is None:
        raise field_error("limit_value", "请填写浓度限值或年许可排放量")
    if value is not None and not basis:
        raise field_error("basis", "请填写限值依据（排放标准或排污许可证）")
    limit = db.session.scalar(select(PollutantLimit).where(PollutantLimit.outlet_id == outlet.id,
                                                           PollutantLimit.pollutant == pollutant))
    before = None
    if limit is None:
        limit = PollutantLimit(outlet_id=outlet.id, pollutant=pollutant)
        db.session.add(limit)
    else:
        before = f"{limit.limit_value:g} {limit.unit}" if limit.limit_value is not None else "无浓度限值"
    limit.name = data.get("name") or pollutant_name(pollutant)
    limit.limit_value, limit.basis, limit.basis_checked = value, basis[:300], checked
    limit.unit = data.get("unit") or concentration_unit(pollutant, outlet.kind)
    limit.period = data.get("period") or "hour"
    limit.annual_permit_t = data.get("annual_permit_t")
    db.session.flush()
    now = f"{value:g} {limit.unit}（{PERIODS[limit.period]}）" if value is not None else "无浓度限值"
    audit.record("monitoring.limit_set", "outlet", outlet.id, enterprise_id=outlet.enterprise_id,
                 comment=f"{pollutant} {limit.name}：{before + ' → ' if before else ''}{now}；"
                         f"年许可{limit.annual_permit_t if limit.annual_permit_t is not None else '—'} t；{basis}"[:1000])
    return limit


def delete_limit(user: User, outlet_id: int, pollutant: str) -> None:
    outlet = get_outlet(user, outlet_id)
    _ensure_editor(user, outlet.enterprise_id)
    limit = db.session.scalar(select(PollutantLimit).where(PollutantLimit.outlet_id == outlet.id,
                                                           PollutantLimit.pollutant == pollutant))
    if limit is None:
        return  # already gone: deleting is idempotent
    db.session.delete(limit)
    db.session.flush()
    audit.record("monitoring.limit_deleted", "outlet", outlet.id, enterprise_id=outlet.enterprise_id,
                 comment=pollutant)


def register_device(user: User, outlet_id: int, data: dict) -> Device:
    outlet = get_outlet(user, outlet_id)
    _ensure_editor(user, outlet.enterprise_id)
    mn = data["mn"].strip()
    if db.session.scalar(select(Device.id).where(Device.mn == mn)):
        raise Conflict(f"设备MN {mn} 已登记", code="duplicate_mn", details={"fields": {"mn": ["已登记"]}})
    salt, digest = new_credentials(data["pw"])
    device = Device(outlet_id=outlet.id, mn=mn, pw_salt=salt, pw_hash=digest, st=data.get("st"), active=True,
                    registered_by_id=user.id)
    db.session.add(device)
    db.session.flush()
    audit.record("monitoring.device_registered", "outlet", outlet.id, enterprise_id=outlet.enterprise_id,
                 comment=f"MN {mn}")
    return device


def update_device(user: User, device_id: int, data: dict) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        raise NotFound("未找到该设备")
    get_outlet(user, device.outlet_id)  # scope
    _ensure_editor(user, device.outlet.enterprise_id)
    notes = []
    if data.get("pw"):
        device.pw_salt, device.pw_hash = new_credentials(data["pw"])
        # a new password ends today's lock-out after repeated wrong passwords
        db.session.execute(Refusal.__table__.delete().where(Refusal.mn == device.mn, Refusal.code == "wrong_pw"))
        notes.append("更换密码")
    if data.get("active") is not None and data["active"] != device.active:
        device.active = data["active"]
        notes.append("启用" if device.active else "停用")
    if "st" in data:
        device.st = data["st"]
    db.session.flush()
    audit.record("monitoring.device_updated", "outlet", device.outlet_id, enterprise_id=device.outlet.enterprise_id,
                 comment=f"MN {device.mn} {'、'.join(notes)}".strip())
    return device


def refusal_counts(user: User, day) -> list[dict]:
    """Refused packets of a day: per registered device in scope; regulators also see unregistered MNs."""
    own = select(Device.mn).join(Outlet).where(Outlet.id.in_(scoped(select(Outlet.id), user, Outlet)))
    stmt = select(Refusal).where(Refusal.day == day)
    if user.is_enterprise_user:
        stmt = stmt.where(Refusal.mn.in_(own))
    else:
        stmt = stmt.where((Refusal.mn.in_(own)) | (Refusal.mn == ""))
    rows = db.session.scalars(stmt.order_by(Refusal.mn, Refusal.code)).all()
    return [{"day": r.day, "mn": r.mn or None, "code": r.code, "count": r.count, "last_reason": r.last_reason,
             "last_at": r.last_at} for r in rows]

