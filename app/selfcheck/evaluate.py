"""Rules that turn an entered value into a result, check completeness, and score a run."""
from datetime import date

from app import rules as rules_packs
from app.selfcheck import judgement

DEFAULT_PROVINCE = "230000"
GRADE_LABELS = {"A": "优", "B": "良", "C": "中", "D": "差"}  # every shipped pack's grade_labels


def scoring(province: str | None = None) -> dict:
    """Weights and grade thresholds of a province (app/rules/<province>/scoring.yaml)."""
    return rules_packs.section(province or DEFAULT_PROVINCE, "scoring")


def scoring_for(enterprise) -> dict:
    return scoring(rules_packs.province_of(enterprise.region_code)) if enterprise is not None else scoring()


def parse_number(value) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def parse_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        return None


def derive_result(item, result: str | None, value, today: date, enterprise=None) -> str | None:
    """Apply the item's automatic rule: an out-of-range number is non-compliant whatever was chosen.

    Items with a profile-dependent `judgement` (limit tables, permit renewal) are judged in judgement.py.
    """
    if judgement.is_calendar(item):
        verdict = judgement.judge(item, result, value, today, enterprise)
        return verdict.result if verdict is not None else result
    if result == "not_applicable" or value in (None, ""):
        return result
    verdict = judgement.judge(item, result, value, today, enterprise)
    if verdict is not None:
        return verdict.result
    if item.answer_type == "number":
        number = parse_number(value)
        if number is None:
            return result
        low, high = item.range_min, item.range_max
        inside = (low is None or number >= low) and (high is None or number <= high)
        return "compliant" if inside else "non_compliant"
    if item.answer_type == "date":
        when = parse_date(value)
        rule = item.date_rule or {}
        if when is None:
            return result
        if rule.get("rule") == "not_expired":
            return "compliant" if when >= today else "non_compliant"
        if "within_days" in rule:
            return "compliant" if 0 <= (today - when).days <= int(rule["within_days"]) else "non_compliant"
    if item.answer_type == "choice" and item.compliant_choices is not None:
        return "compliant" if value in item.compliant_choices else "non_compliant"
    return result


def missing(items, answers_by_item: dict) -> tuple[list[str], list[str]]:
    """Codes of unanswered items, and codes of items whose evidence rule is not met."""
    unanswered, no_evidence = [], []
    for item in items:
        answer = answers_by_item.get(item.id)
        if answer is None or answer.result is None:
            unanswered.append(item.code)
            continue
        if answer.result == "not_applicable":
            continue
        if item.answer_type in ("number", "date", "choice", "text") and answer.value in (None, ""):
            unanswered.append(item.code)
            continue
        needs_photo = (item.evidence_rule == "photo_always" or item.answer_type == "photo"
                       or (item.evidence_rule == "photo_if_noncompliant" and answer.result == "non_compliant"))
        if (needs_photo and not judgement.has_evidence(item, answer)) or judgement.needs_proof(item, answer):
            no_evidence.append(item.code)
    return unanswered, no_evidence


def score(items, answers_by_item: dict, severities: dict | None = None, rules: dict | None = None) -> dict:
    """Score = 100 × compliant weight / applicable weight (the pack's weights: 一般 1, 较重 3, 重大 5), one decimal.

    管理建议 items (statutory false) are counted apart and never scored. `severities` overrides an item's
    severity where its judgement found a graver case (an expired permit is 重大). `rules`: the province's
    scoring section (Heilongjiang's when not given).
    """
    rules = rules or scoring()
    weights = rules["severity_weights"]
    applicable = compliant = 0
    counts = {"checked": len(items), "compliant": 0, "non_compliant": 0, "not_applicable": 0, "advice": 0}
    major_failure = False
    for item in items:
        answer = answers_by_item.get(item.id)
        result = answer.result if answer else None
        if getattr(item, "statutory", True) is False:
            counts["checked"] -= 1
            counts["advice"] += 1
            continue
        if result in counts:
            counts[result] += 1
        if result not in ("compliant", "non_compliant"):
            continue
        severity = (severities or {}).get(item.id, item.severity)
        weight = weights[severity]
        applicable += weight
        if result == "compliant":
            compliant += weight
        elif severity == "重大":
            major_failure = True
    value = round(100.0 * compliant / applicable, 1) if applicable else 100.0
    return {"score": value, "grade": grade_for(value, major_failure, rules), **counts}


def grade_for(value: float, major_failure: bool, rules: dict | None = None) -> str:
    rules = rules or scoring()
    grades = [(g["grade"], float(g["min"])) for g in rules["grades"]]
    grade = next((g for g, floor in grades if value >= floor), "D")
    cap = rules.get("major_failure_cap")
    if major_failure and cap and grade < cap:
        grade = cap  # a 重大 non-compliance caps the grade (C in both shipped packs)
    return grade
