"""Demo data on the Shanxi pack (app/rules/140000): 山西省 / 长治市 with four enterprises and two accounts.

demo-ehs-cz runs the coking plant (credit grade A on Shanxi's A/B/C/D scale); demo-regulator-cz is at the
city bureau. The electroplating works was on the positive list until a penalty suspended it (动态管理),
so the Shanxi pages show a suspension with its reason; the printing shop is 未评价.
"""
from datetime import timedelta

from app.accounts.models import Enterprise, Region, Role, User
from app.accounts.uscc import make_uscc
from app.cases import service as cases
from app.common.timeutil import add_months, today_local
from app.extensions import db
from app.supervision import dynamic
from app.supervision.models import PositiveListEntry

REGIONS = [
    ("140000", "山西省", "province", None),
    ("140400", "长治市", "city", "140000"),
    ("140403", "潞州区", "county", "140400"),
    ("140404", "上党区", "county", "140400"),
]
# (name, industry code, industry name, county, permit class, flags, credit grade)
ENTERPRISES = [
    ("长治市潞安焦化有限责任公司", "C2521", "炼焦", "140403", "重点管理",
     ["key_discharger", "hazardous_waste", "boiler", "online_monitoring", "wastewater"], "A"),
    ("长治市上党精工电镀有限公司", "C3360", "金属表面处理及热处理加工", "140404", "重点管理",
     ["key_discharger", "hazardous_waste", "wastewater", "online_monitoring"], "B"),
    ("长治市潞州区城市污水处理有限公司", "D4620", "污水处理及其再生利用", "140403", "重点管理",
     ["key_discharger", "online_monitoring", "wastewater"], "B"),
    ("长治市上党彩印工作室", "C2319", "包装装潢及其他印刷", "140404", "登记管理", [], "未评价"),
]
ACCOUNTS = [
    ("demo-ehs-cz", "赵磊（环保负责人）", Role.ENTERPRISE_ADMIN, 0, None),
    ("demo-regulator-cz", "孙丽（长治市生态环境局）", Role.REGULATOR, None, "140400"),
]


def seed_changzhi(password_hash: str, monthly_template_id: int | None) -> dict[str, User]:
    from app.selfcheck import service as selfchecks

    for code, name, level, parent in REGIONS:
        if db.session.get(Region, code) is None:
            db.session.add(Region(code=code, name=name, level=level, parent_code=parent))
    db.session.flush()
    today = today_local()
    enterprises = []
    for index, (name, icode, iname, county, permit_class, flags, grade) in enumerate(ENTERPRISES):
        registered = permit_class == "登记管理"
        enterprise = Enterprise(
            name=name, uscc=make_uscc(f"91{county}MA{index + 1:07d}"), industry_code=icode, industry_name=iname,
            region_code=county, address=f"{name[:5]}工业园区{index + 1}号",
            permit_no=None if registered else f"91{county}MA{index + 1:07d}001P", permit_class=permit_class,
            permit_valid_until=None if registered else add_months(today, 18 + 6 * index), flags=flags,
            credit_grade=grade, contact_name="环保负责人", contact_phone=f"1393550{index:04d}", noise_zone="3",
            boiler_fuel="燃煤" if "boiler" in flags else None, boiler_existing=True if "boiler" in flags else None,
            hw_storage_limit_days=365 if "hazardous_waste" in flags else None)
        db.session.add(enterprise)
        enterprises.append(enterprise)
    db.session.flush()
    users = {}
    for username, display, role, ent_index, region in ACCOUNTS:
        user = User(username=username, display_name=display, role=role,
                    enterprise_id=enterprises[ent_index].id if ent_index is not None else None,
                    region_code=region, password_hash=password_hash, phone="", must_change_password=False)
        db.session.add(user)
        users[username] = user
    db.session.flush()
    if monthly_template_id is not None:
        for index, enterprise in enumerate(enterprises):
            selfchecks.create_schedule(enterprise, monthly_template_id, "monthly", 25,
                                       users["demo-ehs-cz"] if index == 0 else None)
    # the electroplating works: on the positive list, then fined — suspended automatically, awaiting the city
    plating = enterprises[1]
    db.session.add(PositiveListEntry(enterprise_id=plating.id, admitted_on=add_months(today, -8),
                                     valid_until=add_months(today, 28), reason="符合长治市正面清单条件（演示）",
                                     admitted_by_id=users["demo-regulator-cz"].id, admitted_credit_grade="B"))
    db.session.flush()
    cases.record_penalty(users["demo-regulator-cz"], plating.id, {  # with its case, like the workbench's form
        "decision_no": "长环罚〔2026〕12号", "decided_on": today - timedelta(days=20), "amount": 50000,
        "credit_category": "一般失信", "description": "含铬废水超标排放（演示）"})
    dynamic.check_member(plating.id, today)
    return users
