"""POST /api/monitoring/hj212: device authentication by MN and PW, refusals counted, repeats stored once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.timeutil import TZ, now_local
from app.extensions import db
from app.monitoring import hj212
from app.monitoring.models import Alarm, Record, Refusal, Value
from tests.monitoring.conftest import DAY, MN, NOX, PW, hourly, post


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _refusals(app) -> dict:
    with app.app_context():
        return {(r.mn, r.code): r.count for r in db.session.scalars(select(Refusal))}


def test_accepted_packet_is_stored_without_a_session(app, client, monitored):
    response = post(client, hourly(DAY.replace(hour=8), 180.5))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["accepted"] == 1 and body["refused"] == 0
    assert body["results"][0] | {"reply": None} == {
        "status": "accepted", "code": "ok", "reason": "", "mn": MN, "cn": "2061", "qn": "20250303080000001",
        "data_time": "2025-03-03 08:00:00", "stored": 3, "reply": None}
    with app.app_context():
        value = db.session.scalar(select(Value).where(Value.pollutant == NOX))
        assert (value.avg, value.zs, value.cou, value.flag) == (180.5, 180.5, 1.5, "N")
        assert value.data_time.astimezone(TZ).hour == 8  # DataTime is Beijing time


def test_repeated_packet_is_stored_once(app, client, monitored):
    packet = hourly(DAY.replace(hour=8))
    assert post(client, packet).get_json()["accepted"] == 1
    again = post(client, packet)
    assert again.status_code == 200
    assert again.get_json()["results"][0]["status"] == "duplicate"
    both = post(client, packet, packet).get_json()
    assert both["duplicates"] == 2 and both["accepted"] == 0
    assert _count(app, Record) == 1 and _count(app, Value) == 3


def test_split_packet_parts_add_to_one_record(app, client, monitored):
    at = DAY.replace(hour=9)
    first = hj212.build_data_packet(mn=MN, pw=PW, cn="2061", data_time=at, flag=6 | 0, values={
        NOX: {"Avg": 100, "Flag": "N"}}).replace("Flag=6;", "Flag=6;PNUM=2;PNO=1;")
    second = hj212.build_data_packet(mn=MN, pw=PW, cn="2061", data_time=at, values={
        "a21026": {"Avg": 50, "Flag": "N"}}).replace("Flag=4;", "Flag=6;PNUM=2;PNO=2;")
    first, second = (hj212.frame(p[6:-6]) for p in (first, second))  # re-frame after the edit
    assert post(client, first, second).get_json()["accepted"] == 2
    assert _count(app, Record) == 1 and _count(app, Value) == 2


@pytest.mark.parametrize("mutate,status,code", [
    (lambda p: p[:-6] + "0000\r\n", 400, "bad_crc"),
    (lambda p: "##" + f"{int(p[2:6]) + 3:04d}" + p[6:], 400, "bad_length"),
    (lambda p: p.replace(MN, "23010200000009"), 401, "unknown_mn"),
    (lambda p: p.replace(f"PW={PW}", "PW=654321"), 401, "wrong_pw"),
    (lambda p: p.replace("CN=2061", "CN=9021"), 422, "unsupported_cn"),
])
def test_refused_packets_answer_4xx_with_the_reason_and_are_counted(app, client, monitored, mutate, status, code):
    raw = hourly(DAY.replace(hour=8))
    if code not in ("bad_crc", "bad_length"):
        raw = hj212.frame(mutate(raw)[6:-6])  # a well-framed packet whose content is refused
    else:
        raw = mutate(raw)
    response = post(client, raw)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"].startswith("报文被拒收：")
    assert error["details"]["results"][0]["status"] == "refused"
    assert _count(app, Record) == 0
    counted = _refusals(app)
    key = ("", code) if code in ("unknown_mn", "bad_length", "bad_crc") else (MN, code)
    assert counted.get(key) == 1, counted


def test_malformed_packet_with_a_registered_mn_is_counted_for_that_device(app, client, monitored):
    segment = hourly(DAY.replace(hour=8))[6:-6].replace("Flag=N", "Flag=Q", 1)
    response = post(client, hj212.frame(segment))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_flag_value"
    assert _refusals(app) == {(MN, "bad_flag_value"): 1}


def test_mixed_body_answers_200_with_each_result(app, client, monitored):
    good, bad = hourly(DAY.replace(hour=8)), hourly(DAY.replace(hour=9), pw="000000")
    body = post(client, good, bad).get_json()
    assert (body["accepted"], body["refused"]) == (1, 1)
    assert [r["code"] for r in body["results"]] == ["ok", "wrong_pw"]


def test_answer_packet_when_the_flag_asks(client, monitored):
    result = post(client, hourly(DAY.replace(hour=8), ack=True)).get_json()["results"][0]
    answer = hj212.parse_packet(result["reply"])
    assert (answer.cn, answer.st, answer.qn, answer.mn) == ("9014", "91", "20250303080000001", MN)
    assert post(client, hourly(DAY.replace(hour=9))).get_json()["results"][0]["reply"] is None


def test_impossible_times_are_refused(client, monitored):
    future = now_local().replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(hours=3)
    assert post(client, hourly(future)).get_json()["error"]["code"] == "future_time"
    misaligned = post(client, hourly(DAY.replace(hour=8, minute=30)))
    assert misaligned.status_code == 422 and misaligned.get_json()["error"]["code"] == "misaligned_time"


def test_repeated_wrong_passwords_lock_the_device_until_a_new_password(app, client, auth, monitored):
    app.config["HJ212_MAX_PW_FAILURES"] = 3
    try:
        for hour in range(3):
            assert post(client, hourly(DAY.replace(hour=hour), pw="000000")).status_code == 401
        locked = post(client, hourly(DAY.replace(hour=8)))
        assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "locked"
        admin = auth.client("ehs-a")
        assert admin.patch(f"/api/monitoring/devices/{monitored.device_id}",
                           json={"pw": "abc123"}).status_code == 200
        assert post(client, hourly(DAY.replace(hour=8), pw="abc123")).status_code == 200
    finally:
        app.config.pop("HJ212_MAX_PW_FAILURES")


def test_logged_in_browser_without_csrf_token_can_still_post_packets(auth, monitored):
    client = auth.client("ehs-a")
    client.environ_base.pop("HTTP_X_CSRF_TOKEN")
    assert post(client, hourly(DAY.replace(hour=8))).status_code == 200


def test_empty_or_oversized_body(client, monitored):
    assert post(client, "").status_code == 400
    big = post(client, "x" * (1024 * 1024 + 10))
    assert big.status_code == 413


@pytest.mark.parametrize("flag", [f for f in hj212.DATA_FLAGS if f != "N"])
def test_flagged_hours_above_the_limit_are_not_exceedances(app, client, monitored, flag):
    body = post(client, hourly(DAY.replace(hour=8), 900.0, flag=flag)).get_json()
    assert body["accepted"] == 1
    assert _count(app, Alarm) == 0


def test_an_accepted_hourly_exceedance_appears_in_the_enterprise_warnings(client, auth, monitored):
    assert post(client, hourly(DAY.replace(hour=8), 512.0)).status_code == 200
    warnings = auth.client("ehs-a").get("/api/warnings").get_json()
    mine = [w for w in warnings["items"] if w["kind"] == "monitoring_exceedance"]
    assert len(mine) == 1
    assert "512" in mine[0]["detail"] and "限值400" in mine[0]["detail"] and "GB 13271-2014" in mine[0]["detail"]
    assert mine[0]["kind_label"] == "在线监测超标" and mine[0]["object_type"] == "monitoring_alarm"
    assert auth.client("ehs-b").get("/api/warnings").get_json()["total"] == 0
