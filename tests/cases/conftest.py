"""A regulator, an enterprise with a self-reported problem, and helpers to walk a case through its stages."""
import io
import uuid

import pytest
import time_machine

from tests.factories import jpeg_bytes


@pytest.fixture
def clock():
    with time_machine.travel("2026-06-10 10:00:00+08:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def reg(auth, world, clock):
    return auth.client("reg-county-a")


@pytest.fixture
def ehs(auth, world, clock):
    return auth.client("ehs-a")


def self_report(ehs, title="物料堆场未覆盖"):
    response = ehs.post("/api/problems", json={"title": title, "severity": "一般", "description": "煤堆约8平方米"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def upload(client):
    return client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                             "client_id": uuid.uuid4().hex},
                       content_type="multipart/form-data").get_json()["id"]


def open_case(reg, **body):
    body.setdefault("violation_code", "dust_material_uncovered")
    response = reg.post("/api/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def to_notified(reg, case_id):
    for action in ("investigate", "notify"):
        response = reg.post(f"/api/cases/{case_id}/{action}", json={})
        assert response.status_code == 200, response.get_json()


def rectify(ehs, reg, problem_id):
    photo = upload(ehs)
    response = ehs.post(f"/api/problems/{problem_id}/rectification", json={"description": "已覆盖防尘网",
                                                                            "upload_ids": [photo]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["status"]  # self_closed (一般, not sampled) or submitted (awaits review)
