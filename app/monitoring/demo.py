"""Demo data for 在线监测: demo-ehs's boiler outlet with its 数采仪 (MN 23010200000001, PW 123456) and a month of
hourly NOx/SO2/颗粒物 data with one exceedance episode and one maintenance period, sent through the ingest path."""
import random
from datetime import datetime, timedelta

from app.accounts.models import Enterprise, User
from app.common.timeutil import now_local
from app.extensions import db
from app.monitoring import hj212, outlets
from app.monitoring.ingest import Batch
from app.monitoring.judgement import judge_day
from app.selfcheck.judgement import limits_data

DEMO_MN, DEMO_PW = "23010200000001", "123456"
NOX, SO2, PM = "a21002", "a21026", "a34013"
FLOW_M3_PER_H = 4000  # a small coal-fired steam boiler's flue gas
DAYS = 30
EPISODE_DAY, EPISODE_HOURS = 9, range(6, 11)        # 9 days ago, 06:00–10:00: cold start, SCR not yet running
MAINTENANCE_DAY, MAINTENANCE_HOURS = 16, range(13, 19)  # 16 days ago, 13:00–18:00: CEMS maintenance (flag M)
# Used only when app/selfcheck/data/limits.yaml has no table for the pollutant (it has gb13271_nox). Values of
# GB 13271-2014 表1 for an 在用燃煤锅炉 as a public reprint gives them (zglvche.com/sys-nd/843.html: 颗粒物 80,
# 二氧化硫 400, or 550 in the regions of footnote 1 — not Heilongjiang); not compared with the official text.
_T1 = "锅炉大气污染物排放标准（GB 13271-2014） 表1 在用锅炉大气污染物排放浓度限值：燃煤锅炉 {} mg/m³（据转载文本，未与官方文本核对）"
FALLBACK = {SO2: (400, _T1.format(400)), PM: (80, _T1.format(80))}
PERMITS_T = {NOX: 10.0, SO2: 9.0, PM: 1.5}
TABLES = {NOX: "gb13271_nox", SO2: "gb13271_so2", PM: "gb13271_pm"}


def _limit(admin: User, outlet_id: int, enterprise: Enterprise, code: str) -> None:
    data = {"annual_permit_t": PERMITS_T[code], "period": "hour"}
    if TABLES[code] in limits_data()["tables"]:
        data["table"] = TABLES[code]   # the limit that applies to this boiler (fuel, new/existing, special limits)
    else:
        data["limit_value"], data["basis"] = FALLBACK[code]
    outlets.set_limit(admin, outlet_id, code, data)


def _hour_values(rng: random.Random, day_ago: int, hour: int) -> dict:
    nox, so2, pm, flag = rng.uniform(170, 290), rng.uniform(140, 260), rng.uniform(18, 42), "N"
    if day_ago == EPISODE_DAY and hour in EPISODE_HOURS:
        nox = 430 + 25 * (hour - 6) + rng.uniform(0, 20)
    if day_ago == MAINTENANCE_DAY and hour in MAINTENANCE_HOURS:
        nox, so2, flag = rng.uniform(450, 700), rng.uniform(420, 650), "M"  # calibration gas: not emissions
    values = {}
    for code, value in ((NOX, nox), (SO2, so2), (PM, pm)):
        values[code] = {"Avg": round(value * 0.92, 1), "ZsAvg": round(value, 1),
                        "Cou": round(value * FLOW_M3_PER_H / 1e6, 3), "Flag": flag}
    return values


def seed_monitoring(users: dict[str, User], enterprise: Enterprise) -> None:
    """demo-ehs's plant: outlet DA001, NOx/SO2/PM limits from GB 13271-2014 by its boiler profile, the device,
    the last 30 complete days of hourly data, each day judged."""
    admin = users["demo-ehs"]
    outlet = outlets.create_outlet(admin, {"enterprise_id": enterprise.id, "code": "DA001", "kind": "gas",
                                           "name": "1号燃煤锅炉排放口", "location": "锅炉房北侧烟囱（高35 m）"})
    for code in (NOX, SO2, PM):
        _limit(admin, outlet.id, enterprise, code)
    outlets.register_device(admin, outlet.id, {"mn": DEMO_MN, "pw": DEMO_PW})  # any ST (31 大气污染源 usual)
    rng = random.Random(18)
    today = now_local().replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    batch, packets = Batch("demo"), []
    for day_ago in range(DAYS, 0, -1):  # 30 complete days; today's hours are left for the device (or you) to send
        day = today - timedelta(days=day_ago)
        for hour in range(24):
            at = day + timedelta(hours=hour)
            packets.append(hj212.build_data_packet(mn=DEMO_MN, pw=DEMO_PW, cn=hj212.CN_HOURLY, data_time=at,
                                                   qn=f"{at:%Y%m%d%H%M%S}000", st="31",
                                                   values=_hour_values(rng, day_ago, hour)))
    for outcome in _chunks(batch, packets):
        if outcome.status != "accepted":
            raise RuntimeError(f"demo packet refused: {outcome}")
    for day_ago in range(DAYS, 0, -1):
        judge_day((today - timedelta(days=day_ago)).date())
    db.session.flush()


def _chunks(batch: Batch, packets: list[str]):
    for start in range(0, len(packets), 400):
        yield from batch.ingest_text("".join(packets[start:start + 400]))


def demo_packet(at: datetime, nox: float) -> str:
    """An hourly packet from the demo device (README: try an exceedance with curl)."""
    values = {NOX: {"Avg": nox, "ZsAvg": nox, "Cou": round(nox * FLOW_M3_PER_H / 1e6, 3), "Flag": "N"}}
    return hj212.build_data_packet(mn=DEMO_MN, pw=DEMO_PW, cn=hj212.CN_HOURLY, data_time=at, st="31", values=values)
