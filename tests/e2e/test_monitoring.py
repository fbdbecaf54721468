"""Browser: 在线监测 (chart against the limit, flagged data apart, alarms) and 线索移送 from an alarm, at 390 px."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_enterprise_sees_its_monitoring_and_explains_an_alarm(page):
    login(page, "demo-ehs")
    page.goto("/ent/me")
    page.locator("[data-testid=me-monitoring]").click()
    page.wait_for_url("**/monitoring")
    chart = page.locator("[data-testid=monitoring-chart]")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_contain_text("限值")
    summary = page.locator("[data-testid=monitoring-summary]")
    expect(summary).to_contain_text("判定")
    rows = page.locator("[data-testid=alarm-row]")
    expect(rows.first).to_be_visible()
    exceedance = rows.filter(has=page.locator(".kind.exceedance")).first
    expect(exceedance).to_contain_text("待说明")
    shot(page, "ent-monitoring")
    exceedance.locator("[data-testid=alarm-explain]").click()
    dialog = page.locator("[data-testid=form-popup]")
    dialog.locator("[data-testid=popup-submit]").click()
    expect(dialog).to_contain_text("请选择原因")  # both fields are required (a choice is chosen, a text filled)
    dialog.locator("select[data-field=reason]").select_option("启停炉")
    dialog.locator("textarea").fill("锅炉启炉阶段SCR未达投运温度，已调整启炉程序")
    dialog.locator("[data-testid=popup-submit]").click()
    expect(exceedance).to_contain_text("企业已说明")
    alarms = page.request.get("/api/monitoring/alarms").json()["items"]
    assert any(a["reason"] == "启停炉" for a in alarms)


def test_regulator_sees_the_chart_and_transfers_a_clue_from_an_alarm(browser, live_server):
    ctx = browser.new_context(base_url=live_server, **PHONE)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    try:
        login(page, "demo-regulator")
        eid = page.request.get("/api/monitoring/outlets").json()["items"][0]["enterprise_id"]
        page.goto(f"/gov/enterprises/{eid}")
        page.locator("[data-testid=enterprise-monitoring]").click()
        page.wait_for_url(f"**/monitoring?enterprise={eid}")
        expect(page.locator("[data-testid=monitoring-chart] canvas")).to_have_count(1)
        shot(page, "gov-monitoring")
        page.locator("[data-testid=alarm-row] [data-testid=alarm-clue]").first.click()
        page.wait_for_url("**/gov/clues/*")
        expect(page.locator("[data-testid=clue-status]")).to_have_text("草稿")
        uscc = page.request.get(f"/api/supervision/enterprises/{eid}").json()["enterprise"]["uscc"]
        expect(page.locator("[data-testid=clue-uscc]")).to_contain_text(uscc)
        expect(page.locator(".van-cell-group").filter(has_text="线索来源")).to_contain_text("监测数据")
        shot(page, "gov-clue-draft")
        page.locator('[data-testid=clue-actions] [data-action="transfer"]').click()
        expect(page.locator(".van-toast")).to_contain_text("移送前请填写")  # the form is not complete yet
        page.locator('[data-testid=clue-actions] [data-action="edit"]').click()
        form = page.locator("[data-testid=clue-edit]")
        air = form.locator('[data-category="air"]')
        if air.get_attribute("aria-checked") != "true":
            air.click()
        form.locator('[data-opinion="suggest_case"]').click()
        for field, text in (("description", "1号燃煤锅炉氮氧化物小时均值连续超标"),
                            ("legal_basis", "《中华人民共和国大气污染防治法》第十八条"), ("sender_head", "赵科长")):
            box = form.locator(f'[data-field="{field}"] textarea, [data-field="{field}"] input')
            if not box.input_value():
                box.fill(text)
        shot(page, "gov-clue-edit")
        form.locator("[data-testid=clue-save]").click()
        expect(page.locator(".van-cell-group").filter(has_text="移送方意见")).to_contain_text("建议立案")
        page.locator('[data-testid=clue-actions] [data-action="transfer"]').click()
        expect(page.locator("[data-testid=clue-status]")).to_have_text("已移送")
        pdf = page.request.get(page.locator("[data-testid=clue-pdf]").get_attribute("href"))
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        page.goto("/gov/clues?")
        page.locator(".van-tab", has_text="移送的线索").click()
        expect(page.locator("[data-testid=clue-row]").first).to_be_visible()
        shot(page, "gov-clues-outbox")
    finally:
        ctx.close()


def test_regulator_registers_an_outlet_its_limit_and_device(browser, live_server):
    import uuid

    from tests.e2e.conftest import fresh_enterprise

    _, enterprise = fresh_enterprise(live_server)  # an enterprise of its own, with no outlet yet
    ctx = browser.new_context(base_url=live_server, **PHONE)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    try:
        login(page, "demo-regulator")
        page.goto(f"/monitoring?enterprise={enterprise['id']}")
        page.locator(".van-tab", has_text="排放口与限值").click()
        manager = page.locator("[data-testid=outlet-manager]")
        manager.locator("[data-testid=outlet-new]").click()
        form = page.locator("[data-testid=outlet-form]")
        form.locator('input[name="code"]').fill("DA009")
        form.locator('input[name="name"]').fill("2号锅炉排放口")
        form.locator("[data-testid=popup-submit]").click()
        expect(manager).to_contain_text("DA009 2号锅炉排放口（废气）")
        manager.locator("[data-testid=outlet-limit]").click()
        form.locator("select[data-field=pollutant]").select_option(label="氮氧化物（a21002）")
        form.locator('input[name="limit_value"]').fill("200")
        form.locator('input[name="basis"]').fill("GB 13271-2014 表2 新建燃气锅炉")
        form.locator("[data-testid=popup-submit]").click()
        expect(manager).to_contain_text("200mg/m³ · 小时")
        manager.locator("[data-testid=outlet-device]").click()
        mn = f"E2E{uuid.uuid4().hex[:10].upper()}"
        form.locator('input[name="mn"]').fill(mn)
        form.locator('input[name="pw"]').fill("654321")
        form.locator("[data-testid=popup-submit]").click()
        expect(manager).to_contain_text(f"MN {mn}")
        shot(page, "gov-outlets")
        outlets = page.request.get(f"/api/monitoring/outlets?enterprise_id={enterprise['id']}").json()["items"]
        assert [(o["code"], o["limits"][0]["limit_value"], o["devices"][0]["mn"]) for o in outlets] == [("DA009", 200, mn)]
    finally:
        ctx.close()
