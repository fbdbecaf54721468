"""Read side of remediation: scoped problem lists, the review queue, the ledger export, history."""
from sqlalchemy import case, select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import scoped
from app.common.audit import AuditEvent
from app.common.dbutil import capped_count
from app.common.schemas import RowView
from app.common.timeutil import local_date, today_local, working_days_between
from app.common.vocab import SEVERITIES
from app.evidence.service import uploads_by_id
from app.evidence.uploads import dhash_distance
from app.extensions import db
from app.remediation.models import STATUS_LABELS, ExtensionRequest, Problem, ProblemStatus, Rectification
from app.remediation.service import allowed_actions


def filtered(user: User, args: dict):
    stmt = scoped(select(Problem), user, Problem)
    if args.get("status"):
        stmt = stmt.where(Problem.status.in_(args["status"].split(",")))
    if args.get("severity"):
        stmt = stmt.where(Problem.severity == args["severity"])
    if args.get("enterprise_id"):
        stmt = stmt.where(Problem.enterprise_id == args["enterprise_id"])
    if args.get("source"):
        stmt = stmt.where(Problem.source == args["source"])
    today = today_local()
    if args.get("overdue") is True:
        stmt = stmt.where(Problem.overdue_clause(today))
    elif args.get("overdue") is False:
        stmt = stmt.where(~Problem.overdue_clause(today))
    return stmt


def list_problems(user: User, args: dict):
    stmt = filtered(user, args)
    total, capped = capped_count(stmt, Problem.id)
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(stmt.order_by(*_order(args.get("sort") or "deadline"))
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total, capped


def _order(sort: str) -> tuple:
    if sort == "-created":
        return (Problem.created_at.desc(), Problem.id.desc())
    if sort == "severity":  # 重大 → 较重 → 一般, then the nearest deadline
        rank = case(*((Problem.severity == s, i) for i, s in enumerate(reversed(SEVERITIES))), else_=len(SEVERITIES))
        return (rank, Problem.deadline, Problem.id)
    return (Problem.deadline, Problem.id)


def review_queue(user: User, page: int, per_page: int):
    """Rectifications waiting for a regulator, oldest first, with the review clock."""
    stmt = scoped(select(Problem), user, Problem).where(Problem.status == ProblemStatus.SUBMITTED)
    total, capped = capped_count(stmt, Problem.id)
    items = db.session.scalars(stmt.order_by(Problem.submitted_at, Problem.id)
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total, capped


def waiting_working_days(problem: Problem) -> int | None:
    if problem.status != ProblemStatus.SUBMITTED or problem.submitted_at is None:
        return None
    return working_days_between(local_date(problem.submitted_at), today_local())


def with_actions(problems, user: User) -> list[RowView]:
    """List rows with what this user may do next and how long each has waited for review."""
    return [RowView(p, allowed_actions=allowed_actions(p, user), waiting_working_days=waiting_working_days(p))
            for p in problems]


def detail(problem: Problem, user: User) -> RowView:
    """The problem page: evidence, rectifications with before/after photos, extensions, history."""
    parts = detail_parts(problem)
    uploads, names = parts["uploads"], parts["names"]

    def photos(ids):
        return [uploads[u] for u in ids or [] if u in uploads]

    rectifications, earlier_after = [], []
    for r in parts["rectifications"]:
        before, after = photos(r.before_upload_ids), photos(r.upload_ids)
        rectifications.append(RowView(r, before=before, after=after, submitted_by=names.get(r.submitted_by_id, ""),
                                      photo_warnings=photo_warnings(after, before + photos(problem.upload_ids),
                                                                    earlier_after)))
        earlier_after = earlier_after + after
    owner = db.session.get(User, problem.owner_id) if problem.owner_id else None
    return RowView(problem, allowed_actions=allowed_actions(problem, user), owner_name=owner.display_name if owner else None,
                   waiting_working_days=waiting_working_days(problem), evidence=photos(problem.upload_ids),
                   rectifications=rectifications, extensions=parts["extensions"], history=parts["history"])


NEAR_IDENTICAL_BITS = 6  # of dHash's 64: re-saved, resized or re-compressed copies of one picture stay within this


def photo_warnings(after: list, before: list, earlier_after: list) -> list[str]:
    """What a reviewer should look at twice: an 'after' photo that is a 'before' photo (same file, or the same
    picture re-saved — a perceptual hash within a few bits), or the photo of an earlier, returned submission."""
    out = []
    for n, photo in enumerate(after, 1):
        label = f"整改后照片{n}"
        same = [k for k, b in enumerate(before, 1) if photo.sha256 == b.sha256]
        if same:
            out.append(f"{label}与整改前照片{same[0]}是同一个文件")
            continue
        near = [(d, k) for k, b in enumerate(before, 1)
                if (d := dhash_distance(photo.dhash, b.dhash)) is not None and d <= NEAR_IDENTICAL_BITS]
        if near:
            out.append(f"{label}与整改前照片{min(near)[1]}几乎相同（可能是同一张照片重新保存或压缩），请核对是否确已整改")
        if any(photo.sha256 == e.sha256 for e in earlier_after):
            out.append(f"{label}与此前被退回的整改材料中的照片是同一个文件")
    return out


def detail_parts(problem: Problem) -> dict:
    rectifications = db.session.scalars(select(Rectification).where(
        Rectification.problem_id == problem.id).order_by(Rectification.id)).all()
    extensions = db.session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.problem_id == problem.id).order_by(ExtensionRequest.id)).all()
    ids = list(problem.upload_ids or [])
    for r in rectifications:
        ids += list(r.upload_ids or []) + list(r.before_upload_ids or [])
    uploads = uploads_by_id(ids)
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(
        {r.submitted_by_id for r in rectifications} | {r.reviewed_by_id for r in rectifications if r.reviewed_by_id}
    ))).all()) if rectifications else {}
    return {"rectifications": rectifications, "extensions": extensions, "uploads": uploads, "names": names,
            "history": history(problem)}


def history(problem: Problem) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "problem", AuditEvent.object_id == str(problem.id),
        AuditEvent.enterprise_id == problem.enterprise_id).order_by(AuditEvent.seq)).all()


LEDGER_HEADER = ["问题编号", "企业名称", "统一社会信用代码", "来源", "检查项", "问题", "严重程度", "状态",
                 "发现日期", "整改期限", "提交整改日期", "销号日期", "逾期天数"]
SOURCE_LABELS = {"selfcheck": "自查发现", "self_report": "企业主动报告", "regulator": "监管发现", "warning": "风险预警"}


def ledger_rows(user: User, args: dict):
    """整改台账: one row per problem in scope (streams in chunks; no per-row queries)."""
    today = today_local()
    stmt = filtered(user, args).order_by(Problem.id)
    for problem in db.session.scalars(stmt.execution_options(yield_per=1000)):
        enterprise: Enterprise = problem.enterprise
        overdue_days = (today - problem.deadline).days if problem.is_overdue(today) else 0
        yield [problem.id, enterprise.name, enterprise.uscc, SOURCE_LABELS.get(problem.source, problem.source),
               problem.item_code or "", problem.title, problem.severity, STATUS_LABELS[problem.status],
               local_date(problem.created_at), problem.deadline,
               local_date(problem.submitted_at) if problem.submitted_at else None,
               local_date(problem.closed_at) if problem.closed_at else None, max(overdue_days, 0)]
