"""The enterprise's obligations as an iCalendar feed (RFC 5545), for the phone's own calendar."""
from datetime import timedelta

from icalendar import Alarm, Calendar, Event

from app.common.timeutil import utcnow
from app.obligations.models import DONE


def render(enterprise, obligations, rules: dict[str, dict]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//EcoCheck//法定义务日历//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{enterprise.name} 环保法定义务")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = utcnow()
    for obligation in obligations:
        rule = rules.get(obligation.code) or {}
        basis = "；".join(f"{b['law']}{b.get('article', '')}" for b in rule.get("legal_basis") or [])
        event = Event()
        event.add("uid", f"obligation-{obligation.id}@ecocheck")
        event.add("dtstamp", stamp)
        event.add("dtstart", obligation.due_date)
        event.add("dtend", obligation.due_date + timedelta(days=1))
        event.add("summary", ("【已完成】" if obligation.status == DONE else "") + f"截止：{obligation.title}")
        event.add("description", f"凭证：{rule.get('proof', '')}\n依据：{basis}")
        event.add("categories", ["环保法定义务"])
        if obligation.status != DONE:
            for days in (7, 1):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", obligation.title)
                alarm.add("trigger", timedelta(days=-days))
                event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
