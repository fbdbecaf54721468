"""负责人签字 at submit: frozen into the report, shown on it and in the PDF, refused when blank or not a PNG."""
import base64
import io
import uuid

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from tests.factories import compliant_answers, jpeg_bytes
from tests.reports.conftest import submit_run


def signature_png(blank=False, size=(600, 200)) -> str:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(40, 150), (120, 40), (200, 160), (300, 60), (420, 150), (540, 70)], fill=(20, 20, 20, 255),
                  width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _ready(client, run_id):
    detail = client.get(f"/api/selfchecks/{run_id}").get_json()
    photo = client.post("/api/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg"), "client_id": uuid.uuid4().hex},
                        content_type="multipart/form-data").get_json()["id"]
    assert client.put(f"/api/selfchecks/{run_id}/answers",
                      json={"answers": compliant_answers(detail, photo)}).status_code == 200


def _submit(client, run_id, body):
    return client.post(f"/api/selfchecks/{run_id}/submit", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def test_a_signed_report_shows_the_name_the_image_and_the_pdf_carries_it(auth, runs):
    client = auth.client("ehs-a")
    image = signature_png()
    result = submit_run(client, runs["a"], body={"signature": {"name": " 张三 ", "image": image}})
    report = client.get(f"/api/reports/{result['report_id']}").get_json()
    assert report["signature"]["name"] == "张三" and report["signature"]["signed_at"] == report["submitted_at"]
    png = client.get(report["signature"]["image_url"])
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert png.data == base64.b64decode(image.split(",", 1)[1])
    assert auth.client("ehs-b").get(report["signature"]["image_url"]).status_code == 404  # not theirs
    pdf = client.get(f"/api/reports/{result['report_id']}/pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "负责人签字" in text and "张三" in text
    assert any(page.images for page in reader.pages)  # the signature (and QR) as images
    token = report["verify_url"].rsplit("/verify/", 1)[1]
    verify = client.get(f"/api/verify/{token}")
    assert verify.status_code == 200 and verify.get_json()["signed"] is True
    assert "张三" not in verify.get_data(as_text=True)  # the public check says signed, not who or how


def test_an_unsigned_report_says_so(auth, runs):
    client = auth.client("ehs-a")
    result = submit_run(client, runs["a"])
    report = client.get(f"/api/reports/{result['report_id']}").get_json()
    assert report["signature"] is None
    assert client.get(f"/api/reports/{result['report_id']}/signature").status_code == 404
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/api/reports/{result['report_id']}/pdf").data)).pages)
    assert "未签名" in text


@pytest.mark.parametrize("signature,field", [
    ({"name": "", "image": None}, "signature.name"),
    ({"name": "张三", "image": "data:image/jpeg;base64,AAAA"}, "signature.image"),
    ({"name": "张三", "image": "data:image/png;base64," + base64.b64encode(b"not a png").decode()}, "signature.image"),
    ({"name": "张三", "image": "blank"}, "signature.image"),
    ({"name": "张" * 40, "image": "x"}, "signature.name"),
])
def test_a_bad_signature_is_refused_with_the_field_and_the_selfcheck_stays_open(auth, runs, signature, field):
    client = auth.client("ehs-a")
    _ready(client, runs["a"])
    if signature["image"] is None or signature["image"] == "blank":
        signature = {**signature, "image": signature_png(blank=True)}
    response = _submit(client, runs["a"], {"signature": signature})
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["details"]["fields"]
    assert field in fields or field.split(".")[0] in fields, fields
    assert client.get(f"/api/selfchecks/{runs['a']}").get_json()["status"] != "submitted"  # nothing lost
    # and the same answers submit once the signature is right
    ok = _submit(client, runs["a"], {"signature": {"name": "张三", "image": signature_png()}})
    assert ok.status_code == 200, ok.get_json()


def test_a_blank_signature_says_it_is_blank(auth, runs):
    client = auth.client("ehs-a")
    _ready(client, runs["a"])
    response = _submit(client, runs["a"], {"signature": {"name": "张三", "image": signature_png(blank=True)}})
    assert "空白" in response.get_json()["error"]["details"]["fields"]["signature.image"][0]
