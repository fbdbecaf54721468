"""Credit repair (信用修复) criteria: each a small function of (facts, rules section, the penalty).

Split from eligibility.py (which re-exports these names); the publication window follows 信用修复管理办法
(国家发展改革委令第36号) with the minimum and maximum months of the province's credit.yaml.
"""
from dataclasses import replace
from datetime import date

from app.common.timeutil import add_months
from app.supervision.eligibility import Facts, PenaltyFact, _chosen, _criterion

# --- credit repair: each criterion also gets the penalty being repaired ---------------------------

def not_repaired(facts: Facts, r: dict, penalty: PenaltyFact) -> dict | None:
    if not penalty.repaired:
        return None  # shown only when it fails
    return _criterion("not_repaired", "失信记录尚未修复", False,
                      f"处罚决定{penalty.decision_no}已完成信用修复", [f"penalty:{penalty.id}"])


def problems_verified(facts: Facts, r: dict, penalty: PenaltyFact) -> dict:
    """已纠正 needs proof: every linked problem verified. An empty set proves nothing."""
    label = "关联问题均已整改并核查销号"
    if not penalty.problem_ids:
        return _criterion("problems_verified", label, False,
                          "该处罚未关联整改问题，无法证明违法行为已纠正（请关联整改问题并经核查销号）",
                          [f"penalty:{penalty.id}"])
    by_id = {p.id: p for p in facts.problems}
    pending = [i for i in penalty.problem_ids if by_id.get(i) is None or by_id[i].status != "verified"]
    detail = (f"关联的{len(penalty.problem_ids)}个问题中有{len(pending)}个尚未核查销号" if pending
              else f"关联的{len(penalty.problem_ids)}个问题均已核查销号")
    return _criterion("problems_verified", label, not pending, detail,
                      [f"problem:{i}" for i in (pending or penalty.problem_ids)])


def fine_paid(facts: Facts, r: dict, penalty: PenaltyFact) -> dict:
    paid = penalty.paid_on is not None or not penalty.amount
    return _criterion("fine_paid", "罚款已缴纳", paid,
                      f"罚款{penalty.amount:.2f}元已于{penalty.paid_on}缴纳" if penalty.paid_on
                      else ("无罚款" if not penalty.amount else f"罚款{penalty.amount:.2f}元尚未登记缴纳"),
                      [f"penalty:{penalty.id}"])


def publication(r: dict, penalty: PenaltyFact, today: date) -> dict:
    """The penalty's publication window (公示期) under 信用修复管理办法 (国家发展改革委令第36号).

    Minimum and maximum months per category come from the pack's credit.yaml; publication ends
    automatically at the maximum (counted from the decision date).
    """
    categories = (r.get("_credit") or {}).get("penalty_categories") or {}
    cat = categories.get(penalty.credit_category) or {}
    legacy = (r.get("min_publication_months") or {}).get(penalty.credit_category)
    least = int(legacy if legacy is not None else cat.get("min_publication_months", 0))
    most = cat.get("max_publication_months")
    min_ends = add_months(penalty.decided_on, least)
    max_ends = add_months(penalty.decided_on, int(most)) if most is not None else None
    basis = (r.get("_credit") or {}).get("publication_basis") or {}
    return {"credit_category": penalty.credit_category, "min_months": least,
            "max_months": int(most) if most is not None else None, "min_ends_on": min_ends,
            "max_ends_on": max_ends, "ended": bool(max_ends and max_ends <= today),
            "basis": f"{basis.get('law', '')} {basis.get('article', '')}".strip(),
            "basis_checked": bool(basis.get("checked", False))}


def publication_period(facts: Facts, r: dict, penalty: PenaltyFact) -> dict:
    p = publication(r, penalty, facts.today)
    months, ends = p["min_months"], p["min_ends_on"]
    tail = f"；最长公示期{p['max_months']}个月，至{p['max_ends_on']}自动停止公示" if p["max_ends_on"] else ""
    return _criterion(
        "publication_period", "最短公示期已满", ends <= facts.today,
        f"{penalty.credit_category}最短公示期{months}个月，处罚决定日{penalty.decided_on}，"
        + (f"已于{ends}届满" if ends <= facts.today else f"须至{ends}届满（尚余{(ends - facts.today).days}天）")
        + tail, [f"penalty:{penalty.id}"])


def commitment(facts: Facts, r: dict, penalty: PenaltyFact) -> dict | None:
    if not r.get("require_commitment", True):
        return None
    committed = penalty.id in facts.committed_penalty_ids
    return _criterion("commitment", "已提交信用承诺", committed,
                      "已提交信用承诺书" if committed else "尚未提交信用承诺（提交信用修复申请时一并填写）")


def no_new_violation(facts: Facts, r: dict, penalty: PenaltyFact) -> dict:
    months = int(r["observation_months"])
    since = add_months(facts.today, -months)
    newer = [p for p in facts.penalties if p.id != penalty.id and p.decided_on > since
             and (p.decided_on, p.id) > (penalty.decided_on, penalty.id)]
    return _criterion(
        "no_new_violation", f"观察期（近{months}个月）内无新的违法行为", not newer,
        f"观察期内有{len(newer)}次新的行政处罚" if newer else f"近{months}个月（{since}以来）无新的行政处罚",
        [f"penalty:{p.id}" for p in newer])


CREDIT_REPAIR_CRITERIA = {f.__name__: f for f in (
    not_repaired, problems_verified, fine_paid, publication_period, commitment, no_new_violation)}


def credit_repair(facts: Facts, rules: dict, penalty_id: int | None = None,
                  assume_commitment: bool = False) -> dict:
    """Criteria for repairing one penalty (the given one, else the latest unrepaired one)."""
    r = {"_credit": rules.get("credit") or {}, **rules["credit_repair"]}
    candidates = [p for p in facts.penalties if not p.repaired]
    if penalty_id is not None:
        penalty = next((p for p in facts.penalties if p.id == penalty_id), None)
    else:
        penalty = max(candidates, key=lambda p: (p.decided_on, p.id)) if candidates else None
    if penalty is None:
        return {"eligible": False, "penalty_id": None, "criteria": [_criterion(
            "has_penalty", "存在待修复的失信记录", False, "没有需要修复的行政处罚失信记录")]}
    if assume_commitment:  # the application being filed carries its commitment
        facts = replace(facts, committed_penalty_ids=facts.committed_penalty_ids | {penalty.id})
    criteria = [c for check in _chosen(CREDIT_REPAIR_CRITERIA, r) if (c := check(facts, r, penalty)) is not None]
    return {"eligible": all(c["passed"] for c in criteria), "penalty_id": penalty.id, "criteria": criteria,
            "publication": publication(r, penalty, facts.today)}
