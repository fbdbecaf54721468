"""The built-in checklist library: completeness, legal basis, composition by applicability."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.selfcheck.library import applies, industry_groups, library_data, load_library
from app.selfcheck.models import ANSWER_TYPES, EVIDENCE_RULES, SEVERITIES, ChecklistItem, TemplateVersion
from tests.factories import make_runs

GENERAL_SECTIONS = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L"}


def test_every_item_has_legal_basis_severity_and_a_valid_shape():
    data = library_data()
    sections = {s["code"] for s in data["sections"]}
    codes = [i["code"] for i in data["items"]]
    assert len(codes) == len(set(codes))
    general = [i for i in data["items"] if i["section"] in GENERAL_SECTIONS]
    assert len(general) >= 50
    assert {i["section"] for i in general} == GENERAL_SECTIONS
    industry_sections = sections - GENERAL_SECTIONS
    assert len(industry_sections) >= 3
    for item in data["items"]:
        assert item["section"] in sections, item["code"]
        statutory = item.get("statutory", True)
        assert item["legal_basis"] or not statutory, item["code"]  # only a 管理建议 may have no basis
        assert all(b["law"] and b["article"] and isinstance(b.get("checked"), bool)
                   for b in item["legal_basis"]), item["code"]
        assert item["severity"] in SEVERITIES, item["code"]
        assert item["answer_type"] in ANSWER_TYPES, item["code"]
        assert item.get("evidence_rule", "photo_if_noncompliant") in EVIDENCE_RULES, item["code"]
        assert int(item["time_limit_days"]) > 0, item["code"]
        if item["answer_type"] == "number":
            assert item.get("range") or item.get("judgement"), item["code"]


def test_load_is_idempotent_and_a_data_change_publishes_a_new_version(app, monkeypatch):
    with app.app_context():
        assert load_library() == {"MONTHLY": 1, "FULL": 1}
        assert load_library() == {}
        count = db.session.scalar(select(func.count()).select_from(ChecklistItem))
        changed = dict(library_data())
        changed["items"] = [dict(i) for i in changed["items"]]
        changed["items"][0]["question"] = "修改后的问题？"
        monkeypatch.setattr("app.selfcheck.library.library_data", lambda: changed)
        assert load_library() == {"FULL": 2}  # A1 is quarterly: only the full check changes
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 3
        assert db.session.scalar(select(func.count()).select_from(ChecklistItem)) > count


def test_industry_groups_follow_the_industry_code():
    assert "电镀" in industry_groups("C3360")
    assert industry_groups("C2319") == {"印刷"}
    assert "污水处理" in industry_groups("D4620")
    assert industry_groups("F5100") == frozenset()


def test_applies_combines_conditions():
    cond = {"industries": ["电镀"], "flags_any": ["hazardous_waste", "boiler"]}
    assert applies(cond, frozenset({"电镀"}), "重点管理", frozenset({"boiler"}))
    assert not applies(cond, frozenset({"印刷"}), "重点管理", frozenset({"boiler"}))
    assert not applies(cond, frozenset({"电镀"}), "重点管理", frozenset())
    assert applies({}, frozenset(), "登记管理", frozenset())
    assert not applies({"permit_classes": ["重点管理"]}, frozenset(), "登记管理", frozenset())


def test_composition_gives_a_plating_plant_far_more_items_than_a_small_print_shop(app, auth, world):
    with app.app_context():
        runs = make_runs(world, date(2026, 11, 20))
    client = auth.client("sysadmin")
    plating = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    print_shop = client.get(f"/api/selfchecks/{runs['b']}").get_json()
    plating_codes = {i["code"] for s in plating["sections"] for i in s["items"]}
    shop_codes = {i["code"] for s in print_shop["sections"] for i in s["items"]}
    assert len(shop_codes) < 25 < 60 < len(plating_codes)
    assert any(c.startswith("EP-") for c in plating_codes)      # 电镀 add-on
    assert any(c.startswith("PW-") for c in plating_codes)      # has a boiler
    assert {"E4", "E6"} <= plating_codes                         # produces hazardous waste
    assert not any(c.startswith(("EP-", "E4", "G")) for c in shop_codes)
    assert any(c.startswith("VOC-") for c in shop_codes)        # printing add-on


def test_rules_doc_lists_every_item_and_the_citation_counts():
    from pathlib import Path
    doc = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    items = library_data()["items"]
    assert all(f"| {i['code']} |" in doc for i in items)
    bases = [b for i in items for b in i["legal_basis"]]
    checked = sum(1 for b in bases if b.get("checked"))
    assert f"法律依据共 **{len(bases)}** 条" in doc and f"**{checked}** 条" in doc
    assert f"检查项共 **{len(items)}** 项" in doc
