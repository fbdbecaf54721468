"""Demo data for issue #20: demo-ehs's statutory calendar, one 企业诉求 with a reply, two 以案说法 cases."""
from app.accounts.models import Enterprise, User
from app.common.timeutil import today_local
from app.extensions import db
from app.legal import service as legal
from app.obligations import service as obligations
from app.obligations.models import Obligation
from app.requests import service as requests


def seed_services(users: dict[str, User], enterprise: Enterprise) -> None:
    today = today_local()
    obligations.compose(enterprise, today)
    db.session.flush()
    first = db.session.query(Obligation).filter_by(enterprise_id=enterprise.id, code="HW_PLAN").order_by(
        Obligation.due_date).first()
    if first is not None:
        obligations.mark_done(users["demo-ehs"], first.id, {"record_no": "HW-PLAN-230102-0001", "done_on": today})
    request = requests.file_request(users["demo-ehs"], {
        "category": "政策咨询", "content": "我厂电镀废水回用改造后，排污许可证是否需要变更？需要准备哪些材料？"})
    county = users["demo-regulator-county"]
    requests.act(county, request.id, "register", {"comment": "已登记"})
    requests.act(county, request.id, "assign", {"assignee_id": county.id})
    requests.act(county, request.id, "reply", {
        "body": "回用改造如导致排放口、污染物种类或排放量变化，应在变化前申请变更排污许可证；"
                "请准备改造说明、监测数据和环评手续，可到道里分局窗口现场咨询。"})
    city = users["demo-regulator"]
    legal.create_case(city, {
        "title": "某电镀企业未按期提交排污许可证季度执行报告案",
        "violation": "企业连续两个季度未在全国排污许可证管理信息平台提交季度执行报告。",
        "law": "排污许可管理条例 第二十二条、第三十七条", "penalty": "责令改正，罚款人民币八千元。",
        "lesson": "执行报告按许可证副本规定的频次和时间提交，专人负责，提交后保存回执。",
        "item_codes": ["B5"], "obligation_codes": ["PERMIT_REPORT_QUARTERLY", "PERMIT_REPORT_ANNUAL"],
        "industries": ["电镀"]})
    legal.create_case(city, {
        "title": "某化工企业未制定危险废物管理计划案",
        "violation": "企业产生废有机溶剂，未按规定制定危险废物管理计划并备案。",
        "law": "中华人民共和国固体废物污染环境防治法 第七十八条、第一百一十二条",
        "penalty": "责令改正，罚款人民币十万元。", "lesson": "每年3月31日前完成危险废物管理计划备案，管理台账如实记录。",
        "obligation_codes": ["HW_PLAN", "HW_DECLARE_ANNUAL"]})
    db.session.flush()
