"""End-to-end: the rectification loop (enterprise ↔ regulator), the inbox badge, and the regulator dashboard."""
import os
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    FRESH_PASSWORD,
    PHONE,
    ROOT,
    _flask,
    api_session,
    fresh_enterprise,
    fresh_regulator,
    login,
)
from tests.e2e.test_app import make_jpeg

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.e2e


def new_page(browser, live_server):
    ctx = browser.new_context(base_url=live_server, **PHONE)
    ctx.set_default_timeout(30_000)
    return ctx, ctx.new_page()


def server_env(e2e_dir, e2e_db_path):
    """The same environment live_server runs with (see conftest)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{e2e_db_path}",
           "ECOCHECK_INSTANCE_PATH": str(e2e_dir / "instance"), "FLASK_DEBUG": "0"}
    env.pop("FLASK_RUN_PORT", None)
    return env


def submit_rectification(page, problem_id, tmp_path, text, colour):
    page.goto(f"/ent/problems/{problem_id}")
    page.locator('[data-action="submit_rectification"]').click()
    page.wait_for_url(f"**/ent/problems/{problem_id}/rectify")
    page.locator("[data-testid=rectify-description] textarea").fill(text)
    before = make_jpeg(tmp_path / f"before-{colour[0]}.jpg", colour=(200, 40, 40))
    after = make_jpeg(tmp_path / f"after-{colour[0]}.jpg", colour=colour)
    page.locator("[data-testid=photo-input-before]").set_input_files(str(before))
    page.locator("[data-testid=photo-input-after]").set_input_files(str(after))
    expect(page.locator('[data-slot=after] .thumb[data-photo-status="uploaded"]')).to_have_count(1, timeout=30_000)
    page.locator("[data-testid=rectify-submit]").click()
    page.wait_for_url(f"**/ent/problems/{problem_id}", timeout=30_000)
    expect(page.locator("[data-testid=problem-status]")).to_have_text("待核查")


def regulator_decides(page, problem_id, key, comment):
    page.goto("/gov/reviews")
    card = page.locator(f'.problem[data-problem-id="{problem_id}"]')
    expect(card).to_be_visible()
    expect(card.locator("[data-testid=review-clock]")).to_contain_text("工作日")
    card.click()
    page.wait_for_url(f"**/gov/problems/{problem_id}")
    rect = page.locator(".rect").first
    expect(rect.locator(".compare")).to_contain_text("整改前")
    expect(rect.locator(".compare")).to_contain_text("整改后")
    expect(rect.locator("figcaption").first).to_contain_text("SHA-256")
    expect(rect.locator("figcaption").first).to_contain_text("拍摄 2026-01-02")  # EXIF DateTimeOriginal
    page.locator(f'[data-action="{key}"]').click()
    dialog = page.locator("[data-testid=action-dialog]")
    if comment is not None:
        dialog.locator("textarea").first.fill(comment)
    dialog.locator("[data-testid=dialog-submit]").click()


def own_problem(base):
    """A fresh enterprise user with a 较重 problem of its own (reported through the API) and a fresh regulator
    of its county: (enterprise username, regulator username, problem)."""
    import uuid

    username, enterprise = fresh_enterprise(base)
    s = api_session(base, username, FRESH_PASSWORD)
    r = s.post(f"{base}/api/problems", json={"title": "危废贮存间标识牌破损", "severity": "较重",
                                             "description": "贮存间门口标识牌破损、字迹不清"},
               headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert r.status_code == 201, r.text
    return username, fresh_regulator(base, enterprise["region_code"]), r.json()


def test_rectification_return_resubmit_and_verify(browser, live_server, tmp_path):
    username, regulator, target = own_problem(live_server)
    pid = target["id"]
    ent_ctx, ent = new_page(browser, live_server)
    gov_ctx, gov = new_page(browser, live_server)
    try:
        login(ent, username, FRESH_PASSWORD)
        ent.goto("/ent/problems")
        cards = ent.locator(".problem[data-problem-id]")
        expect(cards).to_have_count(1)
        expect(cards.first.locator("[data-testid=countdown]")).to_contain_text("剩余")

        ent.locator(f'.problem[data-problem-id="{pid}"]').click()
        ent.wait_for_url(f"**/ent/problems/{pid}")
        # buttons come from allowed_actions
        actions = ent.locator("[data-testid=problem-actions] [data-action]")
        expect(actions).to_have_count(len(target["allowed_actions"]))
        expect(ent.locator(".timeline")).to_contain_text("发现问题")

        submit_rectification(ent, pid, tmp_path, "已补交执行报告并建立台账", (31, 143, 78))

        # the regulator returns it with a reason (the reason is required)
        login(gov, regulator, FRESH_PASSWORD)
        regulator_decides(gov, pid, "review:return", None)
        expect(gov.locator("[data-testid=action-dialog]")).to_contain_text("请填写退回理由")
        gov.locator("[data-testid=action-dialog] textarea").first.fill("整改后照片不清晰，请补充台账照片")
        gov.locator("[data-testid=dialog-submit]").click()
        expect(gov.locator("[data-testid=problem-status]")).to_have_text("整改中")
        expect(gov.locator(".review-comment.returned")).to_contain_text("照片不清晰")

        # the enterprise sees the reason and resubmits
        ent.goto(f"/ent/problems/{pid}")
        expect(ent.locator(".timeline")).to_contain_text("退回整改")
        ent.goto(f"/ent/problems/{pid}/rectify")
        expect(ent.locator("[data-testid=return-reason]")).to_contain_text("照片不清晰")
        submit_rectification(ent, pid, tmp_path, "补充了台账照片", (20, 90, 200))

        # the regulator approves: 已销号
        regulator_decides(gov, pid, "review:approve", "材料齐全，同意销号")
        expect(gov.locator("[data-testid=problem-status]")).to_have_text("已销号")
        expect(gov.locator("[data-testid=problem-actions]")).to_have_count(0)

        ent.goto(f"/ent/problems/{pid}")
        expect(ent.locator("[data-testid=problem-status]")).to_have_text("已销号")
        expect(ent.locator(".rect")).to_have_count(2)
        ent.goto("/ent/problems?tab=closed")
        expect(ent.locator(f'.problem[data-problem-id="{pid}"]')).to_be_visible()
    finally:
        ent_ctx.close()
        gov_ctx.close()


def test_inbox_badge_after_scheduler_tick(page, e2e_dir, e2e_db_path, live_server):
    login(page, "demo-ehs")
    # 40 days on, in the app's clock (Asia/Shanghai), every ladder has something to say to demo-ehs.
    at = (datetime.now(SHANGHAI).date() + timedelta(days=40)).isoformat() + "T09:00"
    done = subprocess.run([*_flask(), "--app", "app", "scheduler", "tick", "--at", at], cwd=ROOT,
                          env=server_env(e2e_dir, e2e_db_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    unread = page.request.get("/api/notifications?unread=1").json()["unread_count"]
    assert unread > 0, "the tick should have created reminders for demo-ehs"

    page.goto("/ent/tasks")
    badge = page.locator("[data-testid=tab-me] .van-badge")
    expect(badge).to_have_text(str(unread) if unread <= 99 else "99+")
    page.locator("[data-testid=inbox-bell]").click()
    page.wait_for_url("**/inbox")
    first = page.locator(".note.unread").first
    expect(first).to_be_visible()
    first.click()
    page.wait_for_url(lambda url: "/inbox" not in url)
    expect(page.locator(".van-nav-bar__title").first).not_to_have_text("页面不存在")


def test_regulator_dashboard_renders(page, live_server):
    login(page, "demo-regulator")
    page.goto("/gov/dashboard")
    expect(page.locator(".van-nav-bar__title").first).to_have_text("工作台")
    expect(page.locator("[data-testid=dashboard-cards] .metric").first).to_be_visible()
    expect(page.locator("[data-testid=trend-chart] canvas")).to_be_visible(timeout=20_000)
    if page.locator("[data-testid=attention-item]").count():
        page.locator("[data-testid=attention-item]").first.click()
        page.wait_for_url("**/gov/enterprises/*")
        expect(page.locator(".van-tabs")).to_be_visible()


def test_rectification_queued_offline_survives_reload(page, tmp_path, live_server):
    """Offline: photos and the rectification wait in the outbox (with one Idempotency-Key), survive a reload,
    and are sent once the network is back."""
    from tests.e2e.test_app import make_sw_control

    username, _, target = own_problem(live_server)
    login(page, username, FRESH_PASSWORD)
    pid = target["id"]
    assert "submit_rectification" in target["allowed_actions"]
    page.goto(f"/ent/problems/{pid}")
    expect(page.locator('[data-action="submit_rectification"]')).to_be_visible()
    make_sw_control(page)
    page.goto(f"/ent/problems/{pid}/rectify")
    expect(page.locator("[data-testid=rectify-submit]")).to_be_visible()

    page.context.set_offline(True)
    page.locator("[data-testid=rectify-description] textarea").fill("离线提交：已更换破损标识牌")
    page.locator("[data-testid=photo-input-after]").set_input_files(str(make_jpeg(tmp_path / "offline.jpg")))
    expect(page.locator('[data-slot=after] .thumb[data-photo-status="queued"]')).to_have_count(1)
    page.locator("[data-testid=rectify-submit]").click()
    page.wait_for_url(f"**/ent/problems/{pid}")
    expect(page.locator("[data-testid=pending-rectification]")).to_contain_text("联网后自动提交")

    page.reload()  # still offline: served by the service worker, queue read from IndexedDB
    expect(page.locator("[data-testid=pending-rectification]")).to_contain_text("联网后自动提交")
    assert page.request.get(f"/api/problems/{pid}").json()["status"] != "submitted"

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-testid=problem-status]")).to_have_text("待核查", timeout=30_000)
    expect(page.locator("[data-testid=pending-rectification]")).to_have_count(0)
    detail = page.request.get(f"/api/problems/{pid}").json()
    assert len(detail["rectifications"]) == 1, "sent exactly once"
    assert len(detail["rectifications"][0]["after"]) == 1


def test_regulator_problem_list_shows_its_total(page, live_server, e2e_dir):
    """The 全部 tab says how many problems match (a lower bound with "+" past the count cap)."""
    import re

    from playwright.sync_api import expect

    login(page, "demo-regulator")
    page.goto("/gov/reviews?tab=all")
    expect(page.locator("[data-testid=problem-total]")).to_have_text(re.compile(r"^共 \d+\+? 个问题$"))
    page.screenshot(path=str(e2e_dir / "gov-reviews-all.png"))


def test_the_ehs_manager_assigns_a_problem_to_a_colleague(page, live_server):
    import uuid

    username, _, target = own_problem(live_server)
    admin = api_session(live_server, "demo-admin")
    enterprise_id = target["enterprise_id"]
    colleague = f"e2e-staff-{uuid.uuid4().hex[:6]}"
    made = admin.post(f"{live_server}/api/admin/users", json={
        "username": colleague, "display_name": "车间主任老周", "role": "enterprise_staff", "enterprise_id": enterprise_id,
        "password": FRESH_PASSWORD}, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert made.status_code == 201, made.text
    login(page, username, FRESH_PASSWORD)
    page.goto(f"/ent/problems/{target['id']}")
    page.locator('[data-action="assign"]').click()
    dialog = page.locator("[data-testid=action-dialog]")
    dialog.locator("select[data-field=owner]").select_option(label="车间主任老周（企业人员）")
    dialog.locator("[data-testid=dialog-submit]").click()
    expect(page.locator(".van-toast")).to_contain_text("已指派")
    detail = page.request.get(f"/api/problems/{target['id']}").json()
    assert detail["owner_name"] == "车间主任老周"
