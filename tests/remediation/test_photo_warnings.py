"""The reviewer is warned when a rectification's 'after' photo is its 'before' photo: the same file (SHA-256), the
same picture re-saved or resized (dHash within a few of 64 bits), or the after photo of an earlier submission."""
import io
import uuid

from PIL import Image, ImageDraw

from app.evidence.uploads import dhash, dhash_distance


def scene(kind: str, size=(640, 480), quality=90) -> bytes:
    """A drawn 'photo': a storage room with an open drum (before) or a labelled, closed drum (after)."""
    img = Image.new("RGB", size, (180, 170, 150))
    d = ImageDraw.Draw(img)
    w, h = size
    d.rectangle([0, int(h * 0.7), w, h], fill=(90, 90, 90))  # floor
    if kind == "before":
        d.ellipse([int(w * .3), int(h * .3), int(w * .6), int(h * .75)], fill=(40, 60, 140))
        d.rectangle([int(w * .62), int(h * .2), int(w * .9), int(h * .4)], fill=(230, 40, 30))
    else:
        d.rectangle([int(w * .05), int(h * .1), int(w * .35), int(h * .7)], fill=(20, 140, 60))
        d.polygon([(int(w * .5), int(h * .2)), (int(w * .95), int(h * .6)), (int(w * .5), int(h * .65))],
                  fill=(250, 220, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _hash(data: bytes) -> str:
    return dhash(Image.open(io.BytesIO(data)))


def test_dhash_keeps_a_resaved_picture_and_tells_another_apart():
    before = _hash(scene("before"))
    assert dhash_distance(before, _hash(scene("before", size=(320, 240), quality=55))) <= 6
    assert dhash_distance(before, _hash(scene("after"))) > 12
    assert dhash_distance(None, before) is None


def test_two_flat_pictures_are_not_called_the_same():
    """A plain red and a plain green picture both hash to all zeros: that says nothing, so no warning."""
    def flat(colour):
        out = io.BytesIO()
        Image.new("RGB", (400, 300), colour).save(out, "JPEG")
        return _hash(out.getvalue())

    assert flat((200, 30, 30)) == flat((30, 160, 60)) == "0000000000000000"
    assert dhash_distance(flat((200, 30, 30)), flat((30, 160, 60))) is None


def _upload(client, data):
    r = client.post("/api/uploads", data={"file": (io.BytesIO(data), "p.jpg"), "client_id": uuid.uuid4().hex},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _rectify(ehs, pid, before_ids, after_ids):
    r = ehs.post(f"/api/problems/{pid}/rectification",
                 json={"description": "已整改", "before_upload_ids": before_ids, "upload_ids": after_ids})
    assert r.status_code == 200, r.get_json()


def test_the_reviewer_sees_a_warning_for_a_reused_or_resaved_before_photo(auth, make_problem):
    ehs, reg = auth.client("ehs-a"), auth.client("reg-county-a")
    pid = make_problem("rectifying")
    before = _upload(ehs, scene("before"))
    _rectify(ehs, pid, [before], [_upload(ehs, scene("before", size=(320, 240), quality=55))])  # re-saved copy
    warnings = reg.get(f"/api/problems/{pid}").get_json()["rectifications"][-1]["photo_warnings"]
    assert warnings == ["整改后照片1与整改前照片1几乎相同（可能是同一张照片重新保存或压缩），请核对是否确已整改"]

    assert reg.post(f"/api/problems/{pid}/review", json={"decision": "return", "comment": "照片不符"}).status_code == 200
    _rectify(ehs, pid, [before], [before])  # the very same file
    warnings = reg.get(f"/api/problems/{pid}").get_json()["rectifications"][-1]["photo_warnings"]
    assert any("同一个文件" in w for w in warnings)

    assert reg.post(f"/api/problems/{pid}/review", json={"decision": "return", "comment": "请重拍"}).status_code == 200
    _rectify(ehs, pid, [before], [_upload(ehs, scene("after"))])  # a real after photo
    assert reg.get(f"/api/problems/{pid}").get_json()["rectifications"][-1]["photo_warnings"] == []
