"""Enterprise list filters, sort and paging; bounded queries; profile; .xlsx export with formula escaping."""
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from app.accounts.models import Enterprise
from app.extensions import db
from app.supervision.models import PositiveListEntry
from tests.factories import make_enterprise
from tests.supervision.conftest import TODAY


@pytest.fixture
def data(build, app):
    with build.session():
        build.selfcheck("a", TODAY - timedelta(days=70), "submitted", score=60,
                        submitted_at=datetime.now(UTC) - timedelta(days=60))
        build.selfcheck("a", TODAY - timedelta(days=40), "submitted", score=92)
        build.selfcheck("b", TODAY - timedelta(days=40), "submitted", score=75)
        build.selfcheck("b", TODAY - timedelta(days=2))
        build.problem("a", "重大", deadline=TODAY - timedelta(days=3))
        build.problem("a", "一般", deadline=TODAY - timedelta(days=3))
        b = db.session.get(Enterprise, build.world.enterprises["b"])
        b.credit_grade = "环保警示"
        db.session.add(PositiveListEntry(enterprise_id=build.world.enterprises["a"], admitted_on=TODAY,
                                         valid_until=TODAY + timedelta(days=1000), reason="test"))
    return build


def _list(client, **params):
    response = client.get("/api/supervision/enterprises", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _names(body):
    return [i["name"] for i in body["items"]]


def test_row_has_scores_overdue_and_membership(auth, data):
    body = _list(auth.client("reg-city"))
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    a = next(i for i in body["items"] if i["id"] == data.world.enterprises["a"])
    assert a["latest_score"] == 92 and a["overdue_problems"] == 2 and a["overdue_selfchecks"] == 0
    assert a["positive_list"]["member"] is True and a["positive_list"]["until"]
    b = next(i for i in body["items"] if i["id"] == data.world.enterprises["b"])
    assert b["overdue_selfchecks"] == 1 and b["positive_list"] == {"member": False, "since": None, "until": None}


@pytest.mark.parametrize("params,expected", [
    ({}, ["南岗印刷工作室", "道里电镀厂"]),
    ({"region": "230102"}, ["道里电镀厂"]),
    ({"industry": "C23"}, ["南岗印刷工作室"]),
    ({"permit_class": "登记管理"}, ["南岗印刷工作室"]),
    ({"credit_grade": "环保警示"}, ["南岗印刷工作室"]),
    ({"positive_list": "true"}, ["道里电镀厂"]),
    ({"positive_list": "false"}, ["南岗印刷工作室"]),
    ({"has_overdue": "true"}, ["南岗印刷工作室", "道里电镀厂"]),
    ({"min_score": 80}, ["道里电镀厂"]),
    ({"max_score": 80}, ["南岗印刷工作室"]),
    ({"q": "电镀"}, ["道里电镀厂"]),
    ({"q": "91230103"}, ["南岗印刷工作室"]),
    ({"q": "%"}, []),
    ({"sort": "-score"}, ["道里电镀厂", "南岗印刷工作室"]),
    ({"sort": "score"}, ["南岗印刷工作室", "道里电镀厂"]),
    ({"sort": "-overdue"}, ["道里电镀厂", "南岗印刷工作室"]),
    ({"sort": "-name"}, ["道里电镀厂", "南岗印刷工作室"]),
])
def test_filters_and_sort(auth, data, params, expected):
    assert _names(_list(auth.client("reg-city"), **params)) == expected


@pytest.mark.parametrize("params", [{"sort": "x"}, {"per_page": 0}, {"min_score": 101}, {"region": "abc"},
                                    {"permit_class": "x"}, {"has_overdue": "maybe"}])
def test_bad_filters_are_422(auth, data, params):
    assert auth.client("reg-city").get("/api/supervision/enterprises", query_string=params).status_code == 422


def test_paging(auth, data):
    client = auth.client("reg-city")
    first = _list(client, per_page=1, page=1)
    second = _list(client, per_page=1, page=2)
    assert first["total"] == second["total"] == 2
    assert _names(first) + _names(second) == ["南岗印刷工作室", "道里电镀厂"]


def test_query_count_does_not_depend_on_page_size(auth, data, app):
    with data.session():
        for n in range(25):
            ent = make_enterprise(f"企业{n:02d}", "230103", serial=200 + n)
            data.selfcheck(ent.id, TODAY - timedelta(days=5), "submitted", score=50 + n)
            data.problem(ent.id, deadline=TODAY - timedelta(days=1))
    client = auth.client("reg-city")
    counts = []
    with app.app_context():
        engine = db.engine
    _list(client, per_page=1)  # the day's first read rolls the stored state to today (app/rollups/enterprise.py)
    for per_page in (1, 27):
        statements = []

        def listener(*args, bucket=statements):
            bucket.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            body = _list(client, per_page=per_page)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(body["items"]) == per_page
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6


def test_profile(auth, data, app):
    client = auth.client("reg-city")
    client.post(f"/api/supervision/enterprises/{data.world.enterprises['a']}/incidents",
                json={"occurred_on": TODAY.isoformat(), "level": "一般", "description": "泄漏"})
    body = client.get(f"/api/supervision/enterprises/{data.world.enterprises['a']}").get_json()
    # 动态管理: the incident suspends the member at once, with the reason on the profile
    assert body["enterprise"]["name"] == "道里电镀厂" and not body["enterprise"]["positive_list"]["member"]
    membership = body["eligibility"]["membership"]
    assert membership["status"] == "suspended" and membership["reasons"][0]["trigger"] == "incident"
    assert body["enterprise"]["latest_score"] == 92
    assert [t["score"] for t in body["score_trend"]] == [60, 92]
    assert len(body["problems"]) == 2 and len(body["schedules"]) == 1
    assert body["incidents"][0]["level"] == "一般"
    assert [a["action"] for a in body["audit"][:2]] == ["positive_list.suspended", "incident.recorded"]
    assert {c["code"] for c in body["eligibility"]["positive_list"]["criteria"]} >= {"no_incident", "permit_complete"}


@pytest.mark.parametrize("user,key,status", [
    ("reg-city", "a", 200), ("reg-county-a", "a", 200), ("reg-county-a", "b", 404), ("reg-other", "a", 404),
    ("ehs-a", "a", 403), ("ehs-a", "b", 404),
])
def test_profile_scope(auth, data, user, key, status):
    response = auth.client(user).get(f"/api/supervision/enterprises/{data.world.enterprises[key]}")
    assert response.status_code == status


def test_export_xlsx_rows_and_formula_escaping(auth, data, app):
    with app.app_context():
        db.session.get(Enterprise, data.world.enterprises["b"]).name = "=HYPERLINK(\"http://x\",\"点我\")"
        db.session.get(Enterprise, data.world.enterprises["a"]).industry_name = "+cmd|' /C calc'!A0"
        db.session.commit()
    response = auth.client("reg-city").get("/api/supervision/enterprises/export.xlsx?sort=name")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "企业名称" and len(rows) == 3
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in names
    assert "'+cmd|' /C calc'!A0" in [r[4] for r in rows[1:]]
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
    assert {r[1] for r in rows[1:]} == {e for e in _usccs(app, data, "ab")}


def test_export_respects_filters_and_scope(auth, data, app):
    body = auth.client("reg-county-a").get("/api/supervision/enterprises/export.xlsx").data
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == _usccs(app, data, "a")
    body = auth.client("reg-city").get("/api/supervision/enterprises/export.xlsx?positive_list=false").data
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == _usccs(app, data, "b")


def _usccs(app, data, keys):
    with app.app_context():
        return [db.session.get(Enterprise, data.world.enterprises[k]).uscc for k in keys]


def test_safe_cell():
    from app.common.xlsx import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@x", "ok", 5, None, date(2026, 1, 1))] == \
        ["'=1+1", "'+1", "'-1", "'@x", "ok", 5, None, date(2026, 1, 1)]
