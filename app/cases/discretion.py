"""裁量辅助: the province's discretion standard gives a suggested fine with its arithmetic; 类案同罚 lookup.

Two published models, chosen per standard by `mode`:
- "range" (default): amount = minimum + (maximum − minimum) × percent, percent = start + Σ factor percentages
  (kept within 0–100%);
- "of_maximum" (权重累加, e.g. 粤环发〔2021〕7号 第六条): amount = percent × maximum, percent = start + Σ weights (at
  most 100%, at least `floor_percent` where the table says so), never below the statutory minimum.
The suggestion is a band of ±band_percent of the range around that amount; a decision outside it needs a reason.
"""
from sqlalchemy import select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import enterprise_clause
from app.cases import rules
from app.cases.evaluation import prior_cases, self_report_fact
from app.cases.models import PENALISING, Case
from app.extensions import db

REPEAT_OPTIONS = ("once", "twice", "thrice", "more")


def _auto_choice(case: Case, kind: str, months: int = 24) -> tuple[str, str]:
    if kind == "repeat":
        count = len(prior_cases(case, months)) + 1
        return REPEAT_OPTIONS[min(count, 4) - 1], f"系统统计：近{months}个月同一违法行为{count}次（含本次）"
    reported, detail, _ = self_report_fact(case)
    return ("yes" if reported else "no"), f"系统判断：{detail}"


def compute(standard: dict, fine_range: list, choices: dict) -> dict:
    """Pure arithmetic of one standard for given factor choices {factor: option}."""
    low, high = float(fine_range[0]), float(fine_range[1])
    start = float(standard.get("start_percent", 0))
    lines, total = [], start
    for code, factor in standard["factors"].items():
        option = choices.get(code)
        if option not in factor["options"]:
            lines.append({"factor": code, "label": factor["label"], "option": None, "option_label": "未选择",
                          "percent": 0.0})
            continue
        option_label, percent = factor["options"][option]
        total += float(percent)
        lines.append({"factor": code, "label": factor["label"], "option": option, "option_label": option_label,
                      "percent": float(percent)})
    terms = " + ".join(f"{line['percent']:g}%" for line in lines if line["option"]) or "0%"
    arithmetic = f"裁量百分比 = 起点{start:g}% + {terms} = {total:g}%"
    if standard.get("mode", "range") == "of_maximum":
        floor = float(standard.get("floor_percent", 0))
        clamped = max(floor, min(100.0, total))
        if clamped != total:
            arithmetic += f"（{'不足' + format(floor, 'g') + '%按' if clamped == floor else '超过100%按'}{clamped:g}%计算）"
        amount = round(high * clamped / 100)
        arithmetic += f"；建议罚款 = {clamped:g}% × {high:,.0f} = {amount:,.0f}元"
        if amount < low:
            amount = round(low)
            arithmetic += f"，低于法定最低罚款，按{low:,.0f}元"
    else:
        clamped = max(0.0, min(100.0, total))
        amount = round(low + (high - low) * clamped / 100)
        arithmetic += ((f"（按0–100%取{clamped:g}%）" if clamped != total else "")
                       + f"；建议罚款 = {low:,.0f} + ({high:,.0f} − {low:,.0f}) × {clamped:g}% = {amount:,.0f}元")
    return {"percent": clamped, "amount": amount, "lines": lines, "arithmetic": arithmetic,
            "statutory_range": [low, high]}


def suggest(case: Case) -> dict:
    pack = rules.pack(case.province)
    spec = pack.get("discretion", {})
    violation = rules.violation(case.province, case.violation_code)
    standard = spec.get("standards", {}).get(case.violation_code or "")
    source = spec.get("source") or {}
    if not violation or not standard or not violation.get("fine_range"):
        return {"available": False, "reason": "本省裁量基准未收录该违法行为或其法定罚款幅度，请依法自行裁量",
                "source": source}
    choices, notes = dict(case.factors or {}), []
    for code, factor in standard["factors"].items():
        if factor.get("auto") and code not in choices:
            choices[code], note = _auto_choice(case, factor["auto"])
            notes.append({"factor": code, "detail": note})
    result = compute(standard, violation["fine_range"], choices)
    low, high = result["statutory_range"]
    band = (high - low) * float(spec.get("band_percent", 0)) / 100
    result.update(available=True, source=source, auto=notes,
                  band=[max(low, result["amount"] - band), min(high, result["amount"] + band)],
                  penalty_article=violation["penalty"], note="建议金额仅供参考，由执法人员依法裁量")
    return result


def similar_cases(user: User, case: Case, limit: int = 10) -> list[dict]:
    """类案同罚: decided cases of the same violation in the user's jurisdiction, newest first."""
    if not case.violation_code:
        return []
    rows = db.session.execute(
        select(Case.id, Case.number, Case.decision, Case.amount, Case.decided_on, Enterprise.region_code)
        .join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(enterprise_clause(user), Case.violation_code == case.violation_code, Case.id != case.id,
               Case.decision.is_not(None))
        .order_by(Case.decided_on.desc(), Case.id.desc()).limit(limit)).all()
    return [{"case_id": r.id, "number": r.number, "decision": r.decision,
             "amount": float(r.amount) if r.decision in PENALISING and r.amount is not None else 0.0,
             "decided_on": r.decided_on.isoformat() if r.decided_on else None, "region_code": r.region_code} for r in rows]
