"""The eligibility facts registry: each named fact alone, against records, with the pack's parameters."""
import itertools
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.accounts.models import Enterprise
from app.extensions import db
from app.obligations.models import DONE, PENDING, Obligation
from app.supervision import facts as registry
from app.supervision.eligibility import PenaltyFact
from app.supervision.facts import EnvironmentalCrime
from app.supervision.models import PositiveListEntry

D = date(2026, 12, 2)


def _facts(eid, region="230102", **kw):
    return SimpleNamespace(today=D, enterprise_id=eid, region_code=region, penalties=kw.get("penalties", []))


_SERIAL = itertools.count(1)


def _obligation(eid, code, due, status=PENDING, done_on=None):
    db.session.add(Obligation(enterprise_id=eid, code=code, period_key=f"p{next(_SERIAL)}", title=f"{code}报告", due_date=due,
                              status=status, done_on=done_on))
    db.session.flush()


R = {"execution_report_codes": ["PERMIT_REPORT_ANNUAL"], "disclosure_codes": ["DISCLOSURE_ANNUAL"],
     "obligations_window_months": 24}


@pytest.mark.parametrize("fact,code", [(registry.execution_reports_on_time, "PERMIT_REPORT_ANNUAL"),
                                       (registry.disclosure_done, "DISCLOSURE_ANNUAL")])
def test_obligation_facts(app, world, fact, code):
    eid = world.enterprises["a"]
    with app.app_context():
        assert fact(_facts(eid), R)["passed"]  # nothing due: nothing missed
        _obligation(eid, code, date(2026, 1, 15), DONE, date(2026, 1, 10))
        assert fact(_facts(eid), R)["passed"]
        _obligation(eid, code, date(2025, 1, 15), DONE, date(2025, 2, 1))  # filed late
        late = fact(_facts(eid), R)
        assert not late["passed"] and "1项未按时完成" in late["detail"] and late["evidence_ids"]
        assert fact(_facts(eid), {**R, "obligations_window_months": 12})["passed"]  # the pack's window
        db.session.rollback()


def test_monitoring_stable_uses_the_monitoring_fact(app, world, monkeypatch):
    eid = world.enterprises["a"]
    calls = []

    def stability(enterprise_id, today, days, coverage):
        calls.append((enterprise_id, today, days, coverage))
        return {"passed": False, "detail": "近30天：超标", "alarms": [7]}

    import app.monitoring.facts as monitoring_facts

    monkeypatch.setattr(monitoring_facts, "stability", stability)
    with app.app_context():
        c = registry.monitoring_stable(_facts(eid), {"monitoring_stable_days": 30, "monitoring_min_coverage": 0.8})
    assert calls == [(eid, D, 30, 0.8)]
    assert (c["passed"], c["label"], c["evidence_ids"]) == (False, "近30天在线监测稳定达标", ["monitoring_alarm:7"])


def test_no_environmental_crime(app, world):
    eid = world.enterprises["a"]
    with app.app_context():
        assert registry.no_environmental_crime(_facts(eid), {"crime_free_years": 3})["passed"]
        db.session.add(EnvironmentalCrime(enterprise_id=eid, decided_on=date(2024, 5, 1), reference="（2024）刑1号"))
        db.session.flush()
        c = registry.no_environmental_crime(_facts(eid), {"crime_free_years": 3})
        assert not c["passed"] and "（2024）刑1号" in c["detail"]
        assert registry.no_environmental_crime(_facts(eid), {"crime_free_years": 2})["passed"]
        db.session.rollback()


def test_penalty_beyond_simple_procedure():
    small = PenaltyFact(1, "罚1", D - timedelta(days=30), "轻微失信", amount=2000)
    large = PenaltyFact(2, "罚2", D - timedelta(days=30), "一般失信", amount=50000)
    r = {"penalty_free_months": 24, "simple_procedure_max_amount": 3000}
    ok = registry.no_penalty_beyond_simple_procedure(_facts(1, penalties=[small]), r)
    assert ok["passed"] and "简易程序" in ok["detail"]
    bad = registry.no_penalty_beyond_simple_procedure(_facts(1, penalties=[small, large]), r)
    assert not bad["passed"] and bad["evidence_ids"] == ["penalty:2"]
    assert not registry.no_penalty_beyond_simple_procedure(_facts(1, penalties=[small]),
                                                            {**r, "simple_procedure_max_amount": 1000})["passed"]


def test_verified_complaints(app, world):
    from app.inspections.models import Inspection

    eid = world.enterprises["a"]
    cols = {c.name for c in Inspection.__table__.columns}
    with app.app_context():
        r = {"complaint_window_months": 24}
        assert registry.no_verified_complaints(_facts(eid), r)["passed"]
        base = {k: v for k, v in {"enterprise_id": eid, "inspection_type": "complaint", "trigger": "complaint",
                                   "status": "completed", "start_date": date(2026, 10, 1), "end_date": date(2026, 10, 1),
                                   "results": [{"item_code": "D2", "result": "non_compliant"}]}.items() if k in cols}
        table = Inspection.__table__
        required = {c.name: _default(c) for c in table.columns
                    if not c.nullable and c.name not in base and c.name != "id" and c.default is None}
        if "unit_code" in required:
            required["unit_code"] = "230100"  # a region (foreign key)
        db.session.execute(table.insert().values(**required, **base))
        c = registry.no_verified_complaints(_facts(eid), r)
        assert not c["passed"] and "1次投诉举报经现场检查查实" in c["detail"]
        db.session.rollback()


def _default(column):
    kind = column.type.python_type
    return {str: "x", int: 0, bool: False, list: [], dict: {}}.get(kind, datetime(2026, 10, 1, tzinfo=UTC)) \
        if kind is not date else date(2026, 10, 1)


def test_share_cap(app, world):
    with app.app_context():
        a, c = world.enterprises["a"], world.enterprises["c"]
        # 哈尔滨 has a (重点管理) and b (登记管理): base 1 → one member fills a 100% cap, not a 50% one
        r = {"share_cap": 0.5, "share_cap_scope": "city", "share_cap_base_classes": ["重点管理", "简化管理"]}
        assert not registry.within_share_cap(_facts(a), r)["passed"]
        assert registry.within_share_cap(_facts(a), {**r, "share_cap": 1.0})["passed"]
        db.session.add(PositiveListEntry(enterprise_id=a, admitted_on=D - timedelta(days=10),
                                         valid_until=D + timedelta(days=300)))
        db.session.flush()
        member = registry.within_share_cap(_facts(a), r)
        assert member["passed"] and "已是正面清单成员" in member["detail"]
        assert registry.within_share_cap(_facts(c, "230602"), {**r, "share_cap": 1.0})["passed"]  # 大庆 apart
        db.session.rollback()


def test_every_fact_is_in_the_registry():
    assert set(registry.FACT_CRITERIA) == {
        "execution_reports_on_time", "disclosure_done", "monitoring_stable", "no_verified_complaints",
        "no_environmental_crime", "no_penalty_beyond_simple_procedure", "within_share_cap"}
    assert Enterprise  # imported for the models' registry


def test_crime_recorded_through_the_api_fails_the_fact(app, auth, shanxi):
    reg, eid = auth.client("reg-sx"), shanxi.enterprise
    assert auth.client("reg-city").post(f"/api/supervision/enterprises/{eid}/crimes", json={
        "decided_on": "2025-05-01", "reference": "x"}).status_code == 404   # out of scope
    bad = reg.post(f"/api/supervision/enterprises/{eid}/crimes", json={"decided_on": "2025-05-01", "reference": ""})
    assert bad.status_code == 422
    r = reg.post(f"/api/supervision/enterprises/{eid}/crimes", json={"decided_on": "2025-05-01",
                                                                     "reference": "（2025）晋0403刑初8号"})
    assert r.status_code == 201, r.get_json()
    crit = next(c for c in reg.get(f"/api/enterprises/{eid}/eligibility").get_json()["positive_list"]["criteria"]
                if c["code"] == "no_environmental_crime")
    assert crit["passed"] is False and "（2025）晋0403刑初8号" in crit["detail"]
