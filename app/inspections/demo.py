"""Demo data for 执法检查: positioned accounts, a 2026 plan with a draw, inspections, special actions, a quiet period."""
from datetime import date

from app.accounts.models import Enterprise, Role, User
from app.extensions import db
from app.inspections import onsite, plans, quiet, service, special

# username, display name, region, position, 执法证号
ACCOUNTS = [
    ("demo-inspector", "赵刚（哈尔滨市生态环境局 执法人员）", "230100", "inspector", "23010026001"),
    ("demo-inspector-2", "孙丽（哈尔滨市生态环境局 执法人员）", "230100", "inspector", "23010026002"),
    ("demo-unit-head", "周强（哈尔滨市生态环境局 承办机构负责人）", "230100", "division_head", "23010026010"),
    ("demo-deputy", "吴敏（哈尔滨市生态环境局 分管局长）", "230100", "deputy_director", "23010026011"),
    ("demo-director", "郑伟（哈尔滨市生态环境局 局长）", "230100", "director", "23010026012"),
    ("demo-county-head", "钱峰（哈尔滨市生态环境局道里分局 主要负责人）", "230102", "branch_head", "23010226010"),
]
CHAIN = ("demo-unit-head", "demo-deputy", "demo-director")


def seed_inspections(password_hash: str, enterprises: list[Enterprise]) -> None:
    users = {}
    for username, display, region, position, cert in ACCOUNTS:
        user = User(username=username, display_name=display, role=Role.REGULATOR, region_code=region,
                    position=position, enforcement_cert_no=cert, password_hash=password_hash,
                    must_change_password=False)
        db.session.add(user)
        users[username] = user
    db.session.flush()
    inspector, team = users["demo-inspector"], [users["demo-inspector"].id, users["demo-inspector-2"].id]
    quiet.create_period(inspector, {"region_code": "230103", "start_date": date(2026, 6, 6),
                                    "end_date": date(2026, 6, 10), "reason": "高考期间企业安静期"})
    # demo-ehs's plant: approved, visited, one finding (a problem with source 执法检查), result fed back
    done = service.create(inspector, {
        "enterprise_id": enterprises[0].id, "inspection_type": "other", "type_other": "日常监管",
        "basis": "《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》第二十八条",
        "start_date": date(2026, 6, 3), "end_date": date(2026, 6, 4), "inspector_ids": team,
        "content": "排污许可证执行情况、危险废物贮存管理、自动监测设施运行", "methods": ["on_site", "document_review"]})
    service.submit(inspector, done.id)
    for username in CHAIN:
        service.decide(users[username], done.id, "approve", "同意。")
    service.start(inspector, done.id)
    items = onsite.checklist(done)
    onsite.save_results(inspector, done.id, [
        {"item_code": items[0]["code"], "result": "non_compliant", "note": "现场检查发现该项不符合要求，已拍照取证"},
        *({"item_code": i["code"], "result": "compliant"} for i in items[1:4])])
    onsite.complete(inspector, done.id, "检查发现问题1个，已责令企业限期整改；其余检查事项符合要求。")
    # the 2026 plan and its first draw (道里电镀 is excluded as 本期已查, 南岗 enterprises as 安静期)
    plan = plans.create_plan(inspector, {"year": 2026, "name": "哈尔滨市生态环境局2026年度双随机抽查计划",
                                         "basis": "《关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》"})
    plans.create_draw(inspector, plan.id, {"window_start": date(2026, 6, 1), "window_end": date(2026, 6, 30)})
    # a complaint-triggered inspection waiting for 分管局长
    pending = service.create(inspector, {
        "enterprise_id": enterprises[2].id, "inspection_type": "complaint", "trigger": "complaint",
        "basis": "群众投诉（12345转办）反映夜间异味", "start_date": date(2026, 12, 8), "end_date": date(2026, 12, 8),
        "inspector_ids": team, "content": "核查除臭设施运行及厂界异味", "methods": ["on_site", "inquiry"],
        "separate_reason": "投诉线索，需单独核查"})
    service.submit(inspector, pending.id)
    service.decide(users["demo-unit-head"], pending.id, "approve", "同意，请分管局长审批。")
    # special actions: one approved and filed, one published (事前公示)
    for name, start, end, publish in (
            ("2026年冬季大气污染防治专项执法检查", date(2026, 11, 16), date(2026, 12, 31), False),
            ("2026年危险废物规范化环境管理专项执法检查", date(2026, 9, 1), date(2026, 10, 31), True)):
        action = special.create(inspector, {
            "name": name, "basis": "《中华人民共和国大气污染防治法》《中华人民共和国固体废物污染环境防治法》",
            "start_date": start, "end_date": end, "targets": "哈尔滨市重点排污单位及产生危险废物的企业",
            "content": "治污设施运行、自动监测数据、危险废物贮存与转移"})
        special.submit(inspector, action.id)
        for username in CHAIN:
            special.decide(users[username], action.id, "approve", "同意。")
        special.file(inspector, action.id, "黑龙江省生态环境厅", None)
        if publish:
            special.publish(inspector, action.id)
