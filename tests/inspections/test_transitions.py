"""The transition table: every action from every state, by every position (expected HTTP status)."""
import pytest

from tests.inspections.conftest import approve_all

CHAIN = ("div-head", "deputy", "director")


def reach(auth, create, state: str) -> int:
    """A fresh inspection driven to `state` (pending_approval:N = waiting for chain step N)."""
    insp = create()["id"]
    team = auth.client("insp-1")
    if state == "draft":
        return insp
    assert team.post(f"/api/inspections/{insp}/submit").status_code == 200
    if state.startswith("pending_approval"):
        step = int(state.split(":")[1])
        if step:
            approve_all(auth, insp, CHAIN[:step])
        return insp
    if state == "cancelled":
        assert team.post(f"/api/inspections/{insp}/cancel", json={"reason": "计划调整"}).status_code == 200
        return insp
    approve_all(auth, insp, CHAIN)
    if state == "approved":
        return insp
    assert team.post(f"/api/inspections/{insp}/start").status_code == 200
    if state == "on_site":
        return insp
    assert team.post(f"/api/inspections/{insp}/complete", json={"summary": "未发现问题"}).status_code == 200
    return insp


APPROVE = ("approvals", {"decision": "approve", "opinion": "同意"})
REJECT = ("approvals", {"decision": "reject", "opinion": "检查内容不够具体，请补充"})
SUBMIT, START, CANCEL = ("submit", None), ("start", None), ("cancel", {"reason": "计划调整"})
COMPLETE = ("complete", {"summary": "未发现问题"})
EXCEPTION = ("quiet-exception", {"reason": "群众投诉需立即核查"})

# (state, action, username, expected status, state afterwards or None when unchanged)
TABLE = [
    # submitting a draft: the team only
    ("draft", SUBMIT, "insp-1", 200, "pending_approval"),
    ("draft", SUBMIT, "insp-2", 200, "pending_approval"),
    ("draft", SUBMIT, "insp-3", 403, None),
    ("draft", SUBMIT, "director", 403, None),
    ("draft", SUBMIT, "cty-insp-1", 403, None),
    ("draft", SUBMIT, "ehs-a", 403, None),
    ("draft", SUBMIT, "reg-other", 404, None),
    ("approved", SUBMIT, "insp-1", 409, None),
    # step 0: 承办机构负责人
    ("pending_approval:0", APPROVE, "div-head", 200, "pending_approval"),
    ("pending_approval:0", APPROVE, "deputy", 403, None),
    ("pending_approval:0", APPROVE, "director", 403, None),
    ("pending_approval:0", APPROVE, "insp-1", 403, None),
    ("pending_approval:0", APPROVE, "branch-head", 403, None),
    ("pending_approval:0", APPROVE, "ehs-a", 403, None),
    ("pending_approval:0", APPROVE, "reg-other", 404, None),
    ("pending_approval:0", REJECT, "div-head", 200, "draft"),
    ("pending_approval:0", REJECT, "deputy", 403, None),
    # step 1: 分管局长
    ("pending_approval:1", APPROVE, "deputy", 200, "pending_approval"),
    ("pending_approval:1", APPROVE, "div-head", 403, None),
    ("pending_approval:1", APPROVE, "director", 403, None),
    ("pending_approval:1", REJECT, "deputy", 200, "draft"),
    # step 2: 局长
    ("pending_approval:2", APPROVE, "director", 200, "approved"),
    ("pending_approval:2", APPROVE, "deputy", 403, None),
    ("pending_approval:2", APPROVE, "branch-head", 403, None),
    ("pending_approval:2", REJECT, "director", 200, "draft"),
    ("draft", APPROVE, "div-head", 409, None),
    ("approved", APPROVE, "director", 409, None),
    # going on site and completing: the team only, from the right state
    ("approved", START, "insp-1", 200, "on_site"),
    ("approved", START, "insp-3", 403, None),
    ("approved", START, "director", 403, None),
    ("draft", START, "insp-1", 409, None),
    ("pending_approval:1", START, "insp-1", 409, None),
    ("on_site", COMPLETE, "insp-2", 200, "completed"),
    ("on_site", COMPLETE, "deputy", 403, None),
    ("approved", COMPLETE, "insp-1", 409, None),
    ("completed", COMPLETE, "insp-1", 409, None),
    # cancelling: anyone of the implementing unit, from an open state
    ("draft", CANCEL, "insp-1", 200, "cancelled"),
    ("pending_approval:1", CANCEL, "director", 200, "cancelled"),
    ("approved", CANCEL, "insp-3", 200, "cancelled"),
    ("on_site", CANCEL, "div-head", 200, "cancelled"),
    ("approved", CANCEL, "cty-insp-1", 403, None),
    ("completed", CANCEL, "director", 409, None),
    ("cancelled", CANCEL, "director", 409, None),
    # quiet-period exception: the unit's head (局长 for a city bureau)
    ("draft", EXCEPTION, "director", 200, None),
    ("approved", EXCEPTION, "director", 200, None),
    ("draft", EXCEPTION, "deputy", 403, None),
    ("draft", EXCEPTION, "branch-head", 403, None),
    ("on_site", EXCEPTION, "director", 409, None),
]


@pytest.mark.parametrize(("state", "action", "username", "expected", "after"), TABLE,
                         ids=[f"{s}-{a[0]}-{u}" for s, a, u, _, _ in TABLE])
def test_transition_table(auth, create, state, action, username, expected, after):
    insp = reach(auth, create, state)
    before = auth.client("insp-1").get(f"/api/inspections/{insp}").get_json()
    path, body = action
    response = auth.client(username).post(f"/api/inspections/{insp}/{path}", json=body or {})
    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert response.get_json()["error"]["message"]  # one error shape, a message for the user
    now = auth.client("insp-1").get(f"/api/inspections/{insp}").get_json()
    assert now["status"] == (after or before["status"])
    if after is None:
        assert now["opinions"] == before["opinions"]


def test_wrong_position_message_names_the_step(auth, create):
    insp = reach(auth, create, "pending_approval:1")
    response = auth.client("director").post(f"/api/inspections/{insp}/approvals",
                                            json={"decision": "approve", "opinion": "同意"})
    assert response.status_code == 403
    assert "分管局长" in response.get_json()["error"]["message"]


def test_rejection_returns_to_draft_with_the_opinion(auth, create):
    insp = reach(auth, create, "pending_approval:1")
    detail = auth.client("deputy").post(f"/api/inspections/{insp}/approvals",
                                        json={"decision": "reject", "opinion": "检查内容不够具体，请补充"}).get_json()
    assert detail["status"] == "draft"
    opinions = {o["position"]: o for o in detail["opinions"]}
    assert opinions["deputy_director"]["decision"] == "reject"
    assert opinions["deputy_director"]["opinion"] == "检查内容不够具体，请补充"
    assert "edit" in auth.client("insp-1").get(f"/api/inspections/{insp}").get_json()["allowed_actions"]
    # resubmitting starts a new round at the first step
    again = auth.client("insp-1").post(f"/api/inspections/{insp}/submit").get_json()
    assert again["current_step"] == "承办机构负责人" and all(o["decision"] is None for o in again["opinions"])


def test_reject_needs_an_opinion(auth, create):
    insp = reach(auth, create, "pending_approval:0")
    response = auth.client("div-head").post(f"/api/inspections/{insp}/approvals", json={"decision": "reject"})
    assert response.status_code == 422
    assert "opinion" in response.get_json()["error"]["details"]["fields"]


def test_county_chain_is_the_branch_head_alone(auth, world, staff):
    body = {"enterprise_id": world.enterprises["a"], "inspection_type": "complaint", "basis": "群众投诉",
            "start_date": "2026-04-01", "end_date": "2026-04-01", "content": "核查异味投诉",
            "inspector_ids": [staff["cty-insp-1"], staff["cty-insp-2"]], "methods": ["on_site"]}
    insp = auth.client("cty-insp-1").post("/api/inspections", json=body).get_json()
    assert insp["unit_name"] == "哈尔滨市生态环境局道里分局" and insp["trigger"] == "complaint"
    assert auth.client("cty-insp-1").post(f"/api/inspections/{insp['id']}/submit").status_code == 200
    assert auth.client("director").post(f"/api/inspections/{insp['id']}/approvals",
                                        json={"decision": "approve"}).status_code == 403
    done = auth.client("branch-head").post(f"/api/inspections/{insp['id']}/approvals",
                                           json={"decision": "approve", "opinion": "同意"}).get_json()
    assert done["status"] == "approved" and [o["label"] for o in done["opinions"]] == ["分局主要负责人"]


def test_every_transition_is_audited(app, auth, create):
    from sqlalchemy import select

    from app.common.audit import AuditEvent, verify_chains
    from app.extensions import db

    insp = reach(auth, create, "completed")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "inspection", AuditEvent.object_id == str(insp)).order_by(AuditEvent.id)).all()
        assert actions == ["inspection.created", "inspection.submit", "inspection.approve", "inspection.approve",
                           "inspection.approve", "inspection.start", "inspection.complete"]
        assert verify_chains() == []


def test_a_stale_read_cannot_move_or_sign_twice(app, auth, create):
    """Compare-and-set: a request that read the old state (a double tap) gets 409, on SQLite too."""
    from sqlalchemy import update

    from app.accounts.models import User
    from app.common.errors import Conflict
    from app.extensions import db
    from app.inspections import approvals, service
    from app.inspections.models import Inspection

    waiting = reach(auth, create, "pending_approval:0")
    approved = reach(auth, create, "approved")
    with app.app_context():
        stale = db.session.get(Inspection, approved)
        db.session.execute(update(Inspection).where(Inspection.id == approved).values(status="cancelled")
                           .execution_options(synchronize_session=False))  # another request, unseen here
        with pytest.raises(Conflict):
            service.transition(stale, "start")
        db.session.rollback()
        stale = db.session.get(Inspection, waiting)
        db.session.execute(update(Inspection).where(Inspection.id == waiting).values(step=1)
                           .execution_options(synchronize_session=False))
        head = db.session.scalar(db.select(User).where(User.username == "div-head"))
        with pytest.raises(Conflict):
            approvals.decide(head, stale, "inspection", "approve", "同意", enterprise_id=stale.enterprise_id)
        db.session.rollback()
