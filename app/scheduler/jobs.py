"""Every periodic job, in one list with stable ids (times are Asia/Shanghai).

A job is a service function called with `as_of` — the instant it runs as of — and never reads
the wall clock itself. Every job is idempotent (unique keys in the database), so a catch-up after
downtime, a repeated `flask scheduler tick`, or two racing schedulers do nothing twice.
Functions are named by import string ("module:function") so that importing the list stays cheap;
`resolve` raises on an entry that does not resolve, and `flask scheduler jobs` (run by the tests)
resolves every entry, so a wrong name fails CI instead of a night's run.
"""
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.common.timeutil import as_utc, local_date


@dataclass(frozen=True)
class Job:
    id: str                     # stable: the scheduler's job id and the catch-up bookkeeping key
    func: str                   # "module:function", called as func(as_of)
    trigger: dict               # APScheduler trigger kwargs: {"cron": {...}} or {"interval": {...}}
    takes: str = "instant"      # "instant" → aware datetime; "date" → the local date of as_of
    catch_up: str = "latest"    # after downtime: "latest" → once as of the last missed time; "each" → every one
    executor: str = "default"
    description: str = field(default="", compare=False)


def _daily(hour: int, minute: int) -> dict:
    return {"cron": {"hour": hour, "minute": minute}}


JOBS: tuple[Job, ...] = (
    Job("rollups_roll_day", "app.rollups.enterprise:roll", _daily(0, 1), takes="date",
        description="企业状态汇总滚动到当日（逾期数按日期变化）"),
    Job("generate_selfchecks", "app.selfcheck.service:generate_due_selfchecks", _daily(0, 10), takes="date",
        catch_up="each", description="生成到期的自查任务"),
    Job("risk_warnings", "app.supervision.warnings:run_daily_warnings", _daily(7, 0), takes="date",
        description="每日风险预警"),
    Job("positive_list_dynamic", "app.supervision.dynamic:daily_check", _daily(7, 5), takes="date",
        description="正面清单动态管理：处罚、事件、降级、许可证过期、重大问题逾期自动暂停并通知监管确认"),
    Job("selfcheck_reminders", "app.notify.reminders:selfcheck_reminders", _daily(8, 0),
        description="自查到期提醒"),
    Job("rectification_reminders", "app.notify.reminders:rectification_reminders", _daily(8, 5),
        description="整改期限提醒"),
    Job("escalations", "app.notify.reminders:escalations", _daily(8, 10),
        description="逾期升级与待核查超时提醒"),
    Job("permit_expiry", "app.notify.reminders:permit_expiry_reminders", _daily(8, 15),
        description="排污许可证到期提醒"),
    Job("obligations", "app.obligations.service:compose_all", _daily(0, 20), takes="date",
        description="生成法定义务日历并为逾期事项开具问题"),
    Job("obligation_reminders", "app.obligations.reminders:obligation_reminders", _daily(8, 20),
        description="法定义务到期提醒"),
    Job("request_escalations", "app.requests.reminders:request_reminders", _daily(8, 25),
        description="企业诉求办理时限提醒与升级"),
    Job("monitoring_judgement", "app.monitoring.judgement:judge_previous_day", _daily(0, 40), takes="date",
        catch_up="each", description="在线监测日判定：数据缺失、日排放量、排放量超许可"),
    Job("clue_reminders", "app.clues.reminders:clue_reminders", _daily(8, 35),
        description="线索移送接收与办结期限提醒"),
    Job("daily_digest", "app.notify.digest:daily_digests", _daily(8, 30), description="每日监管摘要与消息汇总"),
    Job("cleanup_idempotency_keys", "app.common.tx:delete_expired_idempotency_records", _daily(3, 30),
        description="清理过期的幂等键"),
    Job("deliver_notifications", "app.notify.delivery:deliver_due", {"interval": {"seconds": 60}},
        executor="delivery", description="发送推送与邮件（失败重试）"),
)

def job_argument(job: Job, as_of: datetime):
    return local_date(as_of) if job.takes == "date" else as_utc(as_of)


def get_job(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


def resolve(job: Job) -> Callable:
    """The job's function; ImportError/AttributeError propagate (a wrong entry is a bug, not a skip)."""
    module_name, _, attr = job.func.partition(":")
    return getattr(importlib.import_module(module_name), attr)
