"""重复发现: the same item failing in the next period while its problem is still open is that problem seen again
(repeat_count, history, the report links it), not a second problem; once closed, a new failure opens a new one."""
import io
import uuid
from datetime import date, datetime

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.remediation.models import Problem
from app.selfcheck import service as selfchecks
from app.selfcheck.models import SelfCheck
from tests.factories import compliant_answers, jpeg_bytes, make_runs


def _submit_with_one_failure(ehs, run_id, code=None):
    detail = ehs.get(f"/api/selfchecks/{run_id}").get_json()
    photo = ehs.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "p.jpg"), "client_id": uuid.uuid4().hex},
                     content_type="multipart/form-data").get_json()["id"]
    answers = [{**a, "upload_ids": [photo], "evidence_ref": "台账"} for a in compliant_answers(detail, photo)]
    items = {i["id"]: i for s in detail["sections"] for i in s["items"]}
    target = next(a for a in answers if items[a["item_id"]]["answer_type"] == "yes_no_na"
                  and items[a["item_id"]]["statutory"] and not items[a["item_id"]].get("calendar")
                  and (code is None or items[a["item_id"]]["code"] == code))
    target["result"] = "non_compliant"
    assert ehs.put(f"/api/selfchecks/{run_id}/answers", json={"answers": answers}).status_code == 200
    done = ehs.post(f"/api/selfchecks/{run_id}/submit")
    assert done.status_code in (200, 201), done.get_json()
    return items[target["item_id"]]["code"], done.get_json()


def test_the_same_failure_next_month_is_the_same_problem_seen_again(app, auth, world):
    with time_machine.travel(datetime.fromisoformat("2026-10-20T10:00:00+08:00"), tick=False):
        with app.app_context():
            october = make_runs(world, date(2026, 10, 20), "MONTHLY", "monthly", 25)["b"]
        code, first = _submit_with_one_failure(auth.client("ehs-b"), october)
    with time_machine.travel(datetime.fromisoformat("2026-11-20T10:00:00+08:00"), tick=False):
        with app.app_context():
            selfchecks.generate_due_selfchecks(date(2026, 11, 20))
            db.session.commit()
            november = db.session.scalar(select(SelfCheck.id).where(
                SelfCheck.enterprise_id == world.enterprises["b"]).order_by(SelfCheck.id.desc()))
        assert november != october
        ehs = auth.client("ehs-b")
        _, second = _submit_with_one_failure(ehs, november, code)
        problem = ehs.get(f"/api/problems/{first['problem_ids'][0]}").get_json()
        assert second["problem_ids"] == first["problem_ids"]  # the report links the open problem
        assert problem["repeat_count"] == 1
        assert any(h["action"] == "problem.repeated" for h in problem["history"])
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Problem).where(
                Problem.enterprise_id == world.enterprises["b"], Problem.item_code == code)) == 1


def test_after_it_is_closed_a_new_failure_is_a_new_problem(app, auth, world):
    with time_machine.travel(datetime.fromisoformat("2026-10-20T10:00:00+08:00"), tick=False):
        with app.app_context():
            october = make_runs(world, date(2026, 10, 20), "MONTHLY", "monthly", 25)["b"]
        code, first = _submit_with_one_failure(auth.client("ehs-b"), october)
        with app.app_context():
            db.session.get(Problem, first["problem_ids"][0]).status = "verified"
            db.session.commit()
    with time_machine.travel(datetime.fromisoformat("2026-11-20T10:00:00+08:00"), tick=False):
        with app.app_context():
            selfchecks.generate_due_selfchecks(date(2026, 11, 20))
            db.session.commit()
            november = db.session.scalar(select(SelfCheck.id).where(
                SelfCheck.enterprise_id == world.enterprises["b"]).order_by(SelfCheck.id.desc()))
        _, second = _submit_with_one_failure(auth.client("ehs-b"), november, code)
        assert second["problem_ids"] != first["problem_ids"]


def test_a_failed_item_opens_a_problem_that_reads_as_a_finding(app, auth, world):
    """The problem's title is the item's finding (未按…), not its question (是否…？)."""
    with time_machine.travel(datetime.fromisoformat("2026-10-20T10:00:00+08:00"), tick=False):
        with app.app_context():
            run = make_runs(world, date(2026, 10, 20), "MONTHLY", "monthly", 25)["b"]
        ehs = auth.client("ehs-b")
        items = {i["code"]: i for s in ehs.get(f"/api/selfchecks/{run}").get_json()["sections"] for i in s["items"]}
        code, done = _submit_with_one_failure(ehs, run)
        problem = ehs.get(f"/api/problems/{done['problem_ids'][0]}").get_json()
        assert items[code]["finding"] and problem["title"] == items[code]["finding"]
        assert "是否" not in problem["title"] and "？" not in problem["title"]
