"""Browser test at 390 px for issue #13's photo annotation: a photo of a self-check item is annotated
(画笔 and 圈选), and the annotated copy is saved and uploaded beside the untouched original.

Works as a fresh enterprise user (created through the admin API) on its own enterprise.
"""
import io
import os
import sqlite3
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import FRESH_PASSWORD, fresh_enterprise_user, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/shots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def make_scene(path):
    """A 2400×1800 JPEG with something to point at (a grey wall, a pipe, a drum), EXIF capture time."""
    img = Image.new("RGB", (2400, 1800), (150, 160, 155))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 1300, 2400, 1800], fill=(90, 85, 80))           # floor
    d.rectangle([200, 500, 2200, 620], fill=(60, 90, 140))          # pipe
    d.ellipse([1500, 900, 2000, 1550], fill=(30, 110, 60))          # drum
    d.rectangle([700, 620, 760, 1300], fill=(60, 90, 140))          # drain pipe
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:01:02 03:04:05"
    img.save(path, "JPEG", quality=85, exif=exif)
    return path


def red_pixels(data: bytes) -> int:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.thumbnail((480, 480))
    px = img.tobytes()
    return sum(1 for i in range(0, len(px), 3) if px[i] > 200 and px[i + 1] < 90 and px[i + 2] < 90)


def photo_item(page):
    """The user's open monthly self-check and a yes/no item that needs a photo when failing."""
    items = page.request.get("/api/selfchecks").json()["items"]
    open_ones = sorted((s for s in items if s["status"] != "submitted"), key=lambda s: s["progress"]["total"])
    assert open_ones
    detail = page.request.get(f"/api/selfchecks/{open_ones[0]['id']}").json()
    chosen = [it for s in detail["sections"] for it in s["items"]
              if it["answer_type"] == "yes_no_na" and it["evidence_rule"] in ("photo_if_noncompliant", "photo_always")]
    assert chosen, "the checklist should have a yes/no item that needs a photo"
    return detail["id"], chosen[0]


def drag(page, points):
    page.mouse.move(*points[0])
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*p, steps=6)
    page.mouse.up()


def touch_drag(page, points):
    """A finger drag (real touch events through the DevTools protocol, as on a phone)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
    for a, b in zip(points[:-1], points[1:], strict=True):
        for k in range(1, 7):
            x, y = a[0] + (b[0] - a[0]) * k / 6, a[1] + (b[1] - a[1]) * k / 6
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_annotate_a_photo_keeps_the_original_and_uploads_the_copy(page, tmp_path, live_server, e2e_db_path):
    username = fresh_enterprise_user(live_server)
    login(page, username, FRESH_PASSWORD)
    sid, item = photo_item(page)
    page.goto(f"/ent/selfchecks/{sid}/items/{item['id']}")
    expect(page.locator(f'.question[data-item-code="{item["code"]}"]')).to_be_visible()
    page.locator("[data-result=non_compliant]").click()
    expect(page.locator("[data-result=non_compliant]")).to_have_attribute("aria-pressed", "true")

    thumbs = page.locator(".thumb[data-photo-status]")
    page.locator("[data-testid=photo-input]").set_input_files(str(make_scene(tmp_path / "scene.jpg")))
    expect(thumbs).to_have_count(1)
    expect(page.locator("[data-testid=annotate-0]")).to_be_visible()
    expect(page.locator("[data-testid=annotate-0]")).to_have_text("标注")

    page.locator("[data-testid=annotate-0]").click()
    annotator = page.locator("[data-testid=annotator]")
    expect(annotator).to_be_visible()
    canvas = page.locator("[data-testid=annotator-canvas]")
    expect(canvas).to_be_visible()
    expect(page.locator("[data-testid=annotator-done]")).to_be_disabled()  # nothing drawn yet
    page.wait_for_timeout(400)  # the popup slides up
    box = canvas.bounding_box()
    assert box and box["width"] <= 390 and box["width"] >= 340, box  # fitted to the phone's width
    assert abs(box["height"] / box["width"] - 0.75) < 0.02, box      # aspect ratio kept
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]

    # a tap draws nothing
    page.mouse.click(x0 + w * 0.5, y0 + h * 0.5)
    expect(canvas).to_have_attribute("data-strokes", "0")

    # 画笔: a freehand line under the pipe
    expect(page.locator("[data-testid=annotator-pen]")).to_have_attribute("aria-pressed", "true")
    drag(page, [(x0 + w * 0.1, y0 + h * 0.38), (x0 + w * 0.3, y0 + h * 0.42), (x0 + w * 0.5, y0 + h * 0.37),
                (x0 + w * 0.7, y0 + h * 0.42)])
    expect(canvas).to_have_attribute("data-strokes", "1")
    # 圈选: dragged from bottom-right to top-left round the drum
    page.locator("[data-testid=annotator-circle]").click()
    drag(page, [(x0 + w * 0.86, y0 + h * 0.9), (x0 + w * 0.7, y0 + h * 0.7), (x0 + w * 0.58, y0 + h * 0.46)])
    expect(canvas).to_have_attribute("data-strokes", "2")
    # 撤销 removes the last one only; draw it again
    page.locator("[data-testid=annotator-undo]").click()
    expect(canvas).to_have_attribute("data-strokes", "1")
    drag(page, [(x0 + w * 0.58, y0 + h * 0.46), (x0 + w * 0.7, y0 + h * 0.7), (x0 + w * 0.86, y0 + h * 0.9)])
    expect(canvas).to_have_attribute("data-strokes", "2")
    # 箭头, with a finger: the canvas takes the touch (touch-action: none), the page does not scroll
    page.locator("[data-testid=annotator-arrow]").click()
    touch_drag(page, [(x0 + w * 0.2, y0 + h * 0.85), (x0 + w * 0.3, y0 + h * 0.6), (x0 + w * 0.42, y0 + h * 0.46)])
    expect(canvas).to_have_attribute("data-strokes", "3")
    # the strokes are on the canvas in red
    drawn = page.evaluate("""() => {
        const c = document.querySelector('[data-testid=annotator-canvas]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 90 && d[i + 2] < 90) n++;
        return n;
    }""")
    assert drawn > 500, drawn
    shot(page, "annotator")

    page.locator("[data-testid=annotator-done]").click()
    expect(page.get_by_text("已保存标注图（原图保留）")).to_be_visible()
    expect(annotator).to_be_hidden()
    expect(thumbs).to_have_count(2)
    for i in range(2):
        expect(thumbs.nth(i)).to_have_attribute("data-photo-status", "uploaded", timeout=30_000)
    page.wait_for_timeout(1200)  # the toast fades
    shot(page, "item-after-annotation")

    # 取消 after drawing asks first, and saves nothing
    page.locator("[data-testid=annotate-0]").click()
    expect(canvas).to_be_visible()
    page.wait_for_timeout(400)
    box = canvas.bounding_box()
    drag(page, [(box["x"] + 40, box["y"] + 40), (box["x"] + 140, box["y"] + 90)])
    expect(canvas).to_have_attribute("data-strokes", "1")
    page.locator("[data-testid=annotator-cancel]").click()
    page.locator(".van-dialog__confirm").click()  # 放弃
    expect(annotator).to_be_hidden()
    expect(thumbs).to_have_count(2)

    # both photos are on the server, on the item's answer, and only the copy carries the red marks
    def answer_uploads():
        answers = page.request.get(f"/api/selfchecks/{sid}").json()["answers"]
        return next((a["upload_ids"] for a in answers if a["item_id"] == item["id"]), [])

    for _ in range(40):
        if len(answer_uploads()) == 2:
            break
        page.wait_for_timeout(500)
    ids = answer_uploads()
    assert len(ids) == 2, ids
    with sqlite3.connect(e2e_db_path) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM uploads JOIN users ON users.id = uploads.uploaded_by_id "
                              "WHERE users.username = ?", (username,)).fetchone()[0]
    assert stored == 2
    files = []
    for u in ids:
        r = page.request.get(f"/api/uploads/{u}/file")
        assert r.ok, r.status
        files.append(r.body())
    sizes = [Image.open(io.BytesIO(f)).size for f in files]
    assert sizes == [(1920, 1440), (1920, 1440)], sizes
    reds = [red_pixels(f) for f in files]
    assert min(reds) == 0, "the original photo stays unmarked"
    assert max(reds) > 300, "the annotated copy carries the strokes"
    (SHOTS / "annotated-upload.jpg").write_bytes(files[reds.index(max(reds))])
