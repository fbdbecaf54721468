"""Reading the monitoring data (series for the chart, annual totals) and the enterprise's explanation of alarms."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit
from app.common.errors import Forbidden, field_error
from app.common.timeutil import TZ, as_utc, today_local, utcnow
from app.evidence.service import attach_uploads
from app.extensions import db
from app.monitoring import hj212
from app.monitoring.codes import pollutant_name
from app.monitoring.judgement import PERIOD_CN, projection, year_totals
from app.monitoring.models import ALARM_LABELS, Alarm, AlarmStatus, PollutantLimit, Value
from app.monitoring.outlets import get_outlet
from app.monitoring.rules import load_rules

MAX_SERIES_POINTS = 24 * 92


def list_alarms(user: User, args: dict) -> tuple[list[Alarm], int]:
    stmt = scoped(select(Alarm), user, Alarm)
    for key in ("enterprise_id", "outlet_id", "kind", "status", "pollutant"):
        if args.get(key):
            stmt = stmt.where(getattr(Alarm, key) == args[key])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    items = db.session.scalars(stmt.order_by(Alarm.ended_at.desc(), Alarm.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return list(items), total


def get_alarm(user: User, alarm_id: int) -> Alarm:
    return get_scoped(Alarm, alarm_id, user, message="未找到该监测报警")


def explain_alarm(user: User, alarm_id: int, data: dict) -> Alarm:
    """企业说明: the enterprise gives its reason (设备故障, 启停炉 …) and evidence for an alarm."""
    alarm = get_alarm(user, alarm_id)
    if not (user.is_enterprise_user and user.enterprise_id == alarm.enterprise_id):
        raise Forbidden("只有本企业用户可以说明报警原因")
    reasons = load_rules()["explanation_reasons"]
    if data["reason"] not in reasons:
        raise field_error("reason", f"应为{'、'.join(reasons)}之一")
    previous = alarm.status
    alarm.reason, alarm.explanation = data["reason"], data["explanation"]
    alarm.upload_ids = attach_uploads(data.get("upload_ids") or [], alarm.enterprise_id, user)
    alarm.status, alarm.explained_by_id, alarm.explained_at = AlarmStatus.EXPLAINED, user.id, utcnow()
    db.session.flush()
    audit.record("monitoring.alarm_explained", "monitoring_alarm", alarm.id, enterprise_id=alarm.enterprise_id,
                 from_state=previous, to_state=alarm.status,
                 comment=f"{ALARM_LABELS[alarm.kind]}：{alarm.reason}；{alarm.explanation}"[:1000])
    return alarm


def _window(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    end = end or today_local()
    start = start or end - timedelta(days=6)
    if start > end:
        raise field_error("start", "开始日期晚于结束日期")
    if (end - start).days > 92:
        raise field_error("start", "一次最多查询92天")
    return (as_utc(datetime.combine(start, datetime.min.time(), TZ)),
            as_utc(datetime.combine(end + timedelta(days=1), datetime.min.time(), TZ)))


def series(user: User, outlet_id: int, pollutant: str | None, cn: str, start: date | None, end: date | None) -> dict:
    """Values against the limit line, every point with its flag and whether it is judged or an exceedance."""
    outlet = get_outlet(user, outlet_id)
    low, high = _window(start, end)
    if pollutant is None:
        if not outlet.limits:
            raise field_error("pollutant", "请选择污染物")
        pollutant = outlet.limits[0].pollutant
    limit = db.session.scalar(select(PollutantLimit).where(PollutantLimit.outlet_id == outlet.id,
                                                           PollutantLimit.pollutant == pollutant))
    limit_value = limit.limit_value if limit else None
    judged_cn = PERIOD_CN.get(limit.period) if limit and limit_value is not None else None
    rows = db.session.execute(select(Value.data_time, Value.avg, Value.rtd, Value.zs, Value.min, Value.max,
                                     Value.cou, Value.flag)
                              .where(Value.outlet_id == outlet.id, Value.pollutant == pollutant, Value.cn == cn,
                                     Value.data_time >= low, Value.data_time < high)
                              .order_by(Value.data_time).limit(MAX_SERIES_POINTS)).all()
    points = []
    for moment, avg, rtd, zs, low_value, high_value, cou, flag in rows:
        raw = rtd if cn == hj212.CN_REALTIME else avg
        value = zs if zs is not None else raw
        judged = cn == judged_cn and flag == hj212.NORMAL_FLAG and value is not None
        points.append({"time": as_utc(moment), "value": value, "raw": raw, "min": low_value, "max": high_value,
                       "cou": cou, "flag": flag, "flag_label": hj212.DATA_FLAGS.get(flag, flag), "judged": judged,
                       "exceeds": bool(judged and limit_value is not None and value > limit_value)})
    return {"outlet_id": outlet.id, "outlet_code": outlet.code, "pollutant": pollutant,
            "pollutant_name": pollutant_name(pollutant), "cn": cn, "cn_label": hj212.DATA_COMMANDS.get(cn, cn),
            "limit_value": limit_value, "unit": limit.unit if limit else "",
            "basis": limit.basis if limit else "", "period": limit.period if limit else None, "points": points}


def totals(user: User, outlet_id: int, day: date | None = None) -> list[dict]:
    """Each pollutant's accumulated emissions this year, the projection for the year, and the permitted total."""
    outlet = get_outlet(user, outlet_id)
    day = day or today_local() - timedelta(days=1)
    found = year_totals(day, [outlet.id])
    out = []
    for limit in outlet.limits:
        kg, first, days_with_data = found.get((outlet.id, limit.pollutant), (0.0, None, 0))
        accumulated, projected, covered = projection(day, kg, first) if first else (0.0, None, 0)
        permit = limit.annual_permit_t
        out.append({"pollutant": limit.pollutant, "name": limit.name, "as_of": day, "accumulated_t": accumulated,
                    "projected_t": projected, "days_covered": covered, "days_with_data": days_with_data,
                    "annual_permit_t": permit,
                    "projected_share": round(projected / permit, 4) if projected is not None and permit else None,
                    "over_permit": bool(permit and (accumulated >= permit or (projected or 0) >= permit))})
    return out

