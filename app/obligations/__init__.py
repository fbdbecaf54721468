"""The enterprise's statutory calendar (法定义务日历): rules as data, dated instances, receipts, .ics feed."""
