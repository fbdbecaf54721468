"""Dashboard numbers equal the lists, stay inside the jurisdiction, and take a bounded number of queries."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import scoped
from app.extensions import db
from app.remediation.models import Problem
from tests.factories import make_enterprise
from tests.supervision.conftest import TODAY

NOW = datetime.now(UTC)


@pytest.fixture
def data(build):
    with build.session():
        build.selfcheck("a", TODAY - timedelta(days=40), "submitted", score=90)
        build.selfcheck("a", TODAY - timedelta(days=5))
        build.selfcheck("a", TODAY + timedelta(days=5))
        build.selfcheck("b", TODAY - timedelta(days=10), "submitted", score=70, late=True)
        build.selfcheck("c", TODAY - timedelta(days=3))
        build.problem("a", "重大", deadline=TODAY - timedelta(days=3))
        build.problem("a", "一般", "rectifying")
        build.problem("a", "较重", "submitted")
        build.problem("a", "一般", "verified", created_at=NOW - timedelta(days=10), closed_at=NOW - timedelta(days=1))
        build.problem("b", "一般", deadline=TODAY - timedelta(days=1))
        build.problem("c", "重大", deadline=TODAY - timedelta(days=20))
    return build


def _dash(client, **params):
    params.setdefault("from", (TODAY - timedelta(days=60)).isoformat())
    params.setdefault("to", (TODAY + timedelta(days=30)).isoformat())
    response = client.get("/api/supervision/dashboard", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_city_numbers(auth, data):
    body = _dash(auth.client("reg-city"))
    r = body["range"]
    assert r["enterprises"] == 2
    assert r["selfchecks"] == {"due": 4, "completed": 2, "on_time": 1, "overdue": 1, "completion_rate": 0.5,
                               "average_score": 80.0}
    p = r["problems"]
    assert (p["open"], p["overdue"], p["awaiting_review"]) == (3, 2, 1)
    assert p["by_severity"]["重大"] == {"open": 1, "overdue": 1, "awaiting_review": 0}
    assert p["by_severity"]["较重"]["awaiting_review"] == 1
    assert p["closed"] == 1 and p["average_days_to_close"] == pytest.approx(9.0, abs=0.01)
    regions = {row["code"]: row for row in body["by_region"]}
    assert set(regions) == {"230102", "230103"}
    assert regions["230102"]["problems"]["overdue"] == 1 and regions["230103"]["problems"]["overdue"] == 1
    assert sum(row["enterprises"] for row in body["by_region"]) == r["enterprises"]
    industries = {row["code"]: row["enterprises"] for row in body["by_industry"]}
    assert industries == {"C3360": 1, "C2319": 1}


def test_numbers_equal_the_lists(auth, data, app):
    client = auth.client("reg-city")
    r = _dash(client)["range"]
    listing = client.get("/api/supervision/enterprises", query_string={"per_page": 200}).get_json()
    assert listing["total"] == r["enterprises"]
    assert sum(i["overdue_problems"] for i in listing["items"]) == r["problems"]["overdue"]
    assert sum(i["overdue_selfchecks"] for i in listing["items"]) == r["selfchecks"]["overdue"]
    assert client.get("/api/selfchecks?status=overdue").get_json()["total"] == r["selfchecks"]["overdue"]
    with_overdue = client.get("/api/supervision/enterprises?has_overdue=true").get_json()["total"]
    assert with_overdue == sum(1 for i in listing["items"] if i["overdue_count"])
    problems = "/api/problems?per_page=200&"
    assert client.get(problems + "status=open,rectifying,extension_requested").get_json()["total"] == \
        r["problems"]["open"]
    assert client.get(problems + "overdue=true").get_json()["total"] == r["problems"]["overdue"]
    assert client.get(problems + "status=submitted").get_json()["total"] == r["problems"]["awaiting_review"]
    assert client.get(problems + "overdue=true&severity=重大").get_json()["total"] == \
        r["problems"]["by_severity"]["重大"]["overdue"]
    with app.app_context():
        user = db.session.get(User, data.world.users["reg-city"])
        open_ = db.session.scalar(scoped(select(func.count(Problem.id)), user, Problem).where(
            Problem.status.in_(("open", "rectifying", "extension_requested"))))
        assert open_ == r["problems"]["open"]


def test_county_regulator_sees_only_its_county(auth, data):
    body = _dash(auth.client("reg-county-a"))
    assert body["range"]["enterprises"] == 1
    assert body["range"]["problems"]["overdue"] == 1  # a's 重大, never c's
    assert [i["enterprise_id"] for i in body["attention"]["items"]] == [data.world.enterprises["a"]]
    assert body["by_region"][0]["enterprises"] == 1


@pytest.mark.parametrize("user,region,status", [
    ("reg-county-a", "230602", 404), ("reg-county-a", "230103", 404), ("reg-county-a", "230100", 404),
    ("reg-city", "230602", 404), ("reg-city", "230102", 200), ("reg-city", "999999", 404),
    ("ehs-a", None, 403),
])
def test_region_parameter_is_scoped(auth, data, user, region, status):
    params = {"region": region} if region else {}
    assert auth.client(user).get("/api/supervision/dashboard", query_string=params).status_code == status


def test_region_parameter_narrows(auth, data):
    body = _dash(auth.client("reg-city"), region="230102")
    assert body["range"]["enterprises"] == 1 and body["filters"]["region"]["code"] == "230102"


def test_attention_colours_and_reasons(auth, data):
    body = _dash(auth.client("sysadmin"))
    items = {i["enterprise_id"]: i for i in body["attention"]["items"]}
    a, b, c = (items[data.world.enterprises[k]] for k in "abc")
    assert a["colour"] == "red" and any("1个重大问题整改逾期" in r["text"] for r in a["reasons"])
    assert any("自查逾期5天" == r["text"] for r in a["reasons"])
    assert b["colour"] == "amber" and b["reasons"][0]["text"].startswith("1个一般问题整改逾期")
    assert c["colour"] == "red"
    assert body["attention"]["counts"] == {"red": 2, "amber": 1, "green": 0}


def test_permit_reason(auth, data, app):
    with app.app_context():
        db.session.get(Enterprise, data.world.enterprises["b"]).permit_valid_until = TODAY + timedelta(days=25)
        db.session.commit()
    items = _dash(auth.client("reg-city"))["attention"]["items"]
    b = next(i for i in items if i["enterprise_id"] == data.world.enterprises["b"])
    assert "排污许可证25天后到期" in [r["text"] for r in b["reasons"]]


def test_trend_by_month(auth, data):
    # The trend ends in the month of `to`; 40 days back lies within the last three months of TODAY.
    trend = _dash(auth.client("reg-city"), trend_months=3, to=TODAY.isoformat())["trend"]
    assert len(trend) == 3
    assert sum(t["due"] for t in trend) >= 3
    assert trend[-1]["month"] == TODAY.strftime("%Y-%m")
    month = (TODAY - timedelta(days=40)).strftime("%Y-%m")
    row = next(t for t in trend if t["month"] == month)
    assert row["average_score"] is not None


def test_bad_range_is_422(auth, data):
    response = auth.client("reg-city").get("/api/supervision/dashboard?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422


def _count_queries(app, client, url):
    statements = []

    def listener(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_query_count_does_not_grow_with_data(auth, data, app):
    client = auth.client("reg-city")
    url = "/api/supervision/dashboard"
    assert client.get(url).status_code == 200  # the day's first read rolls the stored state (app/rollups)
    before = _count_queries(app, client, url)
    with data.session():
        for n in range(15):
            ent = make_enterprise(f"新企业{n}", "230103", serial=100 + n)
            data.selfcheck(ent.id, TODAY - timedelta(days=2))
            data.problem(ent.id, "较重", deadline=TODAY - timedelta(days=1))
    assert _count_queries(app, client, url) == before
    assert before <= 20


@pytest.mark.parametrize("field, value", [("from", "0001-01-01"), ("to", "9999-12-31")])
def test_dates_outside_the_years_that_hold_data_are_refused_with_the_field_named(auth, world, field, value):
    response = auth.client("reg-city").get("/api/supervision/dashboard", query_string={field: value})
    assert response.status_code == 422
    assert "2000-01-01" in str(response.get_json()["error"]["details"]["fields"][field])
