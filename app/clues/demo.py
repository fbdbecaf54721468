"""Demo data for 线索移送: the boiler's exceedance handed from 哈尔滨市生态环境局 to 道里分局 (transferred, awaiting
acceptance), with its monitoring extract as the material."""
from sqlalchemy import select

from app.accounts.models import Enterprise, User
from app.clues import service
from app.extensions import db
from app.monitoring.models import Alarm, AlarmKind


def seed_clues(users: dict[str, User], enterprise: Enterprise) -> None:
    alarm = db.session.scalar(select(Alarm).where(Alarm.enterprise_id == enterprise.id,
                                                  Alarm.kind == AlarmKind.EXCEEDANCE).order_by(Alarm.id))
    sender = users["demo-regulator"]   # 张明, 哈尔滨市生态环境局
    clue = service.create_clue(sender, {
        "origin_type": "monitoring_alarm" if alarm else None, "origin_id": alarm.id if alarm else None,
        "enterprise_id": enterprise.id, "from_dept": "生态环境监控中心", "to_unit_code": enterprise.region_code,
        "to_dept": "综合行政执法大队", "sender_opinion": "verify", "handler_name": sender.display_name[:2],
        "sender_head": "陈立新（监控中心主任）",
        "description": None if alarm else "在线监测数据显示氮氧化物小时均值连续超标。",
        "legal_basis": None if alarm else "《中华人民共和国大气污染防治法》第十八条、第九十九条",
        "categories": None if alarm else ["air"]})
    service.act(sender, clue.id, "transfer", {})
