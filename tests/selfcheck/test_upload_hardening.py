"""Uploads, issue #15 items 6 and 4: the whole file must decode, PDFs are parsed and must be inert, HEIC must be
well-formed ISO-BMFF, sizes are checked from the header before decoding, image decodes are bounded in memory
and in number, concurrent retries share one upload, and a hostile file name is only ever text."""
import io
import random
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy import func, select

from app.evidence import uploads
from app.evidence.models import Upload
from app.extensions import db
from tests.selfcheck.test_uploads import _files, _post

ROOT = Path(__file__).resolve().parents[2]


def noisy_jpeg(size=(640, 480)) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def png_header_only(width: int, height: int, color_type: int = 2) -> bytes:
    """A PNG whose header claims width×height, with valid CRCs but almost no pixel data."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", width, height, 8 if color_type else 1, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def pdf(mutate=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if mutate:
        mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})


def _page_action_js(writer):
    action = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                  NameObject("/JS"): TextStringObject("app.alert(1)")}))
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


def _attachment(writer):
    writer.add_attachment("payload.exe", b"MZ\x90\x00")


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def heic(brand=b"heic", handler=b"pict", with_iloc=True) -> bytes:
    hdlr = box(b"hdlr", b"\x00" * 4 + b"\x00" * 4 + handler + b"\x00" * 12 + b"\x00")
    children = hdlr + box(b"pitm", b"\x00" * 4 + b"\x00\x01") + box(b"iinf", b"\x00" * 4 + b"\x00\x00")
    if with_iloc:
        children += box(b"iloc", b"\x00" * 4 + b"\x44\x00\x00\x00")
    return (box(b"ftyp", brand + b"\x00\x00\x00\x00" + b"mif1" + brand) + box(b"meta", b"\x00" * 4 + children)
            + box(b"mdat", b"\x00" * 256))


# --- the whole file must decode --------------------------------------------------------------

def _png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("name,data", [
    ("half.jpg", noisy_jpeg()[: len(noisy_jpeg()) // 2]),
    ("no-iend.png", _png()[:-3]),                                          # old code accepted it
    ("polyglot.png", _png() + b"<html><script>alert(1)</script></html>"),  # old code accepted it
    ("half.png", (lambda b: b[: len(b) // 2])(
        (lambda o: (Image.new("RGB", (300, 200), (10, 120, 40)).save(o, "PNG", compress_level=0), o.getvalue())[1])(
            io.BytesIO()))),
])
def test_a_truncated_image_is_rejected(app, auth, world, name, data):
    before = _files(app)
    response = _post(auth.client("ehs-a"), data, name, client_id="cut")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "corrupt_image"
    assert "file" in response.get_json()["error"]["details"]["fields"]
    assert _files(app) == before


def test_a_whole_jpeg_is_still_accepted_and_thumbnailed(auth, world):
    response = _post(auth.client("ehs-a"), noisy_jpeg(), "whole.jpg", client_id="whole")
    assert response.status_code == 201 and response.get_json()["thumbnail_url"]


# --- PDF ---------------------------------------------------------------------------------------

def test_a_real_pdf_is_accepted(auth, world):
    response = _post(auth.client("ehs-a"), pdf(), "监测报告.pdf", client_id="pdf-ok")
    assert response.status_code == 201 and response.get_json()["content_type"] == "application/pdf"


@pytest.mark.parametrize("data,code", [
    (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "corrupt_pdf"),
    (b"%PDF-1.4\n%%EOF\n", "corrupt_pdf"),
    (pdf()[:200], "corrupt_pdf"),
    (pdf(_open_action_js), "unsafe_pdf"),
    (pdf(_page_action_js), "unsafe_pdf"),
    (pdf(_attachment), "unsafe_pdf"),
    (pdf(lambda w: w.encrypt("secret")), "corrupt_pdf"),
], ids=["html", "empty", "truncated", "openaction-js", "page-action-js", "embedded-file", "encrypted"])
def test_a_bad_or_active_pdf_is_rejected(app, auth, world, data, code):
    before = _files(app)
    response = _post(auth.client("ehs-a"), data, "x.pdf", client_id="pdf-bad")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    assert _files(app) == before


# --- HEIC: accepted only as well-formed ISO-BMFF with a HEIF brand --------------------------------

def test_a_well_formed_heic_is_accepted(auth, world):
    response = _post(auth.client("ehs-a"), heic(), "IMG_0001.HEIC", client_id="heic-ok")
    assert response.status_code == 201 and response.get_json()["content_type"] == "image/heic"


@pytest.mark.parametrize("data", [
    b"\x00\x00\x00\x18ftypheic" + b"<html><script>alert(1)</script></html>",
    heic()[:-10],                                   # boxes do not tile the file
    heic(handler=b"vide"),                          # not an image item
    heic(with_iloc=False),                          # no item locations
    box(b"ftyp", b"heic\x00\x00\x00\x00heic") + box(b"mdat", b"\x00" * 64),  # no meta
], ids=["magic-only", "truncated", "not-pict", "no-iloc", "no-meta"])
def test_a_heic_that_is_only_magic_bytes_is_rejected(app, auth, world, data):
    before = _files(app)
    response = _post(auth.client("ehs-a"), data, "x.heic", client_id="heic-bad")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "corrupt_image"
    assert _files(app) == before


# --- sizes from the header, decode budget, reduced decoding, concurrency cap ------------------------

@pytest.mark.parametrize("width,height", [(30000, 30000), (7000, 7000), (60000, 1000)])
def test_oversized_dimensions_are_image_too_large_before_decoding(auth, world, width, height, monkeypatch):
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded an oversized image"))
    response = _post(auth.client("ehs-a"), png_header_only(width, height), "big.png", client_id="huge")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "image_too_large"
    assert "file" in response.get_json()["error"]["details"]["fields"]


def test_decode_budget_applies_after_jpeg_reduction(app, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_DECODE_BUDGET_BYTES", 24_000_000)
    client = auth.client("ehs-a")
    png = io.BytesIO()
    Image.new("RGB", (2600, 2600), (1, 2, 3)).save(png, "PNG")  # 27 MB decoded: over budget
    refused = _post(client, png.getvalue(), "a.png", client_id="budget-png")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "image_too_large"
    jpeg = io.BytesIO()
    # 92 MB at full size; decoded at 1/2 (2400 px: the least reduction keeping the copy's 1600 px edge): 23 MB
    Image.new("RGB", (4800, 4800), (1, 2, 3)).save(jpeg, "JPEG")
    accepted = _post(client, jpeg.getvalue(), "b.jpg", client_id="budget-jpeg")
    assert accepted.status_code == 201, accepted.get_json()


def test_image_decodes_are_capped_per_process(app, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_JOBS_CONCURRENCY", 1)
    monkeypatch.setitem(app.config, "IMAGE_JOB_WAIT_SECONDS", 0.05)
    client = auth.client("ehs-a")
    with app.app_context(), uploads.image_slot():   # another request is decoding
        busy = _post(client, noisy_jpeg(), "a.jpg", client_id="slot")
    assert busy.status_code == 503 and busy.get_json()["error"]["code"] == "busy"
    assert _post(client, noisy_jpeg(), "a.jpg", client_id="slot").status_code == 201


# --- concurrent retries --------------------------------------------------------------------------------

def test_five_simultaneous_retries_with_one_client_id_return_one_upload(app, auth, world):
    client = auth.client("ehs-a")
    cookie, token = client.get_cookie("session").value, client.environ_base["HTTP_X_CSRF_TOKEN"]
    data, barrier, results = noisy_jpeg(), threading.Barrier(5), []

    def fire():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        r = c.post("/api/uploads", data={"file": (io.BytesIO(data), "a.jpg"), "client_id": "retry-1"},
                   headers={"X-CSRF-Token": token}, content_type="multipart/form-data")
        results.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=fire) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [200, 200, 200, 200, 201], results
    assert len({b["id"] for _, b in results}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 1


# --- hostile file names are text --------------------------------------------------------------------------

def test_a_hostile_filename_comes_back_as_plain_text(auth, world):
    name = "<img src=x onerror=alert(1)>.jpg"
    client = auth.client("ehs-a")
    created = _post(client, noisy_jpeg(), name, client_id="xss")
    assert created.status_code == 201 and created.get_json()["filename"] == name
    read = client.get(f"/api/uploads/{created.get_json()['id']}")
    assert read.mimetype == "application/json" and read.headers["X-Content-Type-Options"] == "nosniff"
    assert read.get_json()["filename"] == name           # the literal text, not markup and not double-escaped
    served = client.get(created.get_json()["url"])
    assert served.headers["Content-Disposition"] == "inline" and served.mimetype == "image/jpeg"


def test_the_frontend_never_renders_html_from_data():
    offenders = [str(p) for p in (ROOT / "frontend" / "src").rglob("*.vue") if "v-html" in p.read_text()]
    offenders += [str(p) for p in (ROOT / "frontend" / "src").rglob("*.ts") if "innerHTML" in p.read_text()]
    assert offenders == []


def test_heif_sanity_is_a_pure_function():
    assert uploads.heif_is_sane(heic()) and uploads.heif_is_sane(heic(brand=b"mif1"))
    assert not uploads.heif_is_sane(b"") and not uploads.heif_is_sane(b"\x00\x00\x00\x01ftyp")


def test_mutated_files_are_refused_cleanly_never_a_server_error(app):
    """Flip, cut and splice bytes of good files: every outcome is accepted or a 4xx DomainError."""
    from app.common.errors import DomainError

    rng = random.Random(15)
    originals = [("image/jpeg", noisy_jpeg((96, 64))), ("image/png", _png((64, 48))), ("application/pdf", pdf()),
                 ("image/heic", heic())]
    with app.app_context():
        for content_type, good in originals:
            for _ in range(60):
                data = bytearray(good)
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                if rng.random() < 0.3:
                    data = data[: rng.randrange(16, len(data))]
                try:
                    if content_type.startswith("image/") and content_type != "image/heic":
                        uploads._inspect_image(bytes(data), content_type)
                    else:
                        uploads._check_document(bytes(data), content_type)
                except DomainError as exc:
                    assert 400 <= exc.status < 500 and exc.code in ("corrupt_image", "corrupt_pdf", "unsafe_pdf",
                                                                   "image_too_large")


def test_a_truncated_jpeg_is_rejected_after_a_pdf_was_rendered(app, auth, world):
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import; rendering a PDF must not weaken the check."""
    from PIL import ImageFile

    from app.common.pdf import html_to_pdf

    assert html_to_pdf("<p>检查</p>").startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    ehs = auth.client("ehs-a")
    data = noisy_jpeg()
    response = ehs.post("/api/uploads", data={"file": (io.BytesIO(data[: len(data) // 2]), "half.jpg"),
                                              "client_id": "cut-after-pdf"}, content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
