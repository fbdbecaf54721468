"""Judgements that are right in law (issue #12): each test fails on the old behaviour named in its docstring."""
import io
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.accounts.models import Enterprise
from app.common.timeutil import today_local
from app.extensions import db
from app.remediation.models import Problem
from app.selfcheck import authoring, judgement
from app.selfcheck.evaluate import derive_result, score
from app.selfcheck.library import latest_published, load_library
from app.selfcheck.models import ChecklistItem, ChecklistTemplate, TemplateVersion
from tests.factories import compliant_answers, jpeg_bytes, make_runs

RUN_DAY = date(2026, 11, 20)


@pytest.fixture
def runs(app, world):
    with app.app_context():
        return make_runs(world, RUN_DAY)


def _profile(app, world, key="a", **facts):
    with app.app_context():
        enterprise = db.session.get(Enterprise, world.enterprises[key])
        for name, value in facts.items():
            setattr(enterprise, name, value)
        db.session.commit()


def _items(detail):
    return {i["code"]: i for s in detail["sections"] for i in s["items"]}


def _save(client, run_id, item, **entry):
    response = client.put(f"/api/selfchecks/{run_id}/answers",
                          json={"answers": [{"item_id": item["id"], **entry}]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _upload(client):
    response = client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                                 "client_id": uuid.uuid4().hex}, content_type="multipart/form-data")
    return response.get_json()["id"]


def _item(**fields):
    base = dict(id=1, code="X", answer_type="number", range_min=None, range_max=None, judgement=None,
                date_rule=None, compliant_choices=None, statutory=True, severity="较重", proof=None,
                evidence_rule="photo_if_noncompliant")
    return SimpleNamespace(**{**base, **fields})


def _ent(**fields):
    base = dict(boiler_fuel=None, boiler_existing=None, air_special_limits=False, water_special_limits=False,
                noise_zone=None, hw_storage_limit_days=None, permit_renewal_applied_on=None, region_code="230102")
    return SimpleNamespace(**{**base, **fields})


# --- PW-01: GB 13271-2014, not the coal-power ultra-low 50 mg/m³ --------------------------------

@pytest.mark.parametrize("fuel,existing,special,limit", [
    ("燃煤", True, False, 400), ("燃煤", False, False, 300), ("燃油", False, False, 250),
    ("燃气", False, False, 200), ("燃气", True, True, 150), ("燃煤", False, True, 200),
])
def test_pw01_limit_follows_boiler_fuel_age_and_special_limits(fuel, existing, special, limit):
    found = judgement.table_limit("gb13271_nox", _ent(boiler_fuel=fuel, boiler_existing=existing,
                                                      air_special_limits=special))
    assert found.known and found.max == limit and "GB 13271-2014" in found.basis and not found.checked


def test_pw01_unknown_fuel_makes_no_judgement_instead_of_borrowing_a_figure():
    item = _item(code="PW-01", judgement={"kind": "table", "table": "gb13271_nox"})
    assert derive_result(item, None, "120", RUN_DAY, _ent()) is None
    assert "锅炉燃料类型" in judgement.table_limit("gb13271_nox", _ent()).missing


def test_pw01_through_the_api_an_industrial_coal_boiler_at_120_is_compliant(app, auth, world, runs):
    """Old: 120 mg/m³ > 50 (ultra-low) → 不合格 for every boiler."""
    client = auth.client("ehs-a")
    items = _items(client.get(f"/api/selfchecks/{runs['a']}").get_json())
    pw01 = items["PW-01"]
    assert pw01["range"] == {"min": None, "max": 400.0} and "表1" in pw01["limit_basis"]
    assert _save(client, runs["a"], pw01, value="120")["answers"][0]["result"] == "compliant"
    assert _save(client, runs["a"], pw01, value="450")["answers"][0]["result"] == "non_compliant"
    _profile(app, world, boiler_fuel="燃气", boiler_existing=False, air_special_limits=True)
    assert _save(client, runs["a"], pw01, value="160")["answers"][0]["result"] == "non_compliant"  # 表3 燃气 150


# --- F1 / F1N: day and night against the plant's 声环境功能区 ----------------------------------

def test_noise_day_and_night_follow_the_zone(app, auth, world, runs):
    """Old: only the day reading, against class 3 (65 dB) whatever the zone."""
    _profile(app, world, noise_zone="2")
    client = auth.client("ehs-a")
    items = _items(client.get(f"/api/selfchecks/{runs['a']}").get_json())
    assert items["F1"]["range"]["max"] == 60 and items["F1N"]["range"]["max"] == 50
    assert _save(client, runs["a"], items["F1"], value="62")["answers"][0]["result"] == "non_compliant"
    assert _save(client, runs["a"], items["F1N"], value="52")["answers"][0]["result"] == "non_compliant"
    _profile(app, world, noise_zone="3")
    assert _save(client, runs["a"], items["F1N"], value="52")["answers"][0]["result"] == "compliant"
    assert _save(client, runs["a"], items["F1N"], value="56")["answers"][0]["result"] == "non_compliant"


@pytest.mark.parametrize("zone,day,night", [("0", 50, 40), ("1", 55, 45), ("2", 60, 50), ("3", 65, 55), ("4", 70, 55)])
def test_gb12348_table(zone, day, night):
    assert judgement.table_limit("gb12348_day", _ent(noise_zone=zone)).max == day
    assert judgement.table_limit("gb12348_night", _ent(noise_zone=zone)).max == night


# --- EP-02: GB 21900-2008 表2 or 表3 -----------------------------------------------------------

def test_ep02_special_limits_use_table_3(app, auth, world, runs):
    """Old: 0.2 mg/L for everyone; 0.15 passed where 特别排放限值 (0.1) applies."""
    client = auth.client("ehs-a")
    ep02 = _items(client.get(f"/api/selfchecks/{runs['a']}").get_json())["EP-02"]
    assert _save(client, runs["a"], ep02, value="0.15")["answers"][0]["result"] == "compliant"
    _profile(app, world, water_special_limits=True)
    assert _save(client, runs["a"], ep02, value="0.15")["answers"][0]["result"] == "non_compliant"
    again = _items(client.get(f"/api/selfchecks/{runs['a']}").get_json())["EP-02"]
    assert again["range"]["max"] == 0.1 and "表3" in again["limit_basis"]


# --- E8: the one-year limit binds operators; a producer's limit comes from data -----------------

def test_e8_producer_without_a_registered_limit_is_not_judged_by_the_operators_rule(app, auth, world, runs):
    """Old: 400 days → 不合格 under 固废法 81 for every producer."""
    client = auth.client("ehs-a")
    items = _items(client.get(f"/api/selfchecks/{runs['a']}").get_json())
    assert "E8a" not in items  # the operators' question is not asked of a producer
    body = _save(client, runs["a"], items["E8"], value="400")
    assert body["answers"][0]["result"] is None
    assert any(n["code"] == "E8" and "不作自动判定" in n["message"] for n in body["notices"])
    _profile(app, world, hw_storage_limit_days=90)
    assert _save(client, runs["a"], items["E8"], value="100")["answers"][0]["result"] == "non_compliant"
    assert _save(client, runs["a"], items["E8"], value="80")["answers"][0]["result"] == "compliant"


def test_e8_local_rule_from_data(monkeypatch):
    data = dict(judgement.limits_data())
    data["hw_storage_local_rules"] = [{"region_prefix": "2301", "max_days": 180, "law": "某市规定", "article": "第五条"}]
    monkeypatch.setattr(judgement, "limits_data", lambda: data)
    limit = judgement.hw_storage_limit(_ent())
    assert limit.max == 180 and "某市规定" in limit.basis
    assert judgement.hw_storage_limit(_ent(region_code="230602")).missing


def test_e8a_asks_operators_the_statutory_question(app, auth, world, runs):
    _profile(app, world, flags=["hazardous_waste", "hw_operator"])
    with app.app_context():
        from app.selfcheck.models import SelfCheck
        run = db.session.get(SelfCheck, runs["a"])
        version = db.session.get(TemplateVersion, run.version_id)
        from app.selfcheck.library import compose
        codes = {db.session.get(ChecklistItem, i).code for i in compose(version, run.enterprise)}
    assert "E8a" in codes and "E8" not in codes


# --- B2: 条例 第十四条 (60 days) and 第三十三条 (expired: stop at once) ----------------------------

def test_b2_renewal_rules():
    """Old: compliant until the day of expiry; an expired permit was 较重 with 30 days."""
    item = _item(code="B2", answer_type="date", judgement={"kind": "permit_renewal"})
    today = date(2026, 12, 2)
    expiry = lambda days: (today + timedelta(days=days)).isoformat()  # noqa: E731
    assert derive_result(item, None, expiry(90), today, _ent()) == "compliant"
    assert derive_result(item, None, expiry(61), today, _ent()) == "compliant"
    assert derive_result(item, None, expiry(59), today, _ent()) == "non_compliant"
    assert derive_result(item, None, expiry(30), today,
                         _ent(permit_renewal_applied_on=today - timedelta(days=40))) == "compliant"
    late = judgement.judge(item, None, expiry(30), today, _ent(permit_renewal_applied_on=today))
    assert late.result == "non_compliant"
    expired = judgement.judge(item, "compliant", expiry(-1), today, _ent())
    assert expired.result == "non_compliant" and expired.severity == "重大" and expired.time_limit_days == 1
    assert "立即停止排放污染物" in expired.recommendation and "第三十三条" in expired.recommendation


def test_b2_expired_permit_opens_a_major_problem_with_stop_now_advice(auth, runs):
    client = auth.client("ehs-a")
    detail = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    photo = _upload(client)
    answers = compliant_answers(detail, photo)
    b2 = _items(detail)["B2"]
    expired = (today_local() - timedelta(days=10)).isoformat()
    for a in answers:
        if a["item_id"] == b2["id"]:
            a["value"] = expired
    assert client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": answers}).status_code == 200
    body = client.post(f"/api/selfchecks/{runs['a']}/submit").get_json()
    assert len(body["problem_ids"]) == 1, body
    problem = client.get(f"/api/problems/{body['problem_ids'][0]}").get_json()
    assert problem["item_code"] == "B2" and problem["severity"] == "重大"
    assert "立即停止排放污染物" in problem["recommendation"]
    assert body["selfcheck"]["grade"] in ("C", "D")  # a 重大 finding caps the grade


# --- evidence on 合格 ---------------------------------------------------------------------------

def test_compliant_on_d2_g6_e9_needs_proof_at_submit(auth, runs):
    """Old: 合格 on 暗管/篡改数据/无证接收 cost nothing."""
    client = auth.client("ehs-a")
    detail = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    items = _items(detail)
    photo = _upload(client)
    answers = compliant_answers(detail, photo)
    for a in answers:
        if a["item_id"] in (items["D2"]["id"], items["G6"]["id"], items["E9"]["id"]):
            a["upload_ids"] = []
    saved = client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": answers}).get_json()
    assert {n["code"] for n in saved["notices"] if n["kind"] == "proof_required"} == {"D2", "G6", "E9"}
    refused = client.post(f"/api/selfchecks/{runs['a']}/submit")
    assert refused.status_code == 422
    message = refused.get_json()["error"]["message"]
    assert "D2" in message and "G6" in message and "E9" in message and "须提供证明" in message
    # E9 accepts a manifest number; D2 and G6 need a photo.
    fix = [{"item_id": items["E9"]["id"], "result": "compliant", "evidence_ref": "联单 2026-0001"},
           {"item_id": items["D2"]["id"], "result": "compliant", "upload_ids": [photo]},
           {"item_id": items["G6"]["id"], "result": "compliant", "evidence_ref": "参数日志"}]
    assert client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": fix}).status_code == 200
    still = client.post(f"/api/selfchecks/{runs['a']}/submit").get_json()
    assert [p["code"] for p in still["error"]["details"]["proof_required"]] == ["G6"]
    fix = [{"item_id": items["G6"]["id"], "result": "compliant", "upload_ids": [photo]}]
    assert client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": fix}).status_code == 200
    assert client.post(f"/api/selfchecks/{runs['a']}/submit").status_code == 200


# --- 管理建议: never scored, never a violation ----------------------------------------------------

def test_management_advice_is_not_scored_and_opens_no_problem(app, auth, runs):
    """Old: G7 (an invented source) failed was a 较重 problem and lowered the score."""
    client = auth.client("ehs-a")
    detail = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    items = _items(detail)
    assert items["G7"]["statutory"] is False and items["G7"]["nature"] == "管理建议"
    photo = _upload(client)
    answers = compliant_answers(detail, photo)
    for a in answers:
        if a["item_id"] == items["G7"]["id"]:
            a["result"], a["upload_ids"] = "non_compliant", [photo]
    assert client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": answers}).status_code == 200
    body = client.post(f"/api/selfchecks/{runs['a']}/submit").get_json()
    assert "problem_ids" in body, body
    assert body["problem_ids"] == [] and body["selfcheck"]["score"] == 100.0
    report = client.get(f"/api/reports/{body['report_id']}").get_json()
    snapshot = report.get("snapshot", report)
    assert [a["item_code"] for a in snapshot["advice"]] == ["G7"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Problem)) == 0


def test_score_skips_advice_items():
    ok = SimpleNamespace(result="compliant")
    bad = SimpleNamespace(result="non_compliant")
    law, advice = _item(id=1, severity="较重"), _item(id=2, severity="重大", statutory=False)
    result = score([law, advice], {1: ok, 2: bad})
    assert result["score"] == 100.0 and result["grade"] == "A" and result["advice"] == 1


# --- the API contract -----------------------------------------------------------------------

def test_every_item_says_statutory_and_every_basis_says_checked(auth, runs):
    detail = auth.client("ehs-a").get(f"/api/selfchecks/{runs['a']}").get_json()
    items = [i for s in detail["sections"] for i in s["items"]]
    assert items and all(isinstance(i["statutory"], bool) for i in items)
    assert all(isinstance(b["checked"], bool) for i in items for b in i["legal_basis"])
    assert all(i["legal_basis"] for i in items if i["statutory"])
    wrong = [(i["code"], b["article"]) for i in items for b in i["legal_basis"]
             if b["article"] == "相关条款" or ("水污染防治法" in b["law"] and i["code"] == "WW-01"
                                                and b["article"] != "第五十条")]
    assert wrong == []


def test_library_has_no_invented_sources_and_cites_the_2025_list():
    from app.selfcheck.library import library_data
    text = str(library_data())
    for invented in ("地方污染源自动监控设施运行管理规定", "环境管理档案综合要求", "环境管理通用要求", "设计建议（非法定要求）"):
        assert invented not in text
    assert "2021年版" not in text and "国家危险废物名录（2025年版）" in text


# --- data loss: loading keeps published local items --------------------------------------------

def test_load_is_idempotent_and_keeps_published_local_items(app, world, monkeypatch):
    """Old: the second load published the YAML alone and every local item dropped out."""
    from app.accounts.models import User
    with app.app_context():
        load_library()
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "FULL"))
        actor = db.session.get(User, world.users["regadmin-city"])
        draft = authoring.create_draft(actor, template.id)
        authoring.add_local_item(actor, draft.id, {
            "code": "HRB-01", "section_code": "L", "section_title": "环境管理制度", "question": "是否落实本市规定？",
            "legal_basis": [{"law": "某市条例", "article": "第三条", "excerpt": ""}], "severity": "一般",
            "answer_type": "yes_no_na", "time_limit_days": 15, "recommendation": "落实", "frequency": "quarterly",
            "evidence_rule": "none"})
        authoring.publish(actor, draft.id)
        db.session.commit()
        versions = db.session.scalar(select(func.count()).select_from(TemplateVersion))
        assert load_library() == {}  # unchanged YAML: nothing new
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == versions
        assert "HRB-01" in {i.code for i in latest_published(template.id).items}
        # A real data change publishes a new version, and the local item comes along.
        from app.selfcheck.library import library_data
        changed = dict(library_data())
        changed["items"] = [dict(i) for i in changed["items"]]
        changed["items"][0]["question"] = "修改后的问题？"
        monkeypatch.setattr("app.selfcheck.library.library_data", lambda: changed)
        assert load_library() == {"FULL": 3}
        latest = latest_published(template.id)
        local = next(i for i in latest.items if i.code == "HRB-01")
        assert local.local and local.applies_to == {"regions": ["2301"]}
        assert latest.items[0].question == "修改后的问题？"


def test_cli_load_twice_is_idempotent(app, runner):
    first = runner.invoke(args=["checklists", "load"])
    second = runner.invoke(args=["checklists", "load"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 2
