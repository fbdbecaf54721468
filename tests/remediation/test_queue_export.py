"""Review queue, the 整改台账 export, history and scoping of problem lists."""
import io

import pytest
from openpyxl import load_workbook

from tests.remediation.conftest import upload


def test_review_queue_lists_submitted_in_scope_oldest_first(auth, make_problem):
    first = make_problem("submitted")
    second = make_problem("submitted")
    make_problem("open")
    queue = auth.client("reg-county-a").get("/api/problems/review-queue").get_json()
    assert [p["id"] for p in queue["items"]] == [first, second]
    assert queue["items"][0]["waiting_working_days"] == 0
    assert auth.client("reg-other").get("/api/problems/review-queue").get_json()["total"] == 0
    assert auth.client("ehs-a").get("/api/problems/review-queue").status_code == 403


def test_detail_shows_before_after_evidence_with_hashes(auth, make_problem):
    pid = make_problem("rectifying")
    ehs = auth.client("ehs-a")
    before, after = upload(ehs), upload(ehs)
    ehs.post(f"/api/problems/{pid}/rectification",
             json={"description": "已整改", "upload_ids": [after], "before_upload_ids": [before]})
    detail = auth.client("reg-county-a").get(f"/api/problems/{pid}").get_json()
    rect = detail["rectifications"][0]
    assert [e["id"] for e in rect["before"]] == [before] and [e["id"] for e in rect["after"]] == [after]
    assert len(rect["after"][0]["sha256"]) == 64
    actions = [h["action"] for h in detail["history"]]
    assert actions == ["problem.opened", "problem.accepted", "problem.rectification_submitted"]


def test_export_ledger_opens_with_the_right_rows(auth, make_problem):
    make_problem("open")
    make_problem("verified")
    response = auth.client("reg-city").get("/api/problems/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "问题编号" and len(rows) == 3
    assert {r[7] for r in rows[1:]} == {"待整改", "已销号"}
    assert auth.client("reg-other").get("/api/problems/export.xlsx").status_code == 200
    other = load_workbook(io.BytesIO(auth.client("reg-other").get("/api/problems/export.xlsx").data)).active
    assert other.max_row == 1


def test_export_escapes_formulas(auth, world):
    ehs = auth.client("ehs-a")
    ehs.post("/api/problems", json={"title": "=HYPERLINK(\"http://x\")", "severity": "一般"})
    sheet = load_workbook(io.BytesIO(ehs.get("/api/problems/export.xlsx").data)).active
    assert sheet.cell(2, 6).value.startswith("'=")


@pytest.mark.parametrize("username,count", [("ehs-a", 2), ("ehs-b", 0), ("reg-county-a", 2), ("reg-other", 0),
                                            ("reg-city", 2), ("sysadmin", 2)])
def test_problem_list_scoping(auth, make_problem, username, count):
    make_problem("open")
    make_problem("rectifying")
    assert auth.client(username).get("/api/problems").get_json()["total"] == count


def test_list_filters(auth, make_problem):
    make_problem("open", severity="重大")
    make_problem("submitted")
    client = auth.client("reg-city")
    assert client.get("/api/problems?status=submitted").get_json()["total"] == 1
    assert client.get("/api/problems?status=open,submitted").get_json()["total"] == 2
    assert client.get("/api/problems?severity=重大").get_json()["total"] == 1
    assert client.get("/api/problems?overdue=true").get_json()["total"] == 0
    bad = client.get("/api/problems?status=bogus")
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["details"]["fields"]
