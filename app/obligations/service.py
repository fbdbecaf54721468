"""The statutory calendar: compose each enterprise's dated obligations, list them, mark them done with a receipt."""
from datetime import date, timedelta

from sqlalchemy import func, or_, select, true

from app.accounts.models import Enterprise, User
from app.accounts.scoping import get_scoped, scoped
from app.common import audit, events
from app.common.dbutil import analyze_after_bulk, insert_ignoring, insert_many_ignoring
from app.common.errors import Conflict, Forbidden, ValidationFailed, field_error
from app.common.timeutil import today_local, utcnow
from app.common.tx import compare_and_set_status
from app.evidence.models import Upload
from app.extensions import db
from app.obligations.models import DONE, PENDING, ComposeMark, Obligation, ObligationFeed
from app.obligations.rules import (
    LOOK_BACK_DAYS,
    applicable_rules,
    miss_codes,
    moved_codes,
    periods,
    rule_by_code,
    rules_digest,
)

DUE_SOON_DAYS = 30
BATCH = 500


def display_status(obligation: Obligation, today: date) -> str:
    """done | overdue | due_soon (within 30 days) | upcoming."""
    if obligation.status == DONE:
        return "done"
    if obligation.due_date < today:
        return "overdue"
    return "due_soon" if obligation.due_date <= today + timedelta(days=DUE_SOON_DAYS) else "upcoming"


def _last_done(enterprise_ids: list[int]) -> dict[int, dict[str, date]]:
    """Per enterprise, the last day each obligation was done (one query for the batch)."""
    rows = db.session.execute(select(Obligation.enterprise_id, Obligation.code, func.max(Obligation.done_on)).where(
        Obligation.enterprise_id.in_(enterprise_ids), Obligation.status == DONE)
        .group_by(Obligation.enterprise_id, Obligation.code)).all()
    out: dict[int, dict[str, date]] = {}
    for eid, code, done in rows:
        if done:
            out.setdefault(eid, {})[code] = done
    return out


def _stored_keys(enterprise_ids: list[int], codes: set[str] | None = None) -> set[tuple[int, str, str]]:
    stmt = (select(Obligation.enterprise_id, Obligation.code, Obligation.period_key)
            .where(Obligation.enterprise_id.in_(enterprise_ids)))
    if codes is not None:
        stmt = stmt.where(Obligation.code.in_(codes))
    return {(eid, code, key) for eid, code, key in db.session.execute(stmt)}


def compose(enterprise: Enterprise, today: date) -> int:
    """Insert the enterprise's obligations for the periods around `today` that are not stored yet."""
    return compose_batch([enterprise], today)


def compose_batch(enterprises: list[Enterprise], today: date, codes: set[str] | None = None) -> int:
    """`compose` for many enterprises with three statements: what was done, what is stored, the new rows.
    With `codes`, only those rules are composed."""
    ids = [e.id for e in enterprises]
    last, stored = _last_done(ids), _stored_keys(ids, codes)
    rows = []
    fixed: dict[int, list] = {}  # a fixed schedule's periods are the same for every enterprise: derive once
    for enterprise in enterprises:
        done = last.get(enterprise.id, {})
        for rule in applicable_rules(enterprise):
            if codes is not None and rule["code"] not in codes:
                continue
            if rule["recurrence"] in ("every_years", "permit_renewal"):
                found = periods(rule, enterprise, today, done.get(rule["code"]))
            else:
                found = fixed.get(id(rule))
                if found is None:
                    found = fixed[id(rule)] = periods(rule, None, today)
            for period in found:
                if (enterprise.id, rule["code"], period.key) in stored:
                    continue
                rows.append({"enterprise_id": enterprise.id, "code": rule["code"], "period_key": period.key,
                             "period_label": period.label, "title": f"{rule['title']}（{period.label}）"[:200],
                             "due_date": period.due, "status": PENDING, "note": "", "created_at": utcnow()})
    return len(insert_many_ignoring(Obligation.__table__, ["enterprise_id", "code", "period_key"], rows))


def compose_all(as_of: date) -> int:
    """Daily job: every enterprise's calendar, then a problem for each missed obligation whose rule says so.

    Bounded by a watermark (ComposeMark): after a complete run on day D, a run on day T (D ≤ T ≤ D + 31) composes
    only what can have changed — the rules with a period that entered the window between D and T, for every
    enterprise, and every rule for the enterprises created or changed since that run began — and looks for
    missed obligations only among those that fell due since D or were stored since. A changed rules pack, a
    first run, a gap longer than the look-back or a day before D composes everything. A second run on the
    same day reads the watermark and the changed enterprises and nothing else.
    """
    started, digest = utcnow(), rules_digest()
    mark = db.session.get(ComposeMark, "all")
    bounded = (mark is not None and mark.rules_digest == digest
               and mark.composed_on <= as_of <= mark.composed_on + timedelta(days=LOOK_BACK_DAYS))
    if bounded:
        codes = moved_codes(mark.composed_on, as_of)
        created = _compose_where(as_of, true(), codes) if codes else 0
        created += _compose_where(as_of, Enterprise.updated_at >= mark.started_at)
    else:
        created = _compose_where(as_of, true())
    analyze_after_bulk("obligations", created)  # the reminder job reads them next
    open_problems_for_missed(as_of, (mark.composed_on, mark.started_at) if bounded else None)
    values = {"composed_on": as_of, "rules_digest": digest, "started_at": started}
    if mark is None:  # two first runs at once: both composed everything, either may write the mark
        db.session.execute(insert_ignoring(ComposeMark.__table__, ["name"], db.session.get_bind().dialect.name)
                           .values(name="all", **values))
    else:
        for key, value in values.items():
            setattr(mark, key, value)
    db.session.flush()
    return created


def _compose_where(as_of: date, which, codes: set[str] | None = None) -> int:
    created, last_id = 0, 0
    while True:
        batch = db.session.scalars(select(Enterprise).where(which, Enterprise.id > last_id)
                                   .order_by(Enterprise.id).limit(BATCH)).all()
        if not batch:
            return created
        created += compose_batch(list(batch), as_of, codes)
        last_id = batch[-1].id


def open_problems_for_missed(as_of: date, since: tuple[date, object] | None = None) -> int:
    """A missed obligation whose rule has on_miss.problem opens one problem (kept on the obligation).
    With `since` (the last complete run's day and start), only obligations due since that day or stored since
    that run began are looked at: every other one was looked at by that run."""
    from app.remediation.service import open_rule_problem

    codes = miss_codes()
    if not codes:
        return 0
    stmt = (select(Obligation, Enterprise.region_code)
            .join(Enterprise, Enterprise.id == Obligation.enterprise_id)
            .where(Obligation.status == PENDING, Obligation.due_date < as_of, Obligation.problem_id.is_(None),
                   Obligation.code.in_(codes)))
    if since is not None:
        stmt = stmt.where(or_(Obligation.due_date >= since[0], Obligation.created_at >= since[1]))
    rows = db.session.execute(stmt).all()
    opened = 0
    for obligation, region_code in rows:
        rule = rule_by_code(region_code, obligation.code) or {}
        spec = (rule.get("on_miss") or {}).get("problem")
        if not spec:
            continue
        problem = open_rule_problem(
            obligation.enterprise_id, source="obligation", title=f"未按期完成：{obligation.title}",
            description=f"法定期限为{obligation.due_date.isoformat()}，至{as_of.isoformat()}仍未登记完成凭证。",
            category="法定义务", severity=spec["severity"], legal_basis=rule.get("legal_basis") or [],
            recommendation=f"请尽快完成并上传凭证：{rule.get('proof', '')}", days=int(spec["days"]), today=as_of)
        obligation.problem_id = problem.id
        opened += 1
    db.session.flush()
    return opened


def list_obligations(user: User, args: dict) -> tuple[list[Obligation], date]:
    today = today_local()
    if user.is_enterprise_user and user.enterprise_id:
        compose(db.session.get(Enterprise, user.enterprise_id), today)
    stmt = scoped(select(Obligation), user, Obligation)
    if args.get("enterprise_id"):
        stmt = stmt.where(Obligation.enterprise_id == args["enterprise_id"])
    if args.get("code"):
        stmt = stmt.where(Obligation.code == args["code"])
    status = args.get("status")
    if status == "done":
        stmt = stmt.where(Obligation.status == DONE)
    elif status == "overdue":
        stmt = stmt.where(Obligation.status == PENDING, Obligation.due_date < today)
    elif status in ("due_soon", "upcoming", "pending"):
        stmt = stmt.where(Obligation.status == PENDING, Obligation.due_date >= today)
    items = db.session.scalars(stmt.order_by(Obligation.due_date, Obligation.id).limit(500)).all()
    if status == "due_soon":
        items = [o for o in items if display_status(o, today) == "due_soon"]
    elif status == "upcoming":
        items = [o for o in items if display_status(o, today) == "upcoming"]
    return items, today


def rule_for(obligation: Obligation) -> dict:
    enterprise = db.session.get(Enterprise, obligation.enterprise_id)
    return rule_by_code(enterprise.region_code, obligation.code) or {}


def mark_done(user: User, obligation_id: int, data: dict) -> Obligation:
    """Mark done with a receipt: an upload of the enterprise or a record number (备案号/回执号); audited."""
    obligation = get_scoped(Obligation, obligation_id, user, message="未找到该义务事项")
    if not (user.is_enterprise_user and user.enterprise_id == obligation.enterprise_id):
        raise Forbidden("只有本企业用户可以登记完成")
    if obligation.status != PENDING:
        raise Conflict("该事项已登记完成", code="invalid_transition", details={"status": obligation.status})
    upload_id, record_no = data.get("upload_id"), (data.get("record_no") or "").strip()
    if not upload_id and not record_no:
        raise ValidationFailed("请上传凭证或填写备案号/回执号", code="validation_error",
                               details={"fields": {"upload_id": ["请上传凭证或填写备案号/回执号"]}})
    if upload_id:
        upload = db.session.get(Upload, upload_id)
        usable = upload is not None and (upload.enterprise_id == obligation.enterprise_id
                                         or (upload.enterprise_id is None and upload.uploaded_by_id == user.id))
        if not usable:
            raise field_error("upload_id", "凭证文件不存在或无权使用")
        upload.enterprise_id = obligation.enterprise_id
    done_on = data.get("done_on") or today_local()
    if done_on > today_local():
        raise field_error("done_on", "完成日期不能晚于今天")
    previous = compare_and_set_status(obligation, DONE, "该事项已登记完成，请刷新后查看")
    obligation.done_on, obligation.done_at, obligation.done_by_id = done_on, utcnow(), user.id
    obligation.receipt_upload_id, obligation.receipt_no = upload_id, record_no or None
    obligation.note = (data.get("note") or "")[:500]
    db.session.flush()
    audit.record("obligation.done", "obligation", obligation.id, enterprise_id=obligation.enterprise_id,
                 from_state=previous, to_state=DONE,
                 comment="；".join(p for p in (f"凭证文件#{upload_id}" if upload_id else "",
                                              f"备案号/回执号：{record_no}" if record_no else "") if p))
    if rule_for(obligation).get("recurrence") == "every_years":
        compose(db.session.get(Enterprise, obligation.enterprise_id), today_local())  # the next cycle is listed
    return obligation


def feed_token(enterprise_id: int, *, create: bool = True) -> str | None:
    feed = db.session.scalar(select(ObligationFeed).where(ObligationFeed.enterprise_id == enterprise_id))
    if feed is None and create:
        feed = ObligationFeed(enterprise_id=enterprise_id)
        db.session.add(feed)
        db.session.flush()
    return feed.token if feed else None


def rotate_feed(user: User) -> str:
    if not (user.is_enterprise_user and user.enterprise_id):
        raise Forbidden("只有企业用户可以重置日历订阅地址")
    feed = db.session.scalar(select(ObligationFeed).where(ObligationFeed.enterprise_id == user.enterprise_id))
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()
    token = feed_token(user.enterprise_id)
    audit.record("obligation.feed_rotated", "enterprise", user.enterprise_id, enterprise_id=user.enterprise_id)
    return token


def feed_obligations(token: str) -> tuple[Enterprise, list[Obligation]] | None:
    feed = db.session.scalar(select(ObligationFeed).where(ObligationFeed.token == token)) if token else None
    if feed is None:
        return None
    enterprise = db.session.get(Enterprise, feed.enterprise_id)
    items = db.session.scalars(select(Obligation).where(Obligation.enterprise_id == enterprise.id)
                               .order_by(Obligation.due_date, Obligation.id)).all()
    return enterprise, list(items)


def calendar_state(enterprise_id: int, codes: list[str], today: date) -> list[dict]:
    """What the calendar says about these obligations over the last year: each one done (with its receipt;
    done early counts too) or overdue (due before today, not done). Ones not yet due and not done say nothing."""
    year_ago = today - timedelta(days=366)
    rows = db.session.scalars(select(Obligation).where(
        Obligation.enterprise_id == enterprise_id, Obligation.code.in_(codes),
        ((Obligation.due_date <= today) & (Obligation.due_date > year_ago))
        | ((Obligation.status == DONE) & (Obligation.done_on > year_ago))).order_by(Obligation.due_date, Obligation.id)).all()
    out = []
    for o in rows:
        if o.status == DONE:
            receipt = o.receipt_no or (f"回执附件 #{o.receipt_upload_id}" if o.receipt_upload_id else "")
            out.append({"code": o.code, "title": o.title, "due_date": o.due_date.isoformat(), "status": "done",
                        "done_on": o.done_on.isoformat() if o.done_on else None, "receipt": receipt,
                        "obligation_id": o.id})
        elif o.due_date < today:
            out.append({"code": o.code, "title": o.title, "due_date": o.due_date.isoformat(), "status": "overdue",
                        "done_on": None, "receipt": "", "obligation_id": o.id})
    return out


def connect_receivers() -> None:
    """Answer the self-check's calendar questions (app/common/events.py calendar_state); once at start-up."""
    events.calendar_state.connect(_answer_calendar, weak=False)


def _answer_calendar(enterprise_id, codes, today):
    return calendar_state(enterprise_id, codes, today)

