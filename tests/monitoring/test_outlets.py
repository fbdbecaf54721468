"""Outlets, limits and devices: who may keep them, limits from the profile's standard, xlsx/csv imports."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.monitoring.models import Alarm, Device, Outlet, PollutantLimit
from tests.monitoring.conftest import MN, NOX


@pytest.mark.parametrize("user,target,status", [
    ("ehs-a", "a", 201),            # the enterprise's admin, for its own enterprise
    ("staff-a", "a", 403),          # enterprise staff only read
    ("ehs-b", "a", 201),            # an enterprise user always acts on its own enterprise (b here)
    ("reg-county-a", "a", 201),     # regulator in jurisdiction
    ("reg-county-a", "b", 404),     # … and out of it
    ("reg-city", "b", 201),
    ("reg-other", "a", 404),
])
def test_who_may_create_outlets(auth, world, user, target, status):
    response = auth.client(user).post("/api/monitoring/outlets", json={
        "enterprise_id": world.enterprises[target], "code": "da001", "kind": "gas", "name": "1号锅炉"})
    assert response.status_code == status, response.get_json()
    if status == 201:
        body = response.get_json()
        assert body["code"] == "DA001" and body["kind_label"] == "废气"
        expected = world.enterprises["b"] if user == "ehs-b" else world.enterprises[target]
        assert body["enterprise_id"] == expected


def test_outlet_lifecycle_limits_and_devices(app, auth, world):
    admin = auth.client("ehs-a")
    outlet = admin.post("/api/monitoring/outlets", json={"code": "DA001", "kind": "gas"}).get_json()
    assert admin.post("/api/monitoring/outlets", json={"code": "DA001", "kind": "gas"}).status_code == 409
    url = f"/api/monitoring/outlets/{outlet['id']}"
    # the boiler's NOx limit from the enterprise profile (燃煤, 在用 → GB 13271-2014 表1, 400 mg/m³)
    limit = admin.put(f"{url}/limits/{NOX}", json={"table": "gb13271_nox", "annual_permit_t": 12.5})
    assert limit.status_code == 200, limit.get_json()
    assert limit.get_json()["limit_value"] == 400 and "表1" in limit.get_json()["basis"]
    assert limit.get_json()["name"] == "氮氧化物" and limit.get_json()["unit"] == "mg/m³"
    assert admin.put(f"{url}/limits/a21026", json={"limit_value": 300}).status_code == 422  # no basis
    assert admin.put(f"{url}/limits/a21026", json={"limit_value": 300, "basis": "排污许可证"}).status_code == 200
    assert auth.client("staff-a").put(f"{url}/limits/a21026", json={"limit_value": 1, "basis": "x"}).status_code == 403
    device = admin.post(f"{url}/devices", json={"mn": MN, "pw": "123456"})
    assert device.status_code == 201 and "pw" not in device.get_json()
    assert admin.post(f"{url}/devices", json={"mn": MN, "pw": "x"}).status_code == 409
    assert admin.delete(f"{url}/limits/a21026").status_code == 204
    detail = auth.client("reg-county-a").get(url).get_json()
    assert [lim["pollutant"] for lim in detail["limits"]] == [NOX] and detail["devices"][0]["mn"] == MN
    assert admin.patch(url, json={"active": False}).get_json()["active"] is False
    with app.app_context():
        stored = db.session.scalar(select(Device))
        assert stored.pw_hash != "123456" and "123456" not in stored.pw_salt
    history = auth.client("reg-county-a").get(f"/api/supervision/enterprises/{world.enterprises['a']}")
    assert history.status_code == 200


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


OUTLET_HEADER = ["统一社会信用代码", "排放口编号", "排放口名称", "排放口类型", "排放口位置", "污染物编码", "污染物名称",
                 "浓度限值", "单位", "限值依据", "判定周期", "年许可排放量(t)", "设备MN", "设备密码"]


def test_outlet_import_for_many_enterprises_with_row_errors(app, auth, world):
    with app.app_context():
        from app.accounts.models import Enterprise
        a, b, c = (db.session.get(Enterprise, world.enterprises[k]).uscc for k in "abc")
    data = _xlsx([OUTLET_HEADER,
                  [a, "DA001", "1号锅炉", "废气", "锅炉房", NOX, "氮氧化物", 400, "mg/m³", "GB 13271-2014 表1", "小时", 12,
                   MN, "123456"],
                  [a, "DA001", "1号锅炉", "废气", "锅炉房", "a21026", "二氧化硫", 400, "", "GB 13271-2014 表1", "", None,
                   None, None],
                  [b, "DW001", "总排口", "废水", "", "w01018", "化学需氧量", 100, "mg/L", "GB 8978-1996", "日", None,
                   None, None],
                  [c, "DA001", "", "废气", "", "", "", None, "", "", "", None, None, None],   # out of the city
                  [a, "DA002", "", "烟气", "", "", "", None, "", "", "", None, None, None],   # kind
                  [a, "DA003", "", "废气", "", NOX, "", "abc", "", "x", "", None, None, None],  # number
                  [b, "DW002", "", "废水", "", "", "", None, "", "", "", None, MN, None]])     # MN taken
    response = auth.client("reg-city").post("/api/monitoring/outlets/import",
                                            data={"file": (io.BytesIO(data), "outlets.xlsx")},
                                            content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["imported"] == 3
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (5, "统一社会信用代码"), (6, "排放口类型"), (7, "浓度限值"), (8, "设备MN")]
    with app.app_context():
        limits = {(lim.outlet.code, lim.pollutant): lim for lim in db.session.scalars(select(PollutantLimit))}
        assert set(limits) == {("DA001", NOX), ("DA001", "a21026"), ("DW001", "w01018")}
        assert limits[("DW001", "w01018")].period == "day" and limits[("DA001", NOX)].annual_permit_t == 12
        assert db.session.scalar(select(Device.mn)) == MN
        assert {o.code for o in db.session.scalars(select(Outlet))} == {"DA001", "DW001"}


def test_hourly_data_import_is_judged_like_packets(app, auth, monitored, world):
    with app.app_context():
        from app.accounts.models import Enterprise
        uscc = db.session.get(Enterprise, world.enterprises["a"]).uscc
    csv = "\n".join([
        "设备MN,统一社会信用代码,排放口编号,监测时间,污染物编码,小时均值,折算均值,排放量(kg),数据标记",
        f"{MN},,,2025-03-03 08:00,{NOX},430,450,1.2,N",
        f",{uscc},DA001,2025-03-03 09:00,{NOX},410,420,1.1,",
        f"{MN},,,2025-03-03 10:00,{NOX},700,700,1.1,M",
        f"{MN},,,2025-03-03 10:30,{NOX},700,700,1.1,N",
        f"{MN},,,2025-03-03 11:00,{NOX},abc,,,N",
        f"23010299999999,,,2025-03-03 11:00,{NOX},1,,,N",
        f"{MN},,,2025-03-03 08:00,{NOX},1,,,N",
    ]).encode("utf-8")
    response = auth.client("ehs-a").post("/api/monitoring/data/import",
                                         data={"file": (io.BytesIO(csv), "hourly.csv")},
                                         content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["imported"] == 3
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (5, "监测时间"), (6, "小时均值"), (7, "设备MN"), (8, "污染物编码")]
    with app.app_context():
        alarm, = db.session.scalars(select(Alarm)).all()
        assert alarm.periods == 2 and alarm.peak == 450  # judged on the 折算 value; the M hour is not
    assert auth.client("ehs-b").post("/api/monitoring/data/import", data={"file": (io.BytesIO(csv), "h.csv")},
                                     content_type="multipart/form-data").get_json()["imported"] == 0


def test_the_pollutant_codes_are_served_with_names_and_units(auth, world):
    items = auth.client("ehs-a").get("/api/monitoring/pollutants").get_json()["items"]
    by_code = {i["code"]: i for i in items}
    assert by_code["a21002"] == {"code": "a21002", "name": "氮氧化物", "unit": "mg/m³"}
    assert by_code["w01018"]["unit"] == "mg/L"
