"""执法公示 (Changzhi 7): 事前 published special actions, 事后 completed inspections — nothing personal.

Only what the law requires to publish: 主体, 人员 (name and 执法证号), 事项, 依据, and results. No user ids,
phone numbers, evidence files or notes.
"""
from datetime import date

from sqlalchemy import select

from app.accounts.models import Enterprise, Position, Region, User
from app.common.errors import NotFound
from app.common.timeutil import local_date
from app.extensions import db
from app.inspections import rules
from app.inspections.models import INSPECTION_TYPES, ActionStatus, Inspection, InspectionStatus, SpecialAction

LIMIT = 200


def _inspectors(user_ids) -> list[dict]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids or [])))}
    return [{"name": users[i].display_name, "cert_no": users[i].enforcement_cert_no} for i in user_ids or [] if i in users]


def listing(region_code: str | None, year: int | None) -> dict:
    prefix = ""
    if region_code:
        region = db.session.get(Region, region_code)
        if region is None:
            raise NotFound("未找到该行政区划")
        prefix = region.prefix
    actions = select(SpecialAction).where(SpecialAction.status == ActionStatus.PUBLISHED,
                                          SpecialAction.unit_code.startswith(prefix, autoescape=True))
    done = (select(Inspection).join(Enterprise, Enterprise.id == Inspection.enterprise_id)
            .where(Inspection.status == InspectionStatus.COMPLETED,
                   Enterprise.region_code.startswith(prefix, autoescape=True)))
    if year:
        first, last = date(year, 1, 1), date(year, 12, 31)
        actions = actions.where(SpecialAction.start_date.between(first, last))
        done = done.where(Inspection.start_date.between(first, last))
    planned = []
    for a in db.session.scalars(actions.order_by(SpecialAction.start_date.desc()).limit(LIMIT)):
        unit_inspectors = list(db.session.scalars(select(User.id).where(
            User.region_code == a.unit_code, User.position == Position.INSPECTOR, User.active.is_(True))
            .order_by(User.id)))
        planned.append({"number": a.number, "unit_name": rules.unit_name(a.unit_code), "name": a.name,
                        "basis": a.basis, "start_date": a.start_date, "end_date": a.end_date, "targets": a.targets,
                        "content": a.content, "inspectors": _inspectors(unit_inspectors)})
    completed = []
    for i in db.session.scalars(done.order_by(Inspection.completed_at.desc()).limit(LIMIT)).unique():
        completed.append({"number": i.number, "unit_name": rules.unit_name(i.unit_code),
                          "enterprise_name": i.enterprise.name,
                          "inspection_type": INSPECTION_TYPES.get(i.inspection_type, ""),
                          "start_date": i.start_date, "end_date": i.end_date,
                          "completed_on": local_date(i.completed_at) if i.completed_at else i.end_date,
                          "result": (f"发现问题{len(i.problem_ids or [])}个，已责令限期整改" if i.problem_ids
                                     else "未发现环境违法问题"),
                          "problem_count": len(i.problem_ids or []), "inspectors": _inspectors(i.inspector_ids)})
    return {"planned": planned, "completed": completed}
