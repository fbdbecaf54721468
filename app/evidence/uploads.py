"""Evidence uploads: sniff the type from the bytes, verify the whole file, hash, extract EXIF, thumbnail.

Images are decoded in bounded memory: the size is read from the header and checked against a pixel limit
and a decoded-bytes budget before any pixel is decoded, JPEGs are decoded at reduced scale (DCT scaling via
`Image.draft`), and at most IMAGE_JOBS_CONCURRENCY decodes run at once per process.
"""
import ctypes
import hashlib
import io
import re
import threading
import unicodedata
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app
from PIL import ExifTags, Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.errors import (
    DomainError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    field_error,
)
from app.common.storage import get_storage
from app.common.timeutil import TZ
from app.evidence import watermark
from app.evidence.models import Upload
from app.evidence.watermark import WATERMARK_EDGE
from app.extensions import db

MAX_PIXELS = 50_000_000  # a 50-megapixel photo is plenty; more is an image bomb
THUMB_EDGE = 480
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # a PNG ends with its IEND chunk, and nothing after it
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Keys that make a PDF act rather than show: scripts, launch actions, attachments, forms with scripts.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia", "/XFA",
                   "/ImportData", "/SubmitForm"}
PDF_MAX_OBJECTS = 50_000


def sniff(data: bytes) -> str | None:
    """Return the content type the bytes really are (never trust the name or the header)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim"):
        return "image/heic"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"^\.+", "", name).strip()
    return name[:100] or "file"


def _exif(image: Image.Image) -> tuple[datetime | None, float | None, float | None]:
    try:
        exif = image.getexif()
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
        captured = None
        if isinstance(raw, str):
            try:
                captured = datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S").replace(tzinfo=TZ)
            except ValueError:
                captured = None
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _gps_coord(gps.get(2), gps.get(1))
        lon = _gps_coord(gps.get(4), gps.get(3))
        return captured, lat, lon
    except Exception:  # EXIF written by phones is often malformed; evidence still counts without it
        return None, None, None


def _gps_coord(parts, ref) -> float | None:
    try:
        degrees, minutes, seconds = (float(p) for p in parts)
        value = degrees + minutes / 60 + seconds / 3600
        if ref in ("S", "W"):
            value = -value
        return round(value, 7) if -180 <= value <= 180 else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _too_large(width: int, height: int) -> ValidationFailed:
    return ValidationFailed(f"图片尺寸过大（{width}×{height}），请压缩后再上传", code="image_too_large",
                            details={"fields": {"file": ["图片尺寸过大"]}})


def _corrupt() -> ValidationFailed:
    return ValidationFailed("图片已损坏或无法识别", code="corrupt_image",
                            details={"fields": {"file": ["图片已损坏或无法识别"]}})


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()
try:
    # glibc keeps freed heap pages, and after the first large free it raises its mmap threshold up to 32 MiB,
    # so 10 MB upload bodies and decoded images end up in per-thread arenas that never shrink. Pin the
    # threshold at 1 MiB (big buffers are mmapped and go back to the OS when freed) and trim after each decode,
    # so a worker's RSS returns to its baseline (docs/benchmarks.md).
    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD
    _malloc_trim = _libc.malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


@contextmanager
def image_slot():
    """At most IMAGE_JOBS_CONCURRENCY image decodes at once in this process; a long wait is a 503."""
    limit = int(current_app.config.get("IMAGE_JOBS_CONCURRENCY", 2))
    with _slots_lock:
        slot = _slots.setdefault(limit, threading.BoundedSemaphore(limit))
    if not slot.acquire(timeout=float(current_app.config.get("IMAGE_JOB_WAIT_SECONDS", 30))):
        raise DomainError("服务器正忙于处理其他图片，请稍后重试", code="busy", status=503)
    try:
        yield
    finally:
        slot.release()
        if _malloc_trim is not None:
            _malloc_trim(0)


def _bytes_per_pixel(mode: str) -> int:
    # Pillow keeps 1-, 8-bit and palette images in one byte a pixel, 16-bit in two, everything else in four.
    return {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}.get(mode, 4)


def dhash(image: Image.Image) -> str:
    """Difference hash: 9×8 grey pixels, one bit per horizontal neighbour pair (brighter left = 1).

    A re-saved, resized or slightly re-compressed copy of a photo keeps nearly all bits; a different scene does
    not. (Written out rather than taking `imagehash`, which would bring numpy, scipy and PyWavelets for this.)
    """
    grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(grey.tobytes())  # mode L: one byte per pixel, row by row
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


FLAT_BITS = 4  # a hash with ≤ 4 bits set (or ≤ 4 unset) has no edges to compare: a flat or smooth picture


def dhash_distance(a: str | None, b: str | None) -> int | None:
    """How many of the 64 bits differ (0: the same picture to the eye); None when either hash is missing or
    says nothing — a flat, dark or evenly lit picture hashes to (nearly) all zeros whatever it shows, so two
    such pictures are not "the same"."""
    if not a or not b:
        return None
    if any(min(bits := bin(int(h, 16)).count("1"), 64 - bits) <= FLAT_BITS for h in (a, b)):
        return None
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def _inspect_image(data: bytes, content_type: str = "image/jpeg", copy=None):
    """Validate an image (the whole file must decode): (thumbnail bytes, captured_at, lat, lon, dhash, copy bytes).

    `copy(image, captured_at, lat, lon)`, if given, makes the watermarked copy from the decoded picture (decoded
    once, at no more than the copy's size)."""
    budget = int(current_app.config.get("IMAGE_DECODE_BUDGET_BYTES", 32 * 1024 * 1024))
    formats = [PIL_FORMATS[content_type]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=formats)  # reads the header only
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(width, height)
            image.verify()  # structure and checksums (PNG chunk CRCs), without decoding pixels
            if content_type == "image/png" and not data.endswith(PNG_END):
                raise _corrupt()  # cut short, or something appended after IEND (a polyglot)
            with image_slot():
                image = Image.open(io.BytesIO(data), formats=formats)
                if image.format == "JPEG":
                    edge = WATERMARK_EDGE if copy else THUMB_EDGE
                    image.draft("RGB", (edge, edge))  # decode at 1/2, 1/4 or 1/8 scale
                if image.size[0] * image.size[1] * _bytes_per_pixel(image.mode) > budget:
                    raise _too_large(width, height)
                captured, lat, lon = _exif(image)  # (a PNG's eXIf may follow the pixels: this can decode)
                image.load()  # every byte must decode: a truncated or damaged file fails here
                copied = copy(image, captured, lat, lon) if copy else None
                image.thumbnail((THUMB_EDGE, THUMB_EDGE), reducing_gap=2.0)
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
                digest = dhash(image)
                image.close()
                return out.getvalue(), captured, lat, lon, digest, copied
    except DomainError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own header check (far beyond MAX_PIXELS): the same answer as ours.
        raise ValidationFailed("图片尺寸过大，请压缩后再上传", code="image_too_large",
                               details={"fields": {"file": ["图片尺寸过大"]}}) from exc
    except Exception as exc:  # whatever a hostile file makes a decoder raise, it is a bad file
        raise _corrupt() from exc


def _iso_boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]] | None:
    """The ISO-BMFF boxes in data[start:end] as (type, payload start, end), or None if they do not tile it."""
    boxes, pos = [], start
    while pos < end:
        if end - pos < 8 or len(boxes) >= 4096:
            return None
        size, kind, header = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8], 8
        if size == 1:
            if end - pos < 16:
                return None
            size, header = int.from_bytes(data[pos + 8:pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end or not re.fullmatch(rb"[\x20-\x7e]{4}", kind):
            return None
        boxes.append((kind, pos + header, pos + size))
        pos += size
    return boxes


def heif_is_sane(data: bytes) -> bool:
    """HEIC is accepted only when it really is ISO-BMFF: an `ftyp` with a HEIF brand first, top-level boxes
    that tile the file exactly, a `meta` box whose children tile it with a `pict` handler, a primary item,
    item info and locations, and an `mdat`. The pixels are not decoded (no HEVC decoder on the server)."""
    boxes = _iso_boxes(data, 0, len(data))
    if not boxes or boxes[0][0] != b"ftyp":
        return False
    _, fstart, fend = boxes[0]
    if fend - fstart < 8 or (fend - fstart) % 4:
        return False
    brands = {data[fstart:fstart + 4]} | {data[i:i + 4] for i in range(fstart + 8, fend, 4)}
    kinds = {kind: (s, e) for kind, s, e in boxes}
    if not brands & HEIF_BRANDS or b"meta" not in kinds or b"mdat" not in kinds:
        return False
    mstart, mend = kinds[b"meta"]
    children = _iso_boxes(data, mstart + 4, mend)  # meta is a FullBox: 4 bytes of version and flags first
    if not children:
        return False
    inner = {kind: (s, e) for kind, s, e in children}
    if not {b"hdlr", b"pitm", b"iinf", b"iloc"} <= set(inner):
        return False
    hstart, hend = inner[b"hdlr"]
    return hend - hstart >= 12 and data[hstart + 8:hstart + 12] == b"pict"


def _pdf_problem(data: bytes) -> str | None:
    """Parse the PDF with pypdf; return why it is refused (unreadable, or active content), or None."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    def active(obj, depth=0) -> bool:
        if depth > 32:
            return True  # nesting this deep is not a document
        if isinstance(obj, DictionaryObject):
            if PDF_ACTIVE_KEYS & set(obj.keys()) or obj.get("/S") in ("/JavaScript", "/Launch") \
                    or obj.get("/Subtype") == "/FileAttachment" or obj.get("/Type") == "/EmbeddedFile":
                return True
            return any(active(v, depth + 1) for v in obj.values() if not isinstance(v, IndirectObject))
        if isinstance(obj, ArrayObject):
            return any(active(v, depth + 1) for v in obj if not isinstance(v, IndirectObject))
        return False

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return "encrypted"
            if len(reader.pages) < 1:
                return "unreadable"
            numbers = [(n, g) for g, ids in reader.xref.items() for n in ids] + \
                      [(n, 0) for n in getattr(reader, "xref_objStm", {})]
            if len(numbers) > PDF_MAX_OBJECTS:
                return "unreadable"
            objects = [reader.trailer, reader.trailer["/Root"].get_object()]
            objects += [reader.get_object(IndirectObject(n, g, reader)) for n, g in numbers]
            if any(active(obj) for obj in objects if obj is not None):
                return "active"
            for page in reader.pages:  # every page must resolve
                page.mediabox  # noqa: B018
    except Exception:  # pypdf on a hostile file can raise nearly anything: it is unreadable
        return "unreadable"
    return None


def _check_document(data: bytes, content_type: str) -> None:
    if content_type == "image/heic" and not heif_is_sane(data):
        raise ValidationFailed("HEIC 图片结构有误或无法识别", code="corrupt_image",
                               details={"fields": {"file": ["图片已损坏或无法识别"]}})
    if content_type == "application/pdf":
        problem = _pdf_problem(data)
        if problem == "active":
            raise ValidationFailed("PDF 含有脚本、附件或自动动作，不能作为证据上传", code="unsafe_pdf",
                                   details={"fields": {"file": ["PDF 含有脚本或附件"]}})
        if problem == "encrypted":
            raise ValidationFailed("PDF 已加密，请上传未加密的文件", code="corrupt_pdf",
                                   details={"fields": {"file": ["PDF 已加密"]}})
        if problem:
            raise ValidationFailed("PDF 已损坏或无法解析", code="corrupt_pdf",
                                   details={"fields": {"file": ["PDF 已损坏或无法解析"]}})


def parse_client_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise field_error("captured_at", "时间格式有误") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def parse_client_place(lat: str | None, lon: str | None, accuracy: str | None) -> tuple[float, float, float | None] | None:
    """The phone's location at capture (form fields lat, lon, accuracy in metres), or None when not given."""
    if not lat and not lon:
        return None
    values = {}
    for name, raw, low, high in (("lat", lat, -90, 90), ("lon", lon, -180, 180), ("accuracy", accuracy, 0, 100_000)):
        if name == "accuracy" and not raw:
            values[name] = None
            continue
        try:
            value = float(raw or "")
        except ValueError:
            raise field_error(name, "应为数字" if raw else "纬度和经度须同时提供") from None
        if not low <= value <= high:  # (also refuses NaN)
            raise field_error(name, f"应在 {low} 至 {high} 之间")
        values[name] = value
    return values["lat"], values["lon"], values["accuracy"]


def _who(user) -> str:
    enterprise = getattr(user, "enterprise", None)
    return f"{enterprise.name} · {user.display_name}" if enterprise is not None else user.display_name


def receive_upload(user, client_id: str, filename: str | None, data: bytes, max_bytes: int,
                   client_captured_at: str | None = None,
                   client_place: tuple[float, float, float | None] | None = None) -> tuple[Upload, bool]:
    """Store one file; a repeated client_id returns the first upload (created=False)."""
    if not client_id or len(client_id) > 64 or not re.fullmatch(r"[A-Za-z0-9_\-]+", client_id):
        raise field_error("client_id", "应为客户端生成的 UUID")
    existing = db.session.scalar(select(Upload).where(
        Upload.uploaded_by_id == user.id, Upload.client_id == client_id))
    if existing is not None:
        return existing, False
    if not data:
        raise field_error("file", "文件为空")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"文件超过 {max_bytes // (1024 * 1024)} MB 上限", details={"fields": {"file": ["文件过大"]}})
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedMediaType("仅支持 JPEG、PNG、WebP、HEIC 图片和 PDF 文件",
                                   details={"fields": {"file": ["文件类型不支持"]}})
    client_time = parse_client_time(client_captured_at)
    received_at = datetime.now(UTC)
    sha256 = hashlib.sha256(data).hexdigest()  # (the store's key: it is content-addressed)

    def copy(image, captured, lat, lon):
        place, place_source = (client_place, "phone") if client_place else \
            (((lat, lon, None), "exif") if lat is not None and lon is not None else (None, ""))
        return watermark.render(image, who=_who(user), captured_at=captured or client_time,
                                captured_source="exif" if captured else "phone", received_at=received_at,
                                place=place, place_source=place_source, sha256=sha256)

    thumb = captured = lat = lon = digest = copied = None
    if content_type in PIL_FORMATS:
        thumb, captured, lat, lon, digest, copied = _inspect_image(data, content_type, copy)
    else:
        _check_document(data, content_type)
    storage = get_storage()
    storage.put(data)  # only once the file has passed every check
    upload = Upload(client_id=client_id, enterprise_id=user.enterprise_id, uploaded_by_id=user.id,
                    sha256=sha256, content_type=content_type, size=len(data), filename=safe_filename(filename),
                    thumb_key=storage.put(thumb) if thumb else None, captured_at=captured or client_time,
                    client_captured_at=client_time, gps_lat=lat, gps_lon=lon, dhash=digest,
                    client_lat=client_place[0] if client_place else None,
                    client_lon=client_place[1] if client_place else None,
                    client_accuracy_m=client_place[2] if client_place else None,
                    watermark_key=storage.put(copied) if copied else None, received_at=received_at)
    try:
        with db.session.begin_nested():  # a concurrent retry with the same client_id may have won the insert
            db.session.add(upload)
    except IntegrityError:
        existing = db.session.scalar(select(Upload).where(
            Upload.uploaded_by_id == user.id, Upload.client_id == client_id))
        if existing is None:
            raise
        return existing, False
    return upload, True
