"""Shape inspections and special actions for output (names, labels, opinions, allowed actions) as RowViews:
the ORM rows never carry request-specific attributes."""
from sqlalchemy import select

from app.accounts.models import User
from app.common.schemas import RowView
from app.extensions import db
from app.inspections import approvals, rules, service, special
from app.inspections.models import INSPECTION_TYPES, METHODS, STATUS_LABELS


def people(user_ids: list[int]) -> list[dict]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids or [])))}
    return [{"id": u.id, "name": u.display_name, "position": u.position, "cert_no": u.enforcement_cert_no}
            for u in (users.get(i) for i in user_ids or []) if u is not None]


def inspection(insp, user: User, *, detail: bool = False) -> RowView:
    extra = {"type_label": INSPECTION_TYPES.get(insp.inspection_type, insp.inspection_type),
             "status_label": STATUS_LABELS.get(insp.status, insp.status), "enterprise_name": insp.enterprise.name,
             "unit_name": rules.unit_name(insp.unit_code), "inspectors": people(insp.inspector_ids),
             "allowed_actions": service.allowed_actions(insp, user)}
    if detail:
        from app.inspections.onsite import result_due

        step = approvals.current_step(insp, service.KIND)
        extra.update(current_step=step["label"] if step else None, opinions=approvals.opinions(insp, service.KIND),
                     result_due=result_due(insp))
    return RowView(insp, **extra)


def special_action(action, user: User, *, detail: bool = False) -> RowView:
    extra = {"status_label": STATUS_LABELS.get(action.status, action.status),
             "unit_name": rules.unit_name(action.unit_code), "allowed_actions": special.allowed_actions(action, user)}
    if detail:
        step = approvals.current_step(action, special.KIND)
        extra.update(current_step=step["label"] if step else None, opinions=approvals.opinions(action, special.KIND))
    return RowView(action, **extra)


def method_labels(methods: list[str]) -> list[str]:
    return [METHODS.get(m, m) for m in methods or []]
