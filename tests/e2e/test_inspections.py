"""End-to-end at phone size: 分管局长 signs the pending inspection; the enterprise reads its inspection result."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_problems import new_page

pytestmark = pytest.mark.e2e


def test_deputy_approves_and_enterprise_sees_result(browser, live_server):
    ctx, page = new_page(browser, live_server)
    try:
        login(page, "demo-deputy")
        page.goto("/gov/inspections")
        row = page.locator("[data-testid=inspection-row]").first
        expect(row).to_contain_text("待审批")
        row.click()
        page.wait_for_url("**/gov/inspections/*")
        expect(page.locator("[data-testid=status]")).to_contain_text("待分管局长审批")
        page.locator("[data-testid=opinion] textarea").fill("同意，请局长审批。")
        page.locator("[data-testid=approve]").click()
        expect(page.locator("[data-testid=status]")).to_contain_text("待局长审批")
        expect(page.get_by_text("同意，请局长审批。（吴敏")).to_be_visible()
    finally:
        ctx.close()
    ctx, page = new_page(browser, live_server)
    try:
        login(page, "demo-ehs")
        listed = page.request.get("/api/inspections").json()
        assert listed["total"] == 1 and listed["items"][0]["status"] == "completed"
        page.goto(f"/ent/inspections/{listed['items'][0]['id']}")
        expect(page.locator("[data-testid=summary]")).to_contain_text("检查发现问题1个")
        page.get_by_text("问题 1").click()
        page.wait_for_url("**/ent/problems/*")
    finally:
        ctx.close()


def test_inspector_sees_the_draw_with_its_exclusions(browser, live_server):
    ctx, page = new_page(browser, live_server)
    try:
        login(page, "demo-inspector")
        page.locator("[data-testid=tab-inspections]").click()
        page.get_by_text("执法检查计划与双随机抽取").click()
        page.wait_for_url("**/gov/inspection-plans")
        draw = page.locator("[data-testid=draw]").first
        expect(draw).to_contain_text("第 1 次抽取")
        expect(draw).to_contain_text("可复核")
        expect(draw).to_contain_text("本期已查")  # demo-ehs's plant, inspected in the window
        expect(draw).to_contain_text("安静期")  # 南岗区, 高考期间
    finally:
        ctx.close()
