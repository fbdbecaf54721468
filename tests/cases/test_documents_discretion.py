"""四书 PDF contents; discretion arithmetic against a published factor table."""
import io

from pypdf import PdfReader

from app.cases.discretion import compute
from tests.cases.conftest import open_case, to_notified

CLEAR = {"area_m2": 8, "harm_caused": False, "heavy_pollution_weather": False, "falsification": False}


def test_four_documents_with_titles_uscc_and_articles(app, reg, ehs, world):
    case = open_case(reg, enterprise_id=world.enterprises["a"], circumstances=CLEAR)
    to_notified(reg, case["id"])
    assert reg.post(f"/api/cases/{case['id']}/decide", json={
        "decision": "punish", "amount": 10000, "credit_category": "一般失信"}).status_code == 200
    assert ehs.get(f"/api/cases/{case['id']}/documents.pdf").status_code == 409  # not yet issued
    assert reg.post(f"/api/cases/{case['id']}/issue-documents", json={}).status_code == 200
    response = ehs.get(f"/api/cases/{case['id']}/documents.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).replace(" ", "")
    for title in ("行政处罚决定书", "守法建议书", "学法建议书", "信用修复告知书"):
        assert title in text
    assert case["enterprise_uscc"] in text
    assert "第七十二条第一款" in text and "第一百一十七条第（一）项" in text
    assert "国家发展和改革委员会令第36号" in text and "最短公示期：3个月" in text
    assert f"黑环罚〔2026〕{case['id']}号" in text and "2026年6月10日" in text
    assert auth_outsider_cannot_download(app, case["id"])


def auth_outsider_cannot_download(app, case_id):
    from tests.conftest import Auth

    return Auth(app).client("ehs-b").get(f"/api/cases/{case_id}/documents.pdf").status_code == 404


def test_discretion_arithmetic_follows_a_published_factor_table():
    """Worked example on the factor table of the 绍兴市生态环境行政执法事项裁量基准（地方性法规规章设定）, table 一
    (reprint https://1wenmi.com/docdown/483903.html): statutory range 三万元以上十万元以下; 环境影响程度 中 6%,
    持续时间 3个月以上不足6个月 5%, 两年内违法次数 2次 5%, 信访投诉 无 0%.
    No worked example from Heilongjiang's or Shanxi's own standard was found through the search tool, so this
    checks the model (minimum + range × Σ percentages) on a published table, not a provincial worked example.
    """
    table = {"start_percent": 0, "factors": {
        "impact": {"label": "违法行为的环境影响程度", "options": {"small": ["小", 0], "medium": ["中", 6],
                                                       "large": ["大", 18], "major": ["重大", 32]}},
        "duration": {"label": "违法行为持续时间", "options": {"lt3m": ["不足3个月", 0], "m3_6": ["3个月以上不足6个月", 5],
                                                      "m6_12": ["6个月以上不足12个月", 11], "ge12m": ["12个月以上", 26]}},
        "repeat": {"label": "环境违法次数（两年内，含本次）", "options": {"once": ["1次", 0], "twice": ["2次", 5],
                                                              "thrice": ["3次", 11], "more": ["4次以上", 27]}},
        "complaint": {"label": "信访投诉情况（一年内）", "options": {"none": ["无", 0], "verified": ["有投诉且经核实", 15]}}}}
    result = compute(table, [30000, 100000], {"impact": "medium", "duration": "m3_6", "repeat": "twice",
                                              "complaint": "none"})
    assert result["percent"] == 16 and result["amount"] == 30000 + 70000 * 0.16 == 41200
    assert "16%" in result["arithmetic"] and "41,200元" in result["arithmetic"]
    worst = compute(table, [30000, 100000], {"impact": "major", "duration": "ge12m", "repeat": "more",
                                             "complaint": "verified"})
    assert worst["percent"] == 100 and worst["amount"] == 100000  # 32+26+27+15 = 100%
