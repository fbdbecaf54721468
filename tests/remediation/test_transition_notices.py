"""Each move of the loop tells the other party at once (issue #13 item 5)."""
from tests.remediation.conftest import upload


def _inbox(client) -> list[dict]:
    body = client.get("/api/notifications", query_string={"per_page": 100}).get_json()
    return body["items"]


def _kinds(client) -> list[str]:
    return [n["kind"] for n in _inbox(client)]


def test_return_and_verification_reach_the_enterprise(auth, make_problem):
    pid = make_problem("submitted")
    ehs, reg = auth.client("ehs-a"), auth.client("reg-county-a")
    assert reg.post(f"/api/problems/{pid}/review", json={"decision": "return", "comment": "照片看不清标签内容"}
                    ).status_code == 200
    returned = [n for n in _inbox(ehs) if n["kind"] == "problem_returned"]
    assert len(returned) == 1
    assert "照片看不清标签内容" in returned[0]["body"] and returned[0]["link"] == f"/ent/problems/{pid}"

    r = ehs.post(f"/api/problems/{pid}/rectification", json={"description": "重拍", "upload_ids": [upload(ehs)]})
    assert r.status_code == 200, r.get_json()
    assert reg.post(f"/api/problems/{pid}/review", json={"decision": "approve"}).status_code == 200
    kinds = _kinds(ehs)
    assert kinds.count("problem_verified") == 1 and kinds.count("problem_returned") == 1


def test_regulators_hear_of_new_rectifications_once_a_day(auth, make_problem):
    first, second = make_problem("submitted"), make_problem("submitted")
    assert first != second
    reg = auth.client("reg-county-a")
    waiting = [n for n in _inbox(reg) if n["kind"] == "review_waiting"]
    assert len(waiting) == 1                      # one message for the day, not one per enterprise
    assert waiting[0]["link"] == "/gov/reviews" and "危废标签缺失" in waiting[0]["body"]
    # The city regulator is not in charge while a county regulator is (most local level first).
    assert "review_waiting" not in _kinds(auth.client("reg-city"))
    assert "review_waiting" not in _kinds(auth.client("reg-other"))


def test_a_regulator_finding_reaches_the_enterprise(auth, world):
    reg = auth.client("reg-county-a")
    r = reg.post("/api/problems", json={"enterprise_id": world.enterprises["a"], "title": "雨水排口有油污",
                                        "severity": "较重"})
    assert r.status_code == 201, r.get_json()
    found = [n for n in _inbox(auth.client("ehs-a")) if n["kind"] == "problem_found"]
    assert len(found) == 1 and "雨水排口有油污" in found[0]["title"] and "整改期限" in found[0]["body"]
    assert not [n for n in _inbox(auth.client("ehs-b")) if n["kind"] == "problem_found"]


def test_a_major_self_report_is_told_on_its_own(auth, world):
    ehs = auth.client("ehs-a")
    ids = []
    for title in ("废水直排", "危废混入生活垃圾"):
        r = ehs.post("/api/problems", json={"title": title, "severity": "重大"})
        assert r.status_code == 201
        ids.append(r.get_json()["id"])
    major = [n for n in _inbox(auth.client("reg-county-a")) if n["kind"] == "self_report_major"]
    assert len(major) == 2 and {n["link"] for n in major} == {f"/gov/problems/{i}" for i in ids}
