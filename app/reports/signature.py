"""The responsible person's signature at submit: a name and a hand-drawn PNG, frozen into the report's snapshot.

The PNG is checked like any upload (the bytes must be a PNG that decodes, within a small size) and must not be
blank; it is kept in the content-addressed store, and the snapshot (covered by the report's digest) holds the
name, the image's SHA-256 and the signing time.
"""
import base64
import binascii
import io
import re
import warnings

from PIL import Image

from app.common.errors import DomainError, field_error
from app.common.storage import get_storage

MAX_BYTES = 300_000          # a phone canvas of a signature is 10–60 KB
MAX_EDGE = 2400
DATA_URL = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/=\s]+)$")


def _image_bytes(image: str) -> bytes:
    match = DATA_URL.match(image or "")
    if not match:
        raise field_error("signature.image", "签名应为 PNG 图片（data:image/png;base64,…）")
    if len(match.group(1)) > MAX_BYTES * 4 // 3 + 4:
        raise field_error("signature.image", "签名图片过大")
    try:
        return base64.b64decode(match.group(1), validate=False)
    except (binascii.Error, ValueError):
        raise field_error("signature.image", "签名图片编码有误") from None


def _ink(data: bytes) -> float:
    """The share of the picture that is ink (dark, opaque); raises a field error when it is not a usable PNG."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) > MAX_BYTES:
        raise field_error("signature.image", "签名应为不超过 300 KB 的 PNG 图片")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            if max(image.size) > MAX_EDGE or min(image.size) < 20:
                raise field_error("signature.image", f"签名图片尺寸应在 20 至 {MAX_EDGE} 像素之间")
            image.load()
            grey = image.convert("LA").resize((120, 60))
    except DomainError:
        raise
    except Exception:
        raise field_error("signature.image", "签名图片已损坏或无法识别") from None
    pixels = list(grey.tobytes())  # (L, A) pairs
    ink = sum(1 for i in range(0, len(pixels), 2) if pixels[i + 1] > 128 and pixels[i] < 128)
    return ink / (len(pixels) // 2)


def accept(data: dict | None, signed_at: str | None) -> dict | None:
    """Validate and store a signature {name, image}; returns its snapshot entry, or None when none was given."""
    if not data:
        return None
    name = (data.get("name") or "").strip()
    if not name:
        raise field_error("signature.name", "请填写签字人姓名")
    if len(name) > 32:
        raise field_error("signature.name", "签字人姓名不超过 32 个字")
    png = _image_bytes(data.get("image") or "")
    if _ink(png) < 0.002:
        raise field_error("signature.image", "签名为空白，请在签名区手写签名")
    return {"name": name, "sha256": get_storage().put(png), "signed_at": signed_at}
