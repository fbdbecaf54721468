"""Synthetic reference data: the region tree, industries, enterprise attributes and answers."""
import hashlib
from datetime import date, timedelta

from app.accounts.uscc import make_uscc

PROVINCE = ("230000", "黑龙江省")
CITIES = (  # GB/T 2260 city codes of 黑龙江省, with a weight for how many enterprises each has
    ("230100", "哈尔滨市", 20), ("230200", "齐齐哈尔市", 9), ("230300", "鸡西市", 5), ("230400", "鹤岗市", 3),
    ("230500", "双鸭山市", 4), ("230600", "大庆市", 12), ("230700", "伊春市", 3), ("230800", "佳木斯市", 7),
    ("230900", "七台河市", 3), ("231000", "牡丹江市", 8), ("231100", "黑河市", 4), ("231200", "绥化市", 9),
    ("232700", "大兴安岭地区", 1),
)
COUNTY_SUFFIX = ("区", "区", "区", "县", "县", "市", "县", "区", "县", "县", "县", "区")

# (code, name, weight, permit-class weights (重点, 简化, 登记), hazardous-waste probability)
INDUSTRIES = (
    ("C3360", "金属表面处理及热处理加工", 12, (0.6, 0.3, 0.1), 0.95),
    ("C2319", "包装装潢及其他印刷", 12, (0.05, 0.35, 0.6), 0.5),
    ("D4620", "污水处理及其再生利用", 6, (0.8, 0.2, 0.0), 0.3),
    ("D4411", "火力发电", 2, (1.0, 0.0, 0.0), 0.6),
    ("C2614", "有机化学原料制造", 8, (0.7, 0.3, 0.0), 0.95),
    ("C1391", "淀粉及淀粉制品制造", 10, (0.2, 0.4, 0.4), 0.2),
    ("C3311", "金属结构制造", 10, (0.05, 0.45, 0.5), 0.5),
    ("C2927", "日用塑料制品制造", 8, (0.05, 0.35, 0.6), 0.3),
    ("C3021", "水泥制品制造", 8, (0.1, 0.5, 0.4), 0.1),
    ("C3130", "钢压延加工", 4, (0.6, 0.4, 0.0), 0.6),
    ("C2110", "木质家具制造", 10, (0.05, 0.45, 0.5), 0.4),
    ("C1713", "棉印染精加工", 5, (0.5, 0.5, 0.0), 0.4),
    ("C1440", "乳制品制造", 5, (0.3, 0.5, 0.2), 0.1),
)
PERMIT_CLASSES = ("重点管理", "简化管理", "登记管理")
COMPANY_WORDS = ("鑫", "恒", "华", "泰", "盛", "龙", "江", "北", "源", "达", "瑞", "丰", "兴", "昌", "宏", "远")


def regions() -> list[tuple[str, str, str, str | None]]:
    """1 province, 13 cities, ~130 counties (city 23XX00, county 23XXYY)."""
    rows = [(PROVINCE[0], PROVINCE[1], "province", None)]
    for code, name, _ in CITIES:
        rows.append((code, name, "city", PROVINCE[0]))
        count = 12 if code == "230100" else 10 if code != "232700" else 4
        for n in range(1, count + 1):
            rows.append((f"{code[:4]}{n:02d}", f"{name[:2]}{n:02d}{COUNTY_SUFFIX[n - 1]}", "county", code))
    return rows


def county_weights(region_rows) -> tuple[list[str], list[float]]:
    city_weight = {code: w for code, _, w in CITIES}
    counties = [r for r in region_rows if r[2] == "county"]
    per_city: dict[str, int] = {}
    for r in counties:
        per_city[r[3]] = per_city.get(r[3], 0) + 1
    codes = [r[0] for r in counties]
    weights = [city_weight[r[3]] / per_city[r[3]] * (2.0 if r[0].endswith("01") else 1.0) for r in counties]
    return codes, weights


def enterprise_attrs(rng, n: int, county: str, today: date, seed: int) -> dict:
    code, name, _, class_weights, hw = rng.choices(INDUSTRIES, weights=[i[2] for i in INDUSTRIES])[0]
    permit_class = rng.choices(PERMIT_CLASSES, weights=class_weights)[0]
    flags = []
    key = permit_class == "重点管理"
    if key and rng.random() < 0.7:
        flags.append("key_discharger")
    if rng.random() < hw:
        flags.append("hazardous_waste")
    if rng.random() < (0.6 if code.startswith(("D441", "C14", "C13", "C17")) else 0.25):
        flags.append("boiler")
    if "key_discharger" in flags and rng.random() < 0.85:
        flags.append("online_monitoring")
    if code.startswith(("C336", "C26", "C13", "C14", "D46", "C17")) and rng.random() < 0.85:
        flags.append("wastewater")
    if code.startswith(("C336", "C26", "C313")) and rng.random() < 0.25:
        flags.append("soil_key_unit")
    if key and rng.random() < 0.08:
        flags.append("listed_disclosure")
    if rng.random() < 0.04:
        flags.append("noise_key")
    word = "".join(rng.choice(COMPANY_WORDS) for _ in range(2))
    permit_valid_until = None
    permit_no = None
    if permit_class != "登记管理":
        permit_no = f"91{county}{n:08d}001P"
        permit_valid_until = today + timedelta(days=rng.randint(-60, 5 * 365))
    credit = rng.choices(("环保诚信", "环保良好", "环保警示", "环保不良"), weights=(15, 75, 8, 2))[0]
    return {
        "name": f"黑龙江{word}{name[:4]}有限公司{n}", "uscc": make_uscc(f"91{county}MA{n:07d}"),
        "industry_code": code, "industry_name": name, "region_code": county,
        "address": f"{county}开发区第{n % 97 + 1}号", "permit_no": permit_no, "permit_class": permit_class,
        "permit_valid_until": permit_valid_until, "flags": flags, "credit_grade": credit,
        "contact_name": f"联系人{n}", "contact_phone": f"1{3 + n % 7}{n:09d}"[:11],
        "public_code": hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:16],
    }


def needs_photo(item, failed: bool) -> bool:
    """The photo a real user would attach: by the item's evidence rule, and for 合格 on an item whose
    compliance must be proved (the permit, monitoring and manifest items, app/selfcheck/judgement.py)."""
    return (item.evidence_rule == "photo_always" or item.answer_type == "photo"
            or (item.evidence_rule == "photo_if_noncompliant" and failed)
            or (not failed and bool((getattr(item, "proof", None) or {}).get("on_compliant"))))


def answer_for(item, failed: bool, upload_id: int | None, today: date) -> tuple[str, str | None, list]:
    """(result, value, upload_ids) for one item that passes submission checks."""
    photos = [upload_id] if upload_id and needs_photo(item, failed) else []
    kind = item.answer_type
    if kind == "number":
        if getattr(item, "judgement", None) and not failed:
            # a limit from the enterprise's profile (GB 13271/12348/21900 tables, judged again at submit):
            # every such limit is a maximum, so a zero reading complies whatever the table
            return "compliant", "0", photos
        low = item.range_min if item.range_min is not None else 0.0
        high = item.range_max if item.range_max is not None else low + 10
        value = (high + abs(high) * 0.5 + 1) if failed else (low + high) / 2
        return ("non_compliant" if failed else "compliant"), f"{value:g}", photos
    if kind == "choice":
        good = item.compliant_choices or item.choices[:1]
        bad = [c for c in (item.choices or []) if c not in good]
        if failed and bad:
            return "non_compliant", bad[0], photos
        return "compliant", good[0], photos
    if kind == "date":
        rule = item.date_rule or {}
        if rule.get("rule") == "not_expired":
            return ("non_compliant", (today - timedelta(days=30)).isoformat(), photos) if failed \
                else ("compliant", (today + timedelta(days=365)).isoformat(), photos)
        return ("non_compliant", (today - timedelta(days=800)).isoformat(), photos) if failed \
            else ("compliant", (today - timedelta(days=20)).isoformat(), photos)
    if kind == "text":
        return ("non_compliant" if failed else "compliant"), "已核查", photos
    return ("non_compliant" if failed else "compliant"), None, photos


def failure_count(rng) -> int:
    """Non-compliant items per submitted run: mean ≈ 0.65."""
    r = rng.random()
    return 0 if r < 0.6 else 1 if r < 0.85 else 2 if r < 0.95 else rng.randint(3, 4)
