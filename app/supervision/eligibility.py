"""Positive list (正面清单) and credit repair (信用修复) eligibility.

Thresholds live in the province's rules pack (app/rules/<province>/eligibility.yaml, with the credit
scale and publication periods of credit.yaml), or in the file named by config ELIGIBILITY_RULES_PATH,
so a province changes them without code. Each criterion is a small named function in a table (more
named facts in facts.py), and the rules choose and order them by name. `gather_facts` reads one
enterprise's facts in a handful of queries; `positive_list` and `credit_repair` are functions of
(facts, rules), and every criterion explains itself in Chinese with the ids of the records behind it.
"""
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, or_, select

from app import rules as rules_packs
from app.accounts.models import Enterprise
from app.common.timeutil import add_months, local_date, today_local
from app.extensions import db
from app.remediation.models import Problem
from app.selfcheck.models import SelfCheck, SelfCheckStatus
from app.supervision.facts import FACT_CRITERIA
from app.supervision.models import CreditRepairApplication, Incident, Penalty

DEFAULT_PROVINCE = "230000"
DEFAULT_RULES_PATH = rules_packs.RULES_DIR / DEFAULT_PROVINCE / "eligibility.yaml"
_cache: dict[tuple, dict] = {}


def _override_file() -> dict | None:
    configured = current_app.config.get("ELIGIBILITY_RULES_PATH") if current_app else None
    if not configured:
        return None
    path = Path(configured)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        _cache.clear()
        _cache[key] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _cache[key]


def pack_rules(province: str = DEFAULT_PROVINCE) -> dict:
    """The province's eligibility rules with its credit section (scale, categories, publication periods)."""
    rules = _override_file() or rules_packs.section(province, "eligibility")
    credit = rules_packs.section(province, "credit")
    return {**rules, "credit": credit, "province": province,
            "positive_list": {"_credit": credit, **rules["positive_list"]},
            "credit_repair": {"_credit": credit, **rules["credit_repair"]}}


def load_rules(province: str | None = None) -> dict:
    """The rules of a province (Heilongjiang's when none is named); files re-read when they change."""
    return pack_rules(province or DEFAULT_PROVINCE)


def rules_for(enterprise: Enterprise) -> dict:
    return pack_rules(rules_packs.province_of(enterprise.region_code))


def check_rules(rules: dict, province: str) -> None:
    """Raise ValueError when a pack names an unknown criterion (used by `flask rules check`)."""
    from app.supervision.repair_criteria import CREDIT_REPAIR_CRITERIA

    _chosen(POSITIVE_LIST_CRITERIA, rules["positive_list"])
    _chosen(CREDIT_REPAIR_CRITERIA, rules["credit_repair"])
    unknown = set(rules["dynamic"].get("suspend_on") or []) - set(SUSPENSION_TRIGGERS)
    if unknown:
        raise ValueError(f"{province} eligibility.yaml: unknown suspension triggers {sorted(unknown)}")


rules_packs.register_validator("eligibility", check_rules)


SUSPENSION_TRIGGERS = ("penalty", "incident", "downgrade", "permit_expired", "overdue_major")


# --- facts ---------------------------------------------------------------------------------

@dataclass
class PenaltyFact:
    id: int
    decision_no: str
    decided_on: date
    credit_category: str
    amount: float = 0
    paid_on: date | None = None
    problem_ids: list = field(default_factory=list)
    repaired: bool = False


@dataclass
class ProblemFact:
    id: int
    severity: str
    status: str
    deadline: date
    closed_on: date | None = None

    is_overdue = Problem.is_overdue  # the one rule, on the same fields


@dataclass
class Facts:
    today: date
    permit_class: str
    permit_no: str | None
    permit_valid_until: date | None
    flags: list
    credit_grade: str
    industry_code: str
    penalties: list[PenaltyFact] = field(default_factory=list)
    incidents: list[tuple[int, date, str]] = field(default_factory=list)  # (id, occurred_on, level)
    selfchecks: list[tuple[int, bool]] = field(default_factory=list)  # due in window: (id, submitted)
    problems: list[ProblemFact] = field(default_factory=list)
    committed_penalty_ids: set = field(default_factory=set)
    enterprise_id: int | None = None
    region_code: str = ""


def gather_facts(enterprise: Enterprise, today: date | None = None, rules: dict | None = None) -> Facts:
    """Everything the criteria need about one enterprise: five small indexed queries."""
    today = today or today_local()
    rules = rules or rules_for(enterprise)
    pl = rules["positive_list"]
    facts = Facts(today=today, permit_class=enterprise.permit_class, permit_no=enterprise.permit_no,
                  permit_valid_until=enterprise.permit_valid_until, flags=list(enterprise.flags or []),
                  credit_grade=enterprise.credit_grade, industry_code=enterprise.industry_code,
                  enterprise_id=enterprise.id, region_code=enterprise.region_code or "")
    facts.penalties = [PenaltyFact(p.id, p.decision_no, p.decided_on, p.credit_category, float(p.amount or 0),
                                   p.paid_on, list(p.problem_ids or []), p.repaired_at is not None)
                       for p in db.session.scalars(select(Penalty).where(
                           Penalty.enterprise_id == enterprise.id).order_by(Penalty.decided_on, Penalty.id))]
    facts.incidents = [tuple(r) for r in db.session.execute(select(
        Incident.id, Incident.occurred_on, Incident.level).where(Incident.enterprise_id == enterprise.id))]
    window_start = add_months(today, -int(pl["selfcheck_window_months"]))
    facts.selfchecks = [(r.id, r.status == SelfCheckStatus.SUBMITTED) for r in db.session.execute(select(
        SelfCheck.id, SelfCheck.status).where(SelfCheck.enterprise_id == enterprise.id,
                                              SelfCheck.due_date >= window_start, SelfCheck.due_date < today)
        .order_by(SelfCheck.due_date))]
    closed_window = add_months(today, -int(pl["late_closure_window_months"]))
    linked = sorted({i for p in facts.penalties for i in p.problem_ids if isinstance(i, int)})
    conditions = [Problem.status.not_in(("verified", "cancelled")), Problem.closed_at >= _utc_start(closed_window)]
    if linked:
        conditions.append(Problem.id.in_(linked))
    facts.problems = [ProblemFact(p.id, p.severity, p.status, p.deadline, local_date(p.closed_at) if p.closed_at
                                  else None)
                      for p in db.session.execute(select(
                          Problem.id, Problem.severity, Problem.status, Problem.deadline, Problem.closed_at)
                          .where(Problem.enterprise_id == enterprise.id, or_(*conditions)))]
    facts.committed_penalty_ids = set(db.session.scalars(select(CreditRepairApplication.penalty_id).where(
        CreditRepairApplication.enterprise_id == enterprise.id,
        CreditRepairApplication.status != "rejected",
        func.length(CreditRepairApplication.commitment_text) > 0)))
    return facts


def _utc_start(day: date):
    from datetime import datetime, time

    from app.common.timeutil import TZ, as_utc

    return as_utc(datetime.combine(day, time.min, tzinfo=TZ))


# --- criteria ------------------------------------------------------------------------------

def _criterion(code, label, passed, detail, evidence=()):
    return {"code": code, "label": label, "passed": bool(passed), "detail": detail, "evidence_ids": list(evidence)}


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%".replace(".0%", "%")


# Each criterion is a small function of (facts, its rules section[, the penalty]) returning one
# criterion dict; the tables below list them in the order they are shown. A rules file picks and
# orders them by code (`criteria: [...]`) or drops some (`disabled_criteria`), without code.

def permit_complete(facts: Facts, r: dict) -> dict:
    label = "排污许可手续齐全"
    if facts.permit_class in r.get("permit_exempt_classes", []):
        return _criterion("permit_complete", label, True, f"{facts.permit_class}企业，无需申领排污许可证")
    if not facts.permit_no:
        return _criterion("permit_complete", label, False, "未登记排污许可证编号")
    if facts.permit_valid_until is None:
        return _criterion("permit_complete", label, False,
                          f"排污许可证{facts.permit_no}未登记有效期，无法确认是否有效")
    if facts.permit_valid_until < facts.today:
        return _criterion("permit_complete", label, False,
                          f"排污许可证{facts.permit_no}已于{facts.permit_valid_until}过期")
    return _criterion("permit_complete", label, True, f"排污许可证{facts.permit_no}有效期至{facts.permit_valid_until}")


def no_penalty(facts: Facts, r: dict) -> dict:
    months = int(r["penalty_free_months"])
    since = add_months(facts.today, -months)
    recent = [p for p in facts.penalties if p.decided_on > since]
    return _criterion(
        "no_penalty", f"近{months}个月无环境行政处罚", not recent,
        f"近{months}个月有{len(recent)}次环境行政处罚（{'、'.join(f'{p.decision_no}（{p.decided_on}）' for p in recent)}）"
        if recent else f"近{months}个月（{since}以来）无环境行政处罚记录",
        [f"penalty:{p.id}" for p in recent])


def no_incident(facts: Facts, r: dict) -> dict:
    months = int(r["incident_free_months"])
    since = add_months(facts.today, -months)
    recent = [i for i in facts.incidents if i[1] > since]
    return _criterion(
        "no_incident", f"近{months}个月无突发环境事件", not recent,
        f"近{months}个月发生{len(recent)}起突发环境事件（" + "、".join(f"{d}{lvl}" for _, d, lvl in recent) + "）"
        if recent else f"近{months}个月（{since}以来）无突发环境事件记录",
        [f"incident:{i[0]}" for i in recent])


def selfcheck_completion(facts: Facts, r: dict) -> dict:
    months = int(r["selfcheck_window_months"])
    due = len(facts.selfchecks)
    done = sum(1 for _, submitted in facts.selfchecks if submitted)
    need = float(r["selfcheck_min_completion"])
    label = f"近{months}个月自查完成率≥{_pct(need)}"
    if due < int(r.get("selfcheck_min_due", 1)):
        return _criterion("selfcheck_completion", label, False, f"近{months}个月没有应完成的自查，无法评估完成率")
    rate = done / due if due else 1.0  # selfcheck_min_due may be 0: nothing due is nothing missed
    missed = [f"selfcheck:{i}" for i, submitted in facts.selfchecks if not submitted]
    return _criterion("selfcheck_completion", label, rate >= need,
                      f"近{months}个月应完成自查{due}次，已完成{done}次（{_pct(rate)}），要求≥{_pct(need)}", missed)


def no_overdue_rectification(facts: Facts, r: dict) -> dict:
    months = int(r["late_closure_window_months"])
    overdue = [p for p in facts.problems if p.is_overdue(facts.today)]
    window = add_months(facts.today, -months)
    late = [p for p in facts.problems if p.closed_on and p.status != "cancelled"
            and p.closed_on >= window and p.closed_on > p.deadline]
    parts = []
    if overdue:
        parts.append(f"当前有{len(overdue)}个问题整改逾期")
    if late:
        parts.append(f"近{months}个月有{len(late)}个问题逾期销号")
    return _criterion(
        "no_overdue_rectification", f"无逾期整改，近{months}个月无逾期销号", not parts,
        "；".join(parts) if parts else f"当前无逾期整改问题，近{months}个月问题均按期销号",
        [f"problem:{p.id}" for p in overdue + late])


def serious_problems_verified(facts: Facts, r: dict) -> dict:
    severities = list(r["verified_severities"])
    unverified = [p for p in facts.problems if p.severity in severities and p.status not in ("verified", "cancelled")]
    label = "、".join(severities)
    return _criterion(
        "serious_problems_verified", f"{label}问题均已核查销号", not unverified,
        f"有{len(unverified)}个{label}问题尚未核查销号" if unverified else f"{label}问题均已核查销号",
        [f"problem:{p.id}" for p in unverified])


def online_monitoring(facts: Facts, r: dict) -> dict:
    label = "按要求安装自动监测并联网"
    if not [f for f in r["monitoring_required_flags"] if f in facts.flags]:
        return _criterion("online_monitoring", label, True, "非重点排污单位，不强制要求自动监测联网")
    has = r["monitoring_flag"] in facts.flags
    return _criterion("online_monitoring", label, has,
                      "重点排污单位，已安装自动监测并联网" if has else "重点排污单位，未登记自动监测设备联网")


def credit_grade(facts: Facts, r: dict) -> dict:
    """A good grade where the pack asks for one (`required_credit_grades`), else not an excluded grade.

    An unrated enterprise (未评价, or a grade outside the province's scale) never passes.
    """
    credit = r.get("_credit") or {}
    unrated = credit.get("unrated", "未评价")
    scale = list(credit.get("scale") or [])
    good = list(r.get("required_credit_grades") or [])
    if facts.credit_grade in (None, "", unrated) or (scale and facts.credit_grade not in scale):
        label = f"环境信用等级为{'、'.join(good)}" if good else "环境信用等级已评价"
        return _criterion("credit_grade", label, False,
                          f"当前环境信用等级：{facts.credit_grade or unrated}（尚未评价，不能证明信用良好）")
    if good:
        return _criterion("credit_grade", f"环境信用等级为{'、'.join(good)}", facts.credit_grade in good,
                          f"当前环境信用等级：{facts.credit_grade}")
    bad = list(r.get("excluded_credit_grades") or credit.get("bad_grades") or [])
    return _criterion("credit_grade", f"环境信用等级不为{'、'.join(bad)}", facts.credit_grade not in bad,
                      f"当前环境信用等级：{facts.credit_grade}")


def sector_not_excluded(facts: Facts, r: dict) -> dict:
    prefixes = [str(p) for p in r["excluded_industry_prefixes"]]
    hit = next((p for p in prefixes if facts.industry_code.startswith(p)), None)
    return _criterion("sector_not_excluded", "不属于排除行业", hit is None,
                      f"行业代码{facts.industry_code}属于排除行业（{hit}）" if hit
                      else f"行业代码{facts.industry_code}不在排除行业（{'、'.join(prefixes) or '无'}）之内")


BASE_CRITERIA = (permit_complete, no_penalty, no_incident, selfcheck_completion, no_overdue_rectification,
                 serious_problems_verified, online_monitoring, credit_grade, sector_not_excluded)
POSITIVE_LIST_CRITERIA = {f.__name__: f for f in BASE_CRITERIA} | FACT_CRITERIA
DEFAULT_POSITIVE_LIST = [f.__name__ for f in BASE_CRITERIA]  # when a section names no `criteria`


def _chosen(table: dict, r: dict) -> list:
    """The criteria a rules section asks for: `criteria` (codes, in order) or all but `disabled_criteria`."""
    codes = r.get("criteria") or (DEFAULT_POSITIVE_LIST if table is POSITIVE_LIST_CRITERIA else list(table))
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise ValueError(f"unknown eligibility criteria in rules: {unknown}")
    disabled = set(r.get("disabled_criteria") or [])
    return [table[c] for c in codes if c not in disabled]


def positive_list(facts: Facts, rules: dict) -> dict:
    r = {"_credit": rules.get("credit") or {}, **rules["positive_list"]}
    criteria = [check(facts, r) for check in _chosen(POSITIVE_LIST_CRITERIA, r)]
    return {"eligible": all(c["passed"] for c in criteria), "criteria": criteria}


# --- credit repair: app/supervision/repair_criteria.py (re-exported here) -------------------------

_REPAIR_NAMES = ("CREDIT_REPAIR_CRITERIA", "credit_repair", "publication", "not_repaired", "problems_verified",
                 "fine_paid", "publication_period", "commitment", "no_new_violation")


def __getattr__(name: str):
    if name in _REPAIR_NAMES:
        from app.supervision import repair_criteria

        return getattr(repair_criteria, name)
    raise AttributeError(name)


def evaluate(enterprise: Enterprise, today: date | None = None, penalty_id: int | None = None) -> dict:
    rules = rules_for(enterprise)
    facts = gather_facts(enterprise, today, rules)
    from app.supervision.dynamic import membership  # dynamic imports enterprises, which imports us lazily
    from app.supervision.repair_criteria import credit_repair

    return {"enterprise_id": enterprise.id, "as_of": facts.today, "province": rules["province"],
            "membership": membership(enterprise.id, facts.today),
            "positive_list": positive_list(facts, rules),
            "credit_repair": credit_repair(facts, rules, penalty_id)}
