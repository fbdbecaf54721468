"""Regulators add local items in a new version; runs keep the version they started with."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.selfcheck.models import ChecklistTemplate, SelfCheck
from app.selfcheck.service import generate_due_selfchecks
from tests.factories import make_runs

LOCAL_ITEM = {
    "code": "HLJ-01", "section_code": "L", "section_title": "环境管理制度",
    "question": "是否在冬季供暖期前完成锅炉烟气治理设施检修？", "severity": "较重", "time_limit_days": 30,
    "legal_basis": [{"law": "哈尔滨市大气污染防治条例", "article": "相关条款", "excerpt": "冬季供暖期前检修"}],
    "recommendation": "供暖期前完成检修并留存记录。",
}


@pytest.fixture
def runs(app, world):
    with app.app_context():
        return make_runs(world, date(2026, 11, 20), "MONTHLY", "monthly", 25)


def _template_id(app):
    with app.app_context():
        return db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == "MONTHLY"))


def test_local_item_reaches_new_runs_in_the_jurisdiction_only(app, auth, runs):
    admin = auth.client("regadmin-city")     # 哈尔滨市 230100
    draft = admin.post(f"/api/checklists/{_template_id(app)}/drafts")
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    version_id = draft.get_json()["id"]
    added = admin.post(f"/api/checklists/versions/{version_id}/items", json=LOCAL_ITEM)
    assert added.status_code == 201, added.get_json()
    assert admin.post(f"/api/checklists/versions/{version_id}/publish").status_code == 200
    # the run already open keeps its version
    old = auth.client("ehs-a").get(f"/api/selfchecks/{runs['a']}").get_json()
    assert "HLJ-01" not in {i["code"] for s in old["sections"] for i in s["items"]}
    with app.app_context():
        generate_due_selfchecks(date(2026, 12, 1))
        db.session.commit()
        new = {s.enterprise_id: s.id for s in db.session.scalars(
            select(SelfCheck).where(SelfCheck.period_key == "2026-12"))}
    assert "HLJ-01" in _codes(auth, "ehs-a", new[_enterprise(app, runs["a"])])
    assert "HLJ-01" not in _codes(auth, "ehs-c", new[_enterprise(app, runs["c"])])   # 大庆市: not this jurisdiction


def _codes(auth, user, run_id):
    detail = auth.client(user).get(f"/api/selfchecks/{run_id}").get_json()
    return {i["code"] for s in detail["sections"] for i in s["items"]}


def _enterprise(app, run_id):
    with app.app_context():
        return db.session.get(SelfCheck, run_id).enterprise_id


def test_published_versions_are_immutable_and_one_draft_at_a_time(app, auth, world, library):
    admin = auth.client("sysadmin")
    template_id = _template_id(app)
    versions = admin.get("/api/checklists").get_json()
    published = next(v for t in versions if t["id"] == template_id for v in t["versions"] if v["status"] == "published")
    response = admin.post(f"/api/checklists/versions/{published['id']}/items", json=LOCAL_ITEM)
    assert response.status_code == 409
    assert admin.post(f"/api/checklists/{template_id}/drafts").status_code == 201
    assert admin.post(f"/api/checklists/{template_id}/drafts").status_code == 409


@pytest.mark.parametrize("field,value", [("legal_basis", []), ("severity", "严重"), ("code", "bad code!"),
                                         ("time_limit_days", 0)])
def test_local_item_validation_names_the_field(app, auth, world, library, field, value):
    admin = auth.client("sysadmin")
    version_id = admin.post(f"/api/checklists/{_template_id(app)}/drafts").get_json()["id"]
    response = admin.post(f"/api/checklists/versions/{version_id}/items", json={**LOCAL_ITEM, field: value})
    assert response.status_code == 422 and field in response.get_json()["error"]["details"]["fields"]


@pytest.mark.parametrize("username", ["reg-city", "ehs-a"])
def test_only_admins_author_checklists(app, auth, world, library, username):
    assert auth.client(username).post(f"/api/checklists/{_template_id(app)}/drafts").status_code == 403
