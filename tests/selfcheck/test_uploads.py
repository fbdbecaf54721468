"""Uploads: the type comes from the bytes, limits hold, retries return the first upload."""
import io
import os

import pytest
from PIL import Image

from app.evidence.uploads import safe_filename
from tests.factories import jpeg_bytes


def _post(client, data, name="photo.jpg", client_id="c1", **extra):
    return client.post("/api/uploads", data={"file": (io.BytesIO(data), name), "client_id": client_id, **extra},
                       content_type="multipart/form-data")


def _files(app):
    root = app.config["STORAGE_PATH"]
    return sum(len(f) for _, _, f in os.walk(root)) if os.path.isdir(root) else 0


def test_upload_records_hash_thumbnail_and_is_idempotent(app, auth, world):
    client = auth.client("ehs-a")
    first = _post(client, jpeg_bytes(), captured_at="2026-11-20T23:30:00+08:00")
    assert first.status_code == 201
    body = first.get_json()
    assert len(body["sha256"]) == 64 and body["content_type"] == "image/jpeg"
    assert body["thumbnail_url"] and body["captured_at"].startswith("2026-11-20T23:30")
    again = _post(client, jpeg_bytes(), client_id="c1")
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    stored = client.get(f"/api/uploads/{body['id']}").get_json()   # read back from the database
    assert stored["captured_at"].startswith("2026-11-20T23:30:00+08:00")
    file = client.get(body["url"])
    assert file.status_code == 200 and file.data == jpeg_bytes()
    assert file.headers["Content-Type"] == "image/jpeg" and "inline" in file.headers["Content-Disposition"]
    assert client.get(body["thumbnail_url"]).status_code == 200


def test_exif_capture_time_and_gps_are_extracted(auth, world):
    image = Image.new("RGB", (40, 30))
    exif = image.getexif()
    exif[0x8769] = {0x9003: "2026:11:20 23:59:01"}
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0), 3: "E", 4: (126.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    body = _post(auth.client("ehs-a"), out.getvalue(), client_id="exif").get_json()
    assert body["captured_at"].startswith("2026-11-20T23:59:01")
    assert body["gps"] == {"lat": 45.75, "lon": 126.5}


@pytest.mark.parametrize("data,name,status", [
    (b"MZ\x90\x00" + b"\x00" * 200, "photo.jpg", 415),      # a renamed .exe
    (b"", "empty.jpg", 422),
    (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "corrupt.jpg", 422),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", 415),
])
def test_bad_files_are_rejected_and_nothing_is_stored(app, auth, world, data, name, status):
    before = _files(app)
    response = _post(auth.client("ehs-a"), data, name, client_id="bad")
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    assert _files(app) == before


def test_oversize_is_413(app, auth, world):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    try:
        response = _post(auth.client("ehs-a"), jpeg_bytes((400, 400)) + b"\x00" * 2000, client_id="big")
        assert response.status_code == 413
    finally:
        app.config["MAX_UPLOAD_BYTES"] = 15 * 1024 * 1024


def test_image_bomb_is_rejected(auth, world):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    response = _post(auth.client("ehs-a"), out.getvalue(), "bomb.png", client_id="bomb")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "image_too_large"


def test_pdf_is_accepted(auth, world):
    from tests.selfcheck.test_upload_hardening import pdf

    response = _post(auth.client("ehs-a"), pdf(), "report.pdf", client_id="pdf")
    assert response.status_code == 201 and response.get_json()["content_type"] == "application/pdf"


def test_other_enterprises_cannot_read_a_file(auth, world):
    body = _post(auth.client("ehs-a"), jpeg_bytes(), client_id="mine").get_json()
    assert auth.client("ehs-b").get(body["url"]).status_code == 404
    assert auth.client("reg-other").get(body["url"]).status_code == 404
    assert auth.client("reg-county-a").get(body["url"]).status_code == 200
    assert auth.client().get(body["url"]).status_code == 401


@pytest.mark.parametrize("name,expected", [("../../etc/passwd", "passwd"), ("a\x00b\x1f.jpg", "ab.jpg"),
                                           ("C:\\x\\y.jpg", "y.jpg"), ("...", "file")])
def test_filenames_are_sanitised(name, expected):
    assert safe_filename(name) == expected


def test_missing_client_id_names_the_field(auth, world):
    response = auth.client("ehs-a").post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                                         content_type="multipart/form-data")
    assert response.status_code == 422 and "client_id" in response.get_json()["error"]["details"]["fields"]
