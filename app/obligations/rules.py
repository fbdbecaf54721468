"""Obligation rules as data per province, applicability from the enterprise profile, and their due dates."""
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from app.accounts.models import Enterprise
from app.common.timeutil import add_months
from app.selfcheck.library import applies, enterprise_signature

RULES_DIR = Path(__file__).with_name("rules")
LOOK_BACK_DAYS = 31      # periods due this long ago are still listed when first composed (a missed run catches up)
LOOK_AHEAD_DAYS = 366


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    due: date


@cache
def _load(name: str) -> tuple[dict, ...]:
    path = RULES_DIR / f"{name}.yaml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(raw, list):
        return tuple(raw)
    rules = {r["code"]: r for r in _load(raw["inherit"])} if raw.get("inherit") else {}
    for rule in raw.get("rules") or []:
        rules[rule["code"]] = rule
    return tuple(rules.values())


def province_rules(region_code: str) -> tuple[dict, ...]:
    """The rules pack of the enterprise's province (230000, 140000…), else the national rules."""
    return _load(f"{region_code[:2]}0000") or _load("national")


@cache
def rules_digest() -> str:
    """SHA-256 over every rules file: a changed pack means every calendar is composed again."""
    digest = hashlib.sha256()
    for path in sorted(RULES_DIR.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def all_rules() -> list[dict]:
    return [rule for path in sorted(RULES_DIR.glob("*.yaml")) for rule in _load(path.stem)]


def moved_codes(since: date, today: date) -> set[str]:
    """Codes of the rules that list a period on `today` they did not list on `since`: a fixed schedule's period
    entering the window, or a first cycle (every_years never done: due at the end of the year) of a new year.
    Periods that depend on the enterprise (a permit's expiry, a cycle's last completion) move only when the
    enterprise or the obligation changes, and those changes compose at once or on the next run."""
    moved = set()
    for rule in all_rules():
        kind = rule["recurrence"]
        if kind == "every_years":
            if since.year != today.year:
                moved.add(rule["code"])
        elif kind != "permit_renewal":
            before = {p.key for p in periods(rule, None, since)}
            if any(p.key not in before for p in periods(rule, None, today)):
                moved.add(rule["code"])
    return moved


def miss_codes() -> set[str]:
    """Codes of the rules (in any pack) that open a problem when missed."""
    return {r["code"] for r in all_rules() if (r.get("on_miss") or {}).get("problem")}


def rule_by_code(region_code: str, code: str) -> dict | None:
    return next((r for r in province_rules(region_code) if r["code"] == code), None)


def applicable_rules(enterprise: Enterprise) -> list[dict]:
    groups, permit_class, flags, region_code = enterprise_signature(enterprise)
    return [r for r in province_rules(enterprise.region_code)
            if applies(r.get("applies_to"), groups, permit_class, flags, region_code)
            and (r["recurrence"] != "permit_renewal" or enterprise.permit_valid_until)]


def _quarter_end(year: int, quarter: int) -> date:
    return add_months(date(year, 3 * quarter - 2, 1), 3) - timedelta(days=1)


def periods(rule: dict, enterprise: Enterprise | None, today: date, last_done: date | None = None) -> list[Period]:
    """The rule's periods whose due date falls in the listing window around `today`."""
    low, high = today - timedelta(days=LOOK_BACK_DAYS), today + timedelta(days=LOOK_AHEAD_DAYS)
    kind, out = rule["recurrence"], []
    if kind == "annual":
        due = rule["due"]
        for year in range(today.year - 2, today.year + 2):
            out.append(Period(str(year), f"{year}年度",
                              date(year + int(due.get("year_offset", 0)), int(due["month"]), int(due["day"]))))
    elif kind == "quarterly":
        for year in (today.year - 1, today.year, today.year + 1):
            for q in range(1, 5):
                out.append(Period(f"{year}Q{q}", f"{year}年第{q}季度",
                                  _quarter_end(year, q) + timedelta(days=int(rule["days_after_end"]))))
    elif kind == "monthly":
        first = date(today.year - 1, 1, 1)
        for n in range(36):
            start = add_months(first, n)
            end = add_months(start, 1) - timedelta(days=1)
            out.append(Period(f"{start:%Y-%m}", f"{start.year}年{start.month}月",
                              end + timedelta(days=int(rule["days_after_end"]))))
    elif kind == "every_years":
        due = add_months(last_done, 12 * int(rule["years"])) if last_done else date(today.year, 12, 31)
        return [Period(f"by-{due.isoformat()}", f"{due.year}年{due.month}月{due.day}日前", due)]
    elif kind == "permit_renewal" and enterprise is not None:
        until = enterprise.permit_valid_until
        if until:
            due = until - timedelta(days=int(rule["days_before"]))
            return [Period(f"until-{until.isoformat()}", f"有效期至{until.isoformat()}", due)]
    return [p for p in out if low <= p.due <= high]
