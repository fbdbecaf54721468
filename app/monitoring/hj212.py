"""HJ 212-2017 污染物在线监控（监测）系统数据传输标准: framing, CRC, the data segment, response packets.

A pure module (no Flask, no database): text in, `Packet` or `PacketError` out.

    ## + 4-digit data length + data segment + 4-hex CRC + CRLF
    data segment: QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&DataTime=…;a21002-Avg=…,a21002-Flag=N;…&&

The length is the data segment's length in characters (the segment is ASCII), and the CRC covers the data
segment only. The CRC is the standard's own CRC16 (附录A), which is *not* CRC-16/MODBUS: each byte is XORed
into the register after shifting the register right by eight bits (`crc = (crc >> 8) ^ byte`), where MODBUS
XORs the byte into the low byte (`crc ^= byte`). Compared with the reference implementation in
github.com/1249993110/IceCoffee.HJ212 (IceCoffee.HJ212/Utils.cs, `CRC16`), which follows the appendix, and
checked in the tests against the standard's example packet (…CP=&&RtdInterval=30&&1C80) and packets from
other public HJ 212 parsers.
"""
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

HEADER = "##"
TRAILER = "\r\n"
MAX_SEGMENT = 9999  # four decimal digits

# 命令编码 (CN) of the uploads this system stores.
CN_REALTIME, CN_MINUTE, CN_HOURLY, CN_DAILY = "2011", "2051", "2061", "2031"
CN_DATA_ACK = "9014"   # 数据应答 from the upper host
DATA_COMMANDS = {CN_REALTIME: "实时数据", CN_MINUTE: "分钟数据", CN_HOURLY: "小时数据", CN_DAILY: "日数据"}
ST_SYSTEM = "91"       # 系统交互: the ST of the host's answers

# 数据标记 (the pollutant's -Flag): only N is normal data; the others mark data that is not judged.
DATA_FLAGS = {
    "N": "正常",
    "F": "停运",
    "M": "维护",
    "S": "手工输入设定值",
    "D": "故障",
    "C": "校准",
    "T": "超测上限",
    "B": "通讯异常",
}
NORMAL_FLAG = "N"

# -Rtd/-Avg/… suffixes: the first group are stored, the second are standard fields this system ignores.
VALUE_FIELDS = {"Rtd": "rtd", "Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou",
                "ZsRtd": "zs_rtd", "ZsAvg": "zs_avg", "ZsMin": "zs_min", "ZsMax": "zs_max"}
IGNORED_FIELDS = {"EFlag", "SampleTime", "Info", "Data", "DayData", "NightData"}

# 请求命令返回 (QnRtn) codes, kept with every refusal so a host can answer in the standard's words.
QN_RTN = {"pw": 3, "mn": 4, "st": 5, "flag": 6, "qn": 7, "cn": 8, "crc": 9, "other": 100}

_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
_MN = re.compile(r"^[A-Za-z0-9]{1,24}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class PacketError(ValueError):
    """A packet refused, with a stable code, a Chinese reason and the standard's QnRtn code."""

    def __init__(self, code: str, reason: str, rtn: str = "other", *, mn: str | None = None):
        super().__init__(reason)
        self.code, self.reason, self.qn_rtn, self.mn = code, reason, QN_RTN[rtn], mn


@dataclass
class Measurement:
    """One pollutant's fields in one packet (values are floats; the flag is a DATA_FLAGS key)."""

    code: str
    rtd: float | None = None
    avg: float | None = None
    min: float | None = None
    max: float | None = None
    cou: float | None = None
    zs_rtd: float | None = None
    zs_avg: float | None = None
    zs_min: float | None = None
    zs_max: float | None = None
    flag: str = NORMAL_FLAG

    def value(self, cn: str) -> float | None:
        """The concentration a limit is judged against: the converted (折算) value where sent, else the raw."""
        if cn == CN_REALTIME:
            return self.zs_rtd if self.zs_rtd is not None else self.rtd
        return self.zs_avg if self.zs_avg is not None else self.avg


@dataclass
class Packet:
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    data_time: datetime | None            # local time (Asia/Shanghai), naive, as the device sent it
    measurements: dict[str, Measurement] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)  # CP fields that are not pollutant fields
    pnum: int | None = None
    pno: int | None = None
    segment: str = ""

    @property
    def wants_ack(self) -> bool:
        """Flag bit A: the sender asks for an answer (数据应答)."""
        return bool(self.flag & 1)

    @property
    def version(self) -> int:
        """Flag bits V5…V0: 0 is HJ/T 212-2005, 1 is HJ 212-2017."""
        return self.flag >> 2


def crc16(data: bytes) -> int:
    """The HJ 212-2017 CRC16 of `data` (附录A): register 0xFFFF, `(crc >> 8) ^ byte`, then 8 × poly 0xA001."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            carry = crc & 1
            crc >>= 1
            if carry:
                crc ^= 0xA001
    return crc


def frame(segment: str) -> str:
    """Wrap a data segment into a packet: ##, length, segment, CRC, CRLF."""
    data = segment.encode("ascii")
    if len(data) > MAX_SEGMENT:
        raise ValueError("data segment longer than 9999 characters")
    return f"{HEADER}{len(data):04d}{segment}{crc16(data):04X}{TRAILER}"


def split_packets(text: str) -> list[str]:
    """Cut a text holding one or more packets into packets (each from ## up to its CRLF, CRLF excluded).

    Framing is by the declared length, so a CRLF inside a garbled segment does not cut it short; text
    before the first ## or between packets is returned as its own (refusable) piece.
    """
    pieces, position = [], 0
    while position < len(text):
        start = text.find(HEADER, position)
        if start < 0:
            rest = text[position:].strip()
            if rest:
                pieces.append(rest)
            break
        junk = text[position:start].strip()
        if junk:
            pieces.append(junk)
        length = text[start + 2:start + 6]
        end = -1
        if length.isdigit():
            expected = start + 6 + int(length) + 4
            if text.startswith(TRAILER, expected):
                end = expected
        if end < 0:
            end = text.find(TRAILER, start + 2)
        if end < 0:
            pieces.append(text[start:].rstrip("\r\n"))
            break
        pieces.append(text[start:end])
        position = end + len(TRAILER)
    return pieces


def parse_packet(raw: str) -> Packet:
    """Check the frame (header, length, CRC) and parse the data segment; raise PacketError when refused."""
    text = raw.rstrip("\r\n")  # the CRLF ends the packet; over HTTP the last one may come without it
    if not text.startswith(HEADER):
        raise PacketError("bad_header", "报文不以包头“##”开始")
    if not text.isascii():
        raise PacketError("not_ascii", "报文含有非ASCII字符")
    length = text[2:6]
    if len(length) < 4 or not length.isdigit():
        raise PacketError("bad_length", "包头后应为4位十进制数据段长度")
    declared = int(length)
    body = text[6:]
    if len(body) < 4:
        raise PacketError("bad_length", f"数据段长度不符：声明{declared}，报文缺少数据段或CRC")
    segment, crc_text = body[:-4], body[-4:]
    if len(segment) != declared:
        raise PacketError("bad_length", f"数据段长度不符：声明{declared}，实际{len(segment)}")
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", crc_text):
        raise PacketError("bad_crc", "CRC校验码应为4位十六进制数", "crc")
    computed = crc16(segment.encode("ascii"))
    if int(crc_text, 16) != computed:
        raise PacketError("bad_crc", f"CRC校验失败：报文为{crc_text.upper()}，计算为{computed:04X}", "crc")
    return parse_segment(segment)


def _header_fields(head: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise PacketError("bad_field", f"数据段字段“{part[:20]}”缺少“=”")
        if key in fields:
            raise PacketError("bad_field", f"数据段字段{key}重复")
        fields[key] = value
    return fields


def parse_segment(segment: str) -> Packet:
    """Parse a data segment (no ##, length or CRC)."""
    start = segment.find("CP=&&")
    if start < 0 or not segment.endswith("&&") or len(segment) < start + 7:
        raise PacketError("bad_cp", "数据段缺少指令参数CP=&&…&&")
    fields = _header_fields(segment[:start])
    cp = segment[start + 5:-2]
    mn = fields.get("MN")
    for key, rtn in (("ST", "st"), ("CN", "cn"), ("PW", "pw"), ("MN", "mn")):
        if not fields.get(key):
            raise PacketError("missing_field", f"数据段缺少{key}", rtn, mn=mn)
    if not _MN.match(fields["MN"]):
        raise PacketError("bad_mn", "MN应为不超过24位的字母或数字", "mn")
    if not re.fullmatch(r"\d{2}", fields["ST"]):
        raise PacketError("bad_st", f"系统编码ST应为2位数字：{fields['ST'][:8]}", "st", mn=mn)
    if not re.fullmatch(r"\d{4}", fields["CN"]):
        raise PacketError("bad_cn", f"命令编码CN应为4位数字：{fields['CN'][:8]}", "cn", mn=mn)
    if len(fields["PW"]) > 32:
        raise PacketError("bad_pw", "访问密码PW过长", "pw", mn=mn)
    qn = fields.get("QN")
    if qn is not None and not _valid_qn(qn):
        raise PacketError("bad_qn", f"请求编码QN应为yyyyMMddHHmmssZZZ：{qn[:20]}", "qn", mn=mn)
    flag_text = fields.get("Flag", "0")
    if not flag_text.isdigit() or int(flag_text) > 255:
        raise PacketError("bad_flag", f"标志位Flag应为0-255的整数：{flag_text[:8]}", "flag", mn=mn)
    flag = int(flag_text)
    pnum = pno = None
    if flag & 2:  # D: the packet carries PNUM and PNO
        pnum, pno = _int_field(fields, "PNUM", mn), _int_field(fields, "PNO", mn)
        if not 1 <= pno <= pnum:
            raise PacketError("bad_field", f"包号PNO={pno}不在1至总包数PNUM={pnum}之间", mn=mn)
    data_time, measurements, extras = _parse_cp(cp, mn)
    packet = Packet(qn=qn, st=fields["ST"], cn=fields["CN"], pw=fields["PW"], mn=fields["MN"], flag=flag,
                    data_time=data_time, measurements=measurements, extras=extras, pnum=pnum, pno=pno,
                    segment=segment)
    if packet.cn in DATA_COMMANDS:
        if data_time is None:
            raise PacketError("missing_datatime", "数据上传报文缺少数据时间DataTime", mn=mn)
        if not measurements:
            raise PacketError("no_values", "数据上传报文没有污染物数据", mn=mn)
    return packet


def _int_field(fields: dict, key: str, mn: str | None) -> int:
    value = fields.get(key, "")
    if not value.isdigit() or len(value) > 4:
        raise PacketError("bad_field", f"拆分包报文的{key}应为整数", mn=mn)
    return int(value)


def _valid_qn(qn: str) -> bool:
    if not re.fullmatch(r"\d{17}", qn):
        return False
    try:
        datetime.strptime(qn[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def _number(text: str, name: str, mn: str | None) -> float | None:
    if text == "":
        return None
    if not _NUMBER.match(text) or len(text) > 32:
        raise PacketError("bad_value", f"{name}的值不是数字：{text[:16]}", mn=mn)
    value = float(text)
    if not math.isfinite(value) or abs(value) > 1e15:
        raise PacketError("bad_value", f"{name}的值超出范围：{text[:16]}", mn=mn)
    return value


def _parse_cp(cp: str, mn: str | None) -> tuple[datetime | None, dict[str, Measurement], dict[str, str]]:
    data_time = None
    measurements: dict[str, Measurement] = {}
    extras: dict[str, str] = {}
    for group in cp.split(";"):
        if not group:
            continue
        for item in group.split(","):
            key, sep, value = item.partition("=")
            if not sep:
                raise PacketError("bad_cp", f"指令参数“{item[:20]}”缺少“=”", mn=mn)
            if key == "DataTime":
                data_time = _data_time(value, mn)
                continue
            code, dash, kind = key.partition("-")
            if not dash:
                extras[key] = value[:200]
                continue
            if not _CODE.match(code):
                raise PacketError("bad_cp", f"污染物编码“{code[:20]}”无效", mn=mn)
            if kind in IGNORED_FIELDS:
                continue
            entry = measurements.setdefault(code, Measurement(code))
            if kind == "Flag":
                if value not in DATA_FLAGS:
                    raise PacketError("bad_flag_value", f"{code}的数据标记“{value[:4]}”不是HJ 212-2017规定的标记"
                                      f"（{'、'.join(DATA_FLAGS)}）", mn=mn)
                entry.flag = value
            elif kind in VALUE_FIELDS:
                setattr(entry, VALUE_FIELDS[kind], _number(value, key, mn))
            else:
                raise PacketError("bad_cp", f"未知的污染物字段“{key[:24]}”", mn=mn)
    return data_time, measurements, extras


def _data_time(value: str, mn: str | None) -> datetime:
    if not re.fullmatch(r"\d{14}", value):
        raise PacketError("bad_datatime", f"数据时间DataTime应为yyyyMMddHHmmss：{value[:20]}", mn=mn)
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        raise PacketError("bad_datatime", f"数据时间DataTime不是有效时间：{value}", mn=mn) from None


def data_ack(packet: Packet) -> str:
    """The host's 数据应答 (CN=9014) to an upload that asked for one: same QN, PW and MN, Flag=4 (2017, no ack)."""
    qn = f"QN={packet.qn};" if packet.qn else ""
    return frame(f"{qn}ST={ST_SYSTEM};CN={CN_DATA_ACK};PW={packet.pw};MN={packet.mn};Flag=4;CP=&&&&")


def build_data_packet(*, mn: str, pw: str, cn: str, data_time: datetime, values: dict[str, dict],
                      st: str = "31", qn: str | None = None, flag: int = 4) -> str:
    """A data upload as a 数采仪 sends it (used by the demo, the tests and the benchmark).

    `values` maps a pollutant code to its fields by suffix, e.g. {"a21002": {"Avg": 180.5, "Flag": "N"}}.
    """
    groups = [f"DataTime={data_time:%Y%m%d%H%M%S}"]
    for code, items in values.items():
        parts = []
        for suffix, value in items.items():
            text = value if isinstance(value, str) else f"{value:g}" if isinstance(value, int) else f"{value:.3f}"
            parts.append(f"{code}-{suffix}={text}")
        groups.append(",".join(parts))
    head = f"QN={qn};" if qn else ""
    return frame(f"{head}ST={st};CN={cn};PW={pw};MN={mn};Flag={flag};CP=&&{';'.join(groups)}&&")
