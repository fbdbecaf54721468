"""四张清单 / 首违不罚 evaluation for one case, explained condition by condition (the regulator decides).

Each condition is True (met), False (not met) or None (待核实: a fact not yet recorded or not yet known, such
as a rectification still within its deadline). An entry is `eligible` only when every condition is met and
no exclusion applies; any unmet condition or present exclusion makes it `not_eligible`; otherwise `pending`.
"""
from datetime import date

from sqlalchemy import select

from app.cases import rules
from app.cases.models import Case, CaseStatus
from app.common.timeutil import add_months, local_date, today_local, working_days_between
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus

SELF_SOURCES = {"self_report": "企业主动报告", "selfcheck": "企业自查发现"}
ORDER = ("no_penalty", "minor_no_penalty", "first_offence_no_penalty", "mitigated", "lighter", "no_coercion")


def _cond(kind, label, passed, detail, evidence=()):
    return {"kind": kind, "label": label, "passed": passed, "detail": detail, "evidence_ids": list(evidence)}


def prior_cases(case: Case, months: int | None) -> list[Case]:
    """Earlier established cases (decided, not withdrawn) of the same violation by the same enterprise."""
    if not case.violation_code:
        return []
    stmt = select(Case).where(Case.enterprise_id == case.enterprise_id, Case.violation_code == case.violation_code,
                              Case.id != case.id, Case.decision.is_not(None),
                              Case.status != CaseStatus.WITHDRAWN, Case.discovered_on <= case.discovered_on)
    if months:
        stmt = stmt.where(Case.discovered_on > add_months(case.discovered_on, -int(months)))
    return [c for c in db.session.scalars(stmt.order_by(Case.discovered_on, Case.id))
            if (c.discovered_on, c.id) < (case.discovered_on, case.id or 2**31)]


def order_problem(case: Case) -> Problem | None:
    """The order to correct: the case's rectification problem, else the problem it was opened from."""
    problem_id = case.rectification_problem_id or case.problem_id
    return db.session.get(Problem, problem_id) if problem_id else None


def _corrected(problem: Problem | None, today: date, within_days: int | None = None, working: bool = False):
    if problem is None:
        return None, "未关联责令改正的问题，改正情况待核实", []
    ev = [f"problem:{problem.id}"]
    ordered = local_date(problem.created_at)
    if within_days is not None:
        limit = f"{within_days}个{'工作日' if working else '自然日'}"
    else:
        limit = f"整改期限{problem.deadline}"
    if problem.status in (ProblemStatus.VERIFIED, ProblemStatus.SELF_CLOSED) and problem.closed_at:
        closed = local_date(problem.closed_at)
        if within_days is not None:
            used = working_days_between(ordered, closed) if working else (closed - ordered).days
            ok = used <= within_days
            return ok, f"{ordered}责令改正，{closed}整改销号，用时{used}{'个工作日' if working else '天'}（要求{limit}内）", ev
        ok = closed <= problem.deadline
        return ok, f"{closed}整改销号，{'在' if ok else '晚于'}{limit}{'内' if ok else ''}", ev
    if problem.status == ProblemStatus.CANCELLED:
        return None, "关联问题已撤销，改正情况待核实", ev
    if problem.status == ProblemStatus.SUBMITTED:
        return None, "整改材料已提交，待监管核查", ev
    if problem.is_overdue(today):
        return False, f"已超过{limit}，尚未完成整改", ev
    return None, f"尚在{limit}内，整改进行中", ev


def self_report_fact(case: Case) -> tuple[bool, str, list]:
    """Whether the enterprise reported the problem itself (self-check or 主动报告) before the regulator found it."""
    problem = db.session.get(Problem, case.problem_id) if case.problem_id else None
    if problem is None:
        return False, "案件不是由企业自查或主动报告的问题转来", []
    reported = local_date(problem.created_at)
    if problem.source in SELF_SOURCES and reported <= case.discovered_on:
        return True, f"{SELF_SOURCES[problem.source]}（{reported}），早于执法发现（{case.discovered_on}）", \
            [f"problem:{problem.id}"]
    if problem.source in SELF_SOURCES:
        return False, f"{SELF_SOURCES[problem.source]}晚于执法发现（{reported} > {case.discovered_on}）", \
            [f"problem:{problem.id}"]
    return False, "问题来源为监管发现，不属于主动报告", [f"problem:{problem.id}"]


_OPS = {"le": (lambda a, b: a <= b, "≤"), "lt": (lambda a, b: a < b, "<"),
        "ge": (lambda a, b: a >= b, "≥"), "gt": (lambda a, b: a > b, ">")}


def _condition(case: Case, spec: dict, today: date) -> dict:
    kind, label, facts = spec["kind"], spec["label"], case.circumstances or {}
    if kind == "first_offence":
        prior = prior_cases(case, spec.get("months"))
        window = f"近{spec['months']}个月" if spec.get("months") else "此前"
        detail = (f"{window}同一违法行为已立案{len(prior)}次（" + "、".join(f"{c.number}（{c.discovered_on}）"
                                                            for c in prior) + "）") if prior \
            else f"{window}无同一违法行为的案件"
        return _cond(kind, label, not prior, detail, [f"case:{c.id}" for c in prior])
    if kind == "corrected_in_deadline":
        return _cond(kind, label, *_corrected(order_problem(case), today))
    if kind == "corrected_within":
        return _cond(kind, label, *_corrected(order_problem(case), today, int(spec["days"]),
                                              bool(spec.get("working_days"))))
    if kind == "no_harm":
        harm = facts.get("harm_caused")
        if harm is None:
            return _cond(kind, label, None, "是否造成危害后果待核实（未记录）")
        return _cond(kind, label, not harm, "已造成危害后果" if harm else "经调查未造成危害后果")
    if kind == "threshold":
        value = facts.get(spec["fact"])
        if value is None or isinstance(value, bool):
            return _cond(kind, label, None, f"{label}：数值未记录，待核实")
        check, sign = _OPS[spec["op"]]
        ok = check(float(value), float(spec["value"]))
        return _cond(kind, label, ok, f"记录值 {value}{spec.get('unit', '')}，要求{sign}{spec['value']}{spec.get('unit', '')}")
    if kind == "fact_true":
        value = facts.get(spec["fact"])
        return _cond(kind, label, None if value is None else bool(value),
                     "待核实（未记录）" if value is None else ("是" if value else "否"))
    if kind == "self_reported":
        return _cond(kind, label, *self_report_fact(case))
    return _cond(kind, label, None, f"未知的条件类型 {kind}，须人工判断")


def _exclusion(case: Case, spec: dict) -> dict:
    value = (case.circumstances or {}).get(spec["fact"])
    return {"fact": spec["fact"], "label": spec["label"], "present": None if value is None else bool(value),
            "detail": "未记录，待核实" if value is None else ("存在该情形，不适用本项" if value else "不存在该情形"),
            "source": spec.get("source")}


def evaluate(case: Case, today: date | None = None) -> dict:
    today = today or today_local()
    pack = rules.pack(case.province)
    lists = pack.get("lists", {})
    out = []
    for entry in pack.get("entries", []):
        if entry["violation"] not in ("*", case.violation_code) or not case.violation_code:
            continue
        conditions = [_condition(case, c, today) for c in entry.get("conditions", [])]
        exclusions = [_exclusion(case, e) for e in entry.get("exclusions", [])]
        if any(c["passed"] is False for c in conditions) or any(e["present"] for e in exclusions):
            result = "not_eligible"
        elif all(c["passed"] for c in conditions) and all(e["present"] is False for e in exclusions):
            result = "eligible"
        else:
            result = "pending"
        names = rules.entry_lists(entry)
        source = rules.source_of(case.province, entry.get("source")) or {}
        out.append({"entry_id": entry["id"], "lists": names, "list_labels": [lists.get(n, n) for n in names],
                    "number": entry.get("number", ""), "basis": entry.get("basis"), "result": result,
                    "first_offence": any(c["kind"] == "first_offence" for c in entry.get("conditions", [])),
                    "source_title": source.get("title", ""), "source_url": source.get("url"),
                    "checked": bool(entry.get("checked")), "conditions": conditions, "exclusions": exclusions})
    out.sort(key=lambda e: min(ORDER.index(n) if n in ORDER else 99 for n in e["lists"]))
    reported, detail, evidence = self_report_fact(case)
    mitigating = [{"code": "self_reported", "label": "主动报告（行政处罚法第三十二条第（三）项）",
                   "detail": detail, "evidence_ids": evidence}] if reported else []
    best = next((e for e in out if e["result"] == "eligible"), None)
    if best:
        kind = next((rules.LIST_DECISION[n] for n in best["lists"] if n in rules.LIST_DECISION), None)
        text = (f"符合{best['list_labels'][0]}{best['number']}的全部条件，建议考虑"
                f"{ {'no_penalty': '不予处罚', 'lighter': '从轻处罚', 'mitigated': '减轻处罚'}.get(kind, '适用该清单')}；"
                "系统仅提供建议，由执法人员依法决定")
    else:
        kind, text = None, "没有全部条件均已满足的清单事项；系统仅提供建议，由执法人员依法决定"
    return {"case_id": case.id, "province": case.province, "violation_code": case.violation_code,
            "entries": out, "mitigating": mitigating,
            "recommendation": {"decision": kind, "entry_id": best["entry_id"] if best else None, "text": text}}
