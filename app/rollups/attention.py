"""The attention list's rule: why an enterprise is red or amber on the regulator's dashboard.

One home for it: the stored state (app/rollups/enterprise.py) keeps each enterprise's colour and rank from
`assess`, and the dashboard writes the reasons of the entries it shows with the same function. The
reference computed from the base tables (app/supervision/dashboard_base.py) is kept separate on purpose:
it is what the rollups are checked against.

- a problem overdue (its deadline has passed, not submitted or closed): 重大 red, 一般/较重 amber;
- a self-check overdue: amber, red after SELFCHECK_RED_DAYS;
- the pollutant permit expired: red; expiring within PERMIT_AMBER_DAYS: amber;
- an environmental credit grade the province counts as bad (rules/<province>/credit.yaml `bad_grades`):
  amber, the last grade of the scale red.
"""
from datetime import date, timedelta

from app import rules as rules_packs
from app.common.vocab import Severity

SELFCHECK_RED_DAYS = 30   # a self-check overdue longer than this is red on the attention list
PERMIT_AMBER_DAYS = 90    # a permit expiring within this is amber
RED, AMBER = "red", "amber"


def credit_scales() -> dict[str, dict]:
    """Each province's credit scale (credit.yaml bad_grades; the last grade of the scale is red)."""
    return {p: rules_packs.section(p, "credit") for p in rules_packs.provinces()}


def assess(state: dict, region_code: str, valid_until: date | None, grade: str | None, today: date,
           scales: dict[str, dict]) -> list[tuple[str, str]]:
    """[(colour, reason)] in the order the list shows them; empty: green. `state` holds the overdue counts."""
    out = []
    for severity, name in ((Severity.GENERAL.value, "general"), (Severity.SERIOUS.value, "serious"),
                           (Severity.MAJOR.value, "major")):
        n, oldest = state.get(f"overdue_{name}") or 0, state.get(f"oldest_{name}")
        if n and oldest is not None:
            out.append((RED if severity == Severity.MAJOR.value else AMBER,
                        f"{n}个{severity}问题整改逾期（最长{(today - oldest).days}天）"))
    late = state.get("overdue_selfchecks") or 0
    if late and state.get("oldest_selfcheck") is not None:
        days = (today - state["oldest_selfcheck"]).days
        out.append((RED if days > SELFCHECK_RED_DAYS else AMBER,
                    f"自查逾期{days}天" + (f"（共{late}次未提交）" if late > 1 else "")))
    if valid_until is not None and valid_until < today:
        out.append((RED, f"排污许可证已过期{(today - valid_until).days}天"))
    elif valid_until is not None and valid_until <= today + timedelta(days=PERMIT_AMBER_DAYS):
        out.append((AMBER, f"排污许可证{(valid_until - today).days}天后到期"))
    scale = scales.get(f"{(region_code or '')[:2]}0000")
    if scale and grade in scale["bad_grades"]:
        out.append((RED if grade == scale["scale"][-1] else AMBER, f"环境信用等级为{grade}"))
    return out


def colour_of(reasons: list[tuple[str, str]]) -> str | None:
    if not reasons:
        return None
    return RED if any(c == RED for c, _ in reasons) else AMBER


def rank(reasons: list[tuple[str, str]]) -> int | None:
    """The list's order as one number (ascending): red before amber, then more reasons first."""
    colour = colour_of(reasons)
    if colour is None:
        return None
    return (0 if colour == RED else 100) + (99 - len(reasons))


def crossing_days(since: date, today: date) -> dict[str, tuple[date, date]]:
    """The date ranges [lo, hi) of each date column whose colour changes between `since` and `today`."""
    red = timedelta(days=SELFCHECK_RED_DAYS)
    amber = timedelta(days=PERMIT_AMBER_DAYS)
    return {"permit_expired": (since, today),                   # valid_until < day
            "permit_soon": (since + amber + timedelta(days=1), today + amber + timedelta(days=1)),  # <= day + 90
            "selfcheck_red": (since - red, today - red)}                                            # days > 30
