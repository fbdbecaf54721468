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
    The reprint's OCR does not show the table's 裁量起点 legibly; 0% is assumed. This checks the range model
    (minimum + range × Σ percentages) on a published table; the official worked example is the Guangdong test below.
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


# 《广东省生态环境违法行为行政处罚罚款金额裁量表》(粤环发〔2021〕7号 附件1) §3.5.1 — 大气污染防治法第九十九条第（三）项
# 通过逃避监管的方式排放大气污染物, 十万元以上一百万元以下; 备注「罚款金额＝裁量百分值总和×100万」. Read from the
# official 附件1 PDF as reprinted in github.com/Fungwingwaa/cee (docs/.vuepress/public/static/pdf/P5/…, p.53); the
# 规定 itself: http://gdee.gd.gov.cn/shbtwj/content/post_3667603.html (第六条 权重累加模式). checked: false (reprint).
GD_EVADING = {"mode": "of_maximum", "start_percent": 10, "factors": {
    "form": {"label": "行为表现形式", "options": {
        "partial": ["部分污染防治设施不正常运行", 0], "whole": ["整体污染防治设施不正常运行", 10],
        "bypass": ["偷排", 20], "falsified": ["篡改、伪造监测数据", 20]}},
    "pollutant": {"label": "排污情况", "options": {"other": ["除有毒有害污染物以外的其他污染物", 0],
                                              "toxic": ["有毒有害污染物", 19]}},
    "area": {"label": "排放口所在区域", "options": {"general": ["一般区域", 0], "restricted": ["限批区或人居环境敏感区", 3],
                                              "sensitive": ["生态环境敏感区", 15]}},
    "duration": {"label": "违法行为持续时间", "options": {"lt1d": ["1天以下", 0], "d1_5": ["1天以上5天以下", 2],
                                                  "d5_15": ["5天以上15天以下", 8], "gt15d": ["15天以上", 15]}},
    "repeat": {"label": "近二年同类违法行为情况（含本次）", "options": {"once": ["1次", 0], "twice": ["2次", 2],
                                                            "thrice": ["3次", 7], "more": ["4次以上", 16]}},
    "cooperation": {"label": "配合调查情况", "options": {"yes": ["配合", 0], "no": ["不配合", 5]}}}}


def test_discretion_reproduces_an_official_worked_example():
    """清远市生态环境局 清环清新罚字〔2026〕2号 (2026-02-06), published by 清远市清新区人民政府 at
    https://www.qingxin.gov.cn/qxqzdlyxxgk/hjbh/xzcfxx/content/post_2114969.html: §3.5.1, 裁量起点10%, 部分污染防治设施
    不正常运行 0%, 其他污染物 0%, 一般区域 0%, 1天以下 0%, 1次 0%, 配合调查 0% — 「罚款金额=裁量百分值总和(10%)×100万=10万」.
    Neither Heilongjiang's nor Shanxi's standard could be read beyond its opening articles through the search tool, so the
    worked example is Guangdong's (the provinces' packs keep their tables marked unchecked)."""
    official = compute(GD_EVADING, [100000, 1000000], {"form": "partial", "pollutant": "other", "area": "general",
                                                        "duration": "lt1d", "repeat": "once", "cooperation": "yes"})
    assert official["percent"] == 10 and official["amount"] == 100000
    assert official["arithmetic"].endswith("建议罚款 = 10% × 1,000,000 = 100,000元")


def test_weighted_maximum_model_sums_caps_and_floors():
    """The same table with weights set (the 备注's formula applied, not a published case): 10 + 10 + 19 + 8 + 2 + 5 = 54%."""
    heavier = compute(GD_EVADING, [100000, 1000000], {"form": "whole", "pollutant": "toxic", "area": "general",
                                                       "duration": "d5_15", "repeat": "twice", "cooperation": "no"})
    assert heavier["percent"] == 54 and heavier["amount"] == 540000
    worst = compute(GD_EVADING, [100000, 1000000], {"form": "bypass", "pollutant": "toxic", "area": "sensitive",
                                                     "duration": "gt15d", "repeat": "more", "cooperation": "no"})
    assert worst["percent"] == 100 and worst["amount"] == 1000000  # the table's heaviest row sums to exactly 100%
    capped = compute({**GD_EVADING, "start_percent": 30}, [100000, 1000000], {"form": "bypass", "pollutant": "toxic",
                                                                             "area": "sensitive", "duration": "gt15d",
                                                                             "repeat": "more"})
    assert capped["percent"] == 100 and "超过100%按100%计算" in capped["arithmetic"]  # 30+20+19+15+15+16 = 115
    # §3.4.2's remark 「裁量百分值总和不足20%的，按20%计算」 (statutory minimum 20万 of 100万)
    floored = compute({**GD_EVADING, "floor_percent": 20}, [200000, 1000000], {"form": "partial"})
    assert floored["percent"] == 20 and floored["amount"] == 200000 and "不足20%按20%计算" in floored["arithmetic"]
    # a table whose start is below the statutory minimum still never suggests less than the minimum
    low_start = compute({**GD_EVADING, "start_percent": 0}, [100000, 1000000], {})
    assert low_start["amount"] == 100000 and "低于法定最低罚款" in low_start["arithmetic"]
