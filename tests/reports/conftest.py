"""A submitted self-check with two findings, and its report."""
import io
import uuid
from datetime import date

import pytest

from tests.factories import compliant_answers, jpeg_bytes, make_runs


def submit_run(client, run_id, non_compliant=2, body=None):
    detail = client.get(f"/api/selfchecks/{run_id}").get_json()
    photo = client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                              "client_id": uuid.uuid4().hex},
                        content_type="multipart/form-data").get_json()["id"]
    answers = compliant_answers(detail, photo)
    for answer in [a for a in answers if a["value"] is None][:non_compliant]:
        answer["result"], answer["upload_ids"], answer["note"] = "non_compliant", [photo], "现场发现问题"
    assert client.put(f"/api/selfchecks/{run_id}/answers", json={"answers": answers}).status_code == 200
    response = client.post(f"/api/selfchecks/{run_id}/submit", headers={"Idempotency-Key": uuid.uuid4().hex},
                           **({"json": body} if body is not None else {}))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def runs(app, world):
    with app.app_context():
        return make_runs(world, date(2026, 11, 20))


@pytest.fixture
def report_id(auth, runs):
    return submit_run(auth.client("ehs-a"), runs["a"])["report_id"]
