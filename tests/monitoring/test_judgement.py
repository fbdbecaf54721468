"""Judgement: one warning per continuous exceedance, none for maintenance, one for a projection over the permit,
数据缺失 after the configured hours, the enterprise's explanation, and the positive-list fact."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.extensions import db
from app.monitoring import facts
from app.monitoring.judgement import judge_day
from app.monitoring.models import Alarm
from app.notify.models import Notification
from app.supervision import eligibility
from app.supervision.models import RiskWarning
from tests.monitoring.conftest import DAY, NOX, hourly, post


def _warnings(app, kind):
    with app.app_context():
        return db.session.scalars(select(RiskWarning).where(RiskWarning.kind == kind)).all()


def _alarms(app, kind):
    with app.app_context():
        return [(a.started_at, a.ended_at, a.periods, a.peak) for a in db.session.scalars(
            select(Alarm).where(Alarm.kind == kind).order_by(Alarm.started_at))]


def _day(client, day, nox_by_hour=None, skip=(), flags=None, cou=1.5):
    """Post a day of hourly packets: NOx 200 unless nox_by_hour says otherwise."""
    packets = [hourly(day.replace(hour=h), (nox_by_hour or {}).get(h, 200.0), flag=(flags or {}).get(h, "N"),
                      cou=cou) for h in range(24) if h not in skip]
    assert post(client, *packets).status_code == 200


def test_a_five_hour_exceedance_is_one_warning(app, client, monitored):
    _day(client, DAY, {8: 420, 9: 455.5, 10: 610, 11: 480, 12: 401})
    assert len(_alarms(app, "exceedance")) == 1
    (start, end, periods, peak), = _alarms(app, "exceedance")
    assert periods == 5 and peak == 610
    warning, = _warnings(app, "monitoring_exceedance")
    assert warning.level == "high" and warning.enterprise_id == monitored.enterprise_id
    assert "2025-03-03 08:00至2025-03-03 12:00" in warning.detail and "连续5小时" in warning.detail
    assert "最高610 mg/m³" in warning.detail and "限值400 mg/m³" in warning.detail
    assert "GB 13271-2014 表1 在用燃煤锅炉" in warning.detail
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.kind == "monitoring_alarm")).all()
        assert len({n.recipient_id for n in notes}) == len(notes) >= 2  # admins and regulators, once each


def test_two_separate_exceedances_are_two_warnings(app, client, monitored):
    _day(client, DAY, {3: 450, 4: 460, 15: 500})
    assert [p for _, _, p, _ in _alarms(app, "exceedance")] == [2, 1]
    assert len(_warnings(app, "monitoring_exceedance")) == 2


def test_hours_arriving_out_of_order_join_one_episode(app, client, monitored):
    for hour in (8, 10, 12, 9, 11):  # 补传: the gaps are filled later
        assert post(client, hourly(DAY.replace(hour=hour), 450.0)).status_code == 200
    assert [p for _, _, p, _ in _alarms(app, "exceedance")] == [5]
    warning, = _warnings(app, "monitoring_exceedance")
    assert "连续5小时" in warning.detail


def test_a_maintenance_period_makes_no_warning(app, client, monitored):
    _day(client, DAY, {h: 900.0 for h in range(9, 15)}, flags={h: "M" for h in range(9, 15)})
    assert _alarms(app, "exceedance") == []
    assert _warnings(app, "monitoring_exceedance") == []


def test_the_chart_series_marks_flags_and_exceedances(client, auth, monitored):
    _day(client, DAY, {8: 450, 9: 900}, flags={9: "C"})
    body = auth.client("reg-county-a").get(
        f"/api/monitoring/outlets/{monitored.outlet_id}/series",
        query_string={"pollutant": NOX, "start": "2025-03-03", "end": "2025-03-03"}).get_json()
    assert body["limit_value"] == 400 and len(body["points"]) == 24
    by_hour = {p["time"][11:13]: p for p in body["points"]}
    assert by_hour["08"]["exceeds"] and by_hour["08"]["judged"]
    assert by_hour["09"]["flag_label"] == "校准" and not by_hour["09"]["judged"] and not by_hour["09"]["exceeds"]
    assert auth.client("reg-other").get(f"/api/monitoring/outlets/{monitored.outlet_id}/series",
                                        query_string={"pollutant": NOX}).status_code == 404


def test_a_projection_over_the_permitted_total_is_one_warning(app, client, auth, monitored):
    # 2 t/a permitted; 4 kg/h NOx for a week projects to about 35 t for the year.
    for offset in range(8):
        _day(client, DAY + timedelta(days=offset), cou=4.0)
    with app.app_context():
        for offset in range(8):
            judge_day(DAY.date() + timedelta(days=offset))
        judge_day(DAY.date() + timedelta(days=7))  # a rerun adds nothing
        db.session.commit()
    warning, = _warnings(app, "monitoring_over_permit")
    assert "年许可排放量2 t" in warning.detail and "折算全年约" in warning.detail
    totals = auth.client("ehs-a").get(f"/api/monitoring/outlets/{monitored.outlet_id}/totals",
                                      query_string={"day": "2025-03-10"}).get_json()["items"]
    nox = next(t for t in totals if t["pollutant"] == NOX)
    assert nox["accumulated_t"] == pytest.approx(8 * 24 * 4.0 / 1000)
    assert nox["projected_t"] == pytest.approx(0.768 / 8 * 365) and nox["over_permit"] is True
    assert _alarms(app, "over_permit")[0][3] is None


def test_within_the_permit_makes_no_warning(app, client, monitored):
    for offset in range(8):
        _day(client, DAY + timedelta(days=offset), cou=0.1)
        with app.app_context():
            judge_day(DAY.date() + timedelta(days=offset))
            db.session.commit()
    assert _warnings(app, "monitoring_over_permit") == []


def test_missing_hours_become_one_gap_warning_after_the_configured_hours(app, client, monitored):
    _day(client, DAY, skip=range(20, 24))                       # 20:00–23:00 missing (4 hours)
    _day(client, DAY + timedelta(days=1), skip=(0, 1, 15))      # the gap goes on past midnight; 15:00 alone
    with app.app_context():
        judge_day(DAY.date())
        judge_day(DAY.date() + timedelta(days=1))
        db.session.commit()
    assert [p for _, _, p, _ in _alarms(app, "missing")] == [6, 1]
    warning, = _warnings(app, "monitoring_missing")              # the single hour stays below min_hours
    assert "连续6小时没有小时数据" in warning.detail and warning.level == "medium"


def test_late_hours_fill_the_gap(app, client, monitored):
    _day(client, DAY, skip=range(8, 16))                          # 08:00–15:00 missing (8 hours)
    with app.app_context():
        judge_day(DAY.date())
        db.session.commit()
    assert [p for _, _, p, _ in _alarms(app, "missing")] == [8]
    post(client, hourly(DAY.replace(hour=8)), hourly(DAY.replace(hour=15)))  # 补传 at both edges
    assert [p for _, _, p, _ in _alarms(app, "missing")] == [6]
    assert "连续6小时" in _warnings(app, "monitoring_missing")[0].detail
    post(client, hourly(DAY.replace(hour=11)))                      # a middle hour splits it: 09–10 and 12–14
    assert [p for _, _, p, _ in _alarms(app, "missing")] == [2, 3]
    post(client, *(hourly(DAY.replace(hour=h)) for h in (9, 10, 12, 13, 14)))
    assert _alarms(app, "missing") == [] and _warnings(app, "monitoring_missing") == []


def test_the_enterprise_explains_an_alarm_with_evidence(app, client, auth, monitored):
    assert post(client, hourly(DAY.replace(hour=8), 450.0)).status_code == 200
    admin = auth.client("ehs-a")
    listed = admin.get("/api/monitoring/alarms").get_json()
    alarm = listed["items"][0]
    assert alarm["kind_label"] == "超标" and alarm["status"] == "open"
    assert "启停炉" in listed["explanation_reasons"] and "天气" not in listed["explanation_reasons"]
    from io import BytesIO

    from PIL import Image
    image = BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(image, "JPEG")
    upload = admin.post("/api/uploads", data={"file": (BytesIO(image.getvalue()), "启炉记录.jpg"),
                                              "client_id": "explain-1"}, content_type="multipart/form-data")
    assert upload.status_code in (200, 201), upload.get_json()
    body = {"reason": "启停炉", "explanation": "08:00锅炉点火启炉，SCR未达到投运温度", "upload_ids": [upload.get_json()["id"]]}
    assert auth.client("reg-county-a").post(f"/api/monitoring/alarms/{alarm['id']}/explanation",
                                            json=body).status_code == 403
    assert admin.post(f"/api/monitoring/alarms/{alarm['id']}/explanation",
                      json={**body, "reason": "天气"}).status_code == 422
    explained = admin.post(f"/api/monitoring/alarms/{alarm['id']}/explanation", json=body)
    assert explained.status_code == 200, explained.get_json()
    assert explained.get_json()["status_label"] == "企业已说明" and explained.get_json()["upload_ids"]
    assert auth.client("ehs-b").get(f"/api/monitoring/alarms/{alarm['id']}").status_code == 404


def test_stability_fact_for_the_positive_list(app, client, monitored):
    today = DAY.date() + timedelta(days=3)
    for offset in range(3):
        _day(client, DAY + timedelta(days=offset))
    with app.app_context():
        stable = facts.stability(monitored.enterprise_id, today, days=3)
        assert stable["passed"] and stable["coverage"] == 1.0 and "无超标" in stable["detail"]
        half = facts.stability(monitored.enterprise_id, today, days=6)
        assert not half["passed"] and "小时数据完整率50.0%" in half["detail"]
    _day(client, DAY + timedelta(days=3), {5: 450})
    with app.app_context():
        found = facts.stability(monitored.enterprise_id, today + timedelta(days=1), days=4)
        assert not found["passed"] and "超标：DA001 氮氧化物（1小时，最高450 mg/m³）" in found["detail"]
        enterprise = db.session.get(Enterprise, monitored.enterprise_id)
        result = eligibility.evaluate(enterprise, today + timedelta(days=1))["positive_list"]
        criterion = next(c for c in result["criteria"] if c["code"] == "monitoring_stable")
        assert criterion["passed"] is False and "超标：DA001 氮氧化物" in criterion["detail"]
        assert criterion["evidence_ids"][0].startswith("monitoring_alarm:")


def test_enterprises_without_monitored_outlets_are_not_judged(app, world):
    with app.app_context():
        found = facts.stability(world.enterprises["b"], date(2025, 3, 10))
        assert found == {"applicable": False, "passed": True, "days": 90, "coverage": None, "alarms": [],
                         "detail": "未登记在线监测排放口与限值，不作判定"}


def test_an_hourly_and_a_daily_episode_starting_together_are_two_alarms(app, client, monitored):
    """The limit moved from hourly to daily judgement (the applicable standard says 日均值): the day's average
    above the limit opens a daily alarm beside the hourly episode that began at the same local midnight."""
    from app.monitoring import hj212
    from app.monitoring.models import PollutantLimit

    assert post(client, hourly(DAY, 450.0)).status_code == 200  # 00:00 hourly exceedance
    with app.app_context():
        limit = db.session.scalar(select(PollutantLimit).where(PollutantLimit.outlet_id == monitored.outlet_id,
                                                               PollutantLimit.pollutant == NOX))
        limit.period = "day"
        db.session.commit()
    daily = hj212.build_data_packet(
        mn="23010200000001", pw="123456", cn=hj212.CN_DAILY, data_time=DAY, qn=f"{DAY:%Y%m%d%H%M%S}002", flag=4,
        values={NOX: {"Avg": 430.0, "Cou": 30.0, "Flag": "N"}})
    assert post(client, daily).status_code == 200
    with app.app_context():
        rows = db.session.execute(select(Alarm.cn, Alarm.started_at).where(Alarm.kind == "exceedance")
                                  .order_by(Alarm.cn)).all()
    assert [cn for cn, _ in rows] == [hj212.CN_DAILY, hj212.CN_HOURLY]
    assert rows[0][1] == rows[1][1]  # the same instant, two alarms
