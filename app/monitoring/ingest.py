"""Data in: HJ 212 packets by HTTP or TCP and imported hourly rows — one parser, one store, one judgement.

A packet is refused with a reason (and counted per day, MN and reason) when its frame, CRC or fields are
wrong, its MN is not registered, its PW does not match, or its DataTime is impossible. An accepted packet
stores its record once per (outlet, CN, DataTime) and each pollutant once per record (ON CONFLICT DO NOTHING),
so a repeated packet changes nothing and a split packet (PNUM/PNO) adds its part.
"""
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.common.dbutil import insert_ignoring
from app.common.timeutil import TZ, as_utc, local_date, utcnow
from app.extensions import db
from app.monitoring import hj212
from app.monitoring.judgement import fill_gap, judge_new_values, local_start
from app.monitoring.models import Device, Outlet, PollutantLimit, Record, Refusal, Value

MAX_PACKETS = 500
FUTURE_SLACK = timedelta(minutes=10)
LAST_SEEN_EVERY = timedelta(minutes=1)
# The HTTP status a refusal answers with when every packet of a request was refused.
STATUS = {"unknown_mn": 401, "wrong_pw": 401, "device_inactive": 403, "locked": 429, "too_many_packets": 413,
          "future_time": 422, "misaligned_time": 422, "bad_st": 422, "unsupported_cn": 422}


@dataclass
class Outcome:
    """What happened to one packet: accepted (new data), duplicate (nothing new) or refused (with why)."""

    status: str
    code: str = "ok"
    reason: str = ""
    mn: str | None = None
    cn: str | None = None
    qn: str | None = None
    data_time: str | None = None
    stored: int = 0               # pollutant values newly stored
    reply: str | None = None      # the standard's answer packet (CN=9014) when the packet asked for one

    @property
    def http_status(self) -> int:
        return STATUS.get(self.code, 400)

    def as_dict(self) -> dict:
        return asdict(self)


def hash_pw(salt: str, pw: str) -> str:
    return hashlib.sha256(f"{salt}:{pw}".encode()).hexdigest()


def new_credentials(pw: str) -> tuple[str, str]:
    salt = secrets.token_hex(16)
    return salt, hash_pw(salt, pw)


def check_pw(device: Device, pw: str) -> bool:
    """Compare the packet's PW with the registered one in constant time (digests of equal length)."""
    return hmac.compare_digest(hash_pw(device.pw_salt, pw), device.pw_hash)


class Batch:
    """One request's (or one TCP connection's) packets, with the limits looked up once per outlet."""

    def __init__(self, channel: str):
        self.channel = channel
        self._limits: dict[int, dict[str, PollutantLimit]] = {}

    def limits(self, outlet_id: int) -> dict[str, PollutantLimit]:
        if outlet_id not in self._limits:
            self._limits[outlet_id] = {limit.pollutant: limit for limit in db.session.scalars(
                select(PollutantLimit).where(PollutantLimit.outlet_id == outlet_id))}
        return self._limits[outlet_id]

    def ingest_text(self, text: str) -> list[Outcome]:
        pieces = hj212.split_packets(text)
        if not pieces:
            return [self.refuse("empty", "没有报文")]
        if len(pieces) > MAX_PACKETS:
            return [self.refuse("too_many_packets", f"一次最多提交{MAX_PACKETS}个报文，本次{len(pieces)}个")]
        return [self.ingest_packet(piece) for piece in pieces]

    def refuse(self, code: str, reason: str, *, mn: str | None = None, packet: hj212.Packet | None = None,
               device: Device | None = None) -> Outcome:
        count_refusal(device.mn if device else "", code, reason if device else f"{mn or ''} {reason}".strip())
        return Outcome("refused", code, reason, mn=mn, cn=packet.cn if packet else None,
                       qn=packet.qn if packet else None,
                       data_time=f"{packet.data_time:%Y-%m-%d %H:%M:%S}" if packet and packet.data_time else None)

    def ingest_packet(self, raw: str) -> Outcome:
        try:
            packet = hj212.parse_packet(raw)
        except hj212.PacketError as error:
            known = _device(error.mn) if error.mn else None
            return self.refuse(error.code, error.reason, mn=error.mn, device=known)
        device, failures = _device_and_failures(packet.mn)
        if device is None:
            return self.refuse("unknown_mn", f"设备MN {packet.mn} 未登记", mn=packet.mn, packet=packet)
        if failures >= int(current_app.config.get("HJ212_MAX_PW_FAILURES", 100)):
            return self.refuse("locked", "该设备今日密码错误次数过多，已暂停接收，请核对数采仪密码或联系监管部门",
                               mn=packet.mn, packet=packet, device=device)
        if not check_pw(device, packet.pw):
            return self.refuse("wrong_pw", "设备密码PW错误", mn=packet.mn, packet=packet, device=device)
        if not device.active or not device.outlet.active:
            return self.refuse("device_inactive", "设备或排放口已停用", mn=packet.mn, packet=packet, device=device)
        if packet.cn not in hj212.DATA_COMMANDS:
            return self.refuse("unsupported_cn", f"不接收命令编码CN={packet.cn}的报文（接收2011、2051、2061、2031）",
                               mn=packet.mn, packet=packet, device=device)
        if device.st and packet.st != device.st:
            return self.refuse("bad_st", f"系统编码ST={packet.st}与登记的{device.st}不符", mn=packet.mn,
                               packet=packet, device=device)
        local = packet.data_time
        if local is None:  # the parser refuses data uploads without one; here for the type checker
            return self.refuse("missing_datatime", "数据上传报文缺少数据时间DataTime", mn=packet.mn, packet=packet,
                               device=device)
        at = as_utc(local.replace(tzinfo=TZ))
        problem = time_problem(packet.cn, local, at)
        if problem:
            return self.refuse(problem[0], problem[1], mn=packet.mn, packet=packet, device=device)
        new = store(device.outlet, device.id, packet.cn, at, packet.qn, self.channel, packet.measurements,
                    self.limits(device.outlet_id))
        now = utcnow()
        if device.last_seen_at is None or now - as_utc(device.last_seen_at) > LAST_SEEN_EVERY:
            device.last_seen_at = now  # a write per device and minute, not per packet
        return Outcome("accepted" if new else "duplicate", "ok" if new else "duplicate",
                       "" if new else "该报文（同一MN、CN和数据时间）已接收，未重复保存", mn=packet.mn,
                       cn=packet.cn, qn=packet.qn, data_time=f"{packet.data_time:%Y-%m-%d %H:%M:%S}",
                       stored=len(new), reply=hj212.data_ack(packet) if packet.wants_ack else None)


def time_problem(cn: str, local: datetime, at: datetime) -> tuple[str, str] | None:
    if at > utcnow() + FUTURE_SLACK:
        return "future_time", f"数据时间{local:%Y-%m-%d %H:%M:%S}晚于当前时间"
    if cn == hj212.CN_HOURLY and (local.minute or local.second):
        return "misaligned_time", f"小时数据的数据时间应为整点：{local:%Y-%m-%d %H:%M:%S}"
    if cn == hj212.CN_DAILY and (local.hour or local.minute or local.second):
        return "misaligned_time", f"日数据的数据时间应为零点：{local:%Y-%m-%d %H:%M:%S}"
    return None


def _device(mn: str) -> Device | None:
    return db.session.scalar(select(Device).where(Device.mn == mn))


def _device_and_failures(mn: str) -> tuple[Device | None, int]:
    """The device registered for `mn` and today's wrong-password count, in one query."""
    failures = (Refusal.mn == Device.mn) & (Refusal.day == local_date(utcnow())) & (Refusal.code == "wrong_pw")
    row = db.session.execute(select(Device, Refusal.count).outerjoin(Refusal, failures).where(Device.mn == mn)).first()
    return (row[0], row[1] or 0) if row else (None, 0)


def count_refusal(mn: str, code: str, reason: str) -> None:
    """Count a refused packet: one row per (local day, registered MN or "", reason code)."""
    table = Refusal.__table__
    key = {"day": local_date(utcnow()), "mn": mn[:24], "code": code[:24]}
    db.session.execute(insert_ignoring(table, ["day", "mn", "code"], db.session.get_bind().dialect.name)
                       .values(**key, count=0, last_reason=""))
    db.session.execute(update(table).where(*(table.c[k] == v for k, v in key.items()))
                       .values(count=table.c.count + 1, last_reason=reason[:200], last_at=utcnow()))


def store(outlet: Outlet, device_id: int | None, cn: str, at: datetime, qn: str | None, source: str,
          measurements: dict[str, hj212.Measurement], limits: dict[str, PollutantLimit]) -> list[str]:
    """Store one period's values (the record once, each pollutant once) and judge the new ones."""
    dialect = db.session.get_bind().dialect.name
    records = Record.__table__
    record_id = db.session.scalar(
        insert_ignoring(records, ["outlet_id", "cn", "data_time"], dialect)
        .values(outlet_id=outlet.id, enterprise_id=outlet.enterprise_id, device_id=device_id, cn=cn,
                data_time=at, qn=qn, source=source, received_at=utcnow())
        .returning(records.c.id))
    if record_id is None:
        record_id = db.session.scalar(select(Record.id).where(
            Record.outlet_id == outlet.id, Record.cn == cn, Record.data_time == at))
    values = Value.__table__
    rows = [{"record_id": record_id, "pollutant": code, "outlet_id": outlet.id, "cn": cn, "data_time": at,
             "rtd": m.rtd, "avg": m.avg, "min": m.min, "max": m.max, "cou": m.cou,
             "zs": m.zs_rtd if cn == hj212.CN_REALTIME else m.zs_avg, "flag": m.flag}
            for code, m in measurements.items()]
    new = [row.pollutant for row in db.session.execute(
        insert_ignoring(values, ["record_id", "pollutant"], dialect).returning(values.c.pollutant), rows).all()]
    if new and cn == hj212.CN_HOURLY:
        if outlet.first_data_at is None or at < as_utc(outlet.first_data_at):
            outlet.first_data_at = at
        elif at < local_start(local_date(utcnow())):  # a judged day: the hour may fill a 数据缺失 episode
            fill_gap(outlet, at)
    if new and cn in (hj212.CN_HOURLY, hj212.CN_DAILY):
        judge_new_values(outlet, cn, at, {code: measurements[code] for code in new}, limits)
    return new
