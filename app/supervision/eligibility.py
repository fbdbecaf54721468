"""Positive list (正面清单) and credit repair (信用修复) eligibility.

Thresholds live in rules/eligibility.yaml (or the file named by config ELIGIBILITY_RULES_PATH), so a
province changes them without code. `gather_facts` reads one enterprise's facts in a handful of
queries; `positive_list` and `credit_repair` are pure functions of (facts, rules), and every criterion
explains itself in Chinese with the ids of the records behind it ("problem:12", "penalty:3", ...).
"""
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, or_, select

from app.accounts.models import Enterprise
from app.common.timeutil import add_months, local_date, today_local
from app.extensions import db
from app.remediation.models import Problem
from app.selfcheck.models import SelfCheck, SelfCheckStatus
from app.supervision.models import CreditRepairApplication, Incident, Penalty

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "rules" / "eligibility.yaml"
_cache: dict[tuple, dict] = {}


def rules_path() -> Path:
    configured = current_app.config.get("ELIGIBILITY_RULES_PATH")
    return Path(configured) if configured else DEFAULT_RULES_PATH


def load_rules() -> dict:
    """The rules file, re-read when its path or modification time changes."""
    path = rules_path()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        _cache.clear()
        _cache[key] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _cache[key]


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


def gather_facts(enterprise: Enterprise, today: date | None = None, rules: dict | None = None) -> Facts:
    """Everything the criteria need about one enterprise: five small indexed queries."""
    today = today or today_local()
    rules = rules or load_rules()
    pl = rules["positive_list"]
    facts = Facts(today=today, permit_class=enterprise.permit_class, permit_no=enterprise.permit_no,
                  permit_valid_until=enterprise.permit_valid_until, flags=list(enterprise.flags or []),
                  credit_grade=enterprise.credit_grade, industry_code=enterprise.industry_code)
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


def positive_list(facts: Facts, rules: dict) -> dict:
    r = rules["positive_list"]
    today = facts.today
    out = []

    if facts.permit_class in r.get("permit_exempt_classes", []):
        out.append(_criterion("permit_complete", "排污许可手续齐全", True,
                              f"{facts.permit_class}企业，无需申领排污许可证"))
    elif not facts.permit_no:
        out.append(_criterion("permit_complete", "排污许可手续齐全", False, "未登记排污许可证编号"))
    elif facts.permit_valid_until is None:
        out.append(_criterion("permit_complete", "排污许可手续齐全", False,
                              f"排污许可证{facts.permit_no}未登记有效期，无法确认是否有效"))
    elif facts.permit_valid_until < today:
        out.append(_criterion("permit_complete", "排污许可手续齐全", False,
                              f"排污许可证{facts.permit_no}已于{facts.permit_valid_until}过期"))
    else:
        out.append(_criterion("permit_complete", "排污许可手续齐全", True,
                              f"排污许可证{facts.permit_no}有效期至{facts.permit_valid_until}"))

    months = int(r["penalty_free_months"])
    since = add_months(today, -months)
    recent = [p for p in facts.penalties if p.decided_on > since]
    out.append(_criterion(
        "no_penalty", f"近{months}个月无环境行政处罚", not recent,
        f"近{months}个月有{len(recent)}次环境行政处罚（{'、'.join(f'{p.decision_no}（{p.decided_on}）' for p in recent)}）"
        if recent else f"近{months}个月（{since}以来）无环境行政处罚记录",
        [f"penalty:{p.id}" for p in recent]))

    months = int(r["incident_free_months"])
    since = add_months(today, -months)
    recent_incidents = [i for i in facts.incidents if i[1] > since]
    out.append(_criterion(
        "no_incident", f"近{months}个月无突发环境事件", not recent_incidents,
        f"近{months}个月发生{len(recent_incidents)}起突发环境事件（"
        + "、".join(f"{d}{lvl}" for _, d, lvl in recent_incidents) + "）"
        if recent_incidents else f"近{months}个月（{since}以来）无突发环境事件记录",
        [f"incident:{i[0]}" for i in recent_incidents]))

    months = int(r["selfcheck_window_months"])
    due = len(facts.selfchecks)
    done = sum(1 for _, submitted in facts.selfchecks if submitted)
    need = float(r["selfcheck_min_completion"])
    missed = [f"selfcheck:{i}" for i, submitted in facts.selfchecks if not submitted]
    if due < int(r.get("selfcheck_min_due", 1)):
        out.append(_criterion("selfcheck_completion", f"近{months}个月自查完成率≥{_pct(need)}", False,
                              f"近{months}个月没有应完成的自查，无法评估完成率"))
    else:
        rate = done / due if due else 1.0
        out.append(_criterion(
            "selfcheck_completion", f"近{months}个月自查完成率≥{_pct(need)}", rate >= need,
            f"近{months}个月应完成自查{due}次，已完成{done}次（{_pct(rate)}），要求≥{_pct(need)}", missed))

    months = int(r["late_closure_window_months"])
    overdue = [p for p in facts.problems if p.is_overdue(today)]
    window = add_months(today, -months)
    late = [p for p in facts.problems if p.closed_on and p.status != "cancelled"
            and p.closed_on >= window and p.closed_on > p.deadline]
    parts = []
    if overdue:
        parts.append(f"当前有{len(overdue)}个问题整改逾期")
    if late:
        parts.append(f"近{months}个月有{len(late)}个问题逾期销号")
    out.append(_criterion(
        "no_overdue_rectification", f"无逾期整改，近{months}个月无逾期销号", not parts,
        "；".join(parts) if parts else f"当前无逾期整改问题，近{months}个月问题均按期销号",
        [f"problem:{p.id}" for p in overdue + late]))

    severities = list(r["verified_severities"])
    unverified = [p for p in facts.problems if p.severity in severities and p.status not in ("verified", "cancelled")]
    label = "、".join(severities)
    out.append(_criterion(
        "serious_problems_verified", f"{label}问题均已核查销号", not unverified,
        f"有{len(unverified)}个{label}问题尚未核查销号" if unverified else f"{label}问题均已核查销号",
        [f"problem:{p.id}" for p in unverified]))

    required = [f for f in r["monitoring_required_flags"] if f in facts.flags]
    has = r["monitoring_flag"] in facts.flags
    if not required:
        out.append(_criterion("online_monitoring", "按要求安装自动监测并联网", True, "非重点排污单位，不强制要求自动监测联网"))
    else:
        out.append(_criterion("online_monitoring", "按要求安装自动监测并联网", has,
                              "重点排污单位，已安装自动监测并联网" if has else "重点排污单位，未登记自动监测设备联网"))

    bad = list(r["excluded_credit_grades"])
    out.append(_criterion("credit_grade", f"环境信用等级不为{'、'.join(bad)}", facts.credit_grade not in bad,
                          f"当前环境信用等级：{facts.credit_grade}"))

    prefixes = [str(p) for p in r["excluded_industry_prefixes"]]
    hit = next((p for p in prefixes if facts.industry_code.startswith(p)), None)
    out.append(_criterion("sector_not_excluded", "不属于排除行业", hit is None,
                          f"行业代码{facts.industry_code}属于排除行业（{hit}）" if hit
                          else f"行业代码{facts.industry_code}不在排除行业（{'、'.join(prefixes) or '无'}）之内"))

    disabled = set(r.get("disabled_criteria") or [])
    criteria = [c for c in out if c["code"] not in disabled]
    return {"eligible": all(c["passed"] for c in criteria), "criteria": criteria}


def credit_repair(facts: Facts, rules: dict, penalty_id: int | None = None,
                  assume_commitment: bool = False) -> dict:
    """Criteria for repairing one penalty (the given one, else the latest unrepaired one)."""
    r = rules["credit_repair"]
    today = facts.today
    candidates = [p for p in facts.penalties if not p.repaired]
    if penalty_id is not None:
        penalty = next((p for p in facts.penalties if p.id == penalty_id), None)
    else:
        penalty = max(candidates, key=lambda p: (p.decided_on, p.id)) if candidates else None
    if penalty is None:
        return {"eligible": False, "penalty_id": None, "criteria": [_criterion(
            "has_penalty", "存在待修复的失信记录", False, "没有需要修复的行政处罚失信记录")]}
    out = []
    if penalty.repaired:
        out.append(_criterion("not_repaired", "失信记录尚未修复", False,
                              f"处罚决定{penalty.decision_no}已完成信用修复", [f"penalty:{penalty.id}"]))

    by_id = {p.id: p for p in facts.problems}
    linked = [by_id.get(i) for i in penalty.problem_ids]
    pending = [i for i, p in zip(penalty.problem_ids, linked, strict=True) if p is None or p.status != "verified"]
    if not penalty.problem_ids:
        detail = "该处罚未关联整改问题"
    elif pending:
        detail = f"关联的{len(penalty.problem_ids)}个问题中有{len(pending)}个尚未核查销号"
    else:
        detail = f"关联的{len(penalty.problem_ids)}个问题均已核查销号"
    out.append(_criterion("problems_verified", "关联问题均已整改并核查销号", not pending, detail,
                          [f"problem:{i}" for i in (pending or penalty.problem_ids)]))

    paid = penalty.paid_on is not None or not penalty.amount
    out.append(_criterion("fine_paid", "罚款已缴纳", paid,
                          f"罚款{penalty.amount:.2f}元已于{penalty.paid_on}缴纳" if penalty.paid_on
                          else ("无罚款" if not penalty.amount else f"罚款{penalty.amount:.2f}元尚未登记缴纳"),
                          [f"penalty:{penalty.id}"]))

    months = int(r["min_publication_months"].get(penalty.credit_category, 0))
    ends = add_months(penalty.decided_on, months)
    out.append(_criterion(
        "publication_period", "最短公示期已满", ends <= today,
        f"{penalty.credit_category}最短公示期{months}个月，处罚决定日{penalty.decided_on}，"
        + (f"已于{ends}届满" if ends <= today else f"须至{ends}届满（尚余{(ends - today).days}天）"),
        [f"penalty:{penalty.id}"]))

    if r.get("require_commitment", True):
        committed = assume_commitment or penalty.id in facts.committed_penalty_ids
        out.append(_criterion("commitment", "已提交信用承诺", committed,
                              "已提交信用承诺书" if committed else "尚未提交信用承诺（提交信用修复申请时一并填写）"))

    months = int(r["observation_months"])
    since = add_months(today, -months)
    newer = [p for p in facts.penalties if p.id != penalty.id and p.decided_on > since
             and (p.decided_on, p.id) > (penalty.decided_on, penalty.id)]
    out.append(_criterion(
        "no_new_violation", f"观察期（近{months}个月）内无新的违法行为", not newer,
        f"观察期内有{len(newer)}次新的行政处罚" if newer else f"近{months}个月（{since}以来）无新的行政处罚",
        [f"penalty:{p.id}" for p in newer]))

    disabled = set(r.get("disabled_criteria") or [])
    criteria = [c for c in out if c["code"] not in disabled]
    return {"eligible": all(c["passed"] for c in criteria), "penalty_id": penalty.id, "criteria": criteria}


def evaluate(enterprise: Enterprise, today: date | None = None, penalty_id: int | None = None) -> dict:
    rules = load_rules()
    facts = gather_facts(enterprise, today, rules)
    return {"enterprise_id": enterprise.id, "as_of": facts.today,
            "positive_list": positive_list(facts, rules),
            "credit_repair": credit_repair(facts, rules, penalty_id)}
