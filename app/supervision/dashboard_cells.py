"""The dashboard's cells: {(region, industry): {period: metrics}} and how they add up.

Both sources fill the same cells — the rollups (app/supervision/dashboard.py) and the base tables
(app/supervision/dashboard_base.py) — so everything after filling is shared and the two can be compared.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, literal_column

from app.accounts.models import Enterprise
from app.common.timeutil import TZ, as_utc
from app.common.vocab import SEVERITIES


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 local, end+1 00:00 local) as UTC instants, so datetime columns filter by local date."""
    return (as_utc(datetime.combine(start, time.min, tzinfo=TZ)),
            as_utc(datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ)))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def empty() -> dict:
    return {"enterprises": 0,
            "selfchecks": {"due": 0, "completed": 0, "on_time": 0, "overdue": 0, "completion_rate": None,
                           "average_score": None},
            "problems": {"open": 0, "overdue": 0, "awaiting_review": 0,
                         "by_severity": {s: {"open": 0, "overdue": 0, "awaiting_review": 0} for s in SEVERITIES},
                         "created": 0, "closed": 0, "average_days_to_close": None},
            "positive_list_members": 0, "warnings_open": 0,
            "_score": [0.0, 0], "_days": 0.0}


def num(value) -> float:
    return float(value or 0)


GROUP = (Enterprise.region_code, Enterprise.industry_code)


class Cells:
    """{(region, industry): {period: metrics}}, filled by the parts below, one GROUP BY each.

    With `region_length`, cells are keyed by the first that many characters of the region code — the prefix of
    the regions the breakdown shows (the cities of a province, the counties of a city) — so a province has a
    few hundred cells, not one per county and industry. Everything after filling reads `region[:length]`,
    which is the same either way.
    """

    def __init__(self, periods: dict[str, tuple[date, date]], region_length: int | None = None):
        self.periods = periods
        self.region_length = region_length
        self.cells: dict[tuple, dict] = {}
        self.names: dict[str, str] = {}
        self.attention = {"red": 0, "amber": 0}  # the rollups' cells fill it (app/supervision/dashboard.py)

    def region(self, column):
        """The region key of `column` in SQL."""
        if self.region_length is None:
            return column
        # a literal length (an int of ours): PostgreSQL matches GROUP BY to SELECT by text, not by bound value
        return func.substr(column, literal_column("1"), literal_column(str(int(self.region_length))))

    def group(self, region_column, industry_column) -> tuple:
        return (self.region(region_column), industry_column)

    def __call__(self, region, industry) -> dict:
        return self.cells.setdefault((region, industry), {p: empty() for p in self.periods})


def add(target: dict, values: dict) -> None:
    for k in ("enterprises", "positive_list_members", "warnings_open", "_days"):
        target[k] += values[k]
    target["_score"] = [target["_score"][0] + values["_score"][0], target["_score"][1] + values["_score"][1]]
    for k in ("due", "completed", "on_time", "overdue"):
        target["selfchecks"][k] += values["selfchecks"][k]
    for k in ("open", "overdue", "awaiting_review", "created", "closed"):
        target["problems"][k] += values["problems"][k]
    for severity, bucket in values["problems"]["by_severity"].items():
        mine = target["problems"]["by_severity"].setdefault(severity, {"open": 0, "overdue": 0, "awaiting_review": 0})
        for k, v in bucket.items():
            mine[k] += v


def finish(m: dict) -> dict:
    score_sum, score_n = m.pop("_score")
    days = m.pop("_days")
    m["selfchecks"]["completion_rate"] = rate(m["selfchecks"]["completed"], m["selfchecks"]["due"])
    m["selfchecks"]["average_score"] = round(score_sum / score_n, 1) if score_n else None
    closed = m["problems"]["closed"]
    m["problems"]["average_days_to_close"] = round(days / closed, 1) if closed else None
    return m


def combine(cells: dict, period: str, key) -> dict:
    """Sum the cells by key(region, industry); key returning None sums everything into one bucket."""
    out: dict = {}
    for (region, industry), by_period in cells.items():
        add(out.setdefault(key(region, industry), empty()), by_period[period])
    return out


