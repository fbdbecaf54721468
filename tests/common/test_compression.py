"""Responses are compressed for the client that accepts it: the app shell's files and the JSON API, never the
session endpoints that carry the CSRF token (BREACH)."""
import gzip

import brotli
import pytest

SCRIPT = "console.log('环保自查');\n" * 400


@pytest.fixture
def dist(app, tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>EcoCheck</title>" + "<p>壳</p>" * 200)
    (tmp_path / "assets" / "app-1234.js").write_text(SCRIPT)
    original = app.config["FRONTEND_DIST"]
    app.config["FRONTEND_DIST"] = str(tmp_path)
    yield tmp_path
    app.config["FRONTEND_DIST"] = original


def test_a_built_script_arrives_brotli_compressed_and_intact(client, dist):
    with client.get("/assets/app-1234.js", headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        body = response.get_data()
        assert len(body) < len(SCRIPT.encode()) / 10
        assert brotli.decompress(body).decode() == SCRIPT
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_app_shell_is_compressed_and_a_byte_range_is_not(client, dist):
    with client.get("/ent/selfchecks/3", headers={"Accept-Encoding": "br"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert b"EcoCheck" in brotli.decompress(response.get_data())
    with client.get("/assets/app-1234.js", headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}) as response:
        assert response.status_code == 206 and "Content-Encoding" not in response.headers
        assert response.get_data() == SCRIPT.encode()[:100]


def test_a_client_that_accepts_nothing_gets_the_plain_file(client, dist):
    with client.get("/assets/app-1234.js", headers={"Accept-Encoding": "identity"}) as response:
        assert "Content-Encoding" not in response.headers
        assert response.get_data(as_text=True) == SCRIPT


def test_json_api_is_gzip_compressed_when_only_gzip_is_accepted(client):
    plain = client.get("/api/openapi.json").get_data()
    assert len(plain) > 10_000
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) < len(plain) / 3
    assert gzip.decompress(response.get_data()) == plain


def test_session_endpoints_are_never_compressed(auth, world, client):
    response = client.post("/api/auth/login", json={"username": "ehs-a", "password": "x" * 12},
                           headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    c = auth.client("ehs-a")
    me = c.get("/api/auth/me", headers={"Accept-Encoding": "gzip, br"})
    assert me.status_code == 200 and "Content-Encoding" not in me.headers
    assert me.get_json()["user"]["username"] == "ehs-a"
