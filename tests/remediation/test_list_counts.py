"""The problem list's total: exact up to a cap, then the cap and a flag (a province need not count 400 000 rows)."""


def test_a_long_list_counts_up_to_the_cap_and_says_so(auth, world, monkeypatch):
    """Exact where cheap, capped where not: above the cap the list answers the cap and total_capped."""
    from datetime import timedelta

    from app.common import dbutil
    from app.common.timeutil import today_local
    from app.extensions import db
    from app.remediation.models import Problem

    with auth.app.app_context():
        for n in range(4):
            day = today_local() + timedelta(days=n)
            db.session.add(Problem(enterprise_id=world.enterprises["a"], source="regulator", title=f"问题{n}",
                                   severity="一般", deadline=day, original_deadline=day))
        db.session.commit()
    client = auth.client("reg-city")
    body = client.get("/api/problems").get_json()
    assert (body["total"], body["total_capped"], len(body["items"])) == (4, False, 4)
    monkeypatch.setattr(dbutil, "COUNT_CAP", 3)
    body = client.get("/api/problems").get_json()
    assert (body["total"], body["total_capped"], len(body["items"])) == (3, True, 4)
    monkeypatch.setattr(dbutil, "COUNT_CAP", 4)
    assert client.get("/api/problems").get_json()["total_capped"] is False
