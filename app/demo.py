"""Demo data: Heilongjiang (two cities, five counties, 24 enterprises), 长治市 on the Shanxi pack, the README's accounts."""
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from app.accounts.models import Enterprise, Region, Role, User
from app.accounts.service import hash_password
from app.accounts.uscc import make_uscc
from app.cases.demo import seed_cases
from app.clues.demo import seed_clues
from app.common.timeutil import add_months, today_local
from app.evidence.uploads import receive_upload
from app.extensions import db
from app.inspections.demo import seed_inspections
from app.monitoring.demo import seed_monitoring
from app.reports import submission
from app.selfcheck import library
from app.selfcheck import service as selfchecks
from app.selfcheck.models import ChecklistTemplate, Schedule, SelfCheck

DEMO_PASSWORD = "demo-pass-2026"

REGIONS = [
    ("230000", "黑龙江省", "province", None),
    ("230100", "哈尔滨市", "city", "230000"),
    ("230102", "道里区", "county", "230100"),
    ("230103", "南岗区", "county", "230100"),
    ("230110", "香坊区", "county", "230100"),
    ("230600", "大庆市", "city", "230000"),
    ("230602", "萨尔图区", "county", "230600"),
    ("230604", "让胡路区", "county", "230600"),
]

# (name, industry code, industry name, county, permit class, flags)
ENTERPRISES = [
    ("哈尔滨龙江精密电镀有限公司", "C3360", "金属表面处理及热处理加工", "230102", "重点管理",
     ["key_discharger", "hazardous_waste", "boiler", "online_monitoring", "soil_key_unit", "wastewater"]),
    ("哈尔滨南岗彩印工作室", "C2319", "包装装潢及其他印刷", "230103", "登记管理", []),
    ("哈尔滨道里城市污水处理有限公司", "D4620", "污水处理及其再生利用", "230102", "重点管理",
     ["key_discharger", "online_monitoring", "wastewater", "hazardous_waste"]),
    ("哈尔滨热电有限责任公司", "D4411", "火力发电", "230110", "重点管理",
     ["key_discharger", "boiler", "online_monitoring", "hazardous_waste", "noise_key", "listed_disclosure"]),
    ("哈尔滨北方化工股份有限公司", "C2614", "有机化学原料制造", "230110", "重点管理",
     ["key_discharger", "hazardous_waste", "online_monitoring", "soil_key_unit", "wastewater", "listed_disclosure"]),
    ("哈尔滨松花江食品有限公司", "C1391", "谷物磨制", "230103", "简化管理", ["boiler", "wastewater"]),
    ("哈尔滨新华印务有限公司", "C2311", "书、报刊印刷", "230102", "简化管理", ["hazardous_waste"]),
    ("哈尔滨金盾表面处理有限公司", "C3360", "金属表面处理及热处理加工", "230103", "重点管理",
     ["key_discharger", "hazardous_waste", "wastewater", "online_monitoring"]),
    ("哈尔滨冰城乳业有限公司", "C1441", "液体乳制造", "230110", "简化管理", ["boiler", "wastewater"]),
    ("哈尔滨群力包装印刷厂", "C2319", "包装装潢及其他印刷", "230102", "登记管理", []),
    ("哈尔滨东升涂装有限公司", "C3311", "金属结构制造", "230110", "简化管理", ["hazardous_waste"]),
    ("哈尔滨太平供热有限公司", "D4430", "热力生产和供应", "230103", "重点管理", ["key_discharger", "boiler", "online_monitoring"]),
    ("大庆石化精细化工有限公司", "C2614", "有机化学原料制造", "230602", "重点管理",
     ["key_discharger", "hazardous_waste", "online_monitoring", "soil_key_unit", "wastewater"]),
    ("大庆萨尔图污水处理厂", "D4620", "污水处理及其再生利用", "230602", "重点管理", ["key_discharger", "online_monitoring", "wastewater"]),
    ("大庆龙凤热电有限公司", "D4411", "火力发电", "230604", "重点管理",
     ["key_discharger", "boiler", "online_monitoring", "hazardous_waste", "noise_key"]),
    ("大庆让胡路电镀加工厂", "C3360", "金属表面处理及热处理加工", "230604", "简化管理", ["hazardous_waste", "wastewater"]),
    ("大庆油田印刷有限公司", "C2311", "书、报刊印刷", "230602", "简化管理", []),
    ("大庆绿源食品有限公司", "C1392", "饲料加工", "230604", "登记管理", []),
    ("大庆华科化工有限公司", "C2619", "其他基础化学原料制造", "230604", "重点管理",
     ["key_discharger", "hazardous_waste", "wastewater", "online_monitoring"]),
    ("大庆萨尔图彩印厂", "C2319", "包装装潢及其他印刷", "230602", "登记管理", []),
    ("哈尔滨香坊粮油食品有限公司", "C1331", "食用植物油加工", "230110", "简化管理", ["boiler"]),
    ("哈尔滨道里汽车涂装有限公司", "C3660", "汽车车身、挂车制造", "230102", "简化管理", ["hazardous_waste"]),
    ("大庆龙江化工助剂有限公司", "C2661", "化学试剂和助剂制造", "230602", "简化管理", ["hazardous_waste", "wastewater"]),
    ("哈尔滨南岗乳品厂", "C1441", "液体乳制造", "230103", "登记管理", []),
]

ACCOUNTS = [
    # username, display name, role, enterprise index, region
    ("demo-ehs", "王建国（环保负责人）", Role.ENTERPRISE_ADMIN, 0, None),
    ("demo-ehs-2", "李晓梅（环保负责人）", Role.ENTERPRISE_ADMIN, 1, None),
    ("demo-regulator", "张明（哈尔滨市生态环境局）", Role.REGULATOR, None, "230100"),
    ("demo-regulator-county", "刘芳（道里分局）", Role.REGULATOR, None, "230102"),
    ("demo-admin", "系统管理员", Role.SYSADMIN, None, "230000"),
]


def _uscc(index: int, county: str) -> str:
    return make_uscc(f"91{county}MA{index:07d}")


def _tiny_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def seed() -> bool:
    """Create the demo data once; return False when it already exists."""
    if db.session.scalar(select(User.id).where(User.username == "demo-ehs")):
        return False
    library.load_library()
    for code, name, level, parent in REGIONS:
        if db.session.get(Region, code) is None:
            db.session.add(Region(code=code, name=name, level=level, parent_code=parent))
    db.session.flush()
    today = today_local()
    enterprises = []
    for index, (name, icode, iname, county, permit_class, flags) in enumerate(ENTERPRISES):
        valid_until = today + timedelta(days=75) if index == 0 else add_months(today, 6 + 3 * index)
        enterprise = Enterprise(
            name=name, uscc=_uscc(index + 1, county), industry_code=icode, industry_name=iname,
            region_code=county, address=f"{name[:5]}工业园区{index + 1}号",
            permit_no=None if permit_class == "登记管理" else f"91{county}MA{index + 1:07d}001P",
            permit_class=permit_class, permit_valid_until=None if permit_class == "登记管理" else valid_until,
            flags=flags, credit_grade="环保诚信" if index % 5 == 0 else "环保良好",
            contact_name="环保负责人", contact_phone=f"1380451{index:04d}",
            # Profile facts the automatic judgements read (GB 12348 zone, GB 13271 boiler, EIA storage limit).
            noise_zone="2" if index % 4 == 3 else "3",
            boiler_fuel="燃煤" if "boiler" in flags else None, boiler_existing=True if "boiler" in flags else None,
            hw_storage_limit_days=365 if "hazardous_waste" in flags else None)
        db.session.add(enterprise)
        enterprises.append(enterprise)
    db.session.flush()
    users = {}
    for username, display, role, ent_index, region in ACCOUNTS:
        user = User(username=username, display_name=display, role=role,
                    enterprise_id=enterprises[ent_index].id if ent_index is not None else None,
                    region_code=region, password_hash=hash_password(DEMO_PASSWORD),
                    phone="", must_change_password=False)
        db.session.add(user)
        users[username] = user
    db.session.flush()
    templates = {t.code: t for t in db.session.scalars(select(ChecklistTemplate))}
    for index, enterprise in enumerate(enterprises):
        assignee = users["demo-ehs"] if index == 0 else users["demo-ehs-2"] if index == 1 else None
        selfchecks.create_schedule(enterprise, templates["MONTHLY"].id, "monthly", 25, assignee)
        selfchecks.create_schedule(enterprise, templates["FULL"].id, "quarterly", 80, assignee)
    # Last month's routine check of the electroplating plant, submitted with two findings,
    # so the demo shows a report, problems and the 已提交 list from the first login.
    last_month = add_months(today, -1)
    selfchecks.generate_due_selfchecks(last_month)
    _submit_demo_history(users["demo-ehs"], enterprises[0])
    seed_cases(users, enterprises[0], _tiny_jpeg())
    from app.obligations.demo import seed_services

    seed_services(users, enterprises[0])
    selfchecks.generate_due_selfchecks(today)
    seed_inspections(hash_password(DEMO_PASSWORD), enterprises)
    from app.demo_changzhi import seed_changzhi  # 长治市 on the Shanxi rules pack

    seed_changzhi(hash_password(DEMO_PASSWORD), templates["MONTHLY"].id)
    seed_monitoring(users, enterprises[0])
    seed_clues(users, enterprises[0])
    db.session.commit()
    return True


def _submit_demo_history(user: User, enterprise: Enterprise) -> None:
    run = db.session.scalar(select(SelfCheck).join(Schedule).where(
        SelfCheck.enterprise_id == enterprise.id, Schedule.recurrence == "monthly"))
    if run is None:
        return
    items = selfchecks.items_of(run)
    photo, _ = receive_upload(user, "demo-photo-1", "现场.jpg", _tiny_jpeg(), 15 * 1024 * 1024)
    entries = []
    failing = {item.id for item in items if item.answer_type == "yes_no_na"}
    failing = set(list(failing)[:2])
    for item in items:
        entry = {"item_id": item.id, "result": "compliant", "value": None, "note": None, "upload_ids": []}
        if item.answer_type == "number":
            low, high = item.range_min, item.range_max
            entry["value"] = str(((low or 0) + (high if high is not None else (low or 0) + 10)) / 2)
        elif item.answer_type == "date":
            rule = item.date_rule or {}
            entry["value"] = (today_local() + timedelta(days=200) if rule.get("rule") == "not_expired"
                              else today_local() - timedelta(days=30)).isoformat()
        elif item.answer_type == "choice":
            entry["value"] = (item.compliant_choices or item.choices or ["是"])[0]
        elif item.answer_type == "text":
            entry["value"] = "已核查"
        if item.id in failing:
            entry.update(result="non_compliant", note="现场检查发现问题，已拍照留存")
        if (item.evidence_rule == "photo_always" or item.answer_type == "photo" or item.id in failing):
            entry["upload_ids"] = [photo.id]
        entries.append(entry)
    selfchecks.save_answers(user, run.id, entries)
    submission.submit(user, run.id)
