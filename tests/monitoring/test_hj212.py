"""The HJ 212-2017 parser on real-shaped packets: framing, length, the standard's CRC16, fields, every flag."""
from datetime import datetime

import pytest

from app.monitoring import hj212
from app.monitoring.hj212 import PacketError, crc16, frame, parse_packet, split_packets

# The standard's own example (HJ 212-2017, 附录) and packets from other public HJ 212 parsers.
STANDARD_EXAMPLE = ("##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
                    "CP=&&RtdInterval=30&&1C80\r\n")
HOURLY_2061 = ("##0285QN=20190925181031464;ST=22;CN=2061;PW=BF470F88957588DE902D1A52;MN=Z13401000010301;Flag=5;"
               "CP=&&DataTime=20190924220000;a34006-Avg=2.69700,a34006-Flag=N;a34007-Avg=7.96600,a34007-Flag=N;"
               "a34048-Avg=3.30600,a34048-Flag=N;a34047-Avg=7.35700,a34047-Flag=N;a34049-Avg=10.66300,"
               "a34049-Flag=N&&C181\r\n")
ANSWER_9014 = "QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"


def modbus(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@pytest.mark.parametrize("packet,expected", [(STANDARD_EXAMPLE, 0x1C80), (HOURLY_2061, 0xC181)])
def test_crc_of_published_packets(packet, expected):
    segment = packet[6:-6]
    assert len(segment) == int(packet[2:6])
    assert crc16(segment.encode()) == expected
    assert modbus(segment.encode()) != expected  # the standard's CRC is not CRC-16/MODBUS


def test_crc_of_a_published_answer():
    assert frame(ANSWER_9014) == f"##0087{ANSWER_9014}C241\r\n"


def test_standard_example_parses():
    packet = parse_packet(STANDARD_EXAMPLE)
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn) == (
        "20160801085857223", "32", "1062", "100000", "010000A8900016F000169DC0")
    assert packet.flag == 5 and packet.wants_ack and packet.version == 1
    assert packet.extras == {"RtdInterval": "30"} and packet.data_time is None


def test_hourly_packet_fields():
    packet = parse_packet(HOURLY_2061)
    assert packet.cn == hj212.CN_HOURLY and packet.data_time == datetime(2019, 9, 24, 22)
    assert set(packet.measurements) == {"a34006", "a34007", "a48", "a34048", "a34047", "a34049"} - {"a48"}
    assert packet.measurements["a34049"].avg == pytest.approx(10.663)
    assert all(m.flag == "N" for m in packet.measurements.values())


def test_lowercase_crc_is_accepted():
    segment = "QN=20250303080000001;ST=31;CN=2061;PW=123456;MN=23010200000001;Flag=4;" \
              "CP=&&DataTime=20250303080000;a21002-Avg=180.5,a21002-Flag=N&&"
    packet = parse_packet(f"##{len(segment):04d}{segment}{crc16(segment.encode()):04x}\r\n")
    assert packet.measurements["a21002"].avg == 180.5


def test_every_value_field_and_the_converted_value():
    text = hj212.build_data_packet(mn="M1", pw="p", cn=hj212.CN_HOURLY, data_time=datetime(2025, 3, 3, 8), values={
        "a21002": {"Min": 150, "Avg": 180.5, "Max": 220, "Cou": 1.25, "ZsMin": 160, "ZsAvg": 190.25,
                   "ZsMax": 230, "Flag": "N", "EFlag": "A01"}})
    m = parse_packet(text).measurements["a21002"]
    assert (m.min, m.avg, m.max, m.cou, m.zs_min, m.zs_avg, m.zs_max) == (150, 180.5, 220, 1.25, 160, 190.25, 230)
    assert m.value(hj212.CN_HOURLY) == 190.25  # judged on the 折算 value where one is sent
    assert hj212.Measurement("x", avg=5.0).value(hj212.CN_HOURLY) == 5.0
    assert hj212.Measurement("x", rtd=7.0, zs_rtd=8.0).value(hj212.CN_REALTIME) == 8.0


@pytest.mark.parametrize("flag", list(hj212.DATA_FLAGS))
def test_every_data_flag_is_read(flag):
    text = hj212.build_data_packet(mn="M1", pw="p", cn=hj212.CN_HOURLY, data_time=datetime(2025, 3, 3, 8),
                                   values={"a21002": {"Avg": 500, "Flag": flag}})
    assert parse_packet(text).measurements["a21002"].flag == flag


@pytest.mark.parametrize("cn", sorted(hj212.DATA_COMMANDS))
def test_each_data_command(cn):
    text = hj212.build_data_packet(mn="M1", pw="p", cn=cn, data_time=datetime(2025, 3, 3), values={
        "a21002": {"Rtd" if cn == hj212.CN_REALTIME else "Avg": 1.5, "Flag": "N"}})
    assert parse_packet(text).cn == cn


def _segment(body: str) -> str:
    return f"QN=20250303080000001;ST=31;CN=2061;PW=123456;MN=23010200000001;Flag=4;CP=&&{body}&&"


def _packet(segment: str, *, length: int | None = None, crc: str | None = None) -> str:
    declared = len(segment) if length is None else length
    return f"##{declared:04d}{segment}{crc or format(crc16(segment.encode()), '04X')}\r\n"


GOOD = _segment("DataTime=20250303080000;a21002-Avg=180.5,a21002-Flag=N")


@pytest.mark.parametrize("raw,code", [
    (_packet(GOOD, crc="0000"), "bad_crc"),
    (_packet(GOOD, crc="ZZZZ"), "bad_crc"),
    (_packet(GOOD, length=len(GOOD) + 1), "bad_length"),
    (_packet(GOOD, length=len(GOOD) - 1), "bad_length"),
    ("##01" + GOOD, "bad_length"),
    ("$$" + _packet(GOOD)[2:], "bad_header"),
    (_packet(GOOD).replace("180.5", "18０.5"), "not_ascii"),
    (_packet(GOOD.replace("CP=&&", "CP=")), "bad_cp"),
    (_packet(GOOD.replace("MN=23010200000001;", "")), "missing_field"),
    (_packet(GOOD.replace("PW=123456;", "")), "missing_field"),
    (_packet(GOOD.replace("MN=23010200000001", "MN=230102-000")), "bad_mn"),
    (_packet(GOOD.replace("CN=2061", "CN=20x1")), "bad_cn"),
    (_packet(GOOD.replace("ST=31", "ST=3")), "bad_st"),
    (_packet(GOOD.replace("QN=20250303080000001", "QN=2025")), "bad_qn"),
    (_packet(GOOD.replace("Flag=4", "Flag=x")), "bad_flag"),
    (_packet(GOOD.replace("Flag=4", "Flag=300")), "bad_flag"),
    (_packet(_segment("DataTime=20250303080000;a21002-Avg=180.5,a21002-Flag=X")), "bad_flag_value"),
    (_packet(_segment("DataTime=20250303080000;a21002-Avg=abc,a21002-Flag=N")), "bad_value"),
    (_packet(_segment("DataTime=20250303080000;a21002-Avg=nan,a21002-Flag=N")), "bad_value"),
    (_packet(_segment("DataTime=20250303080000;a21002-Avg=1e400,a21002-Flag=N")), "bad_value"),
    (_packet(_segment("DataTime=20250303080000;a21002-Foo=1")), "bad_cp"),
    (_packet(_segment("DataTime=20250303080000;a21002-Avg")), "bad_cp"),
    (_packet(_segment("DataTime=20251303080000;a21002-Avg=1")), "bad_datatime"),
    (_packet(_segment("DataTime=202503030800;a21002-Avg=1")), "bad_datatime"),
    (_packet(_segment("a21002-Avg=180.5")), "missing_datatime"),
    (_packet(_segment("DataTime=20250303080000")), "no_values"),
    (_packet(GOOD.replace("Flag=4", "Flag=6")), "bad_field"),  # D bit without PNUM/PNO
])
def test_refused_with_a_reason(raw, code):
    with pytest.raises(PacketError) as caught:
        parse_packet(raw)
    assert caught.value.code == code
    assert caught.value.reason  # a Chinese reason for the sender
    if code == "bad_crc":
        assert caught.value.qn_rtn == 9


def test_refusal_names_the_mn_when_it_can():
    with pytest.raises(PacketError) as caught:
        parse_packet(_packet(_segment("DataTime=20250303080000;a21002-Avg=abc")))
    assert caught.value.mn == "23010200000001"


def test_split_packet_numbers():
    segment = GOOD.replace("Flag=4;", "Flag=6;PNUM=2;PNO=1;")
    packet = parse_packet(_packet(segment))
    assert (packet.pnum, packet.pno) == (2, 1)
    with pytest.raises(PacketError):
        parse_packet(_packet(GOOD.replace("Flag=4;", "Flag=6;PNUM=2;PNO=3;")))


def test_split_text_into_packets_by_declared_length():
    one, two = _packet(GOOD), STANDARD_EXAMPLE
    assert split_packets(one + two) == [one[:-2], two[:-2]]
    assert split_packets("junk\r\n" + one) == ["junk", one[:-2]]
    garbled = _packet(GOOD.replace("180.5", "18\r\n.5"))  # a CRLF inside the declared length
    assert split_packets(garbled + two) == [garbled[:-2], two[:-2]]
    assert split_packets("") == [] and split_packets("\r\n  ") == []


def test_data_ack_answers_in_the_standard_form():
    packet = parse_packet(_packet(GOOD.replace("Flag=4", "Flag=5")))
    ack = hj212.data_ack(packet)
    answer = parse_packet(ack)
    assert ack.endswith("\r\n")
    assert (answer.qn, answer.st, answer.cn, answer.pw, answer.mn, answer.flag) == (
        "20250303080000001", "91", "9014", "123456", "23010200000001", 4)
    assert not answer.wants_ack


def test_build_and_parse_round_trip():
    at = datetime(2025, 3, 3, 9)
    text = hj212.build_data_packet(mn="23010200000001", pw="123456", cn="2061", data_time=at, qn="20250303090000001",
                                   values={"a21002": {"Avg": 412.5, "Flag": "N"}, "a21026": {"Avg": 30, "Flag": "M"}})
    packet = parse_packet(text)
    assert packet.data_time == at and packet.measurements["a21026"].flag == "M"
    assert packet.segment == text[6:-6]
