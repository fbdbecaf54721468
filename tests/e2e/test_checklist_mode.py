"""Browser: 其余全部合格 — one tap marks a section's untouched yes/no items 合格, leaving those that need a reading,
a photo or a receipt; the answers reach the server once."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD, fresh_enterprise_user, login
from tests.e2e.test_offline_sync import open_checklist

pytestmark = pytest.mark.e2e


def test_rest_of_a_section_compliant_in_one_tap(page, live_server):
    login(page, fresh_enterprise_user(live_server), FRESH_PASSWORD)
    detail, items = open_checklist(page)
    page.goto(f"/ent/selfchecks/{detail['id']}")
    section = detail["sections"][0]
    eligible = [it for it in section["items"] if it["answer_type"] == "yes_no_na" and it["evidence_rule"] != "photo_always"
                and not (it.get("proof") or {}).get("on_compliant") and not (it.get("calendar") or {}).get("result")]
    assert eligible, "the first section has plain yes/no items"
    button = page.locator(f'[data-section="{section["code"]}"] [data-testid=rest-compliant]')
    expect(button).to_contain_text(f"{len(eligible)}项")
    button.click()
    page.locator(".van-dialog__confirm").click()
    expect(page.locator(".van-toast")).to_contain_text(f"已标记 {len(eligible)} 项合格")
    for it in eligible:
        expect(page.locator(f'.item-row[data-item-code="{it["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "synced", timeout=30_000)
    expect(button).to_have_count(0)  # nothing left to mark in this section
    server = page.request.get(f"/api/selfchecks/{detail['id']}").json()
    saved = {a["item_id"]: a["result"] for a in server["answers"]}
    assert {it["id"] for it in eligible} <= set(saved) and all(saved[it["id"]] == "compliant" for it in eligible)
    others = {it["id"] for it in section["items"]} - {it["id"] for it in eligible}
    assert not others & set(saved), "items needing a reading, photo or receipt were left to the person"
