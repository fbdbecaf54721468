"""End-to-end at phone size: the chain signs the pending inspection, the inspector visits with a photo; the
enterprise reads its result; the draw shows its exclusions."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_app import make_jpeg
from tests.e2e.test_problems import new_page

pytestmark = pytest.mark.e2e


def test_chain_visit_with_photo_and_enterprise_result(browser, live_server, tmp_path):
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
        inspection_url = page.url
    finally:
        ctx.close()
    ctx, page = new_page(browser, live_server)
    try:  # 局长 signs the last step; the inspector visits offline, records a finding with a photo, completes
        login(page, "demo-director")
        page.goto(inspection_url)
        page.locator("[data-testid=approve]").click()
        expect(page.locator("[data-testid=status]")).to_contain_text("已审批")
    finally:
        ctx.close()
    ctx, page = new_page(browser, live_server)
    try:
        login(page, "demo-inspector")
        page.goto(inspection_url)
        page.locator("[data-testid=start]").click()
        item = page.locator("[data-testid=check-item]").first
        expect(item).to_be_visible()
        ctx.set_offline(True)  # the plant has no signal: everything below is kept on the phone
        item.get_by_text("不符合", exact=True).click()
        item.locator("[data-testid=finding-note] input").fill("除臭设施未运行")
        item.locator("[data-testid=photo-input]").set_input_files(str(make_jpeg(tmp_path / "site.jpg")))
        expect(item.locator("[data-testid=photo-count]")).to_have_text("1")
        page.locator("[data-testid=summary] textarea").fill("发现问题1个，已责令限期整改")
        page.locator("[data-testid=complete]").click()
        expect(page.locator("[data-testid=queued]")).to_be_visible()
        expect(page.locator("[data-testid=status]")).to_contain_text("现场检查中")
        ctx.set_offline(False)  # back online: the outbox uploads the photo, saves the results, completes
        expect(page.locator("[data-testid=status]")).to_contain_text("已完成", timeout=60_000)
        inspection = page.request.get("/api/inspections/" + inspection_url.rsplit("/", 1)[1]).json()
        assert len(inspection["problem_ids"]) == 1
        problem = page.request.get(f"/api/problems/{inspection['problem_ids'][0]}").json()
        assert problem["source"] == "inspection" and problem["description"] == "除臭设施未运行"
        assert len(problem["evidence"]) == 1
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
