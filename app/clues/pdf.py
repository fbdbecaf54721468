"""附件3 涉嫌环境违法线索移送表 as an A4 PDF with every field filled (WeasyPrint, Noto CJK; extractable text)."""
from flask import render_template

from app.clues.models import CATEGORIES, CONCLUSIONS, MATERIAL_KINDS, OPINIONS, SOURCES
from app.common.pdf import html_to_pdf
from app.inspections.pdf import _boxes, cn_date
from app.inspections.rules import city_of, unit_level, unit_name


def issuing_bureau(unit_code: str) -> str:
    """The bureau whose form it is: a county branch sends on its city bureau's form (长治市生态环境局 …)."""
    return unit_name(city_of(unit_code) if unit_level(unit_code) == "county" else unit_code)


def clue_html(clue) -> str:
    assist = clue.assist_dept or "＿＿＿＿"
    opinions = [{"mark": "■" if key == clue.sender_opinion else "□",
                 "label": f"请协调{assist}科室协助" if key == "assist" else label} for key, label in OPINIONS.items()]
    return render_template(
        "clue_form.html", c=clue, cn_date=cn_date, bureau=issuing_bureau(clue.from_unit_code),
        from_unit=unit_name(clue.from_unit_code), to_unit=unit_name(clue.to_unit_code),
        sources=_boxes(SOURCES, {clue.source}, clue.source_other),
        categories=_boxes(CATEGORIES, set(clue.categories or []), clue.category_other),
        opinions=opinions, kinds=MATERIAL_KINDS, conclusions=CONCLUSIONS)


def clue_pdf(clue) -> bytes:
    return html_to_pdf(clue_html(clue))
