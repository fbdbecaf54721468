"""Draft answers, submit validation, idempotent submit, and who may do what."""
import io
import threading
import uuid
from datetime import date

import pytest

from tests.factories import compliant_answers, jpeg_bytes, make_runs


@pytest.fixture
def runs(app, world):
    with app.app_context():
        return make_runs(world, date(2026, 11, 20))


def _upload(client, client_id=None):
    response = client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                                 "client_id": client_id or uuid.uuid4().hex},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["id"]


def _item(detail, answer_type=None, code=None):
    for section in detail["sections"]:
        for item in section["items"]:
            if code and item["code"] == code:
                return item
            if answer_type and not code and item["answer_type"] == answer_type and (
                    answer_type != "number" or item["range"]):  # a number item with a limit for this enterprise
                return item
    raise AssertionError("no such item")


def test_detail_has_sections_items_legal_basis_and_actions(auth, runs):
    detail = auth.client("ehs-b").get(f"/api/selfchecks/{runs['b']}").get_json()
    item = detail["sections"][0]["items"][0]
    assert {"id", "code", "question", "guidance", "answer_type", "unit", "range", "choices", "severity",
            "legal_basis", "evidence_rule", "time_limit_days"} <= set(item)
    assert item["legal_basis"][0]["law"]
    assert detail["allowed_actions"] == ["save", "submit"]
    assert detail["progress"] == {"answered": 0, "total": sum(len(s["items"]) for s in detail["sections"])}


def test_save_draft_moves_to_in_progress_and_counts(auth, runs):
    client = auth.client("ehs-b")
    detail = client.get(f"/api/selfchecks/{runs['b']}").get_json()
    first = detail["sections"][0]["items"][0]
    response = client.put(f"/api/selfchecks/{runs['b']}/answers",
                          json={"answers": [{"item_id": first["id"], "result": "compliant", "note": "ok"}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["progress"]["answered"] == 1
    assert response.get_json()["status"] == "in_progress"
    again = client.get(f"/api/selfchecks/{runs['b']}").get_json()
    assert again["status"] == "in_progress"
    assert again["answers"][0]["note"] == "ok"


def test_progress_counts_every_answered_item_when_each_save_sends_one(auth, runs):
    """A save reads only the items it changes; the progress is still the whole checklist's."""
    client = auth.client("ehs-b")
    items = [i for s in client.get(f"/api/selfchecks/{runs['b']}").get_json()["sections"] for i in s["items"]]
    sent = []
    for item in items[:3] + items[:1]:  # the first again: an edit, not a new answer
        body = {"answers": [{"item_id": item["id"], "result": "compliant", "value": None}]}
        response = client.put(f"/api/selfchecks/{runs['b']}/answers", json=body)
        assert response.status_code == 200, response.get_json()
        sent.append(response.get_json()["progress"]["answered"])
    assert sent == [1, 2, 3, 3]
    cleared = client.put(f"/api/selfchecks/{runs['b']}/answers",
                         json={"answers": [{"item_id": items[1]["id"], "result": None, "value": None}]})
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["progress"]["answered"] == 2


def test_number_outside_range_is_stored_non_compliant(auth, runs):
    client = auth.client("ehs-a")
    detail = client.get(f"/api/selfchecks/{runs['a']}").get_json()
    item = _item(detail, "number")
    rng = item["range"]
    outside = (rng["max"] + 100) if rng["max"] is not None else (rng["min"] - 100)
    saved = client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": [
        {"item_id": item["id"], "result": "compliant", "value": outside}]}).get_json()
    assert saved["answers"][0]["result"] == "non_compliant"


@pytest.mark.parametrize("entry,field", [
    ({"item_id": 999999, "result": "compliant"}, "answers.0.item_id"),
    ({"result": "compliant"}, "answers"),
    ({"item_id": "x", "result": "compliant"}, "answers"),
    ({"item_id": None, "result": "maybe"}, "answers"),
])
def test_bad_answers_are_rejected_with_the_field_named(auth, runs, entry, field):
    response = auth.client("ehs-b").put(f"/api/selfchecks/{runs['b']}/answers", json={"answers": [entry]})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["fields"]


def test_submit_lists_whats_missing(auth, runs):
    client = auth.client("ehs-b")
    response = client.post(f"/api/selfchecks/{runs['b']}/submit")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "incomplete" and error["details"]["missing_items"]


def test_non_compliant_without_photo_blocks_submit(auth, runs):
    client = auth.client("ehs-b")
    detail = client.get(f"/api/selfchecks/{runs['b']}").get_json()
    photo = _upload(client)
    answers = compliant_answers(detail, photo)
    target = next(a for a, i in zip(answers, [i for s in detail["sections"] for i in s["items"]], strict=True)
                  if i["evidence_rule"] == "photo_if_noncompliant" and i["answer_type"] == "yes_no_na")
    target["result"] = "non_compliant"
    assert client.put(f"/api/selfchecks/{runs['b']}/answers", json={"answers": answers}).status_code == 200
    response = client.post(f"/api/selfchecks/{runs['b']}/submit")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["missing_evidence"]


def _complete(client, run_id, non_compliant=0):
    detail = client.get(f"/api/selfchecks/{run_id}").get_json()
    photo = _upload(client)
    answers = compliant_answers(detail, photo)
    flagged = [a for a in answers if a["value"] is None][:non_compliant]
    for a in flagged:
        a["result"], a["upload_ids"] = "non_compliant", [photo]
    assert client.put(f"/api/selfchecks/{run_id}/answers", json={"answers": answers}).status_code == 200
    return detail


def test_submit_scores_freezes_and_replays_with_the_same_key(auth, runs):
    client = auth.client("ehs-a")
    _complete(client, runs["a"], non_compliant=2)
    key = str(uuid.uuid4())
    first = client.post(f"/api/selfchecks/{runs['a']}/submit", headers={"Idempotency-Key": key})
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["selfcheck"]["status"] == "submitted"
    assert 0 <= body["selfcheck"]["score"] < 100
    assert len(body["problem_ids"]) == 2 and body["report_id"]
    replay = client.post(f"/api/selfchecks/{runs['a']}/submit", headers={"Idempotency-Key": key})
    assert replay.status_code == 200 and replay.get_json() == body
    other = client.post(f"/api/selfchecks/{runs['a']}/submit", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert other.status_code == 409
    frozen = client.put(f"/api/selfchecks/{runs['a']}/answers", json={"answers": [
        {"item_id": 1, "result": "compliant"}]})
    assert frozen.status_code == 409
    assert client.get(f"/api/selfchecks/{runs['a']}").get_json()["allowed_actions"] == []


def test_concurrent_submits_with_one_key_make_one_report(app, auth, runs):
    client = auth.client("ehs-b")
    _complete(client, runs["b"])
    cookie = client.get_cookie("session").value
    token = client.environ_base["HTTP_X_CSRF_TOKEN"]
    key, results = str(uuid.uuid4()), []

    def fire():
        c = app.test_client()
        c.set_cookie("session", cookie)
        r = c.post(f"/api/selfchecks/{runs['b']}/submit", headers={"Idempotency-Key": key, "X-CSRF-Token": token})
        results.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=fire) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200] * 5, results
    assert len({str(b) for _, b in results}) == 1
    reports = client.get("/api/reports").get_json()
    assert reports["total"] == 1


@pytest.mark.parametrize("username,status", [("ehs-c", 404), ("reg-other", 404), ("reg-city", 403),
                                             ("staff-a", 404), ("ehs-b", 200)])
def test_who_may_save_answers(auth, runs, username, status):
    detail = auth.client("sysadmin").get(f"/api/selfchecks/{runs['b']}").get_json()
    item = detail["sections"][0]["items"][0]
    response = auth.client(username).put(f"/api/selfchecks/{runs['b']}/answers",
                                         json={"answers": [{"item_id": item["id"], "result": "compliant"}]})
    assert response.status_code == status


@pytest.mark.parametrize("username,visible", [("ehs-a", {"a"}), ("ehs-b", {"b"}), ("reg-county-a", {"a"}),
                                              ("reg-city", {"a", "b"}), ("reg-other", {"c"}),
                                              ("sysadmin", {"a", "b", "c"})])
def test_list_is_scoped(auth, runs, username, visible):
    items = auth.client(username).get("/api/selfchecks?per_page=100").get_json()["items"]
    assert {i["id"] for i in items} == {runs[k] for k in visible}


def test_reading_another_enterprises_run_is_404(auth, runs):
    assert auth.client("ehs-b").get(f"/api/selfchecks/{runs['a']}").status_code == 404
    assert auth.client("reg-other").get(f"/api/selfchecks/{runs['a']}").status_code == 404
    assert auth.client("reg-city").get(f"/api/selfchecks/{runs['a']}").status_code == 200
