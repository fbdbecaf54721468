"""The eligibility fact "online monitoring stably within limits over N days" (在线监测稳定达标).

app/supervision/facts.py's `monitoring_stable` criterion (the rules packs' positive_list.criteria) calls
`stability` by name, so the positive-list rules use it without app/supervision importing this package.
"""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.monitoring import hj212
from app.monitoring.codes import pollutant_name
from app.monitoring.judgement import local_start
from app.monitoring.models import ALARM_LABELS, Alarm, AlarmKind, Outlet, PollutantLimit, Record
from app.monitoring.rules import load_rules


def stability(enterprise_id: int, today: date, days: int | None = None, min_coverage: float | None = None) -> dict:
    """Whether the enterprise's monitored outlets stayed within limits over the last `days` days, and why."""
    rules = load_rules()["stable"]
    days = int(days or rules["days"])
    min_coverage = float(min_coverage if min_coverage is not None else rules["min_coverage"])
    start, end = local_start(today - timedelta(days=days)), local_start(today)
    monitored = db.session.scalars(select(Outlet).where(
        Outlet.enterprise_id == enterprise_id, Outlet.active.is_(True),
        select(PollutantLimit.id).where(PollutantLimit.outlet_id == Outlet.id, PollutantLimit.period == "hour",
                                        PollutantLimit.limit_value.is_not(None)).exists())).all()
    if not monitored:
        return {"applicable": False, "passed": True, "days": days, "coverage": None, "alarms": [],
                "detail": "未登记在线监测排放口与限值，不作判定"}
    alarms = db.session.scalars(select(Alarm).where(
        Alarm.enterprise_id == enterprise_id,
        ((Alarm.kind == AlarmKind.EXCEEDANCE) & (Alarm.ended_at >= start) & (Alarm.started_at < end))
        | ((Alarm.kind == AlarmKind.OVER_PERMIT) & (Alarm.started_at >= local_start(date(today.year, 1, 1)))))
        .order_by(Alarm.started_at)).all()
    hours = db.session.scalar(select(func.count()).select_from(Record).where(
        Record.outlet_id.in_([o.id for o in monitored]), Record.cn == hj212.CN_HOURLY,
        Record.data_time >= start, Record.data_time < end)) or 0
    coverage = hours / (len(monitored) * days * 24)
    parts = []
    if alarms:
        parts.append("；".join(f"{ALARM_LABELS[a.kind]}：{a.outlet.code} {pollutant_name(a.pollutant)}"
                              + (f"（{a.periods}小时，最高{a.peak:g} {a.unit}）" if a.kind == AlarmKind.EXCEEDANCE
                                 else "") for a in alarms[:5]) + ("等" if len(alarms) > 5 else ""))
    if coverage < min_coverage:
        parts.append(f"小时数据完整率{coverage:.1%}，低于{min_coverage:.0%}")
    passed = not parts
    detail = (f"近{days}天{len(monitored)}个排放口无超标、无排放量超许可，小时数据完整率{coverage:.1%}" if passed
              else f"近{days}天：" + "；".join(parts))
    return {"applicable": True, "passed": passed, "days": days, "coverage": round(coverage, 4),
            "alarms": [a.id for a in alarms], "detail": detail}

