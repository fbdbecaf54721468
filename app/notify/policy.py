"""The reminder policy: the province's ladders (app/rules/<province>/reminders.yaml) with the deployment's
delivery settings (policy.yaml: quiet hours, retries), overridable by app config or another YAML file."""
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml
from flask import current_app

from app.common.timeutil import TZ, as_utc, is_working_day

DEFAULT_FILE = Path(__file__).with_name("policy.yaml")
AUDIENCES = {"assignee_or_admins", "assignee", "admins", "regulator"}


def setting(name: str, default=None):
    """A deployment setting: app config first, then the environment."""
    value = current_app.config.get(name)
    return value if value not in (None, "") else os.environ.get(name, default)


@dataclass(frozen=True)
class Stage:
    offset: int                 # days from the due date; negative = before it
    audience: tuple[str, ...]

    @property
    def name(self) -> str:
        return "D0" if self.offset == 0 else f"D{self.offset:+d}"

    @property
    def escalation(self) -> bool:
        return "regulator" in self.audience


@dataclass(frozen=True)
class Policy:
    selfcheck_due: tuple[Stage, ...]
    rectification_due: tuple[Stage, ...]
    permit_expiry_days: tuple[int, ...]
    review_working_days: int
    quiet_start: time
    quiet_end: time
    retry_backoff_seconds: tuple[int, ...]
    obligation_due: tuple[Stage, ...] = ()      # 法定义务 (app/obligations)
    request_step_due: tuple[Stage, ...] = ()    # 企业诉求 step deadlines (app/requests)
    clue_step_due: tuple[Stage, ...] = ()       # 线索移送: accept, then conclude, by the receiving unit (app/clues)

    def in_quiet_hours(self, moment: datetime) -> bool:
        local = as_utc(moment).astimezone(TZ).time()
        if self.quiet_start > self.quiet_end:       # spans midnight (22:00–07:30)
            return local >= self.quiet_start or local < self.quiet_end
        return self.quiet_start <= local < self.quiet_end

    def after_quiet_hours(self, moment: datetime) -> datetime:
        """The instant push may go out: `moment` itself, or the end of the quiet hours it falls in."""
        moment = as_utc(moment)
        if not self.in_quiet_hours(moment):
            return moment
        local = moment.astimezone(TZ)
        day = local.date()
        if self.quiet_start > self.quiet_end and local.time() >= self.quiet_start:
            day += timedelta(days=1)
        return as_utc(datetime.combine(day, self.quiet_end, TZ))


def _ladder(raw: list) -> tuple[Stage, ...]:
    stages = []
    for entry in raw:
        audience = tuple(entry["to"])
        unknown = set(audience) - AUDIENCES
        if unknown:
            raise ValueError(f"unknown reminder audience {unknown}")
        stages.append(Stage(int(entry["offset"]), audience))
    return tuple(sorted(stages, key=lambda s: s.offset))


def _clock(text: str) -> time:
    hour, minute = str(text).split(":")
    return time(int(hour), int(minute))


DEFAULT_PROVINCE = "230000"


def load_policy(province: str | None = None) -> Policy:
    """Merge the built-in YAML, the province's reminder ladders, NOTIFY_POLICY_FILE and the NOTIFY_POLICY
    dict (later wins per key). Without a province, Heilongjiang's ladders (the pack the demo began with)."""
    from app import rules as rules_packs

    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    raw.update(rules_packs.section(province or DEFAULT_PROVINCE, "reminders"))
    extra_file = setting("NOTIFY_POLICY_FILE")
    if extra_file:
        raw.update(yaml.safe_load(Path(extra_file).read_text(encoding="utf-8")) or {})
    raw.update(current_app.config.get("NOTIFY_POLICY") or {})
    return Policy(
        selfcheck_due=_ladder(raw["selfcheck_due"]),
        rectification_due=_ladder(raw["rectification_due"]),
        permit_expiry_days=tuple(sorted({int(d) for d in raw["permit_expiry_days"]}, reverse=True)),
        review_working_days=int(raw["review_working_days"]),
        quiet_start=_clock(raw["quiet_hours"]["start"]),
        quiet_end=_clock(raw["quiet_hours"]["end"]),
        retry_backoff_seconds=tuple(int(s) for s in raw["retry_backoff_seconds"]),
        obligation_due=_ladder(raw.get("obligation_due") or []),
        request_step_due=_ladder(raw.get("request_step_due") or []),
        clue_step_due=_ladder(raw.get("clue_step_due") or []),
    )


def working_days_cutoff(today: date, working_days: int) -> date:
    """The latest date d such that more than `working_days` working days (holiday calendar) lie in (d, today]."""
    counted, day = 0, today
    while counted <= working_days:
        if is_working_day(day):
            counted += 1
        day -= timedelta(days=1)
    return day
