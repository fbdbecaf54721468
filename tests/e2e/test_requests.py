"""End-to-end at phone size (企业诉求, issue #20): the enterprise files a request with a photo; the regulator
registers, takes it on, replies and closes it; the enterprise reads the reply and rates it."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_app import make_jpeg
from tests.e2e.test_problems import new_page

pytestmark = pytest.mark.e2e

CONTENT = "电镀废水深度处理工艺选择，请派专家现场指导（浏览器测试）"
REPLY = "已安排技术帮扶专家下周二到厂，请准备近三个月监测数据。"


def _step(page, action, text=None):
    """Tap one step button of the 诉求 page, fill the popup's text (if any) and submit it."""
    page.locator(f"[data-testid=request-{action}]").click()
    popup = page.locator("[data-testid=form-popup]")
    expect(popup).to_be_visible()
    if text is not None:
        popup.locator("textarea").first.fill(text)
    popup.locator("[data-testid=popup-submit]").click()
    expect(popup).to_be_hidden()


def test_enterprise_files_regulator_replies_enterprise_rates(browser, live_server, tmp_path):
    ctx, page = new_page(browser, live_server)
    try:  # the enterprise files a 技术帮扶 request with a photo, from 我的
        login(page, "demo-ehs")
        page.goto("/ent/me")
        page.locator("[data-testid=me-requests]").click()
        page.locator("[data-testid=request-new]").click()
        page.wait_for_url("**/ent/requests/new")
        page.locator("[data-testid=request-category]").get_by_text("技术帮扶", exact=True).click()
        page.locator("[data-testid=request-content-input] textarea").fill(CONTENT)
        page.locator("[data-testid=photo-input-request]").set_input_files(str(make_jpeg(tmp_path / "tank.jpg")))
        expect(page.locator("[data-photo-status=uploaded]")).to_have_count(1, timeout=30_000)
        page.locator("[data-testid=request-submit]").click()
        page.wait_for_url(re.compile(r"/ent/requests/\d+$"))
        request_url = page.url
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已提交")
        expect(page.locator("[data-testid=request-content]")).to_have_text(CONTENT)
        expect(page.locator("[data-testid=request-photo]")).to_have_count(1)
        request_id = int(request_url.rsplit("/", 1)[1])
        filed = page.request.get(f"/api/requests/{request_id}").json()
        assert filed["category"] == "技术帮扶" and len(filed["upload_ids"]) == 1
    finally:
        ctx.close()
    ctx, page = new_page(browser, live_server)
    try:  # the regulator finds it in the queue, registers, takes it on, replies and closes it
        login(page, "demo-regulator")
        page.goto("/gov/requests")
        page.locator("[data-testid=request-row]", has_text=CONTENT).click()
        page.wait_for_url(f"**/gov/requests/{request_id}")
        expect(page.locator("[data-testid=request-photo]")).to_have_count(1)
        _step(page, "register")
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已登记")
        _step(page, "assign")  # a regulator who may not list users takes it on himself
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已交办")
        _step(page, "reply", REPLY)
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已答复")
        expect(page.locator("[data-testid=request-event][data-kind=reply]")).to_contain_text(REPLY)
        _step(page, "close", "专家已到厂指导，确定采用膜处理回用工艺。")
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已办结")
        expect(page.locator("[data-testid=request-actions]")).to_be_hidden()
    finally:
        ctx.close()
    ctx, page = new_page(browser, live_server)
    try:  # the enterprise reads the reply and rates the outcome
        login(page, "demo-ehs")
        page.goto("/ent/requests")
        expect(page.locator("[data-testid=request-row]", has_text=CONTENT)).to_contain_text("待评价")
        page.goto(request_url)
        expect(page.locator("[data-testid=request-event][data-kind=reply]")).to_contain_text(REPLY)
        page.locator("[data-testid=rating-满意]").click()
        page.locator("[data-testid=rating-comment] textarea").fill("专家指导很及时")
        page.locator("[data-testid=rate-submit]").click()
        expect(page.locator("[data-testid=request-status]")).to_contain_text("已评价")
        expect(page.locator("[data-testid=request-rating]")).to_contain_text("满意（专家指导很及时）")
        expect(page.locator("[data-testid=rate-form]")).to_be_hidden()
        rated = page.request.get(f"/api/requests/{request_id}").json()
        assert rated["status"] == "rated" and rated["rating"] == "满意"
    finally:
        ctx.close()
