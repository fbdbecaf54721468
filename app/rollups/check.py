"""Checking the rollups against the base tables, and rebuilding them (`flask rollups verify|rebuild`)."""
from app.common.timeutil import today_local
from app.rollups import enterprise
from app.rollups.maintain import replace
from app.rollups.specs import SPECS, same, stored


def _compare(have: dict, want: dict, limit: int, width: int) -> dict:
    zero = tuple(0 for _ in range(width))  # a stored row of zeros equals no row
    wrong = [k for k in sorted(set(have) | set(want), key=str) if not same(have.get(k, zero), want.get(k, zero))]
    return {"stored": len(have), "expected": len(want), "different": len(wrong),
            "examples": [{"key": [str(x) for x in k], "stored": have.get(k), "expected": want.get(k)}
                         for k in wrong[:limit]]}


def differences(limit: int = 20) -> dict[str, dict]:
    """Per table: rows stored, rows the base tables give, and the keys that differ (at most `limit` shown)."""
    out = {}
    enterprise.current(today_local())
    for spec in SPECS:
        want = spec.compute()
        months: dict[tuple, list] = {}
        for key, values in want.items():  # the month rows are the sums of the day rows the base tables give
            row = months.setdefault((*key[:-1], key[-1].replace(day=1)), [0] * len(values))
            for i, v in enumerate(values):
                row[i] += v
        out[spec.table.name] = _compare(stored(spec), want, limit, len(spec.values))
        out[spec.month_table.name] = _compare(stored(spec, month=True), {k: tuple(v) for k, v in months.items()},
                                              limit, len(spec.values))
    out["rollup_enterprise"] = enterprise.differences(today_local())
    out["rollup_enterprise_cell"] = enterprise.cell_differences()
    return out


def rebuild() -> dict[str, int]:
    """Replace every rollup row with what the base tables give; returns the rows changed per table."""
    out = {spec.table.name: replace(spec, None, None) for spec in SPECS}  # with their month companions
    out["rollup_enterprise"] = enterprise.rebuild(today_local())
    return out
