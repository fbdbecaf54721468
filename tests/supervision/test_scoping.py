"""A county regulator never sees another county's enterprises or numbers, on every endpoint here."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.extensions import db
from app.supervision.models import CreditRepairApplication, Penalty, PositiveListEntry, RiskWarning
from app.supervision.warnings import run_daily_warnings
from tests.supervision.conftest import TODAY


@pytest.fixture
def foreign(app, build):
    """Records of enterprises b (same city, other county) and c (other city) that reg-county-a must not see."""
    ids = {}
    with build.session():
        for key in ("b", "c"):
            eid = build.world.enterprises[key]
            db.session.get(Enterprise, eid).permit_valid_until = TODAY - timedelta(days=3)
            build.selfcheck(key, TODAY - timedelta(days=5))
            build.problem(key, "重大", deadline=TODAY - timedelta(days=2))
            penalty = Penalty(enterprise_id=eid, decision_no=f"罚-{key}", decided_on=TODAY - timedelta(days=200),
                              amount=0, credit_category="轻微失信")
            db.session.add(penalty)
            db.session.add(PositiveListEntry(enterprise_id=eid, admitted_on=TODAY,
                                             valid_until=TODAY + timedelta(days=30), reason="x"))
            db.session.flush()
            application = CreditRepairApplication(enterprise_id=eid, penalty_id=penalty.id,
                                                  commitment_text="承诺" * 5, evidence={})
            db.session.add(application)
            db.session.flush()
            ids[key] = {"enterprise": eid, "penalty": penalty.id, "application": application.id}
        ids["a"] = build.world.enterprises["a"]
        run_daily_warnings(TODAY)
        for key in ("b", "c"):
            ids[key]["warning"] = db.session.scalar(select(RiskWarning.id).where(
                RiskWarning.enterprise_id == ids[key]["enterprise"]).limit(1))
    return ids


BY_ID = [
    ("GET", "/api/supervision/enterprises/{enterprise}", None),
    ("POST", "/api/supervision/enterprises/{enterprise}/penalties",
     {"decision_no": "新罚", "decided_on": TODAY.isoformat(), "credit_category": "轻微失信"}),
    ("PATCH", "/api/supervision/enterprises/{enterprise}/penalties/{penalty}", {"paid_on": TODAY.isoformat()}),
    ("POST", "/api/supervision/enterprises/{enterprise}/incidents", {"occurred_on": TODAY.isoformat(), "level": "一般"}),
    ("POST", "/api/supervision/enterprises/{enterprise}/positive-list", {"action": "remove", "reason": "x"}),
    ("POST", "/api/supervision/credit-repairs/{application}/decision", {"approve": True, "reason": "x"}),
    ("POST", "/api/supervision/warnings/{warning}/acknowledge", {}),
    ("POST", "/api/supervision/warnings/{warning}/to-problem", {"severity": "一般"}),
    ("GET", "/api/enterprises/{enterprise}/eligibility", None),
    ("GET", "/api/enterprises/{enterprise}/credit-repair", None),
    ("POST", "/api/enterprises/{enterprise}/credit-repair", {"penalty_id": 1, "commitment_text": "承诺" * 10}),
    ("GET", "/api/enterprises/{enterprise}/qr.png", None),
    ("GET", "/api/enterprises/{enterprise}/poster.pdf", None),
]


@pytest.mark.parametrize("key", ["b", "c"])
@pytest.mark.parametrize("method,url,body", BY_ID)
def test_by_id_endpoints_are_404(auth, foreign, key, method, url, body):
    response = auth.client("reg-county-a").open(url.format(**foreign[key]), method=method, json=body)
    assert response.status_code == 404, (url, response.status_code)


LISTS = [
    "/api/supervision/enterprises?per_page=200",
    "/api/supervision/positive-list?per_page=200",
    "/api/supervision/credit-repairs?per_page=200",
    "/api/supervision/warnings?per_page=200",
    "/api/warnings?per_page=200",
]


@pytest.mark.parametrize("url", LISTS)
def test_lists_exclude_other_counties(auth, foreign, url):
    own = auth.client("reg-county-a").get(url).get_json()
    assert own["total"] == 0 or all(
        (i.get("enterprise_id") or i.get("id")) not in (foreign["b"]["enterprise"], foreign["c"]["enterprise"])
        for i in own["items"])
    city = auth.client("reg-city").get(url).get_json()
    assert city["total"] >= 1  # the same list does show b to the city: the fixture is not empty


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("param", ["enterprise_id", "region"])
def test_list_filters_cannot_reach_outside(auth, foreign, url, param):
    value = foreign["c"]["enterprise"] if param == "enterprise_id" else "230602"
    response = auth.client("reg-county-a").get(f"{url}&{param}={value}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        items = response.get_json()["items"]
        assert all((i.get("enterprise_id") or i.get("id")) == foreign["a"] for i in items)


def test_dashboard_numbers_exclude_other_counties(auth, foreign):
    body = auth.client("reg-county-a").get("/api/supervision/dashboard").get_json()
    for block in (body["range"], body["current"]):
        assert block["enterprises"] == 1
        assert block["problems"]["overdue"] == 0 and block["warnings_open"] == 0
        assert block["positive_list_members"] == 0
    assert body["attention"]["items"] == []
    assert auth.client("reg-county-a").get("/api/supervision/dashboard?region=230103").status_code == 404


def test_exports_exclude_other_counties(auth, foreign):
    client = auth.client("reg-county-a")
    rows = list(load_workbook(io.BytesIO(client.get("/api/supervision/enterprises/export.xlsx").data))
                .active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["道里电镀厂"]
    rows = list(load_workbook(io.BytesIO(client.get("/api/supervision/positive-list.xlsx").data))
                .active.iter_rows(values_only=True))
    assert len(rows) == 1
    assert client.get("/api/supervision/positive-list.xlsx?region=230602").status_code == 404
