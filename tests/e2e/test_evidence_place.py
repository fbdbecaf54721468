"""Browser test at 390 px: a photo taken in the app carries the phone's location and keeps its EXIF through the
phone's compression; the server stores the watermarked copy beside the untouched original."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD, PHONE, fresh_enterprise_user, login
from tests.e2e.test_photo_annotation import SHOTS, make_scene, photo_item, shot

pytestmark = pytest.mark.e2e


def test_a_photo_carries_time_and_place_and_a_watermarked_copy(browser, live_server, tmp_path):
    ctx = browser.new_context(base_url=live_server, **PHONE, permissions=["geolocation"],
                              geolocation={"latitude": 45.7712, "longitude": 126.635, "accuracy": 25})
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        username = fresh_enterprise_user(live_server)
        login(page, username, FRESH_PASSWORD)
        sid, item = photo_item(page)
        page.goto(f"/ent/selfchecks/{sid}/items/{item['id']}")
        page.locator("[data-result=non_compliant]").click()
        page.locator("[data-testid=photo-input]").set_input_files(str(make_scene(tmp_path / "scene.jpg")))
        thumb = page.locator(".thumb[data-photo-status]")
        expect(thumb).to_have_attribute("data-photo-status", "uploaded", timeout=30_000)

        def upload_ids():
            answers = page.request.get(f"/api/selfchecks/{sid}").json()["answers"]
            return next((a["upload_ids"] for a in answers if a["item_id"] == item["id"]), [])

        for _ in range(40):
            if upload_ids():
                break
            page.wait_for_timeout(500)
        (upload_id,) = upload_ids()
        meta = page.request.get(f"/api/uploads/{upload_id}").json()
        assert meta["phone_gps"] == {"lat": 45.7712, "lon": 126.635, "accuracy_m": 25.0}, meta
        # compressed on the phone to 1920 px, with the original's EXIF time carried over
        original = Image.open(io.BytesIO(page.request.get(meta["url"]).body()))
        assert original.size == (1920, 1440)
        assert original.getexif().get_ifd(0x8769).get(0x9003) == "2026:01:02 03:04:05"
        assert meta["captured_at"].startswith("2026-01-02T03:04:05")
        copy = Image.open(io.BytesIO(page.request.get(meta["watermarked_url"]).body()))
        assert copy.width == 1600 and copy.height > 1200  # 1600 px picture and the band under it
        SHOTS.mkdir(parents=True, exist_ok=True)
        copy.save(SHOTS / "watermarked-copy.png")
        shot(page, "item-photo-with-place")
    finally:
        ctx.close()
