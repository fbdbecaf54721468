"""Problems in each state for the lifecycle tests."""
import io
import uuid

import pytest

from app.extensions import db
from app.remediation.models import Problem
from tests.factories import jpeg_bytes


def upload(client) -> int:
    response = client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "p.jpg"),
                                                 "client_id": uuid.uuid4().hex}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def make_problem(app, auth, world):
    """Create a self-reported problem of enterprise a and drive it to a state; return its id."""

    def make(state="open", severity="较重"):
        ehs = auth.client("ehs-a")
        body = ehs.post("/api/problems", json={"title": "危废标签缺失", "severity": severity,
                                                "description": "危废间两个桶无标签"}).get_json()
        pid = body["id"]
        reg = auth.client("reg-county-a")
        if state in ("rectifying", "submitted", "verified", "extension_requested"):
            assert ehs.post(f"/api/problems/{pid}/accept", json={}).status_code == 200
        if state == "extension_requested":
            assert ehs.post(f"/api/problems/{pid}/extension", json={"days": 10, "reason": "设备到货"}).status_code == 200
        if state in ("submitted", "verified"):
            r = ehs.post(f"/api/problems/{pid}/rectification", json={"description": "已张贴", "upload_ids": [upload(ehs)]})
            assert r.status_code == 200, r.get_json()
        if state == "verified":
            assert reg.post(f"/api/problems/{pid}/review", json={"decision": "approve"}).status_code == 200
        if state == "cancelled":
            assert reg.post(f"/api/problems/{pid}/cancel", json={"reason": "误报"}).status_code == 200
        with app.app_context():
            assert db.session.get(Problem, pid).status == state
        return pid

    return make
