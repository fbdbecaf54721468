"""线索移送: the transition table, who sees what, clues carrying their evidence, time limits, and the 附件3 PDF."""
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.clues import reminders, service
from app.clues.models import Clue, ClueStatus
from app.common.timeutil import add_working_days, today_local, utcnow
from app.extensions import db
from app.notify.models import Notification
from tests.monitoring.conftest import DAY, hourly, post

BODY = {"from_dept": "生态环境监控中心", "to_unit_code": "230102", "to_dept": "执法大队", "source": "complaint",
        "categories": ["air", "noise"], "description": "群众反映夜间锅炉冒黑烟、噪声扰民。",
        "legal_basis": "《中华人民共和国大气污染防治法》第十八条", "sender_opinion": "verify",
        "handler_name": "张明", "sender_head": "李主任"}


@pytest.fixture
def draft(auth, world):
    def make(**changes):
        response = auth.client("reg-city").post("/api/clues", json={
            **BODY, "enterprise_id": world.enterprises["a"], **changes})
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return make


def _to(auth, clue_id: int, status: str):
    """Walk a clue from draft to `status` along the happy path."""
    city, county = auth.client("reg-city"), auth.client("reg-county-a")
    steps = {"transferred": [(city, "transfer", {})],
             "accepted": [(city, "transfer", {}), (county, "accept", {"receiver_opinion": "同意接收", "receiver_head": "王局长"})],
             "returned": [(city, "transfer", {}), (county, "return", {"reason": "不属于本单位管辖"})],
             "concluded": [(city, "transfer", {}), (county, "accept", {"receiver_opinion": "同意", "receiver_head": "王"}),
                           (county, "conclude", {"conclusion": "case_filed", "outcome": "已立案调查"})],
             "withdrawn": [(city, "withdraw", {"reason": "重复移送"})], "draft": []}[status]
    for client, action, body in steps:
        response = client.post(f"/api/clues/{clue_id}/{action}", json=body)
        assert response.status_code == 200, response.get_json()


ACTION_BODY = {"transfer": {}, "withdraw": {"reason": "重复"}, "accept": {"receiver_opinion": "同意", "receiver_head": "王"},
               "return": {"reason": "材料不全"}, "conclude": {"conclusion": "not_filed", "outcome": "经核查不构成违法"},
               "edit": {"to_dept": "执法二中队"}}
# (status, action, user) → expected HTTP status: the whole lifecycle as one table.
TABLE = [
    ("draft", "transfer", "reg-city", 200), ("draft", "transfer", "reg-county-a", 404),  # a draft is the sender's
    ("draft", "withdraw", "reg-city", 200), ("draft", "accept", "reg-city", 403),
    ("transferred", "accept", "reg-county-a", 200), ("transferred", "return", "reg-county-a", 200),
    ("transferred", "accept", "reg-city", 403), ("transferred", "transfer", "reg-city", 409),
    ("transferred", "withdraw", "reg-city", 409), ("transferred", "conclude", "reg-county-a", 409),
    ("accepted", "conclude", "reg-county-a", 200), ("accepted", "return", "reg-county-a", 409),
    ("accepted", "accept", "reg-county-a", 409), ("accepted", "conclude", "reg-city", 403),
    ("returned", "transfer", "reg-city", 200), ("returned", "withdraw", "reg-city", 200),
    ("returned", "accept", "reg-county-a", 409),
    ("concluded", "conclude", "reg-county-a", 409), ("concluded", "return", "reg-county-a", 409),
    ("withdrawn", "transfer", "reg-city", 409),
    ("draft", "edit", "reg-city", 200), ("returned", "edit", "reg-city", 200), ("transferred", "edit", "reg-city", 409),
    ("transferred", "edit", "reg-county-a", 403), ("concluded", "edit", "reg-city", 409),
    ("transferred", "accept", "reg-other", 404), ("transferred", "accept", "ehs-a", 403),
]


@pytest.mark.parametrize("status,action,user,expected", TABLE)
def test_transition_table(auth, draft, status, action, user, expected):
    clue = draft()
    _to(auth, clue["id"], status)
    client = auth.client(user)
    response = client.patch(f"/api/clues/{clue['id']}", json=ACTION_BODY[action]) if action == "edit" else \
        client.post(f"/api/clues/{clue['id']}/{action}", json=ACTION_BODY[action])
    assert response.status_code == expected, response.get_json()
    if expected == 200:
        target = service.TRANSITIONS[action].target or status  # edit keeps the state
        assert response.get_json()["status"] == target
    if expected == 409:
        assert response.get_json()["error"]["code"] == "invalid_transition"


def test_every_transition_in_the_table_is_tested():
    tested = {(status, action) for status, action, _, code in TABLE if code == 200}
    legal = {(str(s), a) for a, t in service.TRANSITIONS.items() for s in t.sources}
    assert legal <= tested


def test_transfer_needs_every_field_and_sets_the_accept_time_limit(app, auth, draft, world):
    clue = draft(sender_head="", categories=[])
    response = auth.client("reg-city").post(f"/api/clues/{clue['id']}/transfer", json={})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "incomplete_clue"
    assert set(response.get_json()["error"]["details"]["missing"]) == {"科室/单位负责人", "涉嫌违法行为"}
    patched = auth.client("reg-city").patch(f"/api/clues/{clue['id']}", json={"sender_head": "李主任",
                                                                           "categories": ["air"]})
    assert patched.status_code == 200
    done = auth.client("reg-city").post(f"/api/clues/{clue['id']}/transfer", json={}).get_json()
    assert done["transferred_on"] == today_local().isoformat()
    assert done["accept_due"] == add_working_days(today_local(), 5).isoformat()
    assert auth.client("reg-city").patch(f"/api/clues/{clue['id']}", json={"to_dept": "x"}).status_code == 409
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.kind == "clue"))
        assert note.recipient_id == world.users["reg-county-a"] and "收到移送线索" in note.title


def test_reasons_and_outcomes_are_required(auth, draft):
    clue = draft()
    _to(auth, clue["id"], "transferred")
    county = auth.client("reg-county-a")
    assert county.post(f"/api/clues/{clue['id']}/return", json={}).status_code == 422
    assert county.post(f"/api/clues/{clue['id']}/accept", json={"receiver_opinion": "同意"}).status_code == 422
    county.post(f"/api/clues/{clue['id']}/accept", json={"receiver_opinion": "同意", "receiver_head": "王"})
    assert county.post(f"/api/clues/{clue['id']}/conclude", json={"conclusion": "referred",
                                                                  "outcome": "移交公安"}).status_code == 422
    done = county.post(f"/api/clues/{clue['id']}/conclude", json={"conclusion": "referred", "outcome": "涉嫌犯罪",
                                                                 "referred_to": "市公安局环食药侦支队"}).get_json()
    assert done["conclusion_label"] == "转其他部门" and done["referred_to"] == "市公安局环食药侦支队"
    history = auth.client("reg-city").get(f"/api/clues/{clue['id']}/history").get_json()
    assert [h["action"] for h in history] == ["clue.created", "clue.transfer", "clue.accept", "clue.conclude"]


def test_receiving_unit_must_have_jurisdiction(auth, draft, world):
    response = auth.client("reg-city").post("/api/clues", json={**BODY, "enterprise_id": world.enterprises["a"],
                                                                "to_unit_code": "230103"})
    assert response.status_code == 422 and "不管辖" in response.get_json()["error"]["message"]


def test_queues_and_who_sees_clues(auth, draft, world):
    sent, kept = draft(), draft()
    _to(auth, sent["id"], "transferred")
    inbox = auth.client("reg-county-a").get("/api/clues", query_string={"box": "inbox"}).get_json()
    assert [c["id"] for c in inbox["items"]] == [sent["id"]]
    assert inbox["items"][0]["allowed_actions"] == ["accept", "return"]
    outbox = auth.client("reg-city").get("/api/clues", query_string={"box": "outbox"}).get_json()
    assert {c["id"] for c in outbox["items"]} == {sent["id"], kept["id"]}
    assert auth.client("reg-county-a").get(f"/api/clues/{kept['id']}").status_code == 404  # someone else's draft
    assert auth.client("reg-other").get(f"/api/clues/{sent['id']}").status_code == 404
    assert auth.client("ehs-a").get("/api/clues").status_code == 403
    assert auth.client("ehs-a").get(f"/api/clues/{sent['id']}/form.pdf").status_code == 403


def test_a_clue_from_a_monitoring_alarm_carries_its_evidence(app, client, auth, monitored, world):
    packets = [hourly(DAY.replace(hour=h), 450.0 + h) for h in range(8, 13)]
    assert post(client, *packets).status_code == 200
    alarm = auth.client("reg-city").get("/api/monitoring/alarms").get_json()["items"][0]
    response = auth.client("reg-city").post("/api/clues", json={
        "origin_type": "monitoring_alarm", "origin_id": alarm["id"], "to_unit_code": "230102",
        "sender_opinion": "suggest_case", "sender_head": "李主任", "from_dept": "生态环境监控中心"})
    assert response.status_code == 201, response.get_json()
    clue = response.get_json()
    assert clue["source"] == "monitoring" and clue["categories"] == ["air"]
    assert clue["subject_id_no"] == _uscc(app, world.enterprises["a"])
    assert "连续5小时" in clue["description"] and "大气污染防治法" in clue["legal_basis"]
    extract = clue["materials"][0]
    assert extract["kind"] == "monitoring" and len(extract["lines"]) == 5
    assert extract["lines"][0].startswith("2025-03-03 08:00 氮氧化物 折算均值458")
    warning = auth.client("reg-city").get("/api/warnings", query_string={"kind": "monitoring_exceedance"})
    from_warning = auth.client("reg-city").post("/api/clues", json={
        "origin_type": "risk_warning", "origin_id": warning.get_json()["items"][0]["id"]}).get_json()
    assert from_warning["materials"][0]["ref"] == f"monitoring_alarm:{alarm['id']}"


def test_a_clue_from_a_problem_and_from_a_warning(app, auth, world):
    problem = auth.client("reg-county-a").post("/api/problems", json={
        "enterprise_id": world.enterprises["a"], "title": "危险废物贮存场所未设置防渗", "severity": "较重",
        "category": "固体废物与危险废物", "description": "现场检查发现"}).get_json()
    clue = auth.client("reg-county-a").post("/api/clues", json={"origin_type": "problem",
                                                                "origin_id": problem["id"]}).get_json()
    assert clue["source"] == "onsite" and clue["categories"] == ["solid_waste"]
    assert clue["materials"][0]["ref"] == f"problem:{problem['id']}"
    assert clue["from_unit_code"] == clue["to_unit_code"] == "230102"
    assert auth.client("reg-other").post("/api/clues", json={"origin_type": "problem",
                                                             "origin_id": problem["id"]}).status_code == 404


def _uscc(app, enterprise_id):
    with app.app_context():
        return db.session.get(Enterprise, enterprise_id).uscc


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_form_pdf_carries_the_title_the_uscc_and_the_chosen_categories(app, auth, draft, world):
    clue = draft()
    _to(auth, clue["id"], "accepted")
    response = auth.client("reg-county-a").get(f"/api/clues/{clue['id']}/form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    uscc = _uscc(app, world.enterprises["a"])
    for expected in ("哈尔滨市生态环境局", "涉嫌环境违法线索移送表", f"编号：{clue['number']}",
                     "一、移送信息", "移送科室/单位", "哈尔滨市生态环境局生态环境监控中心",
                     "接收科室/单位", "哈尔滨市生态环境局道里分局执法大队", "移送日期", "二、线索基本信息",
                     "涉嫌违法主体名称", "道里电镀厂", "统一社会信用代码/身份证号", uscc,
                     "□监测数据", "■信访举报", "□其他单位移交",
                     "□水污染", "■大气污染", "□固废违法", "■噪声扰民", "□生态破坏",
                     "群众反映夜间锅炉冒黑烟、噪声扰民。", "《中华人民共和国大气污染防治法》第十八条",
                     "三、移交材料清单", "四、移交意见", "□建议立案", "■需进一步核查", "□请协调＿＿＿＿科室协助",
                     "经办人", "张明", "李主任", "接收方意见", "同意接收", "王局长"):
        assert expected in text, expected


def test_late_clues_remind_the_receiving_unit_then_the_sender(app, auth, draft, world):
    clue = draft()
    _to(auth, clue["id"], "transferred")
    with app.app_context():
        row = db.session.get(Clue, clue["id"])
        row.accept_due = today_local() - timedelta(days=3)
        db.session.commit()
        assert row.is_overdue(today_local()) and row.step_due == row.accept_due
        created = reminders.clue_reminders(utcnow())
        db.session.commit()
        assert created >= 2
        notes = db.session.scalars(select(Notification).where(Notification.kind == "clue_step_due")).all()
        assert {n.recipient_id for n in notes} >= {world.users["reg-county-a"], world.users["reg-city"]}
        assert reminders.clue_reminders(utcnow()) == 0  # once per stage
        db.session.get(Clue, clue["id"]).status = ClueStatus.ACCEPTED
        db.session.rollback()
