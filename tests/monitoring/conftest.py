"""Monitoring fixtures: enterprise a's boiler outlet DA001 with NOx/SO2/PM limits and the device 23010200000001."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.monitoring import hj212
from app.monitoring.ingest import new_credentials
from app.monitoring.models import Device, Outlet, PollutantLimit

MN, PW = "23010200000001", "123456"
NOX, SO2, PM = "a21002", "a21026", "a34013"
# A fixed past day: every packet is in the past whatever day the suite runs, and the year is fixed.
DAY = datetime(2025, 3, 3)


@dataclass
class Monitored:
    outlet_id: int
    device_id: int
    enterprise_id: int


@pytest.fixture
def monitored(app, world) -> Monitored:
    """DA001 on 道里电镀厂 (燃煤, 在用): NOx 400 mg/m³ hourly with a 2 t/a permit, SO2 400, PM 80."""
    with app.app_context():
        outlet = Outlet(enterprise_id=world.enterprises["a"], code="DA001", name="1号锅炉排放口", kind="gas",
                        location="锅炉房东侧")
        db.session.add(outlet)
        db.session.flush()
        for code, name, value, permit in ((NOX, "氮氧化物", 400, 2.0), (SO2, "二氧化硫", 400, None),
                                          (PM, "颗粒物", 80, None)):
            db.session.add(PollutantLimit(outlet_id=outlet.id, pollutant=code, name=name, limit_value=value,
                                          unit="mg/m³", basis="GB 13271-2014 表1 在用燃煤锅炉", period="hour",
                                          annual_permit_t=permit))
        salt, digest = new_credentials(PW)
        device = Device(outlet_id=outlet.id, mn=MN, pw_salt=salt, pw_hash=digest, active=True,
                        created_at=DAY - timedelta(days=30))
        db.session.add(device)
        db.session.commit()
        return Monitored(outlet.id, device.id, world.enterprises["a"])


def hourly(at: datetime, nox: float = 200.0, *, flag: str = "N", so2: float = 120.0, pm: float = 20.0,
           mn: str = MN, pw: str = PW, ack: bool = False, cou: float = 1.5) -> str:
    """A CN=2061 packet as a 数采仪 sends it: NOx with its flag, SO2 and PM normal."""
    return hj212.build_data_packet(
        mn=mn, pw=pw, cn=hj212.CN_HOURLY, data_time=at, qn=f"{at:%Y%m%d%H%M%S}001", flag=5 if ack else 4,
        values={NOX: {"Avg": nox, "ZsAvg": nox, "Cou": cou, "Flag": flag},
                SO2: {"Avg": so2, "Cou": 0.8, "Flag": "N"}, PM: {"Avg": pm, "Cou": 0.1, "Flag": "N"}})


def post(client, *packets: str):
    return client.post("/api/monitoring/hj212", data="".join(packets), content_type="text/plain")
