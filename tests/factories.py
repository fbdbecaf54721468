"""Test data: a small region tree, enterprises in and out of each jurisdiction, and users."""
from dataclasses import dataclass, field

from app.accounts.models import Enterprise, Region, Role, User
from app.accounts.service import hash_password
from app.accounts.uscc import make_uscc
from app.extensions import db

PASSWORD = "Passw0rd-test"


@dataclass
class World:
    """Ids of what make_world created (plain ints, safe outside the app context)."""

    enterprises: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


REGIONS = [
    ("230000", "黑龙江省", "province", None),
    ("230100", "哈尔滨市", "city", "230000"),
    ("230102", "道里区", "county", "230100"),
    ("230103", "南岗区", "county", "230100"),
    ("230600", "大庆市", "city", "230000"),
    ("230602", "萨尔图区", "county", "230600"),
]


def make_enterprise(name, county, *, industry=("C3360", "金属表面处理及热处理加工"), permit_class="重点管理",
                    flags=(), serial=1, permit_valid_until=None, **profile) -> Enterprise:
    # Profile facts the automatic judgements read (noise zone, boiler): a plausible default, overridable.
    profile.setdefault("noise_zone", "3")
    profile.setdefault("credit_grade", "环保良好")  # a rated enterprise; unrated ones say 未评价 explicitly
    if "boiler" in flags:
        profile.setdefault("boiler_fuel", "燃煤")
        profile.setdefault("boiler_existing", True)
    enterprise = Enterprise(name=name, uscc=make_uscc(f"91{county}MA{serial:07d}"), industry_code=industry[0],
                            industry_name=industry[1], region_code=county, permit_class=permit_class,
                            permit_no=f"P{serial:05d}", flags=list(flags), permit_valid_until=permit_valid_until,
                            **profile)
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def make_user(username, role, *, enterprise=None, region=None) -> User:
    user = User(username=username, display_name=username, role=role,
                enterprise_id=enterprise.id if enterprise else None, region_code=region,
                password_hash=hash_password(PASSWORD))
    db.session.add(user)
    db.session.flush()
    return user


def make_world() -> World:
    for code, name, level, parent in REGIONS:
        db.session.add(Region(code=code, name=name, level=level, parent_code=parent))
    db.session.flush()
    world = World()
    ent_a = make_enterprise("道里电镀厂", "230102", serial=1,
                            flags=["key_discharger", "hazardous_waste", "boiler", "online_monitoring", "wastewater"])
    ent_b = make_enterprise("南岗印刷工作室", "230103", serial=2, industry=("C2319", "包装装潢及其他印刷"),
                            permit_class="登记管理")
    ent_c = make_enterprise("萨尔图化工厂", "230602", serial=3, industry=("C2614", "有机化学原料制造"),
                            flags=["hazardous_waste"])
    world.enterprises = {"a": ent_a.id, "b": ent_b.id, "c": ent_c.id}
    users = [
        make_user("ehs-a", Role.ENTERPRISE_ADMIN, enterprise=ent_a),
        make_user("staff-a", Role.ENTERPRISE_STAFF, enterprise=ent_a),
        make_user("ehs-b", Role.ENTERPRISE_ADMIN, enterprise=ent_b),
        make_user("ehs-c", Role.ENTERPRISE_ADMIN, enterprise=ent_c),
        make_user("reg-city", Role.REGULATOR, region="230100"),
        make_user("reg-county-a", Role.REGULATOR, region="230102"),
        make_user("reg-other", Role.REGULATOR, region="230602"),
        make_user("regadmin-city", Role.REGULATOR_ADMIN, region="230100"),
        make_user("sysadmin", Role.SYSADMIN, region="230000"),
    ]
    world.users = {u.username: u.id for u in users}
    db.session.commit()
    return world


def make_runs(world: World, as_of, template_code: str = "FULL", recurrence: str = "quarterly",
              due_day: int = 15) -> dict[str, int]:
    """Load the library, give enterprises a and b a schedule, generate runs; return run ids by key."""
    from sqlalchemy import select

    from app.selfcheck import service
    from app.selfcheck.library import load_library
    from app.selfcheck.models import ChecklistTemplate, SelfCheck

    load_library()
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == template_code))
    for key in ("a", "b", "c"):
        service.create_schedule(db.session.get(Enterprise, world.enterprises[key]), template.id, recurrence, due_day)
    service.generate_due_selfchecks(as_of)
    db.session.commit()
    runs = {}
    for key in ("a", "b", "c"):
        runs[key] = db.session.scalar(select(SelfCheck.id).where(
            SelfCheck.enterprise_id == world.enterprises[key]).order_by(SelfCheck.id.desc()))
    return runs


def compliant_answers(detail: dict, upload_id: int | None = None) -> list[dict]:
    """Answers that make every item of a self-check detail compliant (photos where required)."""
    answers = []
    for section in detail["sections"]:
        for item in section["items"]:
            entry = {"item_id": item["id"], "result": "compliant", "value": None, "upload_ids": []}
            if item["answer_type"] == "number":
                rng = item["range"] or {}
                low = rng.get("min") if rng.get("min") is not None else 0
                high = rng.get("max") if rng.get("max") is not None else low + 10
                entry["value"] = str((low + high) / 2)
            elif item["answer_type"] == "date":
                expiry = ((item["date_rule"] or {}).get("rule") == "not_expired"
                          or (item.get("judgement") or {}).get("kind") == "permit_renewal")
                entry["value"] = "2099-01-01" if expiry else _recent_date()
            elif item["answer_type"] == "choice":
                entry["value"] = item["choices"][0]
            elif item["answer_type"] == "text":
                entry["value"] = "已核查"
            if item["evidence_rule"] == "photo_always" or item["answer_type"] == "photo":
                entry["upload_ids"] = [upload_id] if upload_id else []
            answers.append(entry)
    return answers


def _recent_date() -> str:
    from datetime import timedelta

    from app.common.timeutil import today_local

    return (today_local() - timedelta(days=10)).isoformat()


def jpeg_bytes(size=(64, 48), exif: bytes | None = None) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (10, 120, 60)).save(out, "JPEG", **kwargs)
    return out.getvalue()
