"""One error shape everywhere under /api, and the SPA only outside it."""
import pytest


@pytest.mark.parametrize("method,path,status", [
    ("get", "/api/no-such-thing", 404),
    ("post", "/api/no/such/thing", 404),
    ("delete", "/api/health", 405),
    ("get", "/api/selfchecks", 401),
])
def test_api_errors_share_one_shape(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # Chinese message


def test_malformed_json_is_a_clear_400(client):
    response = client.post("/api/auth/login", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]


def test_health_reports_database(client):
    assert client.get("/api/health").get_json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_database_unreachable(app):
    from app import create_app
    from app.config import TestConfig

    broken = create_app(TestConfig("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = broken.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_openapi_document_lists_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/auth/login", "/api/selfchecks/{selfcheck_id}/answers", "/api/uploads", "/api/reports/{report_id}"):
        assert path in spec["paths"], path
    assert client.get("/api/docs").status_code == 200


def test_security_headers(client):
    response = client.get("/api/health")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
