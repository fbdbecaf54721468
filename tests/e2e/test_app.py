"""End-to-end: login and roles, the PWA shell, a whole self-check, and offline answering with sync."""
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD, fresh_enterprise_user, login, sign_and_submit

pytestmark = pytest.mark.e2e

SHANGHAI = timezone(timedelta(hours=8))


def make_jpeg(path, colour=(31, 143, 78)):
    """A small JPEG whose EXIF carries a DateTimeOriginal, like a phone photo."""
    img = Image.new("RGB", (640, 480), colour)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:01:02 03:04:05"
    img.save(path, "JPEG", quality=85, exif=exif)
    return path


def open_selfcheck(page, status_filter=None):
    """The first self-check of the logged-in user that is still open, with its items in order."""
    resp = page.request.get("/api/selfchecks")
    assert resp.ok, resp.text()
    open_ones = [s for s in resp.json()["items"] if s["status"] != "submitted"]
    assert open_ones, "demo seed should create an open self-check"
    detail = page.request.get(f"/api/selfchecks/{open_ones[0]['id']}").json()
    items = [it for s in detail["sections"] for it in s["items"]]
    return detail, items


def number_in_range(item):
    rng = item.get("range") or {}
    lo, hi = rng.get("min"), rng.get("max")
    if lo is not None and hi is not None:
        value = (lo + hi) / 2
    elif hi is not None:
        value = hi / 2 if hi > 0 else hi
    elif lo is not None:
        value = lo + 1
    else:
        value = 1
    return f"{value:g}" if float(value).is_integer() else f"{round(value, 2)}"


def answer_current_item(page, item):
    """Fill in the item on screen as compliant (numbers within range)."""
    expect(page.locator(f'.question[data-item-code="{item["code"]}"]')).to_be_visible()
    kind = item["answer_type"]
    if kind == "number":
        page.locator("[data-testid=number-input] input").fill(number_in_range(item))
        expect(page.locator("[data-testid=out-of-range]")).to_have_count(0)
        return
    if kind == "choice":
        page.locator(".choice").first.click()
    elif kind == "text":
        page.locator("textarea").first.fill("已检查，符合要求")
    elif kind == "date":
        # Vant's Chinese date picker, opening on today; no browser mm/dd/yyyy input
        expect(page.locator("input[type=date]")).to_have_count(0)
        page.locator("[data-testid=date-field]").click()
        expect(page.locator(".van-picker-column__item--selected").first).to_contain_text("年")
        page.locator(".van-picker__confirm").click()
        expect(page.locator("[data-testid=date-field] input")).to_have_value(datetime.now(SHANGHAI).date().isoformat())
    page.locator("[data-result=compliant]").click()
    expect(page.locator("[data-result=compliant]")).to_have_attribute("aria-pressed", "true")


def attach_photo(page, path):
    before = page.locator(".thumb[data-photo-status]").count()
    page.locator("[data-testid=photo-input]").set_input_files(str(path))
    expect(page.locator(".thumb[data-photo-status]")).to_have_count(before + 1)


def needs_photo(item):
    return item["evidence_rule"] == "photo_always" or item["answer_type"] == "photo"


def count_idb_records(page, store):
    return page.evaluate("""(store) => new Promise((resolve, reject) => {
        const req = indexedDB.open('ecocheck');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
            const db = req.result;
            const count = db.transaction(store).objectStore(store).count();
            count.onsuccess = () => { resolve(count.result); db.close(); };
        };
    })""", store)


def make_sw_control(page):
    """Wait for the service worker, then reload so it controls the page (needed for offline reloads)."""
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_login_roles_manifest_and_service_worker(page):
    login(page, "demo-ehs")
    tabbar = page.locator(".van-tabbar")
    for label in ("自查", "问题", "报告", "我的"):
        expect(tabbar.get_by_text(label, exact=True)).to_be_visible()

    expect(page.locator("a.task").first).to_be_visible()  # the task list is now cached on the device
    assert count_idb_records(page, "kv") > 0
    tabbar.get_by_text("我的", exact=True).click()
    page.locator("[data-testid=logout]").click()
    page.locator(".van-dialog__confirm").click()
    page.wait_for_url("**/login")
    assert count_idb_records(page, "kv") == 0, "logout must clear the user's offline data"

    login(page, "demo-regulator")
    expect(page.locator(".van-tabbar").get_by_text("工作台", exact=True)).to_be_visible()
    expect(page.locator(".van-nav-bar__title")).to_have_text("工作台")

    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.ok
    data = manifest.json()
    assert data["name"] == "环保自查"
    assert data["lang"] == "zh-CN"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}

    assert page.evaluate("async () => { const r = await navigator.serviceWorker.ready; return !!r.active }")


def test_complete_a_whole_checklist(page, tmp_path, live_server):
    login(page, fresh_enterprise_user(live_server), FRESH_PASSWORD)
    detail, items = open_selfcheck(page)
    photo = make_jpeg(tmp_path / "evidence.jpg")

    page.goto(f"/ent/selfchecks/{detail['id']}/items/{items[0]['id']}")
    photo_items = [it for it in items if needs_photo(it)] or [items[0]]
    for index, item in enumerate(items):
        answer_current_item(page, item)
        if item in photo_items:
            attach_photo(page, photo)
        if index < len(items) - 1:
            page.locator("[data-testid=next-item]").click()
    page.locator("[data-testid=back-to-list]").click()

    sign_and_submit(page)
    result = page.locator("[data-testid=submit-result]")
    expect(result).to_be_visible(timeout=30_000)
    expect(result).to_contain_text("分")

    after = page.request.get(f"/api/selfchecks/{detail['id']}").json()
    assert after["status"] == "submitted"
    assert after["score"] is not None
    assert after["report_id"]
    answered = {a["item_id"] for a in after["answers"] if a["result"]}
    assert answered == {it["id"] for it in items}
    # the responsible person's signature is on the report, and the report page shows it
    report = page.request.get(f"/api/reports/{after['report_id']}").json()
    assert report["signature"]["name"] == "测试负责人", report["signature"]
    signature = page.request.get(report["signature"]["image_url"])
    assert signature.ok and signature.headers["content-type"] == "image/png"
    page.goto(f"/reports/{after['report_id']}")
    expect(page.locator("[data-testid=report-signature] img")).to_be_visible()
    expect(page.locator("[data-testid=report-signature]")).to_contain_text("测试负责人")
    if os.environ.get("E2E_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["E2E_SHOTS"], "report-signed.png"))


def test_offline_answers_survive_reload_and_sync_once(context, page, tmp_path, e2e_db_path, live_server):
    username = fresh_enterprise_user(live_server)
    login(page, username, FRESH_PASSWORD)
    make_sw_control(page)
    detail, items = open_selfcheck(page)
    sid = detail["id"]
    online, offline = items[:3], items[3:6]
    photo_item = offline[1]

    def uploads_of_user():
        with sqlite3.connect(e2e_db_path) as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM uploads JOIN users ON users.id = uploads.uploaded_by_id "
                "WHERE users.username = ?", (username,)).fetchone()[0]

    uploads_before = uploads_of_user()

    page.goto(f"/ent/selfchecks/{sid}/items/{online[0]['id']}")
    for item in online:
        answer_current_item(page, item)
        page.locator("[data-testid=next-item]").click()
    # the next item's page is open; the online answers reach the server
    page.goto(f"/ent/selfchecks/{sid}")
    for item in online:
        expect(page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "synced", timeout=20_000)

    page.locator(f'.item-row[data-item-code="{offline[0]["code"]}"]').click()
    context.set_offline(True)
    for n, item in enumerate(offline):
        answer_current_item(page, item)
        if item is photo_item:
            attach_photo(page, make_jpeg(tmp_path / "offline.jpg", (200, 120, 40)))
        if n < len(offline) - 1:
            page.locator("[data-testid=next-item]").click()

    page.reload()
    expect(page.locator(f'.question[data-item-code="{offline[-1]["code"]}"]')).to_be_visible()
    expect(page.locator(".van-nav-bar .sync-badge")).to_have_attribute("data-sync", "pending")
    page.get_by_text("清单", exact=True).click()
    for item in offline:
        badge = page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')
        expect(badge).to_have_attribute("data-sync", "pending")
        expect(badge).to_have_text("待同步")
    for item in online:
        expect(page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "synced")

    context.set_offline(False)
    for item in online + offline:
        expect(page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "synced", timeout=30_000)

    server = page.request.get(f"/api/selfchecks/{sid}").json()
    by_item = {}
    for a in server["answers"]:
        by_item.setdefault(a["item_id"], []).append(a)
    for item in online + offline:
        assert len(by_item.get(item["id"], [])) == 1, f"{item['code']} should be saved exactly once"
        assert by_item[item["id"]][0]["result"] is not None
    assert len(by_item[photo_item["id"]][0]["upload_ids"]) == 1
    assert uploads_of_user() - uploads_before == 1


def _end_sessions_elsewhere(page, username, password):
    """Log the same user in and out from another client: logout rotates the user's session nonce, so the
    browser's cookie dies on the server (clearing browser cookies races with in-flight responses)."""
    import requests

    base = page.url.split("/", 3)[:3]
    base = "/".join(base)
    with requests.Session() as other:
        token = other.post(f"{base}/api/auth/login", json={"username": username, "password": password},
                           timeout=30).json()["csrf_token"]
        assert other.post(f"{base}/api/auth/logout", headers={"X-CSRF-Token": token}, timeout=30).ok


def test_session_expiry_returns_to_the_same_page_and_keeps_the_answer(context, page, live_server):
    username = fresh_enterprise_user(live_server)
    login(page, username, FRESH_PASSWORD)
    detail, items = open_selfcheck(page)
    item = items[-1]
    path = f"/ent/selfchecks/{detail['id']}/items/{item['id']}"
    page.goto(path)
    expect(page.locator(f'.question[data-item-code="{item["code"]}"]')).to_be_visible()

    _end_sessions_elsewhere(page, username, FRESH_PASSWORD)  # the session expires (server-side) while the user works
    answer_current_item(page, item)
    page.wait_for_url(lambda url: "/login?redirect=" in url)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(FRESH_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: url.endswith(path))
    expect(page.locator(".van-nav-bar .sync-badge")).to_have_attribute("data-sync", "synced", timeout=20_000)

    server = page.request.get(f"/api/selfchecks/{detail['id']}").json()
    saved = [a for a in server["answers"] if a["item_id"] == item["id"]]
    assert len(saved) == 1 and saved[0]["result"] is not None


def test_a_failed_login_says_why_once(page):
    page.goto("/login")
    page.locator("input[name=username]").fill("demo-ehs")
    page.locator("input[name=password]").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).not_to_be_empty()
    expect(page.locator(".van-toast")).to_have_count(0)  # one message, under the form — not a toast as well
    assert "/login" in page.url
