"""Dashboard effect (无事不扰): inspections per supervision category, positive-list members inspected, over cap.

Counted: inspections submitted or further (not drafts, not cancelled) starting in the year.
"""
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import enterprise_clause
from app.common.timeutil import today_local
from app.extensions import db
from app.inspections import rules
from app.inspections.models import TRIGGERS, Inspection, InspectionStatus
from app.inspections.onsite import result_due
from app.supervision.enterprises import active_membership
from app.supervision.models import PositiveListEntry


def yearly(user: User, year: int | None) -> dict:
    year = year or today_local().year
    first, last = date(year, 1, 1), date(year, 12, 31)
    enterprises = {e.id: e for e in db.session.scalars(select(Enterprise).where(enterprise_clause(user))).unique()}
    rows = db.session.execute(select(Inspection.enterprise_id, Inspection.number, Inspection.trigger).where(
        Inspection.enterprise_id.in_(select(Enterprise.id).where(enterprise_clause(user))),
        Inspection.status.not_in((InspectionStatus.DRAFT, InspectionStatus.CANCELLED)),
        Inspection.start_date.between(first, last))).all()
    members = set(db.session.scalars(select(PositiveListEntry.enterprise_id).where(
        PositiveListEntry.enterprise_id.in_(list(enterprises)), active_membership(min(today_local(), last)))))
    per_enterprise = defaultdict(list)
    for enterprise_id, number, trigger in rows:
        per_enterprise[enterprise_id].append((number, trigger))
    categories: dict[str, dict] = {}
    over_cap = []
    for e in enterprises.values():
        r = rules.rules_for(e.region_code)
        category = rules.supervision_category(e, r)
        entry = categories.setdefault(category, {"category": category, "enterprises": 0, "inspections": 0})
        entry["enterprises"] += 1
        entry["inspections"] += len(per_enterprise[e.id])
        counted = sum(1 for _, trigger in per_enterprise[e.id] if trigger is None)
        cap = int(r["caps"].get(category, 1))
        if counted > cap:
            over_cap.append({"enterprise_id": e.id, "name": e.name, "category": category, "count": counted, "cap": cap})
    inspected_members = []
    for enterprise_id in sorted(members):
        visits = per_enterprise[enterprise_id]
        if visits:
            inspected_members.append({"enterprise_id": enterprise_id, "name": enterprises[enterprise_id].name,
                                      "inspections": [{"number": n, "trigger": t, "trigger_label": TRIGGERS.get(t or "", "")}
                                                      for n, t in visits]})
    untriggered = sum(1 for m in inspected_members if any(v["trigger"] is None for v in m["inspections"]))
    today = today_local()
    visiting = db.session.scalars(select(Inspection).where(
        Inspection.enterprise_id.in_(select(Enterprise.id).where(enterprise_clause(user))),
        Inspection.status == InspectionStatus.ON_SITE).order_by(Inspection.id)).unique().all()
    late = [{"inspection_id": i.id, "number": i.number, "enterprise_name": i.enterprise.name, "result_due": due}
            for i in visiting if (due := result_due(i)) and due < today]
    return {"year": year, "feedback_overdue": late, "by_category": sorted(categories.values(), key=lambda c: c["category"]),
            "positive_list": {"members": len(members), "inspected": len(inspected_members),
                              "inspected_without_trigger": untriggered,
                              "share_inspected": round(len(inspected_members) / len(members), 4) if members else 0.0,
                              "items": inspected_members},
            "over_cap": sorted(over_cap, key=lambda o: (-o["count"], o["enterprise_id"]))}
