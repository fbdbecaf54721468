"""普法: cases and guidance scoped like local checklist items, targeted feed with read receipts, 送法入企 coverage."""
from datetime import date

from sqlalchemy import func, or_, select

from app.accounts.models import Enterprise, Region, User
from app.accounts.scoping import can_see_region, enterprise_clause, region_clause
from app.common import audit
from app.common.dbutil import insert_ignoring
from app.common.errors import Forbidden, NotFound, field_error
from app.common.timeutil import utcnow
from app.extensions import db
from app.legal.models import KINDS, LegalCase, LegalRead, LegalTraining, LegalTrainingAttendee
from app.selfcheck.library import enterprise_signature


def _ancestors(region_code: str) -> list[str]:
    """A region and the province/city above it (GB/T 2260): an item authored there reaches this region."""
    return list(dict.fromkeys([region_code[:2] + "0000", region_code[:4] + "00", region_code]))


def visible_clause(user: User):
    """Enterprises read items of their region and the regions above it; regulators also their subtree."""
    if user.is_sysadmin:
        return LegalCase.id.is_not(None)
    if user.is_enterprise_user:
        enterprise = db.session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
        return LegalCase.region_code.in_(_ancestors(enterprise.region_code)) if enterprise else LegalCase.id.is_(None)
    if user.is_regulator and user.region_code:
        return or_(LegalCase.region_code.in_(_ancestors(user.region_code)),
                   region_clause(user, LegalCase.region_code))
    return LegalCase.id.is_(None)


def get_case(user: User, case_id: int) -> LegalCase:
    case = db.session.scalar(select(LegalCase).where(LegalCase.id == case_id, visible_clause(user)))
    if case is None:
        raise NotFound("未找到该案例")
    return case


def _check_codes(data: dict) -> None:
    if data.get("kind", "case") not in KINDS:
        raise field_error("kind", "应为case或guidance")


def create_case(user: User, data: dict) -> LegalCase:
    if not (user.is_regulator or user.is_sysadmin) or not user.region_code:
        raise Forbidden("只有监管人员可以编写普法内容")
    _check_codes(data)
    case = LegalCase(region_code=user.region_code, created_by_id=user.id, created_at=utcnow(),
                     **{k: data.get(k) or ("case" if k == "kind" else "") for k in EDITABLE},
                     **{k: list(data.get(k) or []) for k in LISTS})
    db.session.add(case)
    db.session.flush()
    audit.record("legal_case.created", "legal_case", case.id, comment=case.title[:80])
    return case


EDITABLE = ("kind", "title", "violation", "law", "penalty", "lesson")
LISTS = ("item_codes", "obligation_codes", "industries", "permit_classes")


def update_case(user: User, case_id: int, data: dict) -> LegalCase:
    case = get_case(user, case_id)
    if not (user.is_sysadmin or (user.is_regulator and can_see_region(user, case.region_code))):
        raise Forbidden("只能修改本辖区编写的普法内容")
    _check_codes(data)
    for key in EDITABLE + LISTS:
        if data.get(key) is not None:
            setattr(case, key, list(data[key]) if key in LISTS else data[key])
    db.session.flush()
    audit.record("legal_case.updated", "legal_case", case.id, comment=case.title[:80])
    return case


def list_cases(user: User, args: dict):
    stmt = select(LegalCase).where(visible_clause(user))
    if args.get("kind"):
        stmt = stmt.where(LegalCase.kind == args["kind"])
    rows = list(db.session.scalars(stmt.order_by(LegalCase.created_at.desc(), LegalCase.id.desc()).limit(1000)))
    if args.get("item_code"):
        rows = [c for c in rows if args["item_code"] in (c.item_codes or [])]
    if args.get("obligation_code"):
        rows = [c for c in rows if args["obligation_code"] in (c.obligation_codes or [])]
    return rows


def feed(user: User) -> list[LegalCase]:
    """Cases and guidance for this enterprise's industry and permit class, newest first, with `read`."""
    if not (user.is_enterprise_user and user.enterprise_id):
        raise Forbidden("普法推送面向企业用户")
    groups, permit_class, _flags, _region = enterprise_signature(db.session.get(Enterprise, user.enterprise_id))
    rows = [c for c in list_cases(user, {})
            if (not c.industries or groups.intersection(c.industries))
            and (not c.permit_classes or permit_class in c.permit_classes)]
    read = set(db.session.scalars(select(LegalRead.case_id).where(LegalRead.user_id == user.id)))
    for case in rows:
        case.read = case.id in read
    return rows


def mark_read(user: User, case_id: int) -> LegalCase:
    case = get_case(user, case_id)
    if not (user.is_enterprise_user and user.enterprise_id):
        raise Forbidden("阅读回执由企业用户登记")
    stmt = insert_ignoring(LegalRead.__table__, ["case_id", "user_id"], db.session.get_bind().dialect.name)
    db.session.execute(stmt, [{"case_id": case.id, "user_id": user.id, "enterprise_id": user.enterprise_id,
                               "read_at": utcnow()}])
    case.read = True
    return case


def read_count(case_id: int) -> int:
    return db.session.scalar(select(func.count(func.distinct(LegalRead.enterprise_id)))
                             .where(LegalRead.case_id == case_id)) or 0


# --- 送法入企 --------------------------------------------------------------------------------

def record_training(user: User, data: dict) -> LegalTraining:
    if not (user.is_regulator or user.is_sysadmin):
        raise Forbidden("只有监管人员可以登记送法入企活动")
    region_code = data.get("region_code") or user.region_code
    region = db.session.get(Region, region_code) if region_code else None
    if region is None or not can_see_region(user, region.code):
        raise field_error("region_code", "辖区不存在或不在管辖范围内")
    ids = list(dict.fromkeys(data.get("enterprise_ids") or []))
    found = set(db.session.scalars(select(Enterprise.id).where(Enterprise.id.in_(ids), enterprise_clause(user))))
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise field_error("enterprise_ids", f"企业不存在或不在管辖范围内：{unknown}")
    training = LegalTraining(region_code=region.code, held_on=data["held_on"], topic=data["topic"],
                             form=data.get("form") or "集中培训", created_by_id=user.id)
    db.session.add(training)
    db.session.flush()
    db.session.add_all(LegalTrainingAttendee(training_id=training.id, enterprise_id=i) for i in ids)
    db.session.flush()
    audit.record("legal_training.recorded", "legal_training", training.id, comment=f"{training.topic[:60]}（{len(ids)}家）")
    training.enterprise_ids = ids
    return training


def list_trainings(user: User, year: int | None) -> list[LegalTraining]:
    stmt = select(LegalTraining).where(region_clause(user, LegalTraining.region_code))
    if year:
        stmt = stmt.where(LegalTraining.held_on >= date(year, 1, 1), LegalTraining.held_on <= date(year, 12, 31))
    rows = list(db.session.scalars(stmt.order_by(LegalTraining.held_on.desc(), LegalTraining.id.desc()).limit(500)))
    attendees: dict[int, list[int]] = {}
    for training_id, enterprise_id in db.session.execute(select(
            LegalTrainingAttendee.training_id, LegalTrainingAttendee.enterprise_id).where(
            LegalTrainingAttendee.training_id.in_([t.id for t in rows]))):
        attendees.setdefault(training_id, []).append(enterprise_id)
    for training in rows:
        training.enterprise_ids = attendees.get(training.id, [])
    return rows


def key_enterprise_clause():
    """重点企业: 重点排污单位 or 重点管理 permit class."""
    return or_(Enterprise.permit_class == "重点管理", Enterprise.flags.cast(db.String).like('%"key_discharger"%'))


def coverage(user: User, year: int) -> dict:
    """Annual 送法入企 coverage of 重点企业 (Changzhi 2: 力争每年全市重点企业全覆盖), per county in scope."""
    key = db.session.execute(select(Enterprise.id, Enterprise.region_code).where(
        enterprise_clause(user), key_enterprise_clause())).all()
    trained = set(db.session.scalars(
        select(LegalTrainingAttendee.enterprise_id).join(LegalTraining, LegalTraining.id == LegalTrainingAttendee.training_id)
        .where(LegalTraining.held_on >= date(year, 1, 1), LegalTraining.held_on <= date(year, 12, 31))))
    counties: dict[str, list[int]] = {}
    for eid, region in key:
        counties.setdefault(region, []).append(eid)
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(list(counties)))).all())
    rows = [{"region_code": code, "region_name": names.get(code, code), "key_enterprises": len(ids),
             "covered": sum(1 for i in ids if i in trained),
             "rate": round(sum(1 for i in ids if i in trained) / len(ids), 4)} for code, ids in sorted(counties.items())]
    total, covered = len(key), sum(r["covered"] for r in rows)
    return {"year": year, "key_enterprises": total, "covered": covered,
            "rate": round(covered / total, 4) if total else None, "counties": rows}
