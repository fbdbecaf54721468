"""Eligibility: each criterion as a table of cases, the rules file drives the result, monotonicity, the API."""
import copy
from dataclasses import replace
from datetime import date, timedelta

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.accounts.models import Enterprise
from app.extensions import db
from app.supervision import eligibility
from app.supervision.eligibility import Facts, PenaltyFact, ProblemFact
from app.supervision.models import Penalty
from tests.supervision.conftest import TODAY

D = date(2026, 6, 15)
# Heilongjiang's pack with the criteria that are pure functions of the facts (the registry's facts that
# read records are tested in test_facts.py)
RULES = copy.deepcopy(eligibility.pack_rules("230000"))
RULES["positive_list"]["criteria"] = list(eligibility.DEFAULT_POSITIVE_LIST)


def good(**changes) -> Facts:
    """An enterprise that meets every positive-list criterion on D."""
    facts = Facts(today=D, permit_class="重点管理", permit_no="P1", permit_valid_until=D + timedelta(days=400),
                  flags=["key_discharger", "online_monitoring"], credit_grade="环保良好", industry_code="C3360",
                  selfchecks=[(i, True) for i in range(12)])
    return replace(facts, **changes)


def crit(result, code):
    return next(c for c in result["criteria"] if c["code"] == code)


PL_CASES = [
    # (code, facts changes, passed, detail fragment)
    ("permit_complete", {}, True, "有效期至"),
    ("permit_complete", {"permit_no": None}, False, "未登记排污许可证编号"),
    ("permit_complete", {"permit_valid_until": D - timedelta(days=1)}, False, "已于2026-06-14过期"),
    ("permit_complete", {"permit_valid_until": None}, False, "未登记有效期"),
    ("permit_complete", {"permit_class": "登记管理", "permit_no": None}, True, "无需申领"),
    ("no_penalty", {"penalties": [PenaltyFact(1, "罚1", D - timedelta(days=700), "一般失信")]}, False, "罚1"),
    ("no_penalty", {"penalties": [PenaltyFact(1, "罚1", date(2024, 6, 15), "一般失信")]}, True, "无环境行政处罚"),
    ("no_incident", {"incidents": [(3, D - timedelta(days=10), "一般")]}, False, "1起突发环境事件"),
    ("no_incident", {"incidents": [(3, date(2024, 6, 1), "一般")]}, True, "无突发环境事件"),
    ("selfcheck_completion", {"selfchecks": [(i, i != 0) for i in range(12)]}, False,
     "近12个月应完成自查12次，已完成11次（91.7%），要求≥95%"),
    ("selfcheck_completion", {"selfchecks": [(i, i != 0) for i in range(20)]}, True, "已完成19次（95%）"),
    ("selfcheck_completion", {"selfchecks": []}, False, "没有应完成的自查"),
    ("no_overdue_rectification", {"problems": [ProblemFact(5, "一般", "open", D - timedelta(days=1))]}, False,
     "当前有1个问题整改逾期"),
    ("no_overdue_rectification", {"problems": [ProblemFact(5, "一般", "open", D)]}, True, "按期销号"),
    ("no_overdue_rectification", {"problems": [ProblemFact(5, "一般", "self_closed", D - timedelta(days=30),
                                                           D - timedelta(days=20))]}, False, "1个问题逾期销号"),
    ("no_overdue_rectification", {"problems": [ProblemFact(5, "一般", "self_closed", D - timedelta(days=30),
                                                           D - timedelta(days=30))]}, True, "按期销号"),
    ("no_overdue_rectification", {"problems": [ProblemFact(5, "一般", "verified", date(2025, 1, 1),
                                                           date(2025, 3, 1))]}, True, "按期销号"),
    ("serious_problems_verified", {"problems": [ProblemFact(6, "较重", "submitted", D + timedelta(days=5))]},
     False, "有1个重大、较重问题尚未核查销号"),
    ("serious_problems_verified", {"problems": [ProblemFact(6, "重大", "verified", D, D)]}, True, "均已核查销号"),
    ("serious_problems_verified", {"problems": [ProblemFact(6, "一般", "open", D + timedelta(days=5))]}, True,
     "均已核查销号"),
    ("online_monitoring", {"flags": ["key_discharger"]}, False, "未登记自动监测"),
    ("online_monitoring", {"flags": []}, True, "非重点排污单位"),
    ("credit_grade", {"credit_grade": "环保警示"}, False, "环保警示"),
    ("credit_grade", {"credit_grade": "环保不良"}, False, "环保不良"),
    ("credit_grade", {"credit_grade": "环保诚信"}, True, "环保诚信"),
    ("credit_grade", {"credit_grade": "未评价"}, False, "尚未评价"),
    ("credit_grade", {"credit_grade": "A"}, False, "尚未评价"),  # not on Heilongjiang's scale
    ("sector_not_excluded", {"industry_code": "N7724"}, False, "排除行业（N772）"),
    ("sector_not_excluded", {"industry_code": "D4417"}, False, "D4417"),
    ("sector_not_excluded", {"industry_code": "D4620"}, True, "不在排除行业"),
]


def test_every_criterion_function_has_a_case():
    assert {c[0] for c in PL_CASES} == set(eligibility.POSITIVE_LIST_CRITERIA) - set(eligibility.FACT_CRITERIA)
    assert {c[0] for c in CR_CASES} | {"not_repaired"} == set(eligibility.CREDIT_REPAIR_CRITERIA)


@pytest.mark.parametrize("code,changes,passed,fragment", PL_CASES)
def test_criterion_function_alone(code, changes, passed, fragment):
    c = eligibility.POSITIVE_LIST_CRITERIA[code](good(**changes), RULES["positive_list"])
    assert (c["code"], c["passed"]) == (code, passed) and fragment in c["detail"]


def test_rules_choose_and_order_criteria_by_name():
    rules = copy.deepcopy(RULES)
    rules["positive_list"]["criteria"] = ["credit_grade", "no_penalty"]
    result = eligibility.positive_list(good(industry_code="N7724"), rules)
    assert [c["code"] for c in result["criteria"]] == ["credit_grade", "no_penalty"] and result["eligible"]
    rules["positive_list"]["criteria"] = ["credit_grade", "written_by_hand"]
    with pytest.raises(ValueError, match="written_by_hand"):
        eligibility.positive_list(good(), rules)


@pytest.mark.parametrize("code,changes,passed,fragment", PL_CASES)
def test_positive_list_criteria(code, changes, passed, fragment):
    result = eligibility.positive_list(good(**changes), RULES)
    c = crit(result, code)
    assert c["passed"] is passed, c
    assert fragment in c["detail"]
    assert result["eligible"] is passed  # every other criterion passes in good()


def test_evidence_ids_name_the_records():
    facts = good(problems=[ProblemFact(5, "重大", "open", D - timedelta(days=1))],
                 selfchecks=[(7, False)] + [(i, True) for i in range(8, 30)])
    result = eligibility.positive_list(facts, RULES)
    assert crit(result, "no_overdue_rectification")["evidence_ids"] == ["problem:5"]
    assert crit(result, "serious_problems_verified")["evidence_ids"] == ["problem:5"]
    assert crit(result, "selfcheck_completion")["evidence_ids"] == ["selfcheck:7"]


def penalty(**changes):
    base = PenaltyFact(1, "罚1", D - timedelta(days=200), "一般失信", amount=10000, paid_on=D - timedelta(days=100),
                       problem_ids=[5])
    return replace(base, **changes)


def repair_facts(p=None, others=(), problems=None, committed=True):
    p = p or penalty()
    return good(penalties=[p, *others],
                problems=[ProblemFact(5, "较重", "verified", D - timedelta(days=150), D - timedelta(days=160))]
                if problems is None else problems,
                committed_penalty_ids={p.id} if committed else set())


CR_CASES = [
    ("problems_verified", repair_facts(), True, "均已核查销号"),
    ("problems_verified", repair_facts(problems=[ProblemFact(5, "较重", "submitted", D)]), False, "有1个尚未核查销号"),
    # 已纠正 needs proof: a penalty with no linked problem proves nothing (issue #12).
    ("problems_verified", repair_facts(p=penalty(problem_ids=[])), False, "未关联整改问题"),
    ("fine_paid", repair_facts(p=penalty(paid_on=None)), False, "尚未登记缴纳"),
    ("fine_paid", repair_facts(p=penalty(paid_on=None, amount=0)), True, "无罚款"),
    ("publication_period", repair_facts(p=penalty(decided_on=D - timedelta(days=60))), False, "须至"),
    ("publication_period", repair_facts(p=penalty(decided_on=D - timedelta(days=60), credit_category="轻微失信",
                                                  paid_on=D)), True, "最短公示期0个月"),
    ("publication_period", repair_facts(p=penalty(credit_category="严重失信")), False, "严重失信最短公示期12个月"),
    ("commitment", repair_facts(committed=False), False, "尚未提交信用承诺"),
    ("no_new_violation", repair_facts(others=[PenaltyFact(2, "罚2", D - timedelta(days=10), "轻微失信")]), False,
     "观察期内有1次新的行政处罚"),
    ("no_new_violation", repair_facts(others=[PenaltyFact(2, "罚2", D - timedelta(days=300), "轻微失信")]), True,
     "无新的行政处罚"),
]


@pytest.mark.parametrize("code,facts,passed,fragment", CR_CASES)
def test_credit_repair_criteria(code, facts, passed, fragment):
    result = eligibility.credit_repair(facts, RULES, 1)
    c = crit(result, code)
    assert c["passed"] is passed, c
    assert fragment in c["detail"]
    assert result["eligible"] is passed


def test_credit_repair_without_penalty_or_already_repaired():
    assert eligibility.credit_repair(good(), RULES)["criteria"][0]["code"] == "has_penalty"
    repaired = eligibility.credit_repair(repair_facts(p=penalty(repaired=True)), RULES, 1)
    assert not repaired["eligible"] and crit(repaired, "not_repaired")["passed"] is False


def test_rules_changes_alter_the_result():
    rules = copy.deepcopy(RULES)
    facts = good(selfchecks=[(i, i != 0) for i in range(12)], credit_grade="环保警示")
    assert not eligibility.positive_list(facts, rules)["eligible"]
    rules["positive_list"]["selfcheck_min_completion"] = 0.9
    rules["positive_list"]["required_credit_grades"] = ["环保诚信", "环保良好", "环保警示"]
    assert eligibility.positive_list(facts, rules)["eligible"]
    rules["positive_list"]["disabled_criteria"] = ["sector_not_excluded"]
    facts = good(industry_code="N7724")
    result = eligibility.positive_list(facts, rules)
    assert result["eligible"] and "sector_not_excluded" not in [c["code"] for c in result["criteria"]]


def test_rules_file_from_config(app, auth, world, tmp_path):
    client = auth.client("reg-city")
    url = f"/api/enterprises/{world.enterprises['b']}/eligibility"
    before = crit(client.get(url).get_json()["positive_list"], "selfcheck_completion")
    assert before["passed"] is False
    rules = copy.deepcopy(RULES)
    rules["positive_list"]["selfcheck_min_due"] = 0
    rules["positive_list"]["selfcheck_min_completion"] = 0
    rules["positive_list"]["excluded_industry_prefixes"] = ["C23"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    app.config["ELIGIBILITY_RULES_PATH"] = str(path)
    try:
        after = client.get(url).get_json()["positive_list"]
    finally:
        app.config.pop("ELIGIBILITY_RULES_PATH")
    assert crit(after, "sector_not_excluded")["passed"] is False
    assert "C23" in crit(after, "sector_not_excluded")["detail"]


penalties = st.builds(
    PenaltyFact, id=st.integers(10, 10_000), decision_no=st.text(min_size=1, max_size=5),
    decided_on=st.dates(D - timedelta(days=1500), D), credit_category=st.sampled_from(["轻微失信", "一般失信", "严重失信"]),
    amount=st.sampled_from([0, 500.0]), paid_on=st.one_of(st.none(), st.just(D)),
    problem_ids=st.just([]), repaired=st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(existing=st.lists(penalties, max_size=3, unique_by=lambda p: p.id), extra=penalties,
       completion=st.integers(8, 12), grade=st.sampled_from(["环保诚信", "环保良好", "环保警示"]))
def test_adding_a_penalty_never_makes_an_enterprise_more_eligible(existing, extra, completion, grade):
    target = penalty()
    facts = repair_facts(others=existing)
    facts = replace(facts, credit_grade=grade, selfchecks=[(i, i < completion) for i in range(12)])
    more = replace(facts, penalties=[*facts.penalties, replace(extra, id=99_999)])
    for rules in (RULES,):
        before_pl, after_pl = eligibility.positive_list(facts, rules), eligibility.positive_list(more, rules)
        assert after_pl["eligible"] <= before_pl["eligible"]
        assert {c["code"] for c in after_pl["criteria"] if c["passed"]} <= \
            {c["code"] for c in before_pl["criteria"] if c["passed"]}
        before_cr = eligibility.credit_repair(facts, rules, target.id)
        after_cr = eligibility.credit_repair(more, rules, target.id)
        assert after_cr["eligible"] <= before_cr["eligible"]


def test_monotonic_through_the_database(app, auth, world):
    client = auth.client("reg-city")
    url = f"/api/enterprises/{world.enterprises['a']}/eligibility"
    before = client.get(url).get_json()["positive_list"]
    assert crit(before, "no_penalty")["passed"]
    response = client.post(f"/api/supervision/enterprises/{world.enterprises['a']}/penalties", json={
        "decision_no": "哈环罚〔2026〕1号", "decided_on": TODAY.isoformat(), "amount": 50000,
        "credit_category": "一般失信"})
    assert response.status_code == 201, response.get_json()
    after = client.get(url).get_json()
    no_penalty = crit(after["positive_list"], "no_penalty")
    assert no_penalty["passed"] is False and "哈环罚〔2026〕1号" in no_penalty["detail"]
    assert no_penalty["evidence_ids"] == [f"penalty:{response.get_json()['id']}"]
    assert after["positive_list"]["eligible"] is False
    assert after["credit_repair"]["penalty_id"] == response.get_json()["id"]
    assert crit(after["credit_repair"], "fine_paid")["detail"] == "罚款50000.00元尚未登记缴纳"


def test_database_facts(app, build):
    with build.session():
        enterprise = db.session.get(Enterprise, build.world.enterprises["a"])
        enterprise.permit_valid_until = TODAY + timedelta(days=300)
        for months in range(1, 13):
            build.selfcheck("a", TODAY - timedelta(days=30 * months - 5), "submitted", score=90)
        build.selfcheck("a", TODAY - timedelta(days=400))  # outside the window
        build.problem("a", "较重", "verified", deadline=TODAY - timedelta(days=5))
    with app.app_context():
        result = eligibility.evaluate(db.session.get(Enterprise, build.world.enterprises["a"]))
        pl = result["positive_list"]
        assert crit(pl, "selfcheck_completion")["detail"].startswith("近12个月应完成自查12次，已完成12次（100%）")
        assert pl["eligible"] is True, [c for c in pl["criteria"] if not c["passed"]]
        eid = build.world.enterprises["a"]
        db.session.add(Penalty(enterprise_id=eid, decision_no="X", decided_on=TODAY, credit_category="轻微失信",
                               amount=0))
        db.session.flush()
        assert eligibility.evaluate(db.session.get(Enterprise, eid))["positive_list"]["eligible"] is False
        db.session.rollback()


@pytest.mark.parametrize("user,key,status", [
    ("ehs-a", "a", 200), ("ehs-a", "b", 404), ("reg-county-a", "a", 200), ("reg-county-a", "b", 404),
    ("reg-county-a", "c", 404), ("reg-city", "b", 200), ("sysadmin", "c", 200),
])
def test_eligibility_scope(auth, world, user, key, status):
    response = auth.client(user).get(f"/api/enterprises/{world.enterprises[key]}/eligibility")
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert set(body) >= {"positive_list", "credit_repair"}
        assert all({"code", "label", "passed", "detail", "evidence_ids"} <= set(c)
                   for c in body["positive_list"]["criteria"])
