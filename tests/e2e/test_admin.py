"""Browser: the admin console at 390 px — accounts (新增监管账号, 停用), enterprises (新增, 批量导入 with row errors,
添加账号), each with its own data."""
import io
import os
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from app.accounts.uscc import make_uscc
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def popup_fill(form, values: dict):
    for name, value in values.items():
        select = form.locator(f"select[data-field={name}]")
        if select.count():
            select.select_option(label=value)
        else:
            form.locator(f'input[name="{name}"], textarea[name="{name}"]').fill(value)


def test_admin_creates_a_regulator_and_turns_it_off(page):
    login(page, "demo-admin")
    page.goto("/gov/me")
    page.locator("[data-testid=me-admin-users]").click()
    page.wait_for_url("**/admin/users")
    expect(page.locator("[data-testid=user-row]").first).to_be_visible()
    page.locator("[data-testid=user-new]").click()
    form = page.locator("[data-testid=user-form]")
    name = f"reg-{uuid.uuid4().hex[:6]}"
    popup_fill(form, {"username": name, "display_name": "测试监管员", "role": "监管人员", "region": "道里区（230102）",
                      "password": "short"})
    form.locator("[data-testid=popup-submit]").click()
    expect(form).to_contain_text("至少8个字符")  # the server's message, under its field
    form.locator('input[name="password"]').fill("long-enough-2026")
    form.locator("[data-testid=popup-submit]").click()
    expect(form).to_be_hidden()
    row = page.locator("[data-testid=user-row]", has_text=name)
    expect(row).to_contain_text("道里区")
    shot(page, "admin-users")
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    users = page.request.get("/api/admin/users?per_page=100").json()["items"]
    assert next(u for u in users if u["username"] == name)["active"] is False


def test_admin_imports_enterprises_sees_row_errors_and_adds_an_account(page, tmp_path):
    login(page, "demo-admin")
    page.goto("/admin/enterprises")
    tag = uuid.uuid4().hex[:4]
    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "行业代码", "行业名称", "行政区划代码", "管理类别"])
    wb.active.append([f"导入测试{tag}甲厂", make_uscc(f"91230102MA{int(tag, 16) % 10**7:07d}"), "C2614", "化工", "230102", "重点管理"])
    wb.active.append([f"导入测试{tag}乙厂", "BADCODE", "C2614", "化工", "230102", "重点管理"])
    path = tmp_path / "企业.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    page.locator("[data-testid=enterprise-import]").set_input_files(str(path))
    result = page.locator("[data-testid=import-result]")
    expect(result).to_contain_text("已导入 1 家")
    expect(result).to_contain_text("第 3 行 统一社会信用代码")
    page.locator(".van-search input").fill(f"导入测试{tag}")
    page.locator(".van-search input").press("Enter")
    row = page.locator("[data-testid=admin-enterprise-row]")
    expect(row).to_have_count(1)
    shot(page, "admin-enterprises")
    row.locator("[data-testid=enterprise-add-account]").click()
    form = page.locator("[data-testid=enterprise-form]")
    username = f"ehs-{tag}"
    popup_fill(form, {"username": username, "display_name": "导入厂负责人", "password": "first-pass-2026"})
    form.locator("[data-testid=popup-submit]").click()
    expect(form).to_be_hidden()
    users = page.request.get("/api/admin/users?per_page=100").json()["items"]
    made = next(u for u in users if u["username"] == username)
    assert made["role"] == "enterprise_admin" and made["enterprise_name"] == f"导入测试{tag}甲厂"


def test_a_county_admin_adds_a_local_item_to_a_draft_and_publishes_it(browser, live_server):
    from tests.e2e.conftest import FRESH_PASSWORD, PHONE, api_session

    admin = api_session(live_server, "demo-admin")
    username = f"cadm-{uuid.uuid4().hex[:6]}"
    made = admin.post(f"{live_server}/api/admin/users", json={
        "username": username, "display_name": "道里分局管理员", "role": "regulator_admin", "region_code": "230102",
        "password": FRESH_PASSWORD}, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert made.status_code == 201, made.text
    ctx = browser.new_context(base_url=live_server, **PHONE)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    try:
        login(page, username, FRESH_PASSWORD)
        page.goto("/gov/me")
        page.locator("[data-testid=me-admin-checklists]").click()
        template = page.locator("[data-testid=checklist-template]").first
        template.locator("[data-testid=checklist-draft]").click()
        page.wait_for_url("**/admin/checklists/versions/*")
        expect(page.locator("[data-testid=version-status]")).to_contain_text("草稿")
        page.locator("[data-testid=item-add]").click()
        form = page.locator("[data-testid=item-form]")
        code = f"L-{uuid.uuid4().hex[:4]}"
        popup_fill(form, {"code": code, "question": "河道排口是否设置标志牌并公开监督电话？",
                          "recommendation": "按规定设置排污口标志牌", "law": "黑龙江省水污染防治条例", "article": "x" * 101})
        form.locator("[data-testid=popup-submit]").click()
        expect(form).to_contain_text("长度应为1-100个字符")  # the legal basis is checked and the error shown
        form.locator('input[name="article"]').fill("第二十条")
        form.locator("[data-testid=popup-submit]").click()
        expect(form).to_be_hidden()
        item = page.locator("[data-testid=version-item]", has_text=code)
        expect(item).to_contain_text("本地")
        shot(page, "admin-checklist-draft")
        page.locator("[data-testid=version-publish]").click()
        page.locator(".van-dialog__confirm").click()
        expect(page.locator("[data-testid=version-status]")).to_contain_text("已发布")
        expect(page.locator("[data-testid=item-add]")).to_have_count(0)
    finally:
        ctx.close()
