"""Time and place on evidence: the phone's location is kept, a watermarked copy is stored, the original is untouched."""
import hashlib
import io
import os
from datetime import datetime

import pytest
from PIL import Image

from app.evidence.watermark import lines
from tests.factories import jpeg_bytes


def _post(client, data, client_id, **extra):
    return client.post("/api/uploads", data={"file": (io.BytesIO(data), "p.jpg"), "client_id": client_id, **extra},
                       content_type="multipart/form-data")


def _files(app):
    root = app.config["STORAGE_PATH"]
    return sum(len(f) for _, _, f in os.walk(root)) if os.path.isdir(root) else 0


def _photo_with_exif() -> bytes:
    image = Image.new("RGB", (1200, 900), (40, 160, 90))
    exif = image.getexif()
    exif[0x8769] = {0x9003: "2026:11:20 09:31:05"}
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0), 3: "E", 4: (126.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_copy_has_a_band_of_facts_under_the_picture_and_the_original_is_unchanged(auth, world):
    client = auth.client("ehs-a")
    original = _photo_with_exif()
    body = _post(client, original, "wm-1", lat="45.7712", lon="126.6350", accuracy="18").get_json()
    assert body["phone_gps"] == {"lat": 45.7712, "lon": 126.635, "accuracy_m": 18.0}
    assert body["gps"] == {"lat": 45.75, "lon": 126.5}  # the photo's own EXIF position, kept apart
    # the original: byte for byte what was sent, EXIF included
    file = client.get(body["url"])
    assert hashlib.sha256(file.data).hexdigest() == body["sha256"] == hashlib.sha256(original).hexdigest()
    assert Image.open(io.BytesIO(file.data)).getexif().get_ifd(0x8825)
    copy = client.get(body["watermarked_url"])
    assert copy.status_code == 200 and copy.headers["Content-Type"] == "image/jpeg"
    shown = Image.open(io.BytesIO(copy.data)).convert("RGB")
    assert shown.width == 1200 and shown.height > 900 + 60  # the band is added below, not drawn over
    assert shown.getpixel((600, 450)) == pytest.approx((40, 160, 90), abs=6)  # the picture itself is intact
    band = shown.crop((0, 905, shown.width, shown.height))
    light = sum(1 for p in band.get_flattened_data() if min(p) > 200)
    dark = sum(1 for p in band.get_flattened_data() if max(p) < 60)
    assert light > 500 and dark > light  # white text on a dark band
    assert not Image.open(io.BytesIO(copy.data)).getexif()  # the copy carries no EXIF of its own


def test_the_lines_say_where_each_fact_comes_from():
    text = lines(who="道里电镀厂 · 张三", captured_at=datetime.fromisoformat("2026-11-20T09:31:05+08:00"),
                 captured_source="exif", received_at=datetime.fromisoformat("2026-11-20T01:40:00+00:00"),
                 place=(45.7712, 126.635, 18.0), place_source="phone", sha256="ab" * 32)
    assert text == ["道里电镀厂 · 张三", "拍摄 2026-11-20 09:31:05（照片EXIF时间）", "上传 2026-11-20 09:40:00（服务器时间）",
                    "位置 45.77120°N 126.63500°E ±18m（手机定位）", "原图 SHA-256 abababababababab…"]
    bare = lines(who="x", captured_at=None, captured_source="", received_at=datetime.fromisoformat(
        "2026-11-20T01:40:00+00:00"), place=None, place_source="", sha256="0" * 64)
    assert bare[1] == "拍摄时间 未知" and bare[3] == "位置 未提供"
    south_west = lines(who="x", captured_at=None, captured_source="", received_at=datetime.fromisoformat(
        "2026-11-20T01:40:00+00:00"), place=(-33.9, -70.6, None), place_source="exif", sha256="0" * 64)
    assert south_west[3] == "位置 33.90000°S 70.60000°W（照片EXIF定位）"


@pytest.mark.parametrize("fields,field", [
    ({"lat": "91", "lon": "126"}, "lat"),
    ({"lat": "45", "lon": "-181"}, "lon"),
    ({"lat": "45"}, "lon"),
    ({"lon": "126"}, "lat"),
    ({"lat": "北纬", "lon": "126"}, "lat"),
    ({"lat": "nan", "lon": "126"}, "lat"),
    ({"lat": "45", "lon": "126", "accuracy": "-1"}, "accuracy"),
])
def test_a_bad_location_is_refused_with_the_field_named_and_nothing_stored(app, auth, world, fields, field):
    before = _files(app)
    response = _post(auth.client("ehs-a"), jpeg_bytes(), f"bad-{field}", **fields)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["details"]["fields"] and error["message"]
    assert _files(app) == before


def test_a_pdf_has_no_copy_and_says_so(auth, world):
    from tests.selfcheck.test_upload_hardening import pdf

    client = auth.client("ehs-a")
    body = _post(client, pdf(), "wm-pdf").get_json()
    assert body["watermarked_url"] is None and body["phone_gps"] is None
    missing = client.get(f"/api/uploads/{body['id']}/watermarked")
    assert missing.status_code == 404 and "水印" in missing.get_json()["error"]["message"]


def test_another_enterprise_cannot_read_the_copy(auth, world):
    body = _post(auth.client("ehs-a"), jpeg_bytes(), "wm-scope").get_json()
    assert auth.client("ehs-b").get(body["watermarked_url"]).status_code == 404
    assert auth.client("reg-county-a").get(body["watermarked_url"]).status_code == 200


def test_without_a_cjk_font_the_band_is_written_in_ascii(app, monkeypatch):
    from PIL import ImageFont

    from app.evidence import watermark

    assert lines(who="道里电镀厂", captured_at=None, captured_source="", received_at=datetime.fromisoformat(
        "2026-11-20T01:40:00+00:00"), place=(45.7712, 126.635, None), place_source="phone", sha256="ab" * 32,
        cjk=False) == ["By: (name)", "Taken: unknown", "Received: 2026-11-20 09:40:00 (server)",
                       "Place: 45.77120°N 126.63500°E", "SHA-256 abababababababab"]
    monkeypatch.setattr(watermark, "_font", lambda size: (ImageFont.load_default(size), False))
    with app.app_context():
        out = watermark.render(Image.new("RGB", (300, 200), (1, 2, 3)), who="x", captured_at=None,
                               captured_source="", received_at=datetime.fromisoformat("2026-11-20T01:40:00+00:00"),
                               place=None, place_source="", sha256="0" * 64)
    copy = Image.open(io.BytesIO(out))
    assert copy.height > 200 and copy.width >= 300
