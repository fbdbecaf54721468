"""Browser: the regulator's 普法管理 at 390 px — the dashboard's service card, publishing a case for the library,
and recording a 送法入企 training that moves the coverage of 重点企业."""
import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_regulator_publishes_a_case_and_records_a_training(page):
    login(page, "demo-regulator-county")
    page.goto("/gov")
    services = page.locator("[data-testid=dashboard-services]")
    expect(services.locator("[data-testid=services-requests]")).to_contain_text("满意率")
    before = page.request.get("/api/legal/coverage").json()
    expect(services.locator("[data-testid=services-legal]")).to_contain_text(
        f"{before['covered']}/{before['key_enterprises']}")
    services.locator("[data-testid=services-legal]").click()
    page.wait_for_url("**/gov/legal")

    title = f"某电镀厂危废超期贮存案{uuid.uuid4().hex[:4]}"
    page.locator("[data-testid=legal-new]").click()
    form = page.locator("[data-testid=legal-form]")
    form.locator('input[name="title"]').fill(title)
    form.locator("[data-testid=popup-submit]").click()
    expect(form).to_contain_text("请填写警示与建议")
    form.locator('textarea[name="lesson"]').fill("危险废物贮存不得超过一年，超期须报批")
    form.locator('input[name="item_codes"]').fill("E4, E5")
    form.locator("[data-testid=popup-submit]").click()
    expect(page.locator("[data-testid=legal-row]", has_text=title)).to_be_visible()
    made = next(c for c in page.request.get("/api/legal-cases").json()["items"] if c["title"] == title)
    assert made["item_codes"] == ["E4", "E5"]
    shot(page, "gov-legal-library")

    page.locator(".van-tab", has_text="送法入企").click()
    uncovered = page.request.get("/api/legal/coverage").json()["counties"]
    assert uncovered, "道里区 has 重点企业"
    page.locator("[data-testid=training-new]").click()
    tform = page.locator("[data-testid=training-form]")
    tform.locator('[data-field="topic"] input').fill("危险废物规范化管理培训")
    tform.locator("[data-testid=training-save]").click()
    expect(tform).to_contain_text("请选择参加的企业")  # the server names the field
    tform.locator("[data-testid=training-enterprise]").first.click()
    tform.locator("[data-testid=training-save]").click()
    expect(page.locator("[data-testid=training-row]", has_text="危险废物规范化管理培训").first).to_be_visible()
    after = page.request.get("/api/legal/coverage").json()
    assert after["covered"] >= before["covered"]
    expect(page.locator("[data-testid=legal-coverage]")).to_contain_text(f"{after['covered']}/{after['key_enterprises']}")
    shot(page, "gov-legal-trainings")
