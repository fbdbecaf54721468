"""四书同达: one PDF with the decision (or 不予行政处罚决定书), 守法建议书, 学法建议书 and 信用修复告知书."""
from flask import render_template

from app.accounts.models import Region, User
from app.cases import rules
from app.cases.evaluation import order_problem
from app.cases.models import DECISIONS, PENALISING, Case
from app.cases.service import doc_numbers
from app.common.errors import Conflict
from app.common.pdf import html_to_pdf
from app.extensions import db
from app.remediation.models import STATUS_LABELS as PROBLEM_LABELS


def issuer_name(region_code: str) -> str:
    """作出决定的机关: the city's 生态环境局 (cases are decided at city level; 分局 act in its name)."""
    city = db.session.get(Region, region_code[:4] + "00")
    return f"{city.name if city else ''}生态环境局"


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "　年　月　日"


def _articles(case: Case, violation: dict, entry: dict | None) -> list[dict]:
    wanted = [violation.get("violated"), violation.get("penalty")]
    if case.decision == "no_penalty":
        wanted += [{"law": "中华人民共和国行政处罚法", "article": "第三十三条第一款"},
                   {"law": "中华人民共和国行政处罚法", "article": "第三十三条第三款"}]
    elif entry and entry.get("basis"):
        wanted.append(entry["basis"])
    out, seen = [], set()
    for ref in wanted:
        if not ref or (ref["law"], ref["article"]) in seen:
            continue
        seen.add((ref["law"], ref["article"]))
        text = rules.article_text(ref["law"], ref["article"]) or {}
        out.append({"law": ref["law"], "article": ref["article"], "text": text.get("text"),
                    "checked": bool(text.get("checked"))})
    return out


def context(case: Case) -> dict:
    if case.documents_issued_on is None:
        raise Conflict("文书尚未制发（案件作出决定并送达后可下载）", code="documents_not_issued")
    pack = rules.pack(case.province)
    violation = rules.violation(case.province, case.violation_code) or {
        "title": case.violation_title, "recommendations": [], "compliant_practice": ""}
    entry = next((e for e in pack.get("entries", []) if e["id"] == case.list_entry_id), None)
    repair = rules.national()["credit_repair"]
    category = repair["categories"].get(case.credit_category or "") if case.decision in PENALISING else None
    problem = order_problem(case)
    return {"case": case, "enterprise": case.enterprise, "numbers": doc_numbers(case),
            "issuer": issuer_name(case.enterprise.region_code), "cn_date": cn_date, "violation": violation, "entry": entry,
            "decision_label": DECISIONS.get(case.decision or "", ""), "penalising": case.decision in PENALISING,
            "articles": _articles(case, violation, entry), "repair": repair, "category": category,
            "problem": problem, "problem_label": PROBLEM_LABELS.get(problem.status) if problem else None,
            "list_label": pack.get("lists", {}).get(rules.entry_lists(entry)[0]) if entry else None}


def documents_pdf(user: User, case: Case) -> bytes:
    return html_to_pdf(render_template("case_documents.html", **context(case)))
