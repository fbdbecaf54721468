"""Inspection rules per province (rules.yaml): approval chains, caps, ratios, limits; and unit helpers."""
from functools import cache
from pathlib import Path

import yaml
from flask import current_app

from app.accounts.models import POSITION_LABELS, Enterprise, Region
from app.extensions import db

RULES_PATH = Path(__file__).resolve().parent / "rules.yaml"
DEFAULT_PROVINCE = "230000"


@cache
def _load(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def rules_for(region_code: str | None) -> dict:
    """The rules of the province the region belongs to (Heilongjiang's when the province has none)."""
    data = _load(str(current_app.config.get("INSPECTION_RULES_PATH") or RULES_PATH))
    province = f"{(region_code or DEFAULT_PROVINCE)[:2]}0000"
    return data.get(province) or data[DEFAULT_PROVINCE]


def unit_level(unit_code: str) -> str:
    if unit_code.endswith("0000"):
        return "province"
    return "city" if unit_code.endswith("00") else "county"


def city_of(unit_code: str) -> str:
    return unit_code[:4] + "00"


def unit_name(unit_code: str | None) -> str:
    """实施单位 as printed: 哈尔滨市生态环境局 / 哈尔滨市生态环境局道里分局."""
    if not unit_code:
        return ""
    region = db.session.get(Region, unit_code)
    name = region.name if region else unit_code
    level = unit_level(unit_code)
    if level == "county":
        city = db.session.get(Region, city_of(unit_code))
        short = name[:-1] if len(name) > 2 and name[-1] in "区县市旗" else name
        return f"{city.name if city else ''}生态环境局{short}分局"
    return f"{name}生态环境{'厅' if level == 'province' else '局'}"


def chain(kind: str, unit_code: str) -> list[dict]:
    """The approval steps for an inspection or special action of this unit: position, unit, label."""
    steps = rules_for(unit_code)["approval_chains"][kind].get(unit_level(unit_code)) or []
    out = []
    for spec in steps:
        position, _, where = spec.partition("@")
        code = city_of(unit_code) if where == "city" else unit_code
        prefix = f"{unit_name(code)}" if where else ""
        out.append({"position": position, "unit_code": code, "label": prefix + POSITION_LABELS[position]})
    return out


def unit_head(unit_code: str) -> str:
    return rules_for(unit_code)["unit_head"][unit_level(unit_code)]


def supervision_category(enterprise: Enterprise, rules: dict) -> str:
    """重点/一般/特殊 by the first matching rule."""
    for rule in rules["categories"]:
        if rule.get("credit_grades") and enterprise.credit_grade not in rule["credit_grades"]:
            continue
        if rule.get("permit_classes") and enterprise.permit_class not in rule["permit_classes"]:
            continue
        if rule.get("flags_any") and not set(rule["flags_any"]).intersection(enterprise.flags or []):
            continue
        return rule["category"]
    return "一般"
