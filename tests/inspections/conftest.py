"""Inspection fixtures: the test world plus regulators with positions and 执法证号 in 哈尔滨市 and 道里区."""
from datetime import date

import pytest

from app.accounts.models import Role
from app.extensions import db
from tests.factories import make_user

CITY, COUNTY = "230100", "230102"
STAFF = [  # username, region, position, cert no
    ("insp-1", CITY, "inspector", "23010001"),
    ("insp-2", CITY, "inspector", "23010002"),
    ("insp-3", CITY, "inspector", "23010003"),
    ("insp-nocert", CITY, "inspector", None),
    ("div-head", CITY, "division_head", "23010010"),
    ("deputy", CITY, "deputy_director", "23010011"),
    ("director", CITY, "director", "23010012"),
    ("cty-insp-1", COUNTY, "inspector", "23010201"),
    ("cty-insp-2", COUNTY, "inspector", "23010202"),
    ("branch-head", COUNTY, "branch_head", "23010210"),
]
START, END = date(2026, 3, 2), date(2026, 3, 6)


@pytest.fixture
def staff(app, world):
    """Ids of the positioned regulators (world.users gets them too)."""
    with app.app_context():
        for username, region, position, cert in STAFF:
            user = make_user(username, Role.REGULATOR, region=region)
            user.position, user.enforcement_cert_no = position, cert
            world.users[username] = user.id
        db.session.commit()
    return world.users


def inspection_body(world, **overrides) -> dict:
    body = {"enterprise_id": world.enterprises["a"], "inspection_type": "other", "type_other": "日常检查",
            "basis": "《中华人民共和国环境保护法》第二十四条", "start_date": START.isoformat(),
            "end_date": END.isoformat(), "inspector_ids": [world.users["insp-1"], world.users["insp-2"]],
            "content": "废气治理设施运行情况、危险废物贮存管理", "methods": ["on_site", "document_review"]}
    return {**body, **overrides}


@pytest.fixture
def create(auth, world, staff):
    """Create an inspection as insp-1; return its JSON."""
    def make(**overrides):
        response = auth.client("insp-1").post("/api/inspections", json=inspection_body(world, **overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return make


def approve_all(auth, inspection_id, chain=("div-head", "deputy", "director")):
    for username in chain:
        response = auth.client(username).post(f"/api/inspections/{inspection_id}/approvals",
                                              json={"decision": "approve", "opinion": f"{username}同意"})
        assert response.status_code == 200, response.get_json()
    return response.get_json()
