"""Browser test at 390 px: a checklist item answered with a date uses Vant's Chinese date picker (opening on
today), not the browser's mm/dd/yyyy input, and the date reaches the server."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD, fresh_enterprise_user, login

pytestmark = pytest.mark.e2e
SHANGHAI = timezone(timedelta(hours=8))


def test_a_date_item_is_answered_with_the_chinese_date_picker(page, live_server):
    login(page, fresh_enterprise_user(live_server), FRESH_PASSWORD)
    found = None
    for run in page.request.get("/api/selfchecks").json()["items"]:
        detail = page.request.get(f"/api/selfchecks/{run['id']}").json()
        dates = [i for s in detail["sections"] for i in s["items"] if i["answer_type"] == "date"]
        if dates and detail["status"] != "submitted":
            found = (detail["id"], dates[0])
            break
    assert found, "a fresh 重点管理 enterprise's checklist asks for its permit's expiry date (B2)"
    sid, item = found
    page.goto(f"/ent/selfchecks/{sid}/items/{item['id']}")
    expect(page.locator("input[type=date]")).to_have_count(0)
    page.locator("[data-testid=date-field]").click()
    selected = page.locator(".van-picker-column__item--selected")
    today = datetime.now(SHANGHAI).date()
    expect(selected.nth(0)).to_have_text(f"{today.year}年")
    expect(selected.nth(1)).to_have_text(f"{today.month:02d}月")
    page.locator(".van-picker__confirm").click()
    expect(page.locator("[data-testid=date-field] input")).to_have_value(today.isoformat())
    for _ in range(40):
        answers = page.request.get(f"/api/selfchecks/{sid}").json()["answers"]
        value = next((a["value"] for a in answers if a["item_id"] == item["id"]), None)
        if value:
            break
        page.wait_for_timeout(250)
    assert value == today.isoformat()
