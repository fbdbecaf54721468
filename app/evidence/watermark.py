"""The watermarked copy of an evidence photo: time and place drawn on a stored copy, the original left untouched.

The original (with its EXIF) is what the SHA-256 names and what `/file` serves; the copy is what a reviewer looks
at: a band under the picture with who took it, when (the photo's own EXIF time, else the phone's clock), when the
server received it, where (the phone's location at capture, else the photo's EXIF GPS) and the original's hash.
"""
import io
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import current_app
from PIL import Image, ImageDraw, ImageFont

from app.common.timeutil import TZ

WATERMARK_EDGE = 1600  # the copy's long edge: enough to read a gauge, bounded in memory
FONT_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc")


@cache
def _font_path(configured: str | None) -> str | None:
    for path in (configured, *FONT_CANDIDATES):
        if path and Path(path).is_file():
            return path
    try:  # wherever fontconfig has a CJK sans
        found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"], capture_output=True,
                               text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found if found and Path(found).is_file() else None


def _font(size: int):
    path = _font_path(current_app.config.get("WATERMARK_FONT"))
    if path:
        return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size), False  # no CJK font: the lines are written in ASCII


def _when(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def lines(*, who: str, captured_at: datetime | None, captured_source: str, received_at: datetime,
          place: tuple[float, float, float | None] | None, place_source: str, sha256: str,
          cjk: bool = True) -> list[str]:
    """The watermark's text, top to bottom (captured_source/place_source: exif | phone | '')."""
    sources = {"exif": "照片EXIF", "phone": "手机"}
    if place:
        lat, lon, accuracy = place
        where = f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"
        if accuracy is not None:
            where += f" ±{accuracy:.0f}m"
    if not cjk:
        return [f"By: {who}"[:60] if who.isascii() else "By: (name)",
                f"Taken: {_when(captured_at) or 'unknown'}", f"Received: {_when(received_at)} (server)",
                f"Place: {where if place else 'not given'}", f"SHA-256 {sha256[:16]}"]
    return [who[:30],
            f"拍摄 {_when(captured_at)}（{sources.get(captured_source, '')}时间）" if captured_at else "拍摄时间 未知",
            f"上传 {_when(received_at)}（服务器时间）",
            f"位置 {where}（{sources.get(place_source, '')}定位）" if place else "位置 未提供",
            f"原图 SHA-256 {sha256[:16]}…"]


def render(image: Image.Image, text: list[str] | None = None, **facts) -> bytes:
    """A JPEG of `image` (long edge ≤ WATERMARK_EDGE) with the facts in a band below it: the band is added
    under the picture, never drawn over what it shows."""
    photo = image.convert("RGB")
    photo.thumbnail((WATERMARK_EDGE, WATERMARK_EDGE), reducing_gap=2.0)
    width, height = photo.size
    size = max(12, min(40, round(max(width, 480) / 36)))
    font, cjk = _font(size)
    text = text or lines(cjk=cjk, **facts)
    pad, step = size // 2, round(size * 1.35)
    band = pad * 2 + step * len(text)
    text_width = max(round(font.getlength(line)) for line in text) + 2 * pad
    canvas = Image.new("RGB", (max(width, text_width), height + band), (24, 28, 26))
    canvas.paste(photo, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(text):
        draw.text((pad, height + pad + i * step), line, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return out.getvalue()
