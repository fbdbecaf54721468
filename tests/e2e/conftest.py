"""Browser tests: a live Flask server on a fresh demo database, driven by Debian's Chromium."""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DIST_INDEX = Path(os.environ.get("FRONTEND_DIST", ROOT / "frontend" / "dist")) / "index.html"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "service_workers": "allow"}
DEMO_PASSWORD = "demo-pass-2026"


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser end-to-end tests (live server + Chromium)")


def _skip_reason() -> str | None:
    if not DIST_INDEX.exists():
        return "frontend/dist/index.html is missing: build the frontend first (npm run build in frontend/)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _empty_tables():
    """The live server has its own database; the unit-test table cleanup does not apply here."""
    yield


def _flask() -> list[str]:
    venv_flask = ROOT / ".venv" / "bin" / "flask"
    if venv_flask.exists():
        return [str(venv_flask)]
    found = shutil.which("flask")
    return [found] if found else [sys.executable, "-m", "flask"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def e2e_db_path(e2e_dir) -> Path:
    return e2e_dir / "e2e.db"


@pytest.fixture(scope="session")
def live_server(e2e_dir, e2e_db_path):
    """Migrate and seed a temporary database, run `flask run` on a free port, yield its base URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{e2e_db_path}",
           "ECOCHECK_INSTANCE_PATH": str(e2e_dir / "instance"), "FLASK_DEBUG": "0"}
    env.pop("FLASK_RUN_PORT", None)
    log_path = e2e_dir / "server.log"
    for args in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run([*_flask(), "--app", "app", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env["PUBLIC_BASE_URL"] = base  # report and QR links come from configuration only (as `make run` sets it)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([*_flask(), "--app", "app", "run", "--port", str(port), "--no-reload"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"server exited early:\n{log_path.read_text()}")
                try:
                    with requests.get(f"{base}/api/health", timeout=2) as r:
                        if r.status_code == 200:
                            break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not become healthy:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser, live_server):
    from playwright.sync_api import expect

    # Generous waits: CI machines are shared and a slow render is not a failure of the app.
    expect.set_options(timeout=15_000)
    ctx = browser.new_context(base_url=live_server, **PHONE)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form and wait until the app has left the login page."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


FRESH_PASSWORD = "fresh-pass-2026"
_used_enterprises: set[int] = set()


def api_session(base, username: str, password: str = DEMO_PASSWORD):
    """A logged-in requests session (with its CSRF header) for setting up a test's own data."""
    import requests

    s = requests.Session()
    r = s.post(f"{base}/api/auth/login", json={"username": username, "password": password}, timeout=30)
    assert r.ok, r.text
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


def fresh_enterprise(base) -> tuple[str, dict]:
    """A new 企业环保负责人 on an enterprise no other browser test works on: (username, enterprise)."""
    import uuid

    admin = api_session(base, "demo-admin")
    enterprises = admin.get(f"{base}/api/admin/enterprises?per_page=100", timeout=30).json()["items"]
    users = admin.get(f"{base}/api/admin/users?per_page=100", timeout=30).json()["items"]
    taken = {u["enterprise_id"] for u in users if u.get("enterprise_id")}  # demo-ehs, demo-ehs-2, …
    free = [e for e in enterprises if e["id"] not in taken | _used_enterprises]
    assert free, "demo seed should have spare enterprises"
    enterprise = free[0]
    _used_enterprises.add(enterprise["id"])
    username = f"e2e-{uuid.uuid4().hex[:8]}"
    r = admin.post(f"{base}/api/admin/users", json={
        "username": username, "display_name": "测试负责人", "role": "enterprise_admin",
        "enterprise_id": enterprise["id"], "password": FRESH_PASSWORD}, headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=30)
    assert r.status_code == 201, r.text
    return username, enterprise


def fresh_enterprise_user(base) -> str:
    return fresh_enterprise(base)[0]


def fresh_regulator(base, region_code: str) -> str:
    """A new regulator for one county, for a test that reviews its own enterprise's work."""
    import uuid

    admin = api_session(base, "demo-admin")
    username = f"e2e-reg-{uuid.uuid4().hex[:8]}"
    r = admin.post(f"{base}/api/admin/users", json={
        "username": username, "display_name": "测试监管员", "role": "regulator", "region_code": region_code,
        "password": FRESH_PASSWORD}, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert r.status_code == 201, r.text
    return username


def sign_and_submit(page, screenshot: str | None = None) -> None:
    """Tap 提交自查, sign in the pad (a few strokes with the mouse) and confirm — as the responsible person does."""
    from playwright.sync_api import expect

    page.locator("[data-testid=submit]").click()
    pad = page.locator("[data-testid=signature-pad]")
    pad.wait_for(state="visible")
    page.wait_for_timeout(350)  # the popup slides up
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.1, 0.7), (0.2, 0.3), (0.3, 0.7), (0.4, 0.35)], [(0.5, 0.6), (0.65, 0.3), (0.8, 0.65)]):
        page.mouse.move(x + w * stroke[0][0], y + h * stroke[0][1])
        page.mouse.down()
        for px, py in stroke[1:]:
            page.mouse.move(x + w * px, y + h * py, steps=5)
        page.mouse.up()
    expect(pad).to_have_attribute("data-strokes", "2")
    if screenshot:
        page.screenshot(path=screenshot)
    page.locator("[data-testid=sign-submit]").click()
