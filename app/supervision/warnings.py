"""风险预警: the daily set-based job and the scoped warning list.

Each rule is one or two SELECTs over the whole table (window functions for "consecutive" rules);
rows are bulk-inserted with ON CONFLICT (dedupe_key) DO NOTHING, so a second run on the same day, or
a racing scheduler, adds nothing. The dedupe key names the fact (e.g. the self-check, the problem
and its deadline, the permit date and the stage of the policy's permit ladder), so a fact is warned about once.
"""
from datetime import date, timedelta

from sqlalchemy import String, and_, case, cast, func, literal, select

from app import rules as rules_packs
from app.accounts.models import Enterprise, User
from app.accounts.scoping import scoped
from app.common.dbutil import analyze_after_bulk, insert_ignoring
from app.common.timeutil import today_local, utcnow
from app.extensions import db
from app.notify.policy import load_policy
from app.remediation.models import Problem, ProblemStatus
from app.rollups.enterprise import register_count
from app.rollups.maintain import mark_states
from app.selfcheck.judgement import renewal_advice, renewal_applied
from app.selfcheck.models import Schedule, SelfCheck, SelfCheckStatus
from app.supervision.dashboard_cells import utc_bounds
from app.supervision.models import RiskWarning

BATCH = 1000


def _threshold(region_code: str | None, key: str):
    """A warning threshold from the pack of the enterprise's province (app/rules/<province>/warnings.yaml)."""
    try:
        return rules_packs.for_region(region_code, "warnings")[key]
    except rules_packs.RulesPackError:
        return float("inf")  # a province without a pack warns of nothing here; `flask rules check` names it


def _widest(key: str) -> int:
    """The widest window any shipped pack asks for (SQL pre-filter; each row is then judged by its own pack)."""
    return max(int(rules_packs.section(p, "warnings")[key]) for p in rules_packs.provinces())


def _row(key, enterprise_id, kind, level, title, detail, as_of, object_type=None, object_id=None) -> dict:
    return {"dedupe_key": key[:120], "enterprise_id": enterprise_id, "kind": kind, "level": level,
            "title": title[:200], "detail": detail, "object_type": object_type, "object_id": object_id,
            "as_of": as_of, "status": "open", "created_at": utcnow()}


def _permits(as_of: date) -> list[dict]:
    """排污许可证 stages from the one ladder of the province's pack (reminders.yaml permit_expiry_days)."""
    ladders = {p: sorted(load_policy(p).permit_expiry_days) for p in rules_packs.provinces()}
    widest = max((max(s) for s in ladders.values() if s), default=120)
    rows = db.session.execute(select(Enterprise.id, Enterprise.permit_no, Enterprise.permit_valid_until,
                                     Enterprise.permit_renewal_applied_on, Enterprise.region_code).where(
        Enterprise.permit_valid_until.isnot(None),
        Enterprise.permit_valid_until <= as_of + timedelta(days=widest))).all()
    out = []
    for eid, permit_no, until, applied_on, region_code in rows:
        stages = ladders.get(rules_packs.province_of(region_code))
        days = (until - as_of).days
        if not stages or (days >= 0 and days > max(stages)):
            continue
        if days < 0:
            out.append(_row(f"permit_expired:{eid}:{until}", eid, "permit_expired", "high",
                            f"排污许可证已于{until}过期",
                            f"排污许可证{permit_no or ''}已过期{-days}天。{renewal_advice(until, as_of)}",
                            as_of, "enterprise", eid))
            continue
        if renewal_applied(until, applied_on):
            continue
        stage = min(s for s in stages if days <= s)
        out.append(_row(f"permit:{eid}:{until}:{stage}", eid, "permit_expiring", "high" if stage <= 60 else "medium",
                        f"排污许可证将于{days}天后到期（{until}）",
                        f"排污许可证{permit_no or ''}有效期至{until}，距到期{days}天（{stage}天提醒）。"
                        + renewal_advice(until, as_of), as_of, "enterprise", eid))
    return out


def _not_warned(*parts):
    """NOT EXISTS a warning whose dedupe key is the concatenation of `parts` (uses the unique index)."""
    key = literal(parts[0])
    for part in parts[1:]:
        key = key + (literal(part) if isinstance(part, str) else cast(part, String))
    return ~select(RiskWarning.id).where(RiskWarning.dedupe_key == key).exists()


def _overdue_selfchecks(as_of: date) -> list[dict]:
    rows = db.session.execute(select(SelfCheck.id, SelfCheck.enterprise_id, SelfCheck.title, SelfCheck.period_label,
                                     SelfCheck.due_date).where(
        SelfCheck.status != SelfCheckStatus.SUBMITTED, SelfCheck.due_date < as_of,
        _not_warned("sc_overdue:", SelfCheck.id))).all()
    return [_row(f"sc_overdue:{sid}", eid, "selfcheck_overdue", "medium", f"自查逾期：{title}（{label}）",
                 f"应于{due}前完成，已逾期{(as_of - due).days}天", as_of, "selfcheck", sid)
            for sid, eid, title, label, due in rows]


def _overdue_problems(as_of: date) -> list[dict]:
    rows = db.session.execute(select(Problem.id, Problem.enterprise_id, Problem.title, Problem.severity,
                                     Problem.deadline).where(Problem.status.in_(ProblemStatus.ACTIVE),
                                                             Problem.deadline < as_of,
                                                             _not_warned("prob_overdue:", Problem.id, ":",
                                                                         Problem.deadline))).all()
    return [_row(f"prob_overdue:{pid}:{deadline}", eid, "rectification_overdue",
                 "high" if severity != "一般" else "medium", f"整改逾期：{title[:80]}",
                 f"{severity}问题整改期限为{deadline}，已逾期{(as_of - deadline).days}天", as_of, "problem", pid)
            for pid, eid, title, severity, deadline in rows]


def _major_problems(as_of: date) -> list[dict]:
    since, _ = utc_bounds(as_of - timedelta(days=_widest("lookback_days")), as_of)
    rows = db.session.execute(select(Problem.id, Problem.enterprise_id, Problem.title, Problem.deadline).where(
        Problem.severity == "重大", Problem.status != "cancelled", Problem.created_at >= since,
        _not_warned("major:", Problem.id))).all()
    return [_row(f"major:{pid}", eid, "major_problem", "high", f"发现重大问题：{title[:80]}",
                 f"整改期限{deadline}", as_of, "problem", pid) for pid, eid, title, deadline in rows]


PREDECESSOR_DAYS = 400  # a run's previous period ends at most a year before it (yearly is the longest)


def _lookback(as_of: date):
    """The look-back's start (runs submitted since are the candidates) and the bound on the runs read as their
    predecessors (due within a year before the look-back), so the rules never grow with years of history."""
    days = _widest("lookback_days")
    since, _ = utc_bounds(as_of - timedelta(days=days), as_of)
    bound = as_of - timedelta(days=days + PREDECESSOR_DAYS)
    return since, lambda t: t.c.due_date >= bound


def _previous(run, recent, *where, column: str = "id"):
    """The run before `run` in its schedule (by period key; within `recent`, matching `where`), as a correlated
    subquery on the (schedule_id, period_key) unique index: one index step per candidate, where a window
    function over the schedules' runs would sort every run of the last fourteen months (measured at 50 000
    enterprises: 1.06 s → see docs/benchmarks.md)."""
    before = SelfCheck.__table__.alias("prev_run")
    return (select(before.c[column]).where(before.c.schedule_id == run.c.schedule_id,
                                      before.c.period_key < run.c.period_key,
                                      recent(before), *[w(before) for w in where])
            .order_by(before.c.period_key.desc()).limit(1).scalar_subquery())


def _repeated_failures(as_of: date) -> list[dict]:
    since, recent = _lookback(as_of)
    run = SelfCheck.__table__.alias("run")
    candidates = (select(run.c.id, run.c.enterprise_id, run.c.period_label,
                         _previous(run, recent).label("prev_id"))
                  .where(run.c.status == SelfCheckStatus.SUBMITTED, run.c.submitted_at >= since, recent(run))
                  .subquery())
    prev = SelfCheck.__table__.alias("prev")
    now, before = Problem.__table__.alias("now_p"), Problem.__table__.alias("before_p")
    rows = db.session.execute(
        select(candidates.c.id, candidates.c.enterprise_id, candidates.c.period_label, prev.c.period_label,
               now.c.item_code, now.c.title, now.c.id)
        .join(prev, prev.c.id == candidates.c.prev_id)
        .join(now, now.c.selfcheck_id == candidates.c.id)
        .join(before, and_(before.c.selfcheck_id == prev.c.id, before.c.item_code == now.c.item_code))
        .where(prev.c.status == SelfCheckStatus.SUBMITTED, now.c.item_code.isnot(None),
               _not_warned("repeat:", candidates.c.id, ":", now.c.item_code))).all()
    return [_row(f"repeat:{sid}:{code}", eid, "repeated_failure", "medium", f"检查项{code}连续两期不合格",
                 f"{title[:80]}：{prev_label}、{label}两期自查均不合格", as_of, "problem", pid)
            for sid, eid, label, prev_label, code, title, pid in rows]


def _score_drops(as_of: date) -> list[dict]:
    since, recent = _lookback(as_of)
    run = SelfCheck.__table__.alias("run")

    def submitted(t):
        return t.c.status == SelfCheckStatus.SUBMITTED

    # the previous score as a value, not a row to join back: joined, the planner hashes every self-check
    candidates = (select(run.c.id, run.c.schedule_id, run.c.period_key, run.c.enterprise_id, run.c.score,
                         run.c.period_label, _previous(run, recent, submitted, column="score").label("prev_score"))
                  .where(submitted(run), run.c.submitted_at >= since, recent(run)).subquery())
    least = min(float(rules_packs.section(p, "warnings")["score_drop"]) for p in rules_packs.provinces())
    rows = db.session.execute(select(candidates.c.id, candidates.c.enterprise_id, candidates.c.score,
                                     candidates.c.prev_score, candidates.c.period_label,
                                     _previous(candidates, recent, submitted, column="period_label"),
                                     Enterprise.region_code)
                              .join(Enterprise, Enterprise.id == candidates.c.enterprise_id).where(
        candidates.c.prev_score - candidates.c.score >= least, _not_warned("score_drop:", candidates.c.id))).all()
    return [_row(f"score_drop:{sid}", eid, "score_drop", "medium", f"自查得分下降{prev - score:.1f}分",
                 f"{prev_label} {prev:.1f}分 → {label} {score:.1f}分", as_of, "selfcheck", sid)
            for sid, eid, score, prev, label, prev_label, region in rows
            if prev - score >= float(_threshold(region, "score_drop"))]


def _missed_periods(as_of: date) -> list[dict]:
    ranked = select(SelfCheck.id, SelfCheck.schedule_id, SelfCheck.enterprise_id, SelfCheck.status,
                    func.row_number().over(partition_by=SelfCheck.schedule_id,
                                           order_by=(SelfCheck.period_key.desc(), SelfCheck.id.desc())).label("rn")) \
        .join(Schedule, Schedule.id == SelfCheck.schedule_id) \
        .where(Schedule.active.is_(True), SelfCheck.due_date < as_of,
               SelfCheck.due_date >= as_of - timedelta(days=_widest("missed_window_days"))).subquery()
    missing = func.sum(case((ranked.c.status != SelfCheckStatus.SUBMITTED, 1), else_=0))
    rows = db.session.execute(
        select(ranked.c.schedule_id, ranked.c.enterprise_id, func.max(case((ranked.c.rn == 1, ranked.c.id))))
        .where(ranked.c.rn <= 2).group_by(ranked.c.schedule_id, ranked.c.enterprise_id)
        .having(and_(func.count() == 2, missing == 2))).all()
    return [_row(f"missed2:{latest}", eid, "missed_periods", "high", "连续两期未提交自查",
                 "最近两个周期的自查均未提交，请督促企业落实定时自检", as_of, "selfcheck", latest)
            for _schedule, eid, latest in rows]


def _missed_obligations(as_of: date) -> list[dict]:
    """A statutory date passed without a receipt (法定义务逾期): one warning per obligation instance."""
    from app.obligations.models import PENDING, Obligation

    rows = db.session.execute(select(Obligation.id, Obligation.enterprise_id, Obligation.title, Obligation.due_date)
                              .where(Obligation.status == PENDING, Obligation.due_date < as_of,
                                     _not_warned("oblig_missed:", Obligation.id))).all()
    return [_row(f"oblig_missed:{oid}", eid, "obligation_missed", "high", f"法定义务逾期：{title[:80]}",
                 f"期限为{due}，已逾期{(as_of - due).days}天仍未登记完成凭证", as_of, "obligation", oid)
            for oid, eid, title, due in rows]


RULES = (_permits, _overdue_selfchecks, _overdue_problems, _major_problems, _repeated_failures, _score_drops,
         _missed_periods, _missed_obligations)


def _insert(rows: list[dict]) -> int:
    if not rows:
        return 0
    table = RiskWarning.__table__
    created = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        known = set(db.session.scalars(select(RiskWarning.dedupe_key).where(
            RiskWarning.dedupe_key.in_([r["dedupe_key"] for r in chunk]))))
        chunk = [r for r in chunk if r["dedupe_key"] not in known]  # cheap skip; the constraint still decides
        if chunk:
            stmt = (insert_ignoring(table, ["dedupe_key"], db.session.get_bind().dialect.name)
                    .returning(table.c.id, table.c.enterprise_id))
            inserted = db.session.execute(stmt, chunk).all()
            created += len(inserted)
            mark_states(db.session(), {eid for _, eid in inserted})  # the open-warning counts (app/rollups)
    return created


def count_open_warnings() -> None:
    """Keep each enterprise's open-warning count in its stored state (the dashboard reads it from there)."""
    register_count("warnings_open", RiskWarning, RiskWarning.status == "open")


def warning_row(key, enterprise_id, kind, level, title, detail, as_of, object_type=None, object_id=None) -> dict:
    """A warning row for `record_warnings`, in the same shape as the daily rules' rows."""
    return _row(key, enterprise_id, kind, level, title, detail, as_of, object_type, object_id)


def record_warnings(rows: list[dict]) -> int:
    """Store warnings found outside the daily job (online monitoring at ingest); the dedupe key decides."""
    created = _insert(rows)
    db.session.flush()
    return created


def run_daily_warnings(as_of: date | None = None) -> int:
    """Find today's risk facts and store the new ones; return how many warnings were created."""
    as_of = as_of or today_local()
    rows: dict[str, dict] = {}
    for rule in RULES:
        for row in rule(as_of):
            rows.setdefault(row["dedupe_key"], row)
    created = _insert(list(rows.values()))
    db.session.flush()
    # the dashboard counts open warnings per region next: a first day's 100 000+ new rows planned with the
    # old statistics (153 estimated, 139 000 there) made a county's dashboard 10× slower (measured)
    analyze_after_bulk("risk_warnings", created)
    return created


def list_warnings(user: User, args: dict):
    stmt = scoped(select(RiskWarning), user, RiskWarning)
    if args.get("status"):
        stmt = stmt.where(RiskWarning.status == args["status"])
    if args.get("enterprise_id"):
        stmt = stmt.where(RiskWarning.enterprise_id == args["enterprise_id"])
    if args.get("kind"):
        stmt = stmt.where(RiskWarning.kind == args["kind"])
    if args.get("level"):
        stmt = stmt.where(RiskWarning.level == args["level"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    items = db.session.scalars(stmt.order_by(RiskWarning.created_at.desc(), RiskWarning.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total
