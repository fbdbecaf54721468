"""Judging the data: exceedance episodes at ingest; 数据缺失 and 排放量超许可 in the daily judgement.

An episode is one Alarm row spanning consecutive periods (hours, or days for daily limits). A new period
next to an episode extends it, one between two episodes joins them, so a continuous exceedance is one
alarm with one risk warning however its hours arrive. Only data flagged N is judged (HJ 212-2017: M, C, D,
F, T … mark maintenance, calibration, faults, stops and over-range readings, which are not exceedances).
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select, update

from app.common.timeutil import TZ, as_utc, local_date, utcnow
from app.extensions import db
from app.monitoring import hj212
from app.monitoring.codes import pollutant_name
from app.monitoring.models import Alarm, AlarmKind, DailyTotal, Device, Outlet, PollutantLimit, Record, Value
from app.monitoring.rules import load_rules
from app.notify.recipients import RegulatorsInCharge, admins_by_enterprise
from app.notify.service import notify
from app.rollups.maintain import mark_states
from app.supervision import warnings
from app.supervision.models import RiskWarning

STEP = {hj212.CN_HOURLY: timedelta(hours=1), hj212.CN_DAILY: timedelta(days=1)}
PERIOD_CN = {"hour": hj212.CN_HOURLY, "day": hj212.CN_DAILY}
WARNING_KIND = {"exceedance": "monitoring_exceedance", "missing": "monitoring_missing",
                "over_permit": "monitoring_over_permit"}
LEVEL = {"exceedance": "high", "missing": "medium", "over_permit": "high"}


def local_start(day: date) -> datetime:
    return as_utc(datetime.combine(day, time.min, TZ))


def fmt(moment: datetime, cn: str = hj212.CN_HOURLY) -> str:
    local = as_utc(moment).astimezone(TZ)
    return f"{local:%Y-%m-%d}" if cn == hj212.CN_DAILY else f"{local:%Y-%m-%d %H:00}"


# --- exceedances (at ingest) -------------------------------------------------------------------

def exceeds(limit: PollutantLimit, cn: str, measurement: hj212.Measurement) -> float | None:
    """The judged value when it is an exceedance (flag N, the limit's period, above the limit), else None."""
    if limit.limit_value is None or PERIOD_CN.get(limit.period) != cn or measurement.flag != hj212.NORMAL_FLAG:
        return None
    value = measurement.value(cn)
    return value if value is not None and value > limit.limit_value else None


def judge_new_values(outlet: Outlet, cn: str, at: datetime, measurements: dict, limits: dict) -> list[Alarm]:
    """Judge the values just stored for one period; return the exceedance alarms they opened or extended."""
    alarms = []
    for code, measurement in measurements.items():
        limit = limits.get(code)
        value = exceeds(limit, cn, measurement) if limit else None
        if value is not None:
            alarms.append(absorb(outlet, code, AlarmKind.EXCEEDANCE, cn, at, at, peak=value, limit=limit))
    return alarms


def absorb(outlet: Outlet, pollutant: str, kind: str, cn: str, first: datetime, last: datetime, *,
           peak: float | None = None, limit: PollutantLimit | None = None) -> Alarm:
    """Add the periods first…last to the episode they touch (joining episodes they bridge), or open one."""
    step = STEP[cn]
    near = db.session.scalars(select(Alarm).where(
        Alarm.outlet_id == outlet.id, Alarm.pollutant == pollutant, Alarm.kind == kind, Alarm.cn == cn,
        Alarm.started_at <= last + step, Alarm.ended_at >= first - step).order_by(Alarm.started_at)).all()
    if near:
        alarm = near[0]
        alarm.started_at = min(as_utc(alarm.started_at), first)
        alarm.ended_at = max([last, *(as_utc(a.ended_at) for a in near)])
        peaks = [p for p in (peak, *(a.peak for a in near)) if p is not None]
        alarm.peak = max(peaks) if peaks else None
        for other in near[1:]:
            _drop(other)
    else:
        alarm = Alarm(enterprise_id=outlet.enterprise_id, outlet_id=outlet.id, pollutant=pollutant, kind=kind,
                      cn=cn, started_at=first, ended_at=last, peak=peak, upload_ids=[])
        db.session.add(alarm)
    if limit is not None:
        alarm.limit_value, alarm.unit, alarm.basis = limit.limit_value, limit.unit, limit.basis
    alarm.updated_at = utcnow()
    db.session.flush()
    _warn(alarm, outlet)
    return alarm


def fill_gap(outlet: Outlet, at: datetime) -> None:
    """An hour that arrived after the day was judged (补传) leaves its 数据缺失 episode: the episode shrinks at an
    edge, splits around a middle hour (the later part qualifies for a warning on its own), or ends."""
    alarm = db.session.scalar(select(Alarm).where(
        Alarm.outlet_id == outlet.id, Alarm.pollutant == "", Alarm.kind == AlarmKind.MISSING,
        Alarm.started_at <= at, Alarm.ended_at >= at))
    if alarm is None:
        return
    step, start, end = STEP[hj212.CN_HOURLY], as_utc(alarm.started_at), as_utc(alarm.ended_at)
    if start == end:
        _drop(alarm)
        return
    if at == start:
        alarm.started_at = start + step
    elif at == end:
        alarm.ended_at = end - step
    else:
        alarm.ended_at = at - step
        db.session.flush()
        absorb(outlet, "", AlarmKind.MISSING, hj212.CN_HOURLY, at + step, end)
    alarm.updated_at = utcnow()
    db.session.flush()
    _warn(alarm, outlet)


def _drop(alarm: Alarm) -> None:
    """An episode absorbed into an earlier one, or emptied by late data: its still-open warning goes with it
    (one a regulator already handled stays, as the record of what was seen then)."""
    if alarm.warning_id:
        db.session.execute(delete(RiskWarning).where(RiskWarning.id == alarm.warning_id,
                                                     RiskWarning.status == "open"))
        mark_states(db.session(), [alarm.enterprise_id])  # its open-warning count (app/rollups)
    db.session.delete(alarm)
    db.session.flush()


# --- warnings and notifications ----------------------------------------------------------------

# What the enterprise is asked to do, after the facts in its warning (not part of a clue's description).
ADVICE = {"exceedance": "请核实原因，在系统中说明（设备故障、启停炉等）并上传证明材料。",
          "missing": "请检查数采仪和联网情况，按规定报告故障并开展手工监测。",
          "over_permit": "请核实排放量，合理安排生产，确保全年排放量不超过许可排放量。"}


def describe(alarm: Alarm, outlet: Outlet) -> tuple[str, str]:
    """The episode's title and facts: when, how long, the values against the limit and its source."""
    name = pollutant_name(alarm.pollutant)
    where = f"{outlet.code}{'（' + outlet.name + '）' if outlet.name else ''}"
    if alarm.kind == AlarmKind.EXCEEDANCE:
        unit = "天" if alarm.cn == hj212.CN_DAILY else "小时"
        average = "日均值" if alarm.cn == hj212.CN_DAILY else "小时均值"
        span = fmt(alarm.started_at, alarm.cn) + (f"至{fmt(alarm.ended_at, alarm.cn)}" if alarm.periods > 1 else "")
        return (f"在线监测超标：{where} {name}",
                f"{span}{name}{average}连续{alarm.periods}{unit}超标，最高{alarm.peak:g} {alarm.unit}"
                f"（限值{alarm.limit_value:g} {alarm.unit}，依据：{alarm.basis or '未登记'}）。")
    if alarm.kind == AlarmKind.MISSING:
        return (f"在线监测数据缺失：{where}",
                f"{fmt(alarm.started_at)}至{fmt(alarm.ended_at)}连续{alarm.periods}小时没有小时数据。")
    return (f"排放量预计超许可：{where} {name}", projection_text(alarm))


def projection_text(alarm: Alarm) -> str:
    year = local_date(alarm.started_at).year
    until = local_date(alarm.ended_at)
    permit = alarm.limit_value
    text = f"{year}年截至{until}累计排放{name_or(alarm)}{alarm.accumulated_t:.3f} t"
    if alarm.projected_t is not None:
        text += f"，按已有数据日均排放量折算全年约{alarm.projected_t:.2f} t"
    return text + f"，年许可排放量{permit:g} t。"


def name_or(alarm: Alarm) -> str:
    return pollutant_name(alarm.pollutant) if alarm.pollutant else ""


def _threshold(kind: str) -> int:
    return int(load_rules()["missing_data"]["min_hours"]) if kind == AlarmKind.MISSING else 1


def _warn(alarm: Alarm, outlet: Outlet) -> None:
    """Raise the episode's one risk warning (and notify) once it qualifies; afterwards keep its text current."""
    title, facts = describe(alarm, outlet)
    detail = facts + ADVICE[alarm.kind]
    if alarm.warning_id:
        db.session.execute(update(RiskWarning).where(RiskWarning.id == alarm.warning_id)
                           .values(title=title[:200], detail=detail))
        return
    if alarm.kind != AlarmKind.OVER_PERMIT and alarm.periods < _threshold(alarm.kind):
        return
    key = (f"mon_{alarm.kind}:{outlet.id}:{alarm.pollutant or '-'}:"
           f"{as_utc(alarm.started_at).astimezone(TZ):%Y%m%d%H}"
           + (f":{alarm.cn}" if alarm.cn not in ("", hj212.CN_HOURLY) else ""))  # hourly keys as before
    warnings.record_warnings([warnings.warning_row(
        key, alarm.enterprise_id, WARNING_KIND[alarm.kind], LEVEL[alarm.kind], title, detail,
        local_date(alarm.ended_at), "monitoring_alarm", alarm.id)])
    alarm.warning_id = db.session.scalar(select(RiskWarning.id).where(RiskWarning.dedupe_key == key))
    _notify(alarm, outlet, title, detail)


def _notify(alarm: Alarm, outlet: Outlet, title: str, body: str) -> None:
    admins = admins_by_enterprise([alarm.enterprise_id]).get(alarm.enterprise_id, [])
    notify(admins, "monitoring_alarm", "monitoring_alarm", alarm.id, alarm.kind, title, body,
           f"/ent/monitoring/alarms/{alarm.id}", enterprise_id=alarm.enterprise_id)
    if alarm.kind != AlarmKind.MISSING:
        regulators = RegulatorsInCharge().for_region(outlet.enterprise.region_code)
        notify(regulators, "monitoring_alarm", "monitoring_alarm", alarm.id, alarm.kind, title, body,
               f"/gov/monitoring/alarms/{alarm.id}", enterprise_id=alarm.enterprise_id)


# --- the daily judgement -----------------------------------------------------------------------

def judge_day(day: date) -> dict:
    """判定一日: 数据缺失 of the day's hours, the day's emission totals, and the year's projection."""
    gaps = judge_missing(day)
    totals = aggregate_day(day)
    over = judge_permits(day)
    db.session.flush()
    return {"day": day.isoformat(), "missing_episodes": gaps, "totals": totals, "over_permit": over}


def _hourly_outlets():
    """(outlet id, first hour stored, first active device registered) of every active outlet with an active
    device and at least one hourly concentration limit — one row each, no objects loaded."""
    return (select(Outlet.id, Outlet.first_data_at, func.min(Device.created_at))
            .join(Device, (Device.outlet_id == Outlet.id) & Device.active.is_(True))
            .where(Outlet.active.is_(True),
                   select(PollutantLimit.id).where(PollutantLimit.outlet_id == Outlet.id,
                                                   PollutantLimit.period == "hour",
                                                   PollutantLimit.limit_value.is_not(None)).exists())
            .group_by(Outlet.id, Outlet.first_data_at))


def judge_missing(day: date) -> int:
    """数据缺失: each run of hours of `day` without hourly data joins the outlet's gap episode (or opens one)."""
    start, end = local_start(day), local_start(day + timedelta(days=1))
    present: dict[int, set] = {}
    for outlet_id, moment in db.session.execute(select(Record.outlet_id, Record.data_time).where(
            Record.cn == hj212.CN_HOURLY, Record.data_time >= start, Record.data_time < end)):
        present.setdefault(outlet_id, set()).add(as_utc(moment))
    hours = [start + timedelta(hours=h) for h in range(24)]
    touched = 0
    for outlet_id, first_data, first_device in db.session.execute(_hourly_outlets()).all():
        seen = present.get(outlet_id, set())
        if len(seen) == 24:
            continue
        since = as_utc(first_data) or as_utc(first_device)
        runs, run = [], []
        for hour in [*hours, None]:
            if hour is not None and hour not in seen and hour >= since:
                run.append(hour)
            elif run:
                runs.append(run)
                run = []
        outlet = db.session.get(Outlet, outlet_id) if runs else None
        if outlet is None:
            continue
        for gap in runs:
            absorb(outlet, "", AlarmKind.MISSING, hj212.CN_HOURLY, gap[0], gap[-1])
            touched += 1
    return touched


def aggregate_day(day: date) -> int:
    """The day's emitted amount per outlet and pollutant (sum of hourly Cou), rewritten on every run."""
    start, end = local_start(day), local_start(day + timedelta(days=1))
    db.session.execute(delete(DailyTotal).where(DailyTotal.day == day))
    rows = db.session.execute(
        select(Value.outlet_id, Value.pollutant, func.sum(Value.cou), func.count())
        .where(Value.cn == hj212.CN_HOURLY, Value.data_time >= start, Value.data_time < end,
               Value.cou.is_not(None))
        .group_by(Value.outlet_id, Value.pollutant)).all()
    if rows:
        db.session.execute(DailyTotal.__table__.insert(), [
            {"outlet_id": o, "pollutant": p, "day": day, "cou_kg": float(total or 0), "hours": n}
            for o, p, total, n in rows])
    return len(rows)


def year_totals(day: date, outlet_ids=None) -> dict[tuple[int, str], tuple[float, date, int]]:
    """(outlet, pollutant) → (kg emitted from 1 January to `day`, first day with data, days with data)."""
    stmt = (select(DailyTotal.outlet_id, DailyTotal.pollutant, func.sum(DailyTotal.cou_kg),
                   func.min(DailyTotal.day), func.count())
            .where(DailyTotal.day >= date(day.year, 1, 1), DailyTotal.day <= day)
            .group_by(DailyTotal.outlet_id, DailyTotal.pollutant))
    if outlet_ids is not None:
        stmt = stmt.where(DailyTotal.outlet_id.in_(outlet_ids))
    return {(o, p): (float(kg or 0), first, n) for o, p, kg, first, n in db.session.execute(stmt)}


def projection(day: date, kg: float, first: date) -> tuple[float, float | None, int]:
    """(accumulated t, projected t for the year or None with too few days, days covered)."""
    days = (day - first).days + 1
    year_days = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    accumulated = kg / 1000
    enough = days >= int(load_rules()["permit_projection"]["min_days"])
    return accumulated, (accumulated / days * year_days if enough else None), days


def judge_permits(day: date) -> int:
    """排放量超许可: each limit with an annual permit against the year's total and its projection (set-based)."""
    ratio = float(load_rules()["permit_projection"]["warn_ratio"])
    start = local_start(date(day.year, 1, 1))
    limits = db.session.scalars(select(PollutantLimit).join(Outlet).where(
        PollutantLimit.annual_permit_t.is_not(None), PollutantLimit.annual_permit_t > 0,
        Outlet.active.is_(True))).all()
    if not limits:
        return 0
    totals = year_totals(day)
    existing = {(a.outlet_id, a.pollutant): a for a in db.session.scalars(select(Alarm).where(
        Alarm.kind == AlarmKind.OVER_PERMIT, Alarm.started_at == start))}
    over = 0
    for limit in limits:
        found = totals.get((limit.outlet_id, limit.pollutant))
        if not found:
            continue
        accumulated, projected, _ = projection(day, found[0], found[1])
        permit = limit.annual_permit_t or 0.0  # the query keeps only limits with a permit
        alarm = existing.get((limit.outlet_id, limit.pollutant))
        if alarm is None and not (accumulated >= permit or (projected or 0) >= permit * ratio):
            continue
        if alarm is None:
            alarm = Alarm(enterprise_id=limit.outlet.enterprise_id, outlet_id=limit.outlet_id,
                          pollutant=limit.pollutant, kind=AlarmKind.OVER_PERMIT, cn="", started_at=start,
                          upload_ids=[])
            db.session.add(alarm)
        alarm.ended_at = local_start(day)
        alarm.accumulated_t, alarm.projected_t = accumulated, projected
        alarm.limit_value, alarm.unit = permit, "t/a"
        alarm.basis = f"年许可排放量{permit:g} t"
        alarm.updated_at = utcnow()
        db.session.flush()
        _warn(alarm, limit.outlet)
        over += 1
    return over


def judge_previous_day(as_of: date) -> dict:
    """The scheduler's daily job: judge yesterday (local), whose hours are all in by now."""
    return judge_day(as_of - timedelta(days=1))
