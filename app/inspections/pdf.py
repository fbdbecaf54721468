"""附件2 / 附件1 as A4 PDFs in the forms' layout (WeasyPrint, Noto CJK; the text is extractable)."""
from flask import render_template

from app.common.pdf import html_to_pdf
from app.common.timeutil import TZ, as_utc, local_date
from app.inspections.models import INSPECTION_TYPES, METHODS, RESULTS


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "　年　月　日"


def _boxes(options: dict, chosen: set, other_text: str) -> list[dict]:
    return [{"mark": "■" if key in chosen else "□", "label": label,
             "other": (other_text or "＿＿＿＿") if key == "other" else None} for key, label in options.items()]


def inspection_html(insp) -> str:
    return render_template(
        "inspection_form.html", i=insp, cn_date=cn_date, local_date=local_date,
        types=_boxes(INSPECTION_TYPES, {insp.inspection_type}, insp.type_other),
        methods=_boxes(METHODS, set(insp.methods or []), insp.method_other),
        inspectors="；".join(f"{p['name']}（执法证号：{p['cert_no'] or '—'}）" for p in insp.inspectors))


def _local(moment) -> str:
    return as_utc(moment).astimezone(TZ).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def record_html(insp, items: list[dict]) -> str:
    """现场检查笔录: every recorded result with the item's question, in checklist order."""
    questions = {i["code"]: i["question"] for i in items}
    rows = [{"code": r["item_code"], "question": questions.get(r["item_code"], ""), "note": r.get("note") or "",
             "label": RESULTS.get(r["result"], r["result"]), "photos": len(r.get("upload_ids") or [])}
            for r in insp.results or []]
    return render_template(
        "inspection_record.html", i=insp, e=insp.enterprise, rows=rows,
        started=_local(insp.started_at), ended=_local(insp.completed_at),
        inspectors="；".join(f"{p['name']}（执法证号：{p['cert_no'] or '—'}）" for p in insp.inspectors))


def record_pdf(insp, items: list[dict]) -> bytes:
    return _pdf(record_html(insp, items))


def special_action_html(action) -> str:
    return render_template("special_action_form.html", a=action, cn_date=cn_date, local_date=local_date)


def _pdf(html: str) -> bytes:
    return html_to_pdf(html)


def inspection_pdf(insp) -> bytes:
    return _pdf(inspection_html(insp))


def special_action_pdf(action) -> bytes:
    return _pdf(special_action_html(action))
