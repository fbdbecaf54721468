"""Issue #15 items 8 and 10: report links come from configuration, not the Host header; TRACE, Allow,
missing build files, request-line limits and the Secure cookie default."""
import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.config import PROJECT_ROOT, Config
from tests.factories import PASSWORD, make_runs
from tests.reports.conftest import submit_run

EVIL = {"Host": "evil.example"}


@pytest.fixture
def report_id(app, auth, world):
    with app.app_context():
        runs = make_runs(world, date(2026, 11, 20))
    return submit_run(auth.client("ehs-a"), runs["a"])["report_id"]


class HostClient:
    """A test client whose every request, the login included, is sent to `host` (the Host header)."""

    def __init__(self, app, host, username="ehs-a"):
        self.client, self.base = app.test_client(), f"http://{host}"
        login = self.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        self.login_status = login.status_code
        if login.status_code == 200:
            self.client.environ_base["HTTP_X_CSRF_TOKEN"] = login.get_json()["csrf_token"]

    def get(self, path, **kwargs):
        return self.client.get(path, base_url=self.base, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, base_url=self.base, **kwargs)


def evil_client(app):
    client = HostClient(app, "evil.example")
    assert client.login_status == 200
    return client


@pytest.fixture
def base_url(app):
    def set_base(value, trusted=None):
        app.config["PUBLIC_BASE_URL"], app.config["TRUSTED_HOSTS"] = value, trusted
    yield set_base
    set_base("")


# --- item 8 ---------------------------------------------------------------------------------

def test_a_forged_host_header_does_not_reach_the_verify_url_pdf_or_qr(app, auth, report_id, base_url, monkeypatch):
    from app.reports import render

    base_url("https://hbzc.example.gov.cn")
    client = evil_client(app)
    response = client.get(f"/api/reports/{report_id}")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["verify_url"].startswith("https://hbzc.example.gov.cn/verify/")

    encoded = []
    real_qr = render.qr_png
    monkeypatch.setattr(render, "qr_png", lambda data, *a, **k: encoded.append(data) or real_qr(data, *a, **k))
    pdf = client.get(f"/api/reports/{report_id}/pdf")
    qr = client.get(f"/api/reports/{report_id}/qr.png")
    assert pdf.status_code == 200 and qr.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "evil.example" not in text and "hbzc.example.gov.cn/verify/" in re.sub(r"\s+", "", text)
    assert len(encoded) == 2 and all(url.startswith("https://hbzc.example.gov.cn/verify/") for url in encoded)


def test_without_configuration_links_use_the_local_default_never_the_host_header(app, report_id, base_url):
    base_url("")
    response = evil_client(app).get(f"/api/reports/{report_id}")
    assert response.request.host == "evil.example"
    body = response.get_json()
    assert body["verify_url"].startswith("http://127.0.0.1:5000/verify/")
    assert "evil.example" not in body["verify_url"]


def test_trusted_hosts_allow_the_request_host_and_refuse_others(app, report_id, base_url):
    base_url("", ["hbzc.example.gov.cn"])
    client = HostClient(app, "hbzc.example.gov.cn")
    assert client.login_status == 200
    good = client.get(f"/api/reports/{report_id}").get_json()
    assert good["verify_url"].startswith("http://hbzc.example.gov.cn/verify/")
    assert HostClient(app, "evil.example").login_status == 400
    refused = client.client.get(f"/api/reports/{report_id}", headers=EVIL)
    assert refused.status_code == 400


def test_enterprise_card_qr_ignores_the_host_header(app, world, base_url):
    from app.accounts.models import Enterprise
    from app.extensions import db
    from app.supervision import qrcodes

    base_url("https://hbzc.example.gov.cn")
    with app.test_request_context(headers=EVIL):
        enterprise = db.session.get(Enterprise, world.enterprises["a"])
        enterprise.public_code = enterprise.public_code or "ABC123"
        assert qrcodes.public_url(enterprise).startswith("https://hbzc.example.gov.cn/e/")


def test_check_config_fails_without_a_public_base_url(app, runner, base_url):
    base_url("")
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 1 and "PUBLIC_BASE_URL" in result.output
    base_url("https://hbzc.example.gov.cn")
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 0, result.output
    base_url("", ["hbzc.example.gov.cn"])
    assert runner.invoke(args=["check-config"]).exit_code == 0


def test_production_start_runs_check_config_and_make_run_sets_a_local_base():
    unit = (PROJECT_ROOT / "deploy/systemd/ecocheck-web.service").read_text()
    assert re.search(r"^ExecStartPre=\S*flask --app app check-config$", unit, re.M)
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"^run: export PUBLIC_BASE_URL \?= http://127\.0\.0\.1:\$\(PORT\)$", makefile, re.M)


# --- item 10 --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/health", "/api/problems", "/api/push/subscriptions",
                                  "/api/problems/1/accept", "/verify/abc"])
def test_trace_is_405_with_an_allow_header(client, path):
    response = client.open(path, method="TRACE")
    assert response.status_code == 405
    assert "TRACE" not in response.headers["Allow"] and "OPTIONS" in response.headers["Allow"]


def _spec_operations(client):
    spec = client.get("/api/openapi.json").get_json()
    for template, operations in spec["paths"].items():
        methods = {m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")}
        values = {}  # a path parameter with an enum (e.g. an action name) gets a real value, else 1
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else operation:
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("enum"):
                    values[parameter["name"]] = parameter["schema"]["enum"][0]
        path = re.sub(r"\{([^}]+)\}", lambda m, values=values: str(values.get(m.group(1), 1)), template)
        yield template, path, methods


def test_allow_header_agrees_with_the_openapi_document(client):
    wrong, checked = [], 0
    for template, path, methods in _spec_operations(client):
        expected = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        options = client.open(path, method="OPTIONS")
        if set(re.split(r",\s*", options.headers.get("Allow", ""))) != expected:
            wrong.append(f"OPTIONS {template}: {options.headers.get('Allow')} ≠ {sorted(expected)}")
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"} - methods:
            checked += 1
            response = client.open(path, method=method)
            allow = set(re.split(r",\s*", response.headers.get("Allow", "")))
            if response.status_code != 405 or allow != expected:
                wrong.append(f"{method} {template}: {response.status_code} Allow={response.headers.get('Allow')}")
            elif path.startswith("/api/"):
                assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert checked > 100 and wrong == []


@pytest.fixture
def dist(app, tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>EcoCheck</title>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    original = app.config["FRONTEND_DIST"]
    app.config["FRONTEND_DIST"] = str(tmp_path)
    yield tmp_path
    app.config["FRONTEND_DIST"] = original


@pytest.mark.parametrize("path", ["/assets/x.js", "/assets/old-abcd.css", "/workbox-1234.js", "/favicon.ico",
                                  "/icons/missing.png", "/assets/"])
def test_a_missing_build_file_is_404_not_the_app_shell(client, dist, path):
    response = client.get(path)
    assert response.status_code == 404 and b"EcoCheck" not in response.data
    response.close()


def test_client_routes_still_get_the_app_shell(client, dist):
    with client.get("/assets/app-1234.js") as response:
        assert response.data == b"console.log(1)"
    for path in ("/", "/ent/selfchecks/3", "/login"):
        with client.get(path) as response:
            assert response.status_code == 200 and b"EcoCheck" in response.data


def test_gunicorn_request_line_limit_is_set_above_the_proxys():
    unit = (PROJECT_ROOT / "deploy/systemd/ecocheck-web.service").read_text()
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    nginx = (PROJECT_ROOT / "deploy/nginx/ecocheck.conf").read_text()
    for text in (unit, makefile):
        assert re.search(r"--limit-request-line 8190\b", text)
    size = re.search(r"large_client_header_buffers \d+ (\d+)k;", nginx)
    assert size and int(size.group(1)) * 1024 < 8190
    assert re.search(r"error_page 414 = @uri_too_long;", nginx) and "default_type application/json" in nginx


@pytest.mark.parametrize("base, env, secure", [("https://hbzc.example.gov.cn", None, True),
                                               ("http://127.0.0.1:5000", None, False), ("", None, False),
                                               ("https://hbzc.example.gov.cn", "0", False), ("", "1", True)])
def test_secure_cookie_defaults_on_for_an_https_public_address(monkeypatch, tmp_path, base, env, secure):
    monkeypatch.setenv("ECOCHECK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PUBLIC_BASE_URL", base)
    if env is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", env)
    assert Config().SESSION_COOKIE_SECURE is secure


def test_readme_documents_the_settings():
    readme = Path(PROJECT_ROOT / "README.md").read_text()
    for name in ("PUBLIC_BASE_URL", "TRUSTED_HOSTS", "PUSH_ALLOWED_HOSTS", "MAX_JSON_BYTES"):
        assert name in readme
