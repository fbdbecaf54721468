"""企业诉求: transition table, working-day deadlines across 调休 and National Day, reopen on 不满意, quality."""
import io
import uuid
from datetime import date, datetime

import pytest
import time_machine

from app.requests.models import RequestStatus as S
from app.requests.service import ACTIONS, deadlines
from tests.factories import jpeg_bytes


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


def test_transition_table():
    table = {action: (side, tuple(states), to) for action, (side, states, to) in ACTIONS.items()}
    assert table == {
        "register": ("regulator", (S.SUBMITTED,), S.REGISTERED),
        "assign": ("regulator", (S.REGISTERED,), S.ASSIGNED),
        "reply": ("regulator", (S.ASSIGNED, S.REPLIED), S.REPLIED),
        "close": ("regulator", (S.REPLIED,), S.CLOSED),
        "rate": ("enterprise", (S.CLOSED,), None),
        "review": ("unit_head", (S.REOPENED,), None),
        "followup": ("regulator", (S.RATED,), S.RATED),
    }


@pytest.mark.parametrize(("category", "filed", "expected"), [
    # Friday 2026-09-18; Sunday 9-20 is a 调休 working day: 1 working day later is that Sunday.
    ("政策咨询", date(2026, 9, 18), {"register": date(2026, 9, 20), "reply": date(2026, 9, 22),
                                  "close": date(2026, 9, 24)}),
    # Wednesday 2026-09-30: 10-1…10-7 off, 10-8 Thu, 10-9 Fri, 10-10 Sat works, 10-12 Mon…
    ("技术帮扶", date(2026, 9, 30), {"register": date(2026, 10, 8), "reply": date(2026, 10, 13),
                                  "close": date(2026, 10, 27)}),
])
def test_deadlines_in_working_days_with_the_holiday_calendar(app, category, filed, expected):
    with app.app_context():
        assert deadlines(category, filed) == expected


def _file(auth, with_photo=True):
    ehs = auth.client("ehs-a")
    ids = []
    if with_photo:
        upload = ehs.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "p.jpg"),
                                                "client_id": uuid.uuid4().hex}, content_type="multipart/form-data")
        ids = [upload.get_json()["id"]]
    response = ehs.post("/api/requests", json={"category": "执法投诉", "content": "检查时间与生产高峰冲突，请协调。",
                                               "upload_ids": ids})
    assert response.status_code == 201, response.get_json()
    return ehs, response.get_json()


def test_lifecycle_reopen_on_unsatisfied_and_followup(auth, world):
    with at("2026-09-30"):
        ehs, req = _file(auth)
        assert req["status"] == "submitted" and req["register_due"] == "2026-10-08"
        reg, head = auth.client("reg-county-a"), auth.client("regadmin-city")
        rid = req["id"]
        assert auth.client("ehs-b").get(f"/api/requests/{rid}").status_code == 404
        assert auth.client("reg-other").get(f"/api/requests/{rid}").status_code == 404
        assert reg.get("/api/requests").get_json()["total"] == 1
        assert auth.client("reg-other").get("/api/requests").get_json()["total"] == 0
        assert reg.post(f"/api/requests/{rid}/close", json={"result": "x"}).status_code == 409
        assert reg.post(f"/api/requests/{rid}/register", json={}).get_json()["status"] == "registered"
        bad = reg.post(f"/api/requests/{rid}/assign", json={"assignee_id": world.users["reg-other"]})
        assert bad.status_code == 422
        assert reg.post(f"/api/requests/{rid}/assign",
                        json={"assignee_id": world.users["reg-county-a"]}).status_code == 200
        assert reg.post(f"/api/requests/{rid}/reply", json={"body": "已联系企业，正在协调。"}).status_code == 200
        assert [r["id"] for r in reg.get("/api/requests?status=open").get_json()["items"]] == [rid]  # 已答复: still 待办
        seen = ehs.get(f"/api/requests/{rid}").get_json()
        assert any(e["body"] == "已联系企业，正在协调。" for e in seen["events"])
        assert reg.post(f"/api/requests/{rid}/close", json={"result": "已调整检查时间。"}).status_code == 200
        assert ehs.post(f"/api/requests/{rid}/rate", json={"rating": "不满意"}).status_code == 422  # needs a reason
        reopened = ehs.post(f"/api/requests/{rid}/rate", json={"rating": "不满意", "comment": "仍未解决"}).get_json()
        assert reopened["status"] == "reopened" and reopened["reopen_count"] == 1
        assert reg.post(f"/api/requests/{rid}/review", json={"decision": "rehandle", "comment": "x"}).status_code == 403
        review = head.post(f"/api/requests/{rid}/review", json={"decision": "rehandle", "comment": "请重新核实"})
        assert review.status_code == 200 and review.get_json()["status"] == "assigned"
        reg.post(f"/api/requests/{rid}/reply", json={"body": "重新核实完毕。"})
        reg.post(f"/api/requests/{rid}/close", json={"result": "已解决。"})
        rated = ehs.post(f"/api/requests/{rid}/rate", json={"rating": "满意"}).get_json()
        assert rated["status"] == "rated" and rated["followup_due"]     # 执法投诉 requires a 回访
        assert reg.get("/api/requests?status=open").get_json()["total"] == 0
        assert reg.get("/api/requests?status=rated").get_json()["total"] == 1
        wrong = reg.get("/api/requests?status=nonsense")
        assert wrong.status_code == 422 and "status" in wrong.get_json()["error"]["details"]["fields"]
        assert "followup" in reg.get(f"/api/requests/{rid}").get_json()["allowed_actions"]
        assert reg.post(f"/api/requests/{rid}/followup", json={"note": "电话回访，企业满意"}).status_code == 200
        assert reg.post(f"/api/requests/{rid}/followup", json={"note": "again"}).status_code == 409
        quality = reg.get("/api/requests/quality").get_json()
        assert quality["total"] == 1 and quality["satisfaction_rate"] == 1.0 and quality["reopened_share"] == 1.0
        assert quality["steps"][0] == {"step": "register", "due": 1, "on_time": 1, "rate": 1.0}


def test_only_enterprise_users_file_and_input_is_checked(auth, world):
    reg = auth.client("reg-county-a")
    assert reg.post("/api/requests", json={"category": "其他", "content": "x"}).status_code == 403
    bad = auth.client("ehs-a").post("/api/requests", json={"category": "投诉", "content": "x"})
    assert bad.status_code == 422 and "category" in bad.get_json()["error"]["details"]["fields"]
    foreign = auth.client("ehs-a").post("/api/requests", json={"category": "其他", "content": "x",
                                                                "upload_ids": [999999]})
    assert foreign.status_code == 422


def test_overdue_step_escalates_once(app, auth, world):
    from sqlalchemy import select

    from app.extensions import db
    from app.notify.models import Notification
    from app.requests.reminders import request_reminders

    with at("2026-09-30"):
        _ehs, req = _file(auth, with_photo=False)
    with app.app_context():
        late = datetime.fromisoformat("2026-10-09T08:25:00+08:00")  # register_due 10-08 passed
        assert request_reminders(late) > 0
        assert request_reminders(late) == 0
        db.session.commit()
        stages = set(db.session.scalars(select(Notification.stage).where(Notification.object_id == req["id"],
                                                                         Notification.object_type == "request")))
        assert stages == {"D+1@2026-10-08"}
