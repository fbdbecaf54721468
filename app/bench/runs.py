"""One seeded self-check run: status, score and grade, its problems (every state), answers, report, events."""
import hashlib
from datetime import timedelta
from types import SimpleNamespace

from app.bench import synth
from app.bench.writer import at_local
from app.common.timeutil import add_days, local_date
from app.remediation.models import ExtensionRequest, Problem, Rectification
from app.reports.models import Report
from app.reports.service import canonical
from app.selfcheck import evaluate
from app.selfcheck.models import Answer, SelfCheck
from app.selfcheck.periods import day_in_period

_OK = SimpleNamespace(result="compliant")
_FAILED = SimpleNamespace(result="non_compliant")
ENT = "enterprise_admin"
REG = "regulator"


def _status(rng, today, due_date) -> str:
    r = rng.random()
    if today <= due_date:  # still open
        return "submitted" if r < 0.35 else "in_progress" if r < 0.55 else "pending"
    return "submitted" if r < 0.92 else "pending" if r < 0.96 else "in_progress"


def make_run(s, ctx, rows, schedule_id, version, title, period, due_day):
    """Append one run (and what hangs off it) to rows; return (run_id, due_date) or None if not open yet."""
    rng, today = s.rng, s.today
    open_date, due_date = day_in_period(period, 1), day_in_period(period, due_day)
    if open_date > today:
        return None
    item_ids, item_json = s.compose(version, ctx.ent)
    by_id = s.items[version.id]
    items = [by_id[i] for i in item_ids]
    status = _status(rng, today, due_date)
    run_id = s._take(SelfCheck)
    created = at_local(open_date, 0, 10)
    run = {"id": run_id, "title": title, "period_label": period.label, "due_date": due_date, "late": False,
           "submitted_at": None, "score": None, "grade": None}
    started = submitted = None
    answered = 0
    failed: list = []
    report_id = None
    if status != "pending":
        latest = min(today, due_date + timedelta(days=10))
        span = max((latest - open_date).days, 0)
        started = at_local(open_date + timedelta(days=rng.randint(0, min(span, 5))), 9, rng.randint(0, 59))
    if status == "submitted":
        late = today > due_date and rng.random() < 0.08
        day = (due_date + timedelta(days=rng.randint(1, 10))) if late else \
            open_date + timedelta(days=rng.randint(0, max((min(due_date, today) - open_date).days, 0)))
        day = min(day, today)
        submitted = max(at_local(day, 15, rng.randint(0, 59)), started + timedelta(minutes=30))
        if local_date(submitted) > today:
            submitted = started + timedelta(minutes=30)
        failed = rng.sample(items, min(synth.failure_count(rng), len(items)))
        answers = {i.id: _FAILED if i in failed else _OK for i in items}
        result = evaluate.score(items, answers)
        run.update(late=local_date(submitted) > due_date, submitted_at=submitted, score=result["score"],
                   grade=result["grade"])
        answered = len(items)
        ctx.events.append((started, "selfcheck.started", "selfcheck", run_id, "pending", "in_progress", None,
                           ctx.uid, ENT))
        ctx.events.append((submitted, "selfcheck.submitted", "selfcheck", run_id, "in_progress", "submitted",
                           f"得分 {result['score']}，等级 {result['grade']}" + ("，逾期提交" if run["late"] else ""),
                           ctx.uid, ENT))
    elif status == "in_progress":
        answered = rng.randint(1, max(len(items) - 1, 1))
        ctx.events.append((started, "selfcheck.started", "selfcheck", run_id, "pending", "in_progress", None,
                           ctx.uid, ENT))
    problems = [_problem(s, ctx, rows, run_id, item, submitted) for item in failed]
    if status == "submitted" and (ctx.sample or rng.random() < 0.03):
        report_id = s._take(Report)
        region, seq, number = s.report_number(ctx.county, local_date(submitted).year)
        snap = s.snapshot(ctx, run, items, {i.id for i in failed}, problems, number)
        issued = submitted + timedelta(seconds=1)
        body = canonical(snap)  # stored as is: the canonical text is valid JSON, hashed once
        rows["report"].append((report_id, number, region, local_date(submitted).year, seq, run_id, ctx.eid,
                               run["score"], run["grade"], body.decode(), hashlib.sha256(body).hexdigest(),
                               False, issued))
        ctx.events.append((issued, "report.issued", "report", report_id, None, "issued", f"{number}", ctx.uid, ENT))
    if ctx.sample and status != "pending":
        updated = submitted or started
        failed_ids = {i.id for i in failed}
        for item in items[:answered]:
            result, value, uploads = synth.answer_for(item, item.id in failed_ids, ctx.upload_id, today)
            rows["answer"].append((s._take(Answer), run_id, item.id, result, value, None,
                                   ctx.photo_json if uploads else "[]", updated, ctx.uid))
    rows["run"].append((run_id, schedule_id, ctx.eid, version.id, title, period.key, period.label, open_date,
                        due_date, status, item_json, ctx.uid, started, submitted,
                        ctx.uid if submitted else None, run["late"], answered, run["score"], run["grade"],
                        report_id, created))
    return run_id, due_date


def _problem(s, ctx, rows, run_id, item, submitted) -> dict:
    """A problem for a non-compliant item, advanced through its lifecycle according to its age."""
    rng, today = s.rng, s.today
    pid = s._take(Problem)
    created_day = local_date(submitted)
    deadline = add_days(created_day, item.time_limit_days or 30)
    needs_regulator = item.severity != "一般"
    age = (today - created_day).days
    r = rng.random()
    if r < 0.01:
        status = "cancelled"
    elif deadline < today or age > 45:
        status = ("verified" if needs_regulator else "self_closed") if r < 0.85 else \
            "submitted" if r < 0.90 else "open" if r < 0.95 else "rectifying"
    else:
        status = "open" if r < 0.30 else "rectifying" if r < 0.60 else "extension_requested" if r < 0.65 \
            else "submitted" if r < 0.85 else ("verified" if needs_regulator else "self_closed")
    events = ctx.events
    opened = submitted + timedelta(seconds=2)
    events.append((opened, "problem.opened", "problem", pid, None, "open", f"自查发现：{item.code}", ctx.uid, ENT))
    span = max((min(today, deadline) - created_day).days, 1)
    accepted = opened + timedelta(days=rng.randint(0, min(span, 5)), hours=1)
    rect_at = accepted + timedelta(days=rng.randint(1, max(span - 5, 1)))
    if local_date(rect_at) > today:
        rect_at = accepted + timedelta(hours=2)
    sub_at = closed_at = None
    if status in ("rectifying", "extension_requested", "submitted", "verified", "self_closed"):
        events.append((accepted, "problem.accepted", "problem", pid, "open", "rectifying", "已制定整改计划", ctx.uid, ENT))
    if status == "extension_requested":
        ext_at = accepted + timedelta(hours=3)
        events.append((ext_at, "problem.extension_requested", "problem", pid, "rectifying", "extension_requested",
                       "申请延期15天：设备采购周期较长", ctx.uid, ENT))
        rows["ext"].append((s._take(ExtensionRequest), pid, 15, "设备采购周期较长", "rectifying", ctx.uid, ext_at,
                            None, None, None, None, None))
    if status in ("submitted", "verified", "self_closed"):
        sub_at = rect_at
        to = "self_closed" if status == "self_closed" else "submitted"
        events.append((sub_at, f"problem.{'self_closed' if to == 'self_closed' else 'rectification_submitted'}",
                       "problem", pid, "rectifying", to, "已完成整改并上传整改照片", ctx.uid, ENT))
        review_at = sub_at + timedelta(days=rng.randint(1, 4)) if status == "verified" else None
        if review_at and local_date(review_at) > today:
            review_at = sub_at + timedelta(hours=4)
        closed_at = review_at if status == "verified" else sub_at if status == "self_closed" else None
        rows["rect"].append((s._take(Rectification), pid, "已完成整改并上传整改照片", ctx.photo_json, ctx.photo_json,
                             ctx.uid, sub_at, "approve" if review_at else None, "核查通过，销号" if review_at else None,
                             ctx.regulator if review_at else None, review_at))
        if review_at:
            events.append((review_at, "problem.verified", "problem", pid, "submitted", "verified", "核查通过，销号",
                           ctx.regulator, REG))
    if status == "cancelled":
        closed_at = opened + timedelta(days=1)
        events.append((closed_at, "problem.cancelled", "problem", pid, "open", "cancelled", "重复登记", ctx.regulator,
                       REG))
    observed = "现场检查发现不符合要求"
    uploads = [ctx.upload_id] if synth.needs_photo(item, True) else []
    row = {"id": pid, "item_code": item.code, "title": (item.finding or item.question)[:200], "description": observed,
           "severity": item.severity, "legal_basis": item.legal_basis, "recommendation": item.recommendation,
           "deadline": deadline, "upload_ids": uploads}
    rows["problem"].append((pid, ctx.eid, "selfcheck", run_id, item.id, item.code, (item.finding or item.question)[:200], observed,
                            "", item.section_title, item.severity, item.legal_basis_json, item.recommendation,
                            ctx.photo_json if uploads else "[]",
                            deadline, deadline, ctx.uid, status, needs_regulator, False,
                            "已制定整改计划" if status != "open" else None, None, ctx.uid, opened, sub_at,
                            closed_at))
    return row
