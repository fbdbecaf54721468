"""Demo cases for demo-ehs's enterprise: a closed 首违不罚 case and a fined case whose 四书 are issued."""
from app.accounts.models import Enterprise, User
from app.cases import discretion
from app.cases import service as cases
from app.evidence.uploads import receive_upload
from app.remediation import service as remediation
from app.remediation.models import ProblemStatus

CLEAR = {"area_m2": 8, "harm_caused": False, "heavy_pollution_weather": False, "falsification": False}


def seed_cases(users: dict[str, User], enterprise: Enterprise, photo_bytes: bytes) -> None:
    ehs, reg = users["demo-ehs"], users["demo-regulator-county"]
    problem = remediation.report_problem(ehs, {"title": "锅炉房外燃煤堆放未覆盖", "severity": "一般",
                                               "description": "4号锅炉间外墙露天堆放燃煤约8平方米，未覆盖"})
    first = cases.open_case(reg, {"problem_id": problem.id, "violation_code": "dust_material_uncovered",
                                  "facts": "锅炉间外墙露天堆放燃煤约8平方米，未密闭、未覆盖。", "circumstances": CLEAR})
    cases.investigate(reg, first.id, None)
    cases.notify_party(reg, first.id, None)
    photo, _ = receive_upload(ehs, "demo-case-photo-1", "覆盖后.jpg", photo_bytes, 15 * 1024 * 1024)
    problem = remediation.submit_rectification(ehs, problem.id, "燃煤已清运入全密闭煤库", [photo.id], [])
    if problem.status == ProblemStatus.SUBMITTED:
        remediation.review(reg, problem.id, "approve", "现场核查：已清运入库")
    cases.decide(reg, first.id, {"decision": "no_penalty", "list_entry_id": "HLJ-MY-2",
                                 "education": "现场讲解大气污染防治法第七十二条，指导建立物料堆场巡查制度"})
    for step in (cases.issue_documents, cases.verify_rectification):
        step(reg, first.id, None)
    cases.close(reg, first.id, None, "免罚不免责：整改已验收，结案")

    second = cases.open_case(reg, {"enterprise_id": enterprise.id, "violation_code": "dust_material_uncovered",
                                   "facts": "原料堆场约50平方米砂土未覆盖，距上次同类违法不足一年。",
                                   "circumstances": {**CLEAR, "area_m2": 50},
                                   "factors": {"harm": "medium", "duration": "lt3m", "scale": "m10_100",
                                               "correction": "in_deadline"}})
    cases.investigate(reg, second.id, None)
    cases.notify_party(reg, second.id, None)
    amount = discretion.suggest(second)["amount"]
    cases.decide(reg, second.id, {"decision": "punish", "amount": amount, "credit_category": "一般失信",
                                  "deadline_days": 15})
    cases.issue_documents(reg, second.id, None)
