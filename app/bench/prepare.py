"""`flask bench prepare`: fresh, fully answered runs to submit and open problems to act on, plus the ids
the load test needs (which user opens which run, report, problem). Each call makes new ones, so a
benchmark can be re-run on the same seeded database."""
import math
from datetime import timedelta

from sqlalchemy import select, text

from app.accounts.models import Enterprise, User
from app.bench import synth
from app.bench.seed import ANSWER_COLS, PROBLEM_COLS, RUN_COLS, read_meta, sample_size, write_meta
from app.bench.writer import AUDIT_COLUMNS, AuditChains, BulkWriter, next_id
from app.common import events as domain_events
from app.common.audit import AuditEvent
from app.common.timeutil import today_local, utcnow
from app.extensions import db
from app.remediation.models import Problem
from app.reports.models import Report
from app.selfcheck import library
from app.selfcheck.models import Answer, ChecklistTemplate, Schedule, SelfCheck

COUNTY_REG, BUSY_COUNTY, CITY, PROVINCE = "bench-reg-{}", "230101", "230100", "230000"


def _pool(size: int) -> list[tuple[User, Enterprise]]:
    names = [f"bench-ent-{n}" for n in range(1, size + 1)]
    rows = db.session.execute(select(User, Enterprise).join(Enterprise, Enterprise.id == User.enterprise_id)
                              .where(User.username.in_(names))).all()
    order = {name: i for i, name in enumerate(names)}
    return sorted(rows, key=lambda r: order[r[0].username])


def _weekly_schedule(enterprise: Enterprise, user: User, template_id: int) -> Schedule:
    schedule = db.session.scalar(select(Schedule).where(
        Schedule.enterprise_id == enterprise.id, Schedule.template_id == template_id, Schedule.recurrence == "weekly"))
    if schedule is None:
        schedule = Schedule(enterprise_id=enterprise.id, template_id=template_id, recurrence="weekly", open_day=1,
                            due_day=7, assignee_id=user.id, active=True)
        db.session.add(schedule)
        db.session.flush()
    return schedule


def prepare(runs: int, problems: int, pool: int) -> dict:
    """Create `runs` answered runs (+1 per user for saving) and `problems` open problems over `pool` users."""
    meta = read_meta()
    pool = min(pool, sample_size(int(meta.get("enterprises", pool))))
    counter = int(meta.get("prepared_counter", 0))
    today, now = today_local(), utcnow()
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "FULL"))
    version = library.latest_published(template.id)
    items_by_id = {i.id: i for i in version.items}
    writer = BulkWriter()
    ids = {m: next_id(m) for m in (SelfCheck, Answer, Problem)}
    users = _pool(pool)
    per_user_runs = math.ceil(runs / len(users)) + 1
    per_user_problems = math.ceil(problems / len(users))
    run_rows, answer_rows, problem_rows, audit_rows = [], [], [], []
    chains = AuditChains(next_id(AuditEvent))
    chains.load_heads([f"ent:{e.id}" for _, e in users])
    fixtures: dict = {"users": {}, "regulators": {}}
    for user, enterprise in users:
        schedule = _weekly_schedule(enterprise, user, template.id)
        item_ids = library.compose(version, enterprise)
        items = [items_by_id[i] for i in item_ids]
        failing = next((i for i in items if i.answer_type == "yes_no_na" and i.evidence_rule != "none"), None)
        saveable = next(i for i in items if i.answer_type == "yes_no_na" and i is not failing)
        upload_id = db.session.scalar(
            text("SELECT id FROM uploads WHERE enterprise_id = :e ORDER BY id LIMIT 1"), {"e": enterprise.id})
        mine = []
        for _ in range(per_user_runs):
            counter += 1
            run_id = ids[SelfCheck]
            ids[SelfCheck] += 1
            run_rows.append((run_id, schedule.id, enterprise.id, version.id, template.name, f"B{counter:07d}",
                             f"基准测试第{counter}期", today - timedelta(days=2), today + timedelta(days=5),
                             "in_progress", item_ids, user.id, now, None, None, False, len(items), None, None, None,
                             now))
            for item in items:
                result, value, uploads = synth.answer_for(item, item is failing, upload_id, today)
                answer_rows.append((ids[Answer], run_id, item.id, result, value, None, uploads, now, user.id))
                ids[Answer] += 1
            mine.append(run_id)
        events, open_ids = [], []
        for k in range(per_user_problems):
            pid = ids[Problem]
            ids[Problem] += 1
            deadline = today + timedelta(days=20)
            problem_rows.append((pid, enterprise.id, "self_report", None, None, None, f"基准测试主动报告问题{k + 1}",
                                 "危废暂存间标识不清", "危废暂存间", "危险废物", "较重", [], "", [], deadline, deadline,
                                 user.id, "open", True, False, None, None, user.id, now, None, None))
            events.append((now + timedelta(microseconds=k), "problem.opened", "problem", pid, None, "open",
                           "企业主动报告", user.id, user.role))
            open_ids.append(pid)
        audit_rows.extend(chains.rows_for(enterprise.id, events))
        report_id = db.session.scalar(select(Report.id).where(Report.enterprise_id == enterprise.id)
                                      .order_by(Report.id.desc()).limit(1))
        fixtures["users"][user.username] = {
            "enterprise_id": enterprise.id, "county": enterprise.region_code, "save_run": mine[-1],
            "save_item": saveable.id, "submit_runs": mine[:-1], "open_problems": open_ids,
            "report_id": report_id, "items_per_run": len(items)}
    # COPY bypasses the ORM: tell the rollups which rows arrived (they are recomputed at the commit)
    domain_events.rows_inserted.send(SelfCheck, rows=[dict(zip(RUN_COLS, r, strict=True)) for r in run_rows])
    domain_events.rows_inserted.send(Problem, rows=[dict(zip(PROBLEM_COLS, r, strict=True)) for r in problem_rows])
    writer.write(SelfCheck.__table__, RUN_COLS, run_rows)
    writer.write(Answer.__table__, ANSWER_COLS, answer_rows)
    writer.write(Problem.__table__, PROBLEM_COLS, problem_rows)
    writer.write(AuditEvent.__table__, AUDIT_COLUMNS, audit_rows)
    chains.flush_heads(writer)
    writer.reset_sequences([SelfCheck.__table__, Answer.__table__, Problem.__table__, AuditEvent.__table__])
    write_meta({"prepared_counter": counter})
    # The largest jurisdictions: 哈尔滨市 and its busiest county (worst cases for lists and dashboards).
    fixtures["regulators"] = {"county": COUNTY_REG.format(BUSY_COUNTY), "city": COUNTY_REG.format(CITY),
                              "province": COUNTY_REG.format(PROVINCE)}
    fixtures["counts"] = {"runs": len(run_rows), "answers": len(answer_rows), "problems": len(problem_rows)}
    return fixtures

