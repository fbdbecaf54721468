"""Cases through the API: stages as one table, 首违不罚 evaluation, 免罚不免责, 罚后帮扶, scope."""
import pytest
from sqlalchemy import select

from app.extensions import db
from tests.cases.conftest import open_case, rectify, self_report, to_notified

CLEAR = {"area_m2": 8, "harm_caused": False, "heavy_pollution_weather": False, "falsification": False}


def _entry(evaluation, entry_id):
    return next(e for e in evaluation["entries"] if e["entry_id"] == entry_id)


def test_first_minor_violation_corrected_in_time_is_recommended_no_penalty_and_closes_after_verification(
        app, reg, ehs, world):
    problem_id = self_report(ehs)
    case = open_case(reg, problem_id=problem_id, facts="煤堆未覆盖", circumstances=CLEAR)
    assert case["status"] == "filed" and case["enterprise_id"] == world.enterprises["a"]
    to_notified(reg, case["id"])
    if rectify(ehs, reg, problem_id) == "submitted":
        assert reg.post(f"/api/problems/{problem_id}/review", json={"decision": "approve"}).status_code == 200

    evaluation = reg.get(f"/api/cases/{case['id']}/evaluation").get_json()
    entry = _entry(evaluation, "HLJ-MY-2")
    assert entry["result"] == "eligible" and entry["first_offence"] and entry["checked"] is False
    assert [c["passed"] for c in entry["conditions"]] == [True, True, True, True]
    assert evaluation["recommendation"] == {"decision": "no_penalty", "entry_id": "HLJ-MY-2",
                                            "text": evaluation["recommendation"]["text"]}
    assert "由执法人员依法决定" in evaluation["recommendation"]["text"]
    assert evaluation["mitigating"][0]["code"] == "self_reported"
    assert _entry(evaluation, "GEN-32-3")["result"] == "eligible"

    refused = reg.post(f"/api/cases/{case['id']}/decide", json={"decision": "no_penalty", "list_entry_id": "HLJ-MY-2"})
    assert refused.status_code == 422 and "education" in refused.get_json()["error"]["details"]["fields"]
    decided = reg.post(f"/api/cases/{case['id']}/decide", json={
        "decision": "no_penalty", "list_entry_id": "HLJ-MY-2", "education": "现场讲解大气法第七十二条"}).get_json()
    assert decided["status"] == "decided" and decided["rectification_problem_id"] == problem_id
    assert decided["penalty_id"] is None
    for action in ("issue-documents", "verify-rectification", "close"):
        response = reg.post(f"/api/cases/{case['id']}/{action}", json={})
        assert response.status_code == 200, (action, response.get_json())
    assert response.get_json()["status"] == "closed"
    own = ehs.get("/api/cases").get_json()
    assert [c["id"] for c in own["items"]] == [case["id"]] and own["items"][0]["allowed_actions"] == []


def test_same_violation_again_is_not_first_and_an_excluded_circumstance_is_not_eligible(app, reg, ehs, world):
    first = open_case(reg, enterprise_id=world.enterprises["a"], circumstances=CLEAR)
    to_notified(reg, first["id"])
    assert reg.post(f"/api/cases/{first['id']}/decide", json={
        "decision": "no_penalty", "education": "已教育"}).status_code == 200
    again = open_case(reg, enterprise_id=world.enterprises["a"], circumstances={**CLEAR,
                                                                              "heavy_pollution_weather": True})
    entry = _entry(reg.get(f"/api/cases/{again['id']}/evaluation").get_json(), "HLJ-MY-2")
    first_offence = entry["conditions"][0]
    assert first_offence["passed"] is False and f"case:{first['id']}" in first_offence["evidence_ids"]
    assert entry["exclusions"][0]["present"] is True and entry["result"] == "not_eligible"
    other = open_case(reg, enterprise_id=world.enterprises["a"], violation_code="eia_registration_unfiled")
    assert _entry(reg.get(f"/api/cases/{other['id']}/evaluation").get_json(),
                  "HLJ-MY-1")["conditions"][0]["passed"] is True  # another violation is still a first


def test_fine_outside_the_suggestion_needs_a_reason_and_creates_the_penalty_record(app, reg, ehs, world):
    case = open_case(reg, enterprise_id=world.enterprises["a"], circumstances={**CLEAR, "area_m2": 50},
                     factors={"harm": "medium", "duration": "m3_6", "scale": "m10_100", "correction": "in_deadline"})
    to_notified(reg, case["id"])
    discretion = reg.get(f"/api/cases/{case['id']}/discretion").get_json()
    # 6 + 5 + 5 + 0 (repeat: 1次, auto) + 0 + 0 (not self-reported, auto) = 16% → 10000 + 90000 × 16% = 24400
    assert discretion["percent"] == 16 and discretion["amount"] == 24400
    assert "24,400元" in discretion["arithmetic"] and discretion["band"] == [19900, 28900]
    body = {"decision": "punish", "amount": 50000, "credit_category": "一般失信"}
    assert reg.post(f"/api/cases/{case['id']}/decide", json={**body, "amount": 5000}).status_code == 422
    missing = reg.post(f"/api/cases/{case['id']}/decide", json=body)
    assert missing.status_code == 422 and "amount_reason" in missing.get_json()["error"]["details"]["fields"]
    decided = reg.post(f"/api/cases/{case['id']}/decide", json={**body, "amount_reason": "面积大且临近居民区"})
    assert decided.status_code == 200, decided.get_json()
    out = decided.get_json()
    assert out["suggested_amount"] == 24400 and out["amount"] == 50000 and out["penalty_id"]
    from app.supervision.models import Penalty

    with app.app_context():
        penalty = db.session.get(Penalty, out["penalty_id"])
        assert (penalty.amount, penalty.credit_category, penalty.problem_ids) == (
            50000, "一般失信", [out["rectification_problem_id"]])
    similar = reg.get(f"/api/cases/{open_case(reg, enterprise_id=world.enterprises['a'])['id']}/discretion")
    assert [(c["case_id"], c["amount"]) for c in similar.get_json()["similar_cases"]] == [(case["id"], 50000)]


def test_verification_waits_for_the_rectification_and_then_offers_credit_repair(app, reg, ehs, world):
    from app.notify.models import Notification

    case = open_case(reg, enterprise_id=world.enterprises["a"], circumstances=CLEAR)
    to_notified(reg, case["id"])
    out = reg.post(f"/api/cases/{case['id']}/decide", json={
        "decision": "punish", "amount": 10000, "credit_category": "一般失信", "amount_reason": "从低"}).get_json()
    assert reg.post(f"/api/cases/{case['id']}/issue-documents", json={}).status_code == 200
    pending = reg.post(f"/api/cases/{case['id']}/verify-rectification", json={})
    assert pending.status_code == 409 and pending.get_json()["error"]["code"] == "rectification_pending"
    rectify(ehs, reg, out["rectification_problem_id"])
    assert reg.post(f"/api/cases/{case['id']}/verify-rectification", json={}).status_code == 200
    with app.app_context():
        titles = db.session.scalars(select(Notification.title).where(Notification.object_type == "case")).all()
    assert "整改已验收，可申请信用修复" in titles
    unpaid = reg.post(f"/api/cases/{case['id']}/close", json={})
    assert unpaid.status_code == 422 and "paid_on" in unpaid.get_json()["error"]["details"]["fields"]
    assert reg.post(f"/api/cases/{case['id']}/close", json={"paid_on": "2026-06-10"}).status_code == 200
    application = ehs.post(f"/api/enterprises/{world.enterprises['a']}/credit-repair",
                           json={"penalty_id": out["penalty_id"], "commitment_text": "本企业承诺依法整改。"})
    assert application.status_code in (201, 422)  # 一般失信: minimum publication 3 months not yet reached
    assert application.get_json()["error"]["code"] == "not_eligible" if application.status_code == 422 else True


@pytest.mark.parametrize("username, status", [("ehs-a", 403), ("ehs-b", 404), ("reg-other", 404)])
def test_only_regulators_in_scope_act_and_others_do_not_see_it(app, auth, reg, world, username, status):
    case = open_case(reg, enterprise_id=world.enterprises["a"])
    client = auth.client(username)
    assert client.post(f"/api/cases/{case['id']}/investigate", json={}).status_code == status
    assert client.get(f"/api/cases/{case['id']}/evaluation").status_code == status
    if username != "ehs-a":
        assert client.get(f"/api/cases/{case['id']}").status_code == 404
        assert client.get("/api/cases").get_json()["total"] == 0


def test_bad_input_is_a_field_error(reg, world):
    unknown = reg.post("/api/cases", json={"enterprise_id": world.enterprises["a"], "violation_code": "nope"})
    assert unknown.status_code == 422 and "violation_code" in unknown.get_json()["error"]["details"]["fields"]
    assert reg.post("/api/cases", json={"violation_code": "dust_material_uncovered"}).status_code == 422
    case = open_case(reg, enterprise_id=world.enterprises["a"])
    assert reg.post(f"/api/cases/{case['id']}/decide", json={"decision": "no_penalty", "education": "x"}
                    ).status_code == 409
