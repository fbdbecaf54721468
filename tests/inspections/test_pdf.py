"""附件2 / 附件1 PDFs: the title and every filled field are real, extractable text."""
import io
import re

from pypdf import PdfReader

from tests.inspections.conftest import approve_all
from tests.inspections.test_special_actions import BODY, _approve, _create


def _text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_inspection_form_carries_every_field(auth, world, create):
    insp = create(form_date="2026-02-20")
    auth.client("insp-1").post(f"/api/inspections/{insp['id']}/submit")
    approve_all(auth, insp["id"])
    response = auth.client("insp-1").get(f"/api/inspections/{insp['id']}/form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    for expected in ("哈尔滨市生态环境局", "入企执法检查计划审批表", f"编号：{insp['number']}", "日期：2026年2月20日",
                     "一、基本信息", "检查类型", "□双随机", "□专项", "□举报投诉", "■其他：日常检查",
                     "检查依据", "《中华人民共和国环境保护法》第二十四条", "检查时间", "2026年3月2日至2026年3月6日",
                     "二、检查安排", "入企执法检查对象", "道里电镀厂", "实施单位", "检查人员",
                     "insp-1（执法证号：23010001）", "insp-2（执法证号：23010002）", "检查内容",
                     "废气治理设施运行情况、危险废物贮存管理", "检查方式", "■现场检查", "■资料核查", "□监测采样",
                     "□问询调查", "三、审批意见", "承办机构负责人意见", "div-head同意", "分管局长意见", "deputy同意",
                     "局长意见", "director同意"):
        assert expected in text, expected


def test_special_action_form_carries_every_field(auth, staff):
    action = _create(auth, form_date="2026-03-10")
    auth.client("insp-1").post(f"/api/special-actions/{action['id']}/submit")
    _approve(auth, action["id"], ("div-head", "deputy", "director"))
    response = auth.client("insp-1").get(f"/api/special-actions/{action['id']}/form.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    for expected in ("哈尔滨市生态环境局", "专项执法检查审批表", f"编号：{action['number']}", "日期：2026年3月10日",
                     "检查名称", BODY["name"], "检查依据", BODY["basis"], "检查时间", "2026年4月1日至2026年5月31日",
                     "实施单位", "检查对象", BODY["targets"], "检查内容", BODY["content"], "二、审批意见",
                     "承办机构负责人意见", "div-head同意", "分管局长意见", "deputy同意", "局长意见", "director同意"):
        assert expected in text, expected
