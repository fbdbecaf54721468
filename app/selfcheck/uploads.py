"""Evidence uploads: sniff the type from the bytes, hash, extract EXIF time and GPS, thumbnail."""
import io
import re
import unicodedata
import warnings
from datetime import UTC, datetime

from PIL import ExifTags, Image, UnidentifiedImageError
from sqlalchemy import select

from app.common.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed, field_error
from app.common.storage import get_storage
from app.common.timeutil import TZ
from app.extensions import db
from app.selfcheck.models import Upload

MAX_PIXELS = 50_000_000  # a 50-megapixel photo is plenty; more is an image bomb
THUMB_EDGE = 480


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


def _inspect_image(data: bytes):
    """Validate an image and return (thumbnail bytes, captured_at, lat, lon)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationFailed(f"图片尺寸过大（{width}×{height}），请压缩后再上传", code="image_too_large",
                                       details={"fields": {"file": ["图片尺寸过大"]}})
            image.verify()
            image = Image.open(io.BytesIO(data))
            captured, lat, lon = _exif(image)
            image.thumbnail((THUMB_EDGE, THUMB_EDGE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue(), captured, lat, lon
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationFailed("图片已损坏或无法识别", code="corrupt_image",
                               details={"fields": {"file": ["图片已损坏或无法识别"]}}) from exc


def parse_client_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise field_error("captured_at", "时间格式有误") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def receive_upload(user, client_id: str, filename: str | None, data: bytes, max_bytes: int,
                   client_captured_at: str | None = None) -> tuple[Upload, bool]:
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
    thumb = captured = lat = lon = None
    if content_type in ("image/jpeg", "image/png", "image/webp"):
        thumb, captured, lat, lon = _inspect_image(data)
    client_time = parse_client_time(client_captured_at)
    storage = get_storage()
    sha256 = storage.put(data)
    upload = Upload(client_id=client_id, enterprise_id=user.enterprise_id, uploaded_by_id=user.id,
                    sha256=sha256, content_type=content_type, size=len(data), filename=safe_filename(filename),
                    thumb_key=storage.put(thumb) if thumb else None, captured_at=captured or client_time,
                    client_captured_at=client_time, gps_lat=lat, gps_lon=lon, received_at=datetime.now(UTC))
    db.session.add(upload)
    db.session.flush()
    return upload, True
