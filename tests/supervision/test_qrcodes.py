"""企业环保码: the public card leaks nothing private; regulators are redirected; QR PNG and poster PDF."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from app.accounts.models import Enterprise
from app.extensions import db
from tests.supervision.conftest import TODAY

SECRET_PROBLEM = "厂区东侧私设暗管偷排"
PHONE = "13912345678"
ADDRESS = "哈尔滨市道里区工业路88号"


@pytest.fixture
def card(app, build):
    a = build.world.enterprises["a"]
    with build.session():
        enterprise = db.session.get(Enterprise, a)
        enterprise.contact_phone, enterprise.contact_name, enterprise.address = PHONE, "张经理", ADDRESS
        build.selfcheck("a", TODAY - timedelta(days=40), "submitted", score=88, late=False)
        build.problem("a", "重大", title=SECRET_PROBLEM, description=f"联系 {PHONE}")
        code = enterprise.public_code
    return {"code": code, "id": a}


def test_public_json_card(client, card, app):
    response = client.get(f"/api/public/enterprises/{card['code']}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"name", "uscc", "latest_selfcheck", "positive_list", "as_of"}
    assert body["name"] == "道里电镀厂" and body["latest_selfcheck"]["on_time"] is True
    assert body["latest_selfcheck"]["status"] == "on_time" and body["positive_list"] == {"member": False,
                                                                                         "until": None}
    text = response.get_data(as_text=True)
    for private in (SECRET_PROBLEM, PHONE, ADDRESS, "张经理", "/api/uploads", "thumb", "score"):
        assert private not in text


def test_public_page_leaks_nothing(client, card):
    response = client.get(f"/e/{card['code']}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "道里电镀厂" in html and "按时完成" in html and "未纳入" in html
    for private in (SECRET_PROBLEM, PHONE, ADDRESS, "张经理", "/api/uploads", "<img"):
        assert private not in html
    assert not re.search(r"1[3-9]\d{9}", html)


def test_overdue_selfcheck_shows_on_the_card(client, card, build):
    with build.session():
        build.selfcheck("a", TODAY - timedelta(days=2))
    body = client.get(f"/api/public/enterprises/{card['code']}").get_json()
    assert body["latest_selfcheck"]["status"] == "overdue" and body["latest_selfcheck"]["on_time"] is False


@pytest.mark.parametrize("code", ["nope", "x" * 40, "%27%20OR%201=1"])
def test_unknown_code(client, card, code):
    assert client.get(f"/e/{code}").status_code == 404
    response = client.get(f"/api/public/enterprises/{code}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_code"


@pytest.mark.parametrize("user,redirected", [("reg-county-a", True), ("reg-city", True), ("sysadmin", True),
                                             ("reg-other", False), ("ehs-a", False), (None, False)])
def test_regulator_in_scope_is_redirected(auth, card, user, redirected):
    response = auth.client(user).get(f"/e/{card['code']}")
    if redirected:
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/gov/enterprises/{card['id']}")
    else:
        assert response.status_code == 200 and "道里电镀厂" in response.get_data(as_text=True)


def test_qr_png(auth, card, app):
    response = auth.client("ehs-a").get(f"/api/enterprises/{card['id']}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size[0] > 100


def test_qr_points_at_the_public_page(app, card):
    from app.supervision import qrcodes

    with app.test_request_context():
        enterprise = db.session.get(Enterprise, card["id"])
        assert qrcodes.public_url(enterprise).endswith(f"/e/{card['code']}")
        app.config["PUBLIC_BASE_URL"] = "https://eco.example.gov.cn/"
        try:
            assert qrcodes.public_url(enterprise) == f"https://eco.example.gov.cn/e/{card['code']}"
        finally:
            app.config["PUBLIC_BASE_URL"] = ""


def test_poster_pdf(auth, card):
    response = auth.client("reg-county-a").get(f"/api/enterprises/{card['id']}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842  # A4 in points
