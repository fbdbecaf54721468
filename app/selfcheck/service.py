"""Self-check runs: generation from schedules, draft answers, and submission."""
from datetime import date

from sqlalchemy import and_, func, select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit, events
from app.common.dbutil import analyze_after_bulk, insert_many_ignoring
from app.common.errors import Conflict, Forbidden, ValidationFailed
from app.common.schemas import RowView
from app.common.timeutil import local_date, today_local, utcnow
from app.common.tx import compare_and_set_status
from app.evidence.models import Upload
from app.extensions import db
from app.selfcheck import evaluate, judgement, library
from app.selfcheck.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Schedule,
    SelfCheck,
    SelfCheckStatus,
)
from app.selfcheck.periods import day_in_period, period_of

# --- generation ----------------------------------------------------------------------------

def generate_due_selfchecks(as_of: date | None = None) -> int:
    """Create the runs that are open on `as_of` and do not exist yet; return how many were made.

    Idempotent: (schedule, period) is unique, so a second call (or a racing scheduler) adds nothing.
    """
    as_of = as_of or today_local()
    created = 0
    versions: dict[int, object] = {}
    for recurrence in ("weekly", "monthly", "quarterly", "yearly"):
        period = period_of(recurrence, as_of)
        exists = select(SelfCheck.id).where(and_(SelfCheck.schedule_id == Schedule.id,
                                                 SelfCheck.period_key == period.key)).exists()
        # columns, not entities: a month's first day reads ~100 000 schedules at provincial scale, and
        # loading them (and their enterprises) as ORM objects was most of the job's time
        rows = db.session.execute(
            select(Schedule.id, Schedule.template_id, Schedule.open_day, Schedule.due_day, Schedule.assignee_id,
                   ChecklistTemplate.name.label("template_name"), Enterprise.id.label("enterprise_id"),
                   Enterprise.industry_code, Enterprise.industry_name, Enterprise.permit_class, Enterprise.flags,
                   Enterprise.region_code)
            .join(Enterprise, Enterprise.id == Schedule.enterprise_id)
            .join(ChecklistTemplate, ChecklistTemplate.id == Schedule.template_id)
            .where(Schedule.active.is_(True), Schedule.recurrence == recurrence, ~exists)
        ).all()
        compositions: dict[tuple, list[int]] = {}
        batch = []
        now = utcnow()
        for row in rows:  # a row has the attributes enterprise_signature and compose read
            open_date = day_in_period(period, row.open_day)
            if as_of < open_date:
                continue
            if row.template_id not in versions:
                versions[row.template_id] = library.latest_published(row.template_id)
            version = versions[row.template_id]
            if version is None:
                continue
            signature = (version.id, library.enterprise_signature(row))
            if signature not in compositions:
                compositions[signature] = library.compose(version, row)
            batch.append({
                "schedule_id": row.id, "enterprise_id": row.enterprise_id, "version_id": version.id,
                "title": row.template_name, "period_key": period.key, "period_label": period.label,
                "open_date": open_date, "due_date": day_in_period(period, row.due_day),
                "status": SelfCheckStatus.PENDING.value, "item_ids": compositions[signature],
                "assignee_id": row.assignee_id, "late": False, "answered_count": 0,
                "created_at": now,
            })
        created += _insert_ignoring_duplicates(batch)
    # Fresh statistics, or the next call's duplicate check gets a bad plan (41 s → 71 s measured).
    analyze_after_bulk("selfchecks", created)
    return created


def _insert_ignoring_duplicates(rows: list[dict]) -> int:
    inserted = insert_many_ignoring(SelfCheck.__table__, ["schedule_id", "period_key"], rows,
                                    ("id", "enterprise_id", "due_date"))
    events.rows_inserted.send(SelfCheck, rows=inserted)  # the dashboard rollups (app/rollups) count them
    return len(inserted)


def create_schedule(enterprise: Enterprise, template_id: int, recurrence: str, due_day: int,
                    assignee: User | None = None, open_day: int = 1) -> Schedule:
    schedule = Schedule(enterprise_id=enterprise.id, template_id=template_id, recurrence=recurrence,
                        due_day=due_day, open_day=open_day, assignee_id=assignee.id if assignee else None)
    db.session.add(schedule)
    db.session.flush()
    return schedule


# --- reading -------------------------------------------------------------------------------

def list_selfchecks(user: User, status: str | None, page: int, per_page: int):
    stmt = scoped(select(SelfCheck), user, SelfCheck)
    today = today_local()
    if status == "overdue":
        stmt = stmt.where(SelfCheck.status != SelfCheckStatus.SUBMITTED, SelfCheck.due_date < today)
    elif status in ("pending", "in_progress"):
        stmt = stmt.where(SelfCheck.status == status, SelfCheck.due_date >= today)
    elif status == "submitted":
        stmt = stmt.where(SelfCheck.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (SelfCheck.submitted_at.desc(),) if status == "submitted" else (SelfCheck.due_date, SelfCheck.id)
    items = db.session.scalars(stmt.order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def get_selfcheck(user: User, selfcheck_id: int) -> SelfCheck:
    return get_scoped(SelfCheck, selfcheck_id, user, message="未找到该自查任务")


def items_of(selfcheck: SelfCheck) -> list[ChecklistItem]:
    rows = db.session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(selfcheck.item_ids))).all()
    by_id = {i.id: i for i in rows}
    return [by_id[i] for i in selfcheck.item_ids if i in by_id]


def answers_of(selfcheck: SelfCheck) -> dict[int, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.selfcheck_id == selfcheck.id)).all()
    return {a.item_id: a for a in rows}


def allowed_actions(selfcheck: SelfCheck, user: User) -> list[str]:
    return ["save", "submit"] if selfcheck.can_edit(user) else []


# --- answering -----------------------------------------------------------------------------

def selfcheck_detail(selfcheck: SelfCheck, user: User) -> RowView:
    """The checklist page: items grouped by section (each with this enterprise's limit), answers, actions."""
    sections: dict[str, dict] = {}
    items = items_of(selfcheck)
    judgement.prefetch_calendar(items, selfcheck.enterprise, today_local())
    for item in items:
        row = RowView(item, limit_info=judgement.effective_limit(item, selfcheck.enterprise),
                      calendar=_calendar_of(item, selfcheck.enterprise))
        sections.setdefault(item.section_code, {"code": item.section_code, "title": item.section_title,
                                                "items": []})["items"].append(row)
    return RowView(selfcheck, sections=list(sections.values()), answers=list(answers_of(selfcheck).values()),
                   allowed_actions=allowed_actions(selfcheck, user))


def _calendar_of(item, enterprise) -> dict | None:
    """For an item answered from the statutory calendar: its rows and the answer they give (None: ask)."""
    if not judgement.is_calendar(item):
        return None
    today = today_local()
    rows = judgement.calendar_rows(item, enterprise, today)
    verdict = judgement.calendar_verdict(item, enterprise, today, rows)
    return {"rows": rows,
            "result": verdict.result if verdict else None,
            "evidence_ref": judgement.calendar_evidence(verdict) if verdict and verdict.result == "compliant" else None}


def _ensure_editable(selfcheck: SelfCheck, user: User) -> None:
    if not selfcheck.belongs_to(user):
        raise Forbidden("只有本企业用户可以填写自查")
    if selfcheck.is_submitted:
        raise Conflict("该自查已提交，不能再修改", code="already_submitted")


def _check_uploads(upload_ids: list[int], enterprise_id: int, index: int) -> None:
    if not upload_ids:
        return
    found = set(db.session.scalars(select(Upload.id).where(
        Upload.id.in_(upload_ids), Upload.enterprise_id == enterprise_id)).all())
    unknown = [u for u in upload_ids if u not in found]
    if unknown:
        raise ValidationFailed(f"照片不存在或无权使用：{unknown}", code="unknown_upload",
                               details={"fields": {f"answers.{index}.upload_ids": ["照片不存在"]}})


def save_answers(user: User, selfcheck_id: int, entries: list[dict]) -> tuple[SelfCheck, list[Answer]]:
    """Save a subset of answers as a draft; the item's automatic rules set the result."""
    selfcheck = get_selfcheck(user, selfcheck_id)
    _ensure_editable(selfcheck, user)
    # only what the changed items need: their items and their answers, not the checklist's 40-60 of each
    wanted = {e["item_id"] for e in entries} & set(selfcheck.item_ids)
    items = {i.id: i for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(wanted)))} \
        if wanted else {}
    existing = {a.item_id: a for a in db.session.scalars(
        select(Answer).where(Answer.selfcheck_id == selfcheck.id, Answer.item_id.in_(wanted)))} if wanted else {}
    today = today_local()
    saved, notices = [], []
    for index, entry in enumerate(entries):
        item = items.get(entry["item_id"])
        if item is None:
            raise ValidationFailed(f"第{index + 1}条答案的检查项不属于该自查", code="unknown_item",
                                   details={"fields": {f"answers.{index}.item_id": ["检查项不属于该自查"]}})
        upload_ids = list(dict.fromkeys(entry.get("upload_ids") or []))
        _check_uploads(upload_ids, selfcheck.enterprise_id, index)
        value = entry.get("value")
        if item.answer_type == "number" and value not in (None, "") and evaluate.parse_number(value) is None:
            raise ValidationFailed(f"{item.code} 应填写数字", code="validation_error",
                                   details={"fields": {f"answers.{index}.value": ["应为数字"]}})
        if item.answer_type == "date" and value not in (None, "") and evaluate.parse_date(value) is None:
            raise ValidationFailed(f"{item.code} 日期格式应为 YYYY-MM-DD", code="validation_error",
                                   details={"fields": {f"answers.{index}.value": ["日期格式有误"]}})
        answer = existing.get(item.id)
        if answer is None:
            answer = Answer(selfcheck_id=selfcheck.id, item_id=item.id)
            db.session.add(answer)
            existing[item.id] = answer
        answer.result = evaluate.derive_result(item, entry.get("result"), value, today, selfcheck.enterprise)
        answer.value = None if value in (None, "") else str(value)
        answer.note = entry.get("note")
        answer.upload_ids = upload_ids
        answer.evidence_ref = (entry.get("evidence_ref") or "").strip() or None
        if judgement.is_calendar(item) and answer.result == "compliant" and not answer.evidence_ref:
            verdict = judgement.calendar_verdict(item, selfcheck.enterprise, today)
            answer.evidence_ref = judgement.calendar_evidence(verdict) if verdict else None
        answer.updated_at = utcnow()
        answer.updated_by_id = user.id
        saved.append(answer)
        notices.extend(_notices(item, answer, value, today, selfcheck.enterprise))
    if selfcheck.status == SelfCheckStatus.PENDING and saved:
        selfcheck.status = SelfCheckStatus.IN_PROGRESS
        selfcheck.started_at = utcnow()
        audit.record("selfcheck.started", "selfcheck", selfcheck.id, enterprise_id=selfcheck.enterprise_id,
                     from_state="pending", to_state="in_progress")
    db.session.flush()
    selfcheck.answered_count = db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.selfcheck_id == selfcheck.id, Answer.result.is_not(None)))
    selfcheck.notices = notices
    db.session.flush()
    return selfcheck, saved


def _notices(item, answer, value, today, enterprise) -> list[dict]:
    """What the user should know about a saved answer: proof still missing for 合格, judgement notes."""
    out = []
    if judgement.needs_proof(item, answer):
        out.append({"item_id": item.id, "code": item.code, "kind": "proof_required",
                    "message": judgement.proof_message(item) + "（提交前补充）"})
    verdict = judgement.judge(item, answer.result, value, today, enterprise)
    for note in (verdict.notes if verdict else []):
        out.append({"item_id": item.id, "code": item.code, "kind": "judgement", "message": f"{item.code}：{note}"})
    return out


def close_for_submission(user: User, selfcheck_id: int):
    """Validate completeness and evidence, judge again as of today, score and freeze the self-check.

    Returns (selfcheck, items, answers, findings) for the caller that opens problems and issues the
    report in the same transaction (app/reports/submission.py).
    """
    selfcheck = db.session.scalar(
        scoped(select(SelfCheck).where(SelfCheck.id == selfcheck_id), user, SelfCheck).with_for_update(of=SelfCheck))
    if selfcheck is None:
        get_selfcheck(user, selfcheck_id)  # raises NotFound
    _ensure_editable(selfcheck, user)
    items = items_of(selfcheck)
    answers = answers_of(selfcheck)
    today = local_date(utcnow())
    judgement.prefetch_calendar(items, selfcheck.enterprise, today)
    for item in items:  # judgements that depend on the date or the profile are made again on the day of submission
        answer = answers.get(item.id)
        if item.judgement and answer is not None and (answer.result != "not_applicable" or judgement.is_calendar(item)):
            answer.result = evaluate.derive_result(item, answer.result, answer.value, today, selfcheck.enterprise)
    unanswered, no_evidence = evaluate.missing(items, answers)
    if unanswered or no_evidence:
        parts = []
        if unanswered:
            parts.append(f"{len(unanswered)}项未填写")
        proofs = [i for i in items if i.code in no_evidence and judgement.needs_proof(i, answers.get(i.id))]
        photos = [code for code in no_evidence if code not in {i.code for i in proofs}]
        if photos:
            parts.append(f"{len(photos)}项缺少照片")
        parts.extend(judgement.proof_message(i) for i in proofs[:5])
        if len(proofs) > 5:
            parts.append(f"另有{len(proofs) - 5}项“合格”缺少证明")
        raise ValidationFailed("还不能提交：" + "，".join(parts), code="incomplete",
                               details={"missing_items": unanswered, "missing_evidence": no_evidence,
                                        "proof_required": [{"code": i.code, "message": judgement.proof_message(i)}
                                                           for i in proofs]})
    findings = judgement.findings(items, answers, selfcheck.enterprise, today)
    result = evaluate.score(items, answers, {i: v.severity for i, v in findings.items() if v.severity},
                            evaluate.scoring_for(selfcheck.enterprise))
    now = utcnow()
    previous = compare_and_set_status(selfcheck, SelfCheckStatus.SUBMITTED, "该自查已提交，不能再修改",
                                      code="already_submitted")
    selfcheck.submitted_at = now
    selfcheck.submitted_by_id = user.id
    selfcheck.late = local_date(now) > selfcheck.due_date
    selfcheck.score = result["score"]
    selfcheck.grade = result["grade"]
    selfcheck.answered_count = len(items)
    audit.record("selfcheck.submitted", "selfcheck", selfcheck.id, enterprise_id=selfcheck.enterprise_id,
                 from_state=previous, to_state="submitted",
                 comment=f"得分 {result['score']}，等级 {result['grade']}" + ("，逾期提交" if selfcheck.late else ""))
    return selfcheck, items, answers, findings

