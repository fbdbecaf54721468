"""Authorization sweep over every route in the URL map (a new endpoint is covered automatically).

Each object-bearing route is called, with an object of enterprise a (county 230102), as:
anonymous → 401; an enterprise user of another enterprise and a regulator of another county → 404
(or 403 where their role can never use the route); the owning enterprise's user and the regulator in
charge → allowed or 403 by role, never 401/404. No persona may ever get a 5xx.
"""
import io
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import jpeg_bytes
from tests.reports.conftest import submit_run
from tests.reports.test_signature import signature_png

# Public on purpose: no login needed, and they reveal nothing private.
PUBLIC = {
    "/", "/<path:path>", "/api/health", "/api/auth/login", "/api/openapi.json", "/api/docs", "/api/docs.js",
    "/api/docs.css", "/verify/<token>", "/api/verify/<token>", "/e/<code>", "/api/public/enterprises/<code>",
    "/api/obligations/feed/<token>.ics",  # secret-URL calendar feed: the token is the credential (unknown → 404)
    "/api/public/inspections",
    "/api/monitoring/hj212",  # 数采仪 data: each packet authenticates its device by MN and PW (tests/monitoring)
}
# Logging out without a session is harmless and answers 200, so a stale tab can always log out.
ANONYMOUS_OK = {"/api/auth/logout"}
# Routes that act on the caller's own session and take no object.
SELF_SERVICE = {"/api/auth/logout", "/api/auth/password", "/api/auth/me"}
# Objects that belong to one user, not to an enterprise: only that user may reach them.
PERSONAL = {"notification_id"}
# The checklist library is shared reference data (not tenant data): every logged-in user may read it,
# only admins may write it; the sweep checks login and role, not tenant scope, for these.
SHARED = {"template_id", "version_id"}
OUTSIDERS = ("ehs-b", "reg-other")
INSIDERS = ("ehs-a", "reg-county-a")

BODIES = {  # plausible bodies so that validation cannot answer before the scope check
    "problems.accept": {}, "problems.submit_rectification": {"description": "x", "upload_ids": []},
    "problems.review": {"decision": "approve"}, "problems.request_extension": {"days": 3, "reason": "x"},
    "problems.decide_extension": {"approve": False}, "problems.cancel": {"reason": "x"},
    "problems.require_review": {}, "problems.reopen": {"reason": "x"}, "problems.assign": {"owner_id": 1},
    "selfchecks.save_answers": {"answers": [{"item_id": 1, "result": "compliant"}]},
    "admin.update_enterprise": {"address": "x"}, "admin.update_user": {"display_name": "x"},
    "case_penalties.record_penalty": {"decision_no": "X-1", "decided_on": "2026-01-05", "amount": 1000,
                                   "paid_on": "2026-01-20", "credit_category": "一般失信"},
    "supervision.update_penalty": {"paid_on": "2026-02-01"},
    "supervision.record_incident": {"occurred_on": "2026-01-05", "level": "一般", "description": "x"},
    "supervision.record_crime": {"decided_on": "2025-01-05", "reference": "（2025）刑初1号"},
    "supervision.positive_list_decision": {"action": "admit", "reason": "x"},
    "supervision.decide_credit_repair": {"approve": False, "reason": "x"},
    "supervision.acknowledge_warning": {}, "supervision.warning_to_problem": {"severity": "一般"},
    "cases.decide": {"decision": "no_penalty", "education": "x"}, "cases.withdraw": {"reason": "x"},
    "cases.update_case": {"facts": "x"},
    "obligations.mark_done": {"record_no": "X-1"}, "requests.assign": {"assignee_id": 1},
    "requests.reply": {"body": "x"}, "requests.close": {"result": "x"}, "requests.rate": {"rating": "满意"},
    "requests.review": {"decision": "uphold", "comment": "x"}, "requests.followup": {"note": "x"},
    "legal_cases.update_case": {"title": "x"},
    "enterprise_compliance.apply_credit_repair": {"penalty_id": 1, "commitment_text": "本企业承诺依法整改、按时缴纳罚款。"},
    "inspections.update_inspection": {"content": "x"}, "inspections.decide_inspection": {"decision": "approve"},
    "inspections.quiet_exception": {"reason": "x"}, "inspections.merge_inspection": {"content": "x"},
    "inspections.save_results": {"results": [{"item_code": "PERMIT", "result": "compliant"}]},
    "inspections.complete_inspection": {"summary": "x"}, "inspections.cancel_inspection": {"reason": "x"},
    "inspection_plans.create_draw": {"window_start": "2026-05-04", "window_end": "2026-05-08"},
    "special_actions.update_action": {"content": "x"}, "special_actions.decide_action": {"decision": "approve"},
    "special_actions.file_action": {"filed_with": "x"}, "special_actions.cancel_action": {"reason": "x"},
    "monitoring.set_limit": {"limit_value": 400, "basis": "GB 13271-2014"},
    "monitoring.explain_alarm": {"reason": "设备故障", "explanation": "x"},
    "monitoring.register_device": {"mn": "SWEEP02", "pw": "1"},
    "clues.act": {"receiver_opinion": "同意", "receiver_head": "x"}, "clues.update_clue": {"to_dept": "x"},
}


@pytest.fixture
def objects(app, auth, world, monkeypatch):
    """One object of enterprise a for every URL parameter name."""
    from app.notify.service import notify
    from app.selfcheck.models import SelfCheck, TemplateVersion
    from app.supervision.models import RiskWarning
    from tests.factories import make_runs

    with app.app_context():
        make_runs(world, date(2026, 11, 20))
    ehs, reg = auth.client("ehs-a"), auth.client("reg-county-a")
    with app.app_context():
        run = db.session.scalar(select(SelfCheck.id).where(SelfCheck.enterprise_id == world.enterprises["a"]))
    report_id = submit_run(ehs, run, non_compliant=1,  # signed, so that its signature route has something to serve
                           body={"signature": {"name": "张三", "image": signature_png()}})["report_id"]
    problem_id = ehs.get("/api/problems").get_json()["items"][0]["id"]
    upload_id = ehs.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"),
                                               "client_id": uuid.uuid4().hex},
                         content_type="multipart/form-data").get_json()["id"]
    with app.app_context():  # credit repair needs the penalty's problem rectified and verified
        from app.remediation.models import Problem

        fixed = Problem(enterprise_id=world.enterprises["a"], source="regulator", title="已整改", severity="一般",
                        status="verified", deadline=date(2026, 2, 1), original_deadline=date(2026, 2, 1))
        db.session.add(fixed)
        db.session.commit()
        fixed_id = fixed.id
    penalty = reg.post(f"/api/supervision/enterprises/{world.enterprises['a']}/penalties",
                       json={**BODIES["case_penalties.record_penalty"], "problem_ids": [fixed_id]})
    assert penalty.status_code == 201, penalty.get_json()
    penalty_id = penalty.get_json()["id"]
    application = ehs.post(f"/api/enterprises/{world.enterprises['a']}/credit-repair",
                           json={**BODIES["enterprise_compliance.apply_credit_repair"], "penalty_id": penalty_id})
    assert application.status_code in (200, 201), application.get_json()
    with app.app_context():
        warning = RiskWarning(dedupe_key=f"sweep:{uuid.uuid4().hex}", enterprise_id=world.enterprises["a"],
                              kind="permit_expiring", level="medium", title="许可证即将到期", as_of=date(2026, 11, 20))
        db.session.add(warning)
        notification_ids = notify([world.users["ehs-a"]], "sweep", "problem", problem_id, "s1", "提醒", "正文",
                                  f"/ent/problems/{problem_id}", enterprise_id=world.enterprises["a"])
        db.session.commit()
        ids = {"warning_id": warning.id, "notification_id": notification_ids[0],
               **_inspection_objects(world.enterprises["a"], world.users["reg-county-a"])}
        db.session.commit()
    case = reg.post("/api/cases", json={"enterprise_id": world.enterprises["a"], "problem_id": problem_id,
                                        "violation_code": "dust_material_uncovered"})
    assert case.status_code == 201, case.get_json()
    ids["case_id"] = case.get_json()["id"]
    ids.update(_service_objects(ehs, reg))
    ids.update(_monitoring_objects(app, auth, world.enterprises["a"]))
    with app.app_context():
        version = db.session.get(TemplateVersion, db.session.get(SelfCheck, run).version_id)
        version_id, template_id = version.id, version.template_id
    return {"version_id": version_id, "template_id": template_id, "selfcheck_id": run, "report_id": report_id, "problem_id": problem_id, "upload_id": upload_id,
            "enterprise_id": world.enterprises["a"], "user_id": world.users["ehs-a"], "penalty_id": penalty_id,
            "application_id": application.get_json()["id"], **ids}


def _inspection_objects(enterprise_id: int, regulator_id: int) -> dict:
    """An inspection, plan, draw, special action and quiet period of county 230102 (enterprise a)."""
    from app.inspections.models import Inspection, InspectionPlan, PlanDraw, QuietPeriod, SpecialAction

    day = date(2026, 5, 4)
    plan = InspectionPlan(unit_code="230102", year=2026, name="道里区2026年度计划", ratios={}, caps={})
    action = SpecialAction(number="ZX-230102-2026-0001", form_date=day, name="专项", basis="x", start_date=day,
                           end_date=day, unit_code="230102", targets="x", content="x")
    db.session.add_all([plan, action])
    db.session.flush()
    draw = PlanDraw(plan_id=plan.id, seq=1, window_start=day, window_end=day, seed="0" * 64)
    inspection = Inspection(number="JC-230102-2026-0001", form_date=day, inspection_type="other", basis="x",
                            start_date=day, end_date=day, enterprise_id=enterprise_id, unit_code="230102",
                            inspector_ids=[regulator_id], content="x", methods=["document_review"])
    period = QuietPeriod(enterprise_id=enterprise_id, start_date=day, end_date=day, reason="x")
    db.session.add_all([draw, inspection, period])
    db.session.flush()
    return {"plan_id": plan.id, "draw_id": draw.id, "special_action_id": action.id, "inspection_id": inspection.id,
            "quiet_period_id": period.id}


def _service_objects(ehs, reg) -> dict:
    """An obligation, a request (企业诉求) and a legal case of enterprise a / county 230102 (issue #20)."""
    obligation_id = ehs.get("/api/obligations").get_json()["items"][0]["id"]
    request = ehs.post("/api/requests", json={"category": "政策咨询", "content": "x"})
    legal_case = reg.post("/api/legal-cases", json={"title": "x"})
    assert request.status_code == 201 and legal_case.status_code == 201
    return {"obligation_id": obligation_id, "request_id": request.get_json()["id"],
            "legal_case_id": legal_case.get_json()["id"]}


def _monitoring_objects(app, auth, enterprise_id: int) -> dict:
    """An outlet with a limit, its device and an alarm of enterprise a; a clue transferred to county 230102."""
    from app.monitoring.models import Alarm
    from app.monitoring.outlets import set_limit

    reg = auth.client("reg-county-a")
    outlet = reg.post("/api/monitoring/outlets", json={"enterprise_id": enterprise_id, "code": "DA001", "kind": "gas"})
    device = reg.post(f"/api/monitoring/outlets/{outlet.get_json()['id']}/devices", json={"mn": "SWEEP01", "pw": "1"})
    assert outlet.status_code == 201 and device.status_code == 201
    with app.app_context():
        from app.accounts.models import User

        outlet_id = outlet.get_json()["id"]
        set_limit(db.session.scalar(select(User).where(User.username == "reg-county-a")), outlet_id, "a21002",
                  BODIES["monitoring.set_limit"])
        at = datetime(2026, 3, 3, 8, tzinfo=UTC)
        alarm = Alarm(enterprise_id=enterprise_id, outlet_id=outlet_id, pollutant="a21002", kind="exceedance",
                      cn="2061", started_at=at, ended_at=at, peak=450, limit_value=400, unit="mg/m³", upload_ids=[])
        db.session.add(alarm)
        db.session.commit()
        alarm_id = alarm.id
    city = auth.client("reg-city")
    clue = city.post("/api/clues", json={"enterprise_id": enterprise_id, "to_unit_code": "230102", "categories": ["air"],
                                         "description": "x", "legal_basis": "x", "sender_opinion": "verify",
                                         "handler_name": "x", "sender_head": "x"})
    assert clue.status_code == 201 and city.post(f"/api/clues/{clue.get_json()['id']}/transfer").status_code == 200
    return {"outlet_id": outlet_id, "device_id": device.get_json()["id"], "pollutant": "a21002",
            "alarm_id": alarm_id, "clue_id": clue.get_json()["id"], "action": "accept"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, objects):
    missing = [arg for arg in rule.arguments if arg not in objects]
    assert not missing, f"{rule.rule}: add an object for URL parameter(s) {missing} to the sweep"
    return rule.build({arg: objects[arg] for arg in rule.arguments})[1]


def test_every_route_is_guarded(app, auth, objects):
    failures = []
    for rule, method in _routes(app):
        if rule.rule in PUBLIC or not rule.rule.startswith("/api/"):
            continue
        url = _url(rule, objects)
        body = BODIES.get(rule.endpoint, {})

        def call(username, url=url, method=method, body=body):
            return auth.client(username).open(url, method=method, json=body).status_code

        anonymous = call(None)
        if anonymous != 401 and rule.rule not in ANONYMOUS_OK:
            failures.append(f"{method} {rule.rule}: anonymous got {anonymous}, expected 401")
        if not rule.arguments or rule.rule in SELF_SERVICE:
            continue
        if SHARED.intersection(rule.arguments):
            writes = method != "GET"
            for username in OUTSIDERS + INSIDERS:
                status = call(username)
                if (writes and status != 403) or (not writes and status != 200):
                    failures.append(f"{method} {rule.rule}: {username} got {status}")
            continue
        personal = PERSONAL.intersection(rule.arguments)
        for username in OUTSIDERS + (("reg-county-a",) if personal else ()):
            status = call(username)
            if status not in (403, 404):
                failures.append(f"{method} {rule.rule}: outsider {username} got {status}, expected 404")
        for username in ("ehs-a",) if personal else INSIDERS:
            status = call(username)
            if status in (401, 404) or status >= 500:
                failures.append(f"{method} {rule.rule}: {username} (in charge) got {status}")
    assert not failures, "\n".join(failures)


def test_public_routes_answer_anonymously(app, objects):
    client = app.test_client()
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/verify/not-a-token").status_code == 404
