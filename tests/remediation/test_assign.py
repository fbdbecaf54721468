"""指派: the enterprise's 环保负责人 names who of its people handles an open problem; that person is told."""
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification


def test_the_admin_assigns_a_problem_to_a_colleague_who_is_told(app, auth, world, make_problem):
    pid = make_problem("open")
    admin, staff = auth.client("ehs-a"), auth.client("staff-a")
    people = admin.get("/api/problems/assignees").get_json()
    assert {p["id"] for p in people} >= {world.users["ehs-a"], world.users["staff-a"]}
    assert "assign" in admin.get(f"/api/problems/{pid}").get_json()["allowed_actions"]
    assert "assign" not in staff.get(f"/api/problems/{pid}").get_json()["allowed_actions"]

    done = admin.post(f"/api/problems/{pid}/assign", json={"owner_id": world.users["staff-a"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["owner_id"] == world.users["staff-a"]
    assert any(h["action"] == "problem.assigned" for h in done.get_json()["history"])
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.kind == "problem_assigned")).all()
        assert [n.recipient_id for n in notes] == [world.users["staff-a"]]

    assert staff.post(f"/api/problems/{pid}/assign", json={"owner_id": world.users["ehs-a"]}).status_code == 403
    foreign = admin.post(f"/api/problems/{pid}/assign", json={"owner_id": world.users["ehs-b"]})
    assert foreign.status_code == 422 and "owner_id" in foreign.get_json()["error"]["details"]["fields"]
    assert auth.client("reg-county-a").get("/api/problems/assignees").get_json() == []
    assert auth.client("ehs-b").post(f"/api/problems/{pid}/assign",
                                     json={"owner_id": world.users["ehs-b"]}).status_code == 404
