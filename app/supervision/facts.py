"""Eligibility facts registry (资格判定事实): named, parametrised facts a rules pack picks by code.

Each fact is a small function of (facts, rules section) returning one criterion dict, like the
criteria in eligibility.py; they read their own records (obligations, monitoring, inspections,
crime records, positive-list membership) and explain themselves in Chinese with record ids.
Packages above supervision (app.monitoring, app.inspections) are read through their tables or a
late import, so this package does not depend on them.
"""
import importlib
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import TZ, add_months, as_utc, utcnow
from app.extensions import db


class EnvironmentalCrime(db.Model):
    """A judgement or transfer for an environmental crime (环境犯罪), recorded by a regulator."""

    __tablename__ = "environmental_crimes"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decided_on: Mapped[date] = mapped_column(Date)           # 判决（或移送）日期
    reference: Mapped[str] = mapped_column(String(64))        # 判决书/移送书文号
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _criterion(code, label, passed, detail, evidence=()):
    return {"code": code, "label": label, "passed": bool(passed), "detail": detail, "evidence_ids": list(evidence)}


def _obligations_on_time(facts, r: dict, codes_key: str, code: str, label: str) -> dict:
    from app.obligations.models import DONE, Obligation  # a sibling feature; read-only

    months = int(r.get("obligations_window_months", 24))
    since = add_months(facts.today, -months)
    codes = list(r.get(codes_key) or [])
    rows = db.session.execute(select(Obligation.id, Obligation.title, Obligation.due_date, Obligation.status,
                                     Obligation.done_on).where(
        Obligation.enterprise_id == facts.enterprise_id, Obligation.code.in_(codes),
        Obligation.due_date >= since, Obligation.due_date < facts.today)).all()
    late = [row for row in rows if row.status != DONE or (row.done_on and row.done_on > row.due_date)]
    if not rows:
        return _criterion(code, label, True, f"近{months}个月没有到期的{label[:-4]}事项（法定义务日历）")
    return _criterion(code, label, not late,
                      f"近{months}个月{len(rows)}项中有{len(late)}项未按时完成（"
                      + "、".join(f"{x.title}（{x.due_date}）" for x in late[:5]) + "）" if late
                      else f"近{months}个月{len(rows)}项均按时完成", [f"obligation:{x.id}" for x in late])


def execution_reports_on_time(facts, r: dict) -> dict:
    """执行报告按时提交: the pack's report codes in the obligations calendar, none late or missing."""
    return _obligations_on_time(facts, r, "execution_report_codes", "execution_reports_on_time", "执行报告按时提交")


def disclosure_done(facts, r: dict) -> dict:
    """环境信息依法披露: the pack's disclosure codes, none late or missing."""
    return _obligations_on_time(facts, r, "disclosure_codes", "disclosure_done", "环境信息依法披露")


def _monitoring_stability(enterprise_id: int, today: date, days: int, coverage: float | None) -> dict | None:
    try:  # named by string, like the scheduler's jobs: app.monitoring sits above this package
        stability = importlib.import_module("app.monitoring.facts").stability
    except ImportError:
        stability = None
    if stability is not None:
        return stability(enterprise_id, today, days, coverage)
    alarms = db.metadata.tables.get("monitoring_alarms")  # no fact function: read the table if it exists
    if alarms is None:
        return None
    start = as_utc(datetime.combine(add_days_back(today, days), datetime.min.time(), TZ))
    ids = list(db.session.scalars(select(alarms.c.id).where(alarms.c.enterprise_id == enterprise_id,
                                                            alarms.c.kind == "exceedance", alarms.c.ended_at >= start)))
    return {"passed": not ids, "alarms": ids,
            "detail": f"近{days}天有{len(ids)}次在线监测超标" if ids else f"近{days}天无在线监测超标记录"}


def add_days_back(day: date, days: int) -> date:
    from datetime import timedelta

    return day - timedelta(days=days)


def monitoring_stable(facts, r: dict) -> dict:
    """在线监测稳定达标 over the pack's N days (app.monitoring's fact)."""
    days = int(r.get("monitoring_stable_days", 90))
    found = _monitoring_stability(facts.enterprise_id, facts.today, days, r.get("monitoring_min_coverage"))
    label = f"近{days}天在线监测稳定达标"
    if found is None:
        return _criterion("monitoring_stable", label, True, "本系统未接入在线监测数据，不作判定")
    return _criterion("monitoring_stable", label, found["passed"], found["detail"],
                      [f"monitoring_alarm:{i}" for i in found.get("alarms", [])])


def no_verified_complaints(facts, r: dict) -> dict:
    """无经查实的投诉举报: no completed complaint-triggered inspection that found a non-compliance."""
    months = int(r.get("complaint_window_months", 24))
    label = f"近{months}个月无经查实的投诉举报"
    table = db.metadata.tables.get("inspections")
    if table is None:
        return _criterion("no_verified_complaints", label, True, "未启用执法检查模块，不作判定")
    since = add_months(facts.today, -months)
    rows = db.session.execute(select(table.c.id, table.c.start_date, table.c.results).where(
        table.c.enterprise_id == facts.enterprise_id,
        (table.c.trigger == "complaint") | (table.c.inspection_type == "complaint"),
        table.c.status.in_(("completed", "published")), table.c.start_date >= since)).all()
    verified = [row for row in rows if any((x or {}).get("result") == "non_compliant" for x in (row.results or []))]
    return _criterion("no_verified_complaints", label, not verified,
                      f"近{months}个月有{len(verified)}次投诉举报经现场检查查实" if verified
                      else f"近{months}个月（{since}以来）无经查实的投诉举报", [f"inspection:{x.id}" for x in verified])


def no_environmental_crime(facts, r: dict) -> dict:
    """近N年无环境犯罪记录."""
    years = int(r.get("crime_free_years", 3))
    since = add_months(facts.today, -12 * years)
    rows = db.session.execute(select(EnvironmentalCrime.id, EnvironmentalCrime.reference, EnvironmentalCrime.decided_on)
                              .where(EnvironmentalCrime.enterprise_id == facts.enterprise_id,
                                     EnvironmentalCrime.decided_on > since)).all()
    return _criterion("no_environmental_crime", f"近{years}年无环境犯罪记录", not rows,
                      f"近{years}年有环境犯罪记录（" + "、".join(f"{x.reference}（{x.decided_on}）" for x in rows) + "）"
                      if rows else f"近{years}年（{since}以来）无环境犯罪记录", [f"crime:{x.id}" for x in rows])


def no_penalty_beyond_simple_procedure(facts, r: dict) -> dict:
    """近N个月无简易程序以外的处罚: fines above the pack's threshold (行政处罚法 第五十一条: 法人3000元)."""
    months = int(r["penalty_free_months"])
    limit = float(r.get("simple_procedure_max_amount", 3000))
    since = add_months(facts.today, -months)
    recent = [p for p in facts.penalties if p.decided_on > since and p.amount > limit]
    small = [p for p in facts.penalties if p.decided_on > since and p.amount <= limit]
    note = f"；另有{len(small)}次罚款{limit:g}元以下（简易程序）不计" if small else ""
    return _criterion(
        "no_penalty_beyond_simple_procedure", f"近{months}个月无罚款{limit:g}元以上的环境行政处罚", not recent,
        (f"近{months}个月有{len(recent)}次罚款超过{limit:g}元的行政处罚（"
         + "、".join(f"{p.decision_no}（{p.amount:g}元）" for p in recent) + "）" if recent
         else f"近{months}个月无罚款超过{limit:g}元的行政处罚") + note, [f"penalty:{p.id}" for p in recent])


def within_share_cap(facts, r: dict) -> dict:
    """正面清单比例上限: members of the jurisdiction (city) stay within `share_cap` of the base permit classes."""
    from app.accounts.models import Enterprise
    from app.supervision.enterprises import active_membership
    from app.supervision.models import PositiveListEntry

    cap = float(r.get("share_cap", 1.0))
    prefix = facts.region_code[:4] if r.get("share_cap_scope", "city") == "city" else facts.region_code[:2]
    classes = list(r.get("share_cap_base_classes") or ["重点管理", "简化管理"])
    base = db.session.scalar(select(func.count()).select_from(Enterprise).where(
        Enterprise.region_code.startswith(prefix), Enterprise.permit_class.in_(classes))) or 0
    members = db.session.scalars(select(PositiveListEntry.enterprise_id).join(
        Enterprise, Enterprise.id == PositiveListEntry.enterprise_id).where(
        Enterprise.region_code.startswith(prefix), active_membership(facts.today))).all()
    label = f"辖区正面清单比例不超过{cap:.0%}"
    if facts.enterprise_id in members:
        return _criterion("within_share_cap", label, True, f"已是正面清单成员（辖区{len(members)}家/{base}家）")
    after = len(members) + 1
    passed = base > 0 and after <= cap * base
    return _criterion("within_share_cap", label, passed,
                      f"辖区{'、'.join(classes)}企业{base}家，现有成员{len(members)}家，纳入后{after}家，上限{cap:.0%}")


FACT_CRITERIA = {f.__name__: f for f in (
    execution_reports_on_time, disclosure_done, monitoring_stable, no_verified_complaints, no_environmental_crime,
    no_penalty_beyond_simple_procedure, within_share_cap)}
