"""Browser tests at 390 px for issue #13 items 1–4: offline in the natural order (不合格, then the photo),
offline right after the first login, the global sync indicator with an offline submit, and 下载PDF.

Each test works as a fresh enterprise user (created through the admin API) on its own enterprise, so
the demo accounts' checklists used by other browser tests do not matter.
"""
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD as PASSWORD
from tests.e2e.conftest import fresh_enterprise_user, login, sign_and_submit
from tests.e2e.test_app import count_idb_records, make_jpeg, number_in_range

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("E2E_SHOTS")


def shot(page, name, full_page=False):
    """Screenshots for a person to look at (E2E_SHOTS=<folder>)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


def open_checklist(page, kind="MONTHLY"):
    """The user's open self-check (the monthly one: fewest items) and its items."""
    items = page.request.get("/api/selfchecks").json()["items"]
    open_ones = [s for s in items if s["status"] != "submitted"]
    assert open_ones
    open_ones.sort(key=lambda s: s["progress"]["total"])
    detail = page.request.get(f"/api/selfchecks/{open_ones[0]['id']}").json()
    return detail, [it for s in detail["sections"] for it in s["items"]]


def photo_items(items, n):
    chosen = [it for it in items if it["answer_type"] == "yes_no_na"
              and it["evidence_rule"] in ("photo_if_noncompliant", "photo_always")][:n]
    assert len(chosen) == n, "the checklist should have yes/no items that need a photo when failing"
    return chosen


def uploads_of(db_path, username):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT uploads.client_id FROM uploads JOIN users ON users.id = uploads.uploaded_by_id "
            "WHERE users.username = ?", (username,)).fetchall()


def go_to_item(page, item):
    row = page.locator(f'.item-row[data-item-code="{item["code"]}"]')
    # the page unfolds the first unfinished section once loaded; then unfold the item's if need be
    expect(page.locator(".item-row:visible").first).to_be_visible()
    if not row.is_visible():
        page.locator(f'[data-section="{item["section_code"]}"] .van-collapse-item__title').click()
    expect(row).to_be_visible()
    row.click()
    expect(page.locator(f'.question[data-item-code="{item["code"]}"]')).to_be_visible()


def test_offline_fail_then_photo_syncs_every_answer_and_photo_exactly_once(context, page, tmp_path, live_server,
                                                                          e2e_db_path):
    username = fresh_enterprise_user(live_server)
    login(page, username, PASSWORD)
    expect(page.locator("a.task").first).to_be_visible()  # the task list was seen online (and is kept offline)
    detail, items = open_checklist(page)
    sid = detail["id"]
    chosen = photo_items(items, 3)
    page.goto(f"/ent/selfchecks/{sid}")
    expect(page.locator(".item-row").first).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    for n, item in enumerate(chosen):
        go_to_item(page, item)
        # the order people work in: the result first, then the photo
        page.locator("[data-result=non_compliant]").click()
        expect(page.locator("[data-result=non_compliant]")).to_have_attribute("aria-pressed", "true")
        page.wait_for_timeout(700)  # the answer's save is queued before the photo is taken
        page.locator("[data-testid=photo-input]").set_input_files(str(make_jpeg(tmp_path / f"p{n}.jpg", (40 * n, 90, 160))))
        expect(page.locator(".thumb[data-photo-status]")).to_have_count(1)
        if n == 0:
            shot(page, "item-offline-with-indicator")
        page.get_by_text("清单", exact=True).click()

    indicator = page.locator("[data-testid=sync-indicator]")
    expect(indicator).to_contain_text("条待同步")
    expect(indicator).to_contain_text("离线")
    indicator.click()
    panel = page.locator("[data-testid=sync-panel]")
    expect(panel.locator("[data-testid=sync-entry]").first).to_be_visible()
    expect(panel).to_contain_text("离线，联网后自动同步")
    page.wait_for_timeout(400)  # the panel slides up
    shot(page, "sync-panel-offline")
    page.locator(".van-popup__close-icon").click()
    # the indicator is on the tab pages too
    page.get_by_text("返回", exact=True).click()
    expect(page.locator("a.task").first).to_be_visible()
    expect(page.locator("[data-testid=sync-indicator]")).to_contain_text("条待同步")
    shot(page, "tasks-offline-with-indicator")
    page.goto(f"/ent/selfchecks/{sid}")

    # a reload while offline: the queue lives in IndexedDB
    page.reload()
    expect(page.locator(f'.item-row[data-item-code="{chosen[0]["code"]}"]')).to_be_attached()
    for item in chosen:
        expect(page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "pending")

    context.set_offline(False)
    for item in chosen:
        expect(page.locator(f'.item-row[data-item-code="{item["code"]}"] .sync-badge')).to_have_attribute(
            "data-sync", "synced", timeout=30_000)
    expect(page.locator("[data-testid=sync-indicator]")).to_have_count(0, timeout=10_000)
    assert count_idb_records(page, "outbox") == 0

    server = page.request.get(f"/api/selfchecks/{sid}").json()
    answers = {a["item_id"]: a for a in server["answers"]}
    upload_ids = []
    for item in chosen:
        a = answers.get(item["id"])
        assert a is not None, f"{item['code']} missing on the server"
        assert a["result"] == "non_compliant"
        assert len(a["upload_ids"]) == 1, f"{item['code']} should carry its one photo: {a['upload_ids']}"
        upload_ids += a["upload_ids"]
    assert len(set(upload_ids)) == 3
    for u in upload_ids:
        assert page.request.get(f"/api/uploads/{u}").ok
    stored = uploads_of(e2e_db_path, username)
    assert len(stored) == 3 and len({c for (c,) in stored}) == 3, "each photo stored exactly once"


def test_offline_right_after_the_first_login_opens_the_item_page(context, page, live_server):
    username = fresh_enterprise_user(live_server)
    login(page, username, PASSWORD)
    expect(page.locator("a.task").first).to_be_visible()
    # first session, no reload: the new service worker takes the page over and has every chunk
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    page.wait_for_function("""async () => {
        const keys = await caches.keys();
        for (const k of keys) {
            const c = await caches.open(k);
            if ((await c.keys()).some((r) => /ItemPage-[^/]*\\.js$/.test(r.url))) return true;
        }
        return false;
    }""", timeout=30_000)
    page.wait_for_function("""() => new Promise((resolve) => {
        const req = indexedDB.open('ecocheck');
        req.onsuccess = () => {
            const db = req.result;
            const c = db.transaction('checklists').objectStore('checklists').count();
            c.onsuccess = () => { resolve(c.result >= 1); db.close(); };
        };
        req.onerror = () => resolve(false);
    })""", timeout=30_000)

    context.set_offline(True)
    page.locator("a.task").first.click()
    expect(page.locator(".item-row").first).to_be_visible()
    expect(page.get_by_text("离线模式", exact=False)).to_be_visible()
    page.get_by_role("button", name="继续作答").click()
    expect(page.locator(".question")).to_be_visible()
    expect(page.get_by_text("离线时无法打开")).to_have_count(0)
    first = page.locator(".question").get_attribute("data-item-code")
    assert first
    shot(page, "first-session-offline-item")


def answer_the_last_two_offline(context, page, tmp_path, live_server):
    """A checklist answered but for two items (through the API), then those two answered offline in the page."""
    username = fresh_enterprise_user(live_server)
    login(page, username, PASSWORD)
    detail, items = open_checklist(page)
    sid = detail["id"]
    last_two = [it for it in items if it["answer_type"] == "yes_no_na" and it["evidence_rule"] != "photo_always"][-2:]
    assert len(last_two) == 2
    # everything else is answered already (through the API, as another device would)
    csrf = page.evaluate("() => JSON.parse(localStorage.getItem('ecocheck.session')).csrf_token")
    photo = page.request.post("/api/uploads", multipart={
        "file": {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg(tmp_path / "a.jpg").read_bytes()},
        "client_id": uuid.uuid4().hex}, headers={"X-CSRF-Token": csrf}).json()["id"]
    answers = []
    for it in items:
        if it in last_two:
            continue
        entry = {"item_id": it["id"], "result": "compliant", "value": None, "note": None, "upload_ids": []}
        if it["answer_type"] == "number":
            entry["value"] = number_in_range(it)
        elif it["answer_type"] in ("choice", "text", "date"):
            entry["result"] = "not_applicable"
        if it["evidence_rule"] == "photo_always" or it["answer_type"] == "photo":
            entry["upload_ids"] = [photo]
        answers.append(entry)
    r = page.request.put(f"/api/selfchecks/{sid}/answers", data={"answers": answers}, headers={"X-CSRF-Token": csrf})
    assert r.ok, r.text()

    page.goto(f"/ent/selfchecks/{sid}")
    expect(page.locator("[data-testid=submit]")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    for item in last_two:
        go_to_item(page, item)
        page.locator("[data-result=compliant]").click()
        expect(page.locator("[data-result=compliant]")).to_have_attribute("aria-pressed", "true")
        page.get_by_text("清单", exact=True).click()
    return sid


def test_offline_submit_refreshes_the_page_once_accepted(context, page, tmp_path, live_server):
    sid = answer_the_last_two_offline(context, page, tmp_path, live_server)
    sign_and_submit(page, screenshot=str(Path(SHOTS) / "selfcheck-signature.png") if SHOTS else None)
    expect(page.locator("[data-testid=submit-queued]")).to_be_visible()
    expect(page.locator("[data-testid=sync-indicator]")).to_contain_text("条待同步")
    shot(page, "selfcheck-submit-queued")

    context.set_offline(False)
    result = page.locator("[data-testid=submit-result]")
    expect(result).to_be_visible(timeout=30_000)
    expect(result).to_contain_text("分")
    expect(page.get_by_text("离线模式", exact=False)).to_have_count(0)
    expect(page.locator("[data-testid=submit]")).to_have_count(0)
    expect(page.locator("[data-testid=submit-queued]")).to_have_count(0)
    shot(page, "selfcheck-submitted-after-sync")
    assert page.request.get(f"/api/selfchecks/{sid}").json()["status"] == "submitted"


def test_an_offline_submit_the_server_refuses_says_why(context, page, tmp_path, live_server):
    sid = answer_the_last_two_offline(context, page, tmp_path, live_server)
    page.route("**/api/selfchecks/*/submit", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body='{"error": {"code": "incomplete", "message": "还不能提交：1项缺少照片", "details": '
             '{"missing_items": [], "missing_evidence": []}}}'))
    sign_and_submit(page)
    expect(page.locator("[data-testid=submit-queued]")).to_be_visible()
    context.set_offline(False)
    refused = page.locator("[data-testid=submit-refused]")
    expect(refused).to_contain_text("提交未被接受：还不能提交：1项缺少照片", timeout=30_000)
    expect(page.locator("[data-testid=submit-queued]")).to_have_count(0)
    expect(page.locator("[data-testid=submit]")).to_be_visible()  # fix it and submit again
    page.wait_for_timeout(300)
    shot(page, "selfcheck-submit-refused")
    assert page.request.get(f"/api/selfchecks/{sid}").json()["status"] != "submitted"


def test_download_pdf_is_a_real_link_and_share_copies_the_verify_link(context, page, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    login(page, "demo-ehs")
    reports = page.request.get("/api/reports").json()["items"]
    assert reports, "the demo has a submitted report"
    rid = reports[0]["id"]
    page.goto(f"/reports/{rid}")
    link = page.locator("[data-testid=download-pdf]")
    expect(link).to_be_visible()
    assert link.evaluate("el => el.tagName") == "A"
    assert link.get_attribute("href") == f"/api/reports/{rid}/pdf?download=1"
    shot(page, "report-page", full_page=True)

    with page.expect_download(timeout=60_000) as first:
        link.click()
        expect(page.locator(".pdf-progress")).to_contain_text("正在生成PDF")
        shot(page, "report-pdf-progress")
    path = first.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert first.value.suggested_filename.endswith(".pdf")
    assert page.request.get(f"/api/reports/{rid}").json()["pdf_ready"] is True

    # stored now: the link downloads directly, without rendering again
    head = page.request.get(f"/api/reports/{rid}/pdf")
    assert head.headers["x-pdf-rendered"] == "0"
    with page.expect_download(timeout=30_000) as second:
        link.click()
    assert Path(second.value.path()).read_bytes() == Path(path).read_bytes()

    page.locator("[data-testid=share-report]").click()
    expect(page.get_by_text("核验链接已复制")).to_be_visible()
    shot(page, "report-link-copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "/verify/" in copied
    expect(page.locator("[data-testid=verify-link]")).to_have_attribute("href", copied)


def test_a_stuck_entry_shows_why_and_goes_through_on_retry(context, page, tmp_path, live_server):
    username = fresh_enterprise_user(live_server)
    login(page, username, PASSWORD)
    detail, items = open_checklist(page)
    sid = detail["id"]
    item = photo_items(items, 1)[0]
    refused = {"n": 0}

    def refuse(route):
        refused["n"] += 1
        route.fulfill(status=413, content_type="application/json",
                      body='{"error": {"code": "payload_too_large", "message": "文件超过 15 MB 上限"}}')

    page.route("**/api/uploads", refuse)
    page.goto(f"/ent/selfchecks/{sid}")
    go_to_item(page, item)
    page.locator("[data-result=non_compliant]").click()
    page.locator("[data-testid=photo-input]").set_input_files(str(make_jpeg(tmp_path / "big.jpg")))
    expect(page.locator(".thumb[data-photo-status=failed]")).to_be_visible(timeout=20_000)
    indicator = page.locator("[data-testid=sync-indicator]")
    expect(indicator).to_contain_text("同步失败 1 条")
    shot(page, "item-upload-failed")
    indicator.click()
    failed = page.locator("[data-testid=sync-entry][data-state=failed]")
    expect(failed).to_contain_text("同步失败：文件超过 15 MB 上限")
    expect(failed).to_contain_text(item["code"])
    page.wait_for_timeout(400)
    shot(page, "sync-panel-failed")

    page.unroute("**/api/uploads")
    failed.locator("[data-testid=sync-retry]").click()
    expect(page.locator("[data-testid=sync-entry][data-state=failed]")).to_have_count(0, timeout=20_000)
    expect(page.locator(".thumb[data-photo-status=uploaded]")).to_be_visible(timeout=20_000)
    expect(page.locator(".van-nav-bar .sync-badge")).to_have_attribute("data-sync", "synced", timeout=20_000)
    answer = next(a for a in page.request.get(f"/api/selfchecks/{sid}").json()["answers"] if a["item_id"] == item["id"])
    assert answer["result"] == "non_compliant" and len(answer["upload_ids"]) == 1
    assert refused["n"] == 1, "a refused upload is not retried by itself"


def test_a_page_not_on_the_device_says_so_offline(context, page, live_server):
    username = fresh_enterprise_user(live_server)
    login(page, username, PASSWORD)
    expect(page.locator("a.task").first).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    # as if the pages had not been downloaded yet: empty the service worker's caches
    page.evaluate("async () => { for (const k of await caches.keys()) await caches.delete(k) }")
    context.set_offline(True)
    page.locator(".van-tabbar").get_by_text("问题", exact=True).click()
    dialog = page.locator(".van-dialog.chunk-error")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("离线时无法打开")
    expect(dialog).to_contain_text("请联网后重试")
    page.wait_for_timeout(400)  # fade-in
    shot(page, "offline-page-unavailable")
    context.set_offline(False)
    dialog.get_by_role("button", name="重试").click()
    expect(page.locator(".van-nav-bar__title").first).to_have_text("问题")
