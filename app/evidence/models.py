"""Evidence files (照片、文件): hashed at receipt, with server time, EXIF time and GPS, the phone's location
and a watermarked copy kept."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.timeutil import utcnow
from app.extensions import db


class Upload(db.Model):
    """An evidence file: hashed at receipt, with server time, EXIF time and GPS kept."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("uploaded_by_id", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(128), default="")
    thumb_key: Mapped[str | None] = mapped_column(String(64))
    # difference hash (dHash, 64 bits as 16 hex digits) of the picture: near-identical photos differ in few bits
    dhash: Mapped[str | None] = mapped_column(String(16))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    # where the phone was when the photo was taken (navigator.geolocation, where the user allowed it)
    client_lat: Mapped[float | None] = mapped_column(Float)
    client_lon: Mapped[float | None] = mapped_column(Float)
    client_accuracy_m: Mapped[float | None] = mapped_column(Float)
    # the copy with time and place drawn under the picture (app/evidence/watermark.py); images only
    watermark_key: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
