"""How an evidence file is shown: metadata and the URLs of the file and its thumbnail (never its bytes)."""
from marshmallow import fields

from app.common.schemas import OutSchema
from app.common.timeutil import isoformat


class UploadOut(OutSchema):
    id = fields.Integer()
    client_id = fields.String()
    sha256 = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    filename = fields.String()
    captured_at = fields.Function(lambda u: isoformat(u.captured_at))
    received_at = fields.Function(lambda u: isoformat(u.received_at))
    gps = fields.Function(lambda u: {"lat": u.gps_lat, "lon": u.gps_lon} if u.gps_lat is not None else None)
    url = fields.Function(lambda u: f"/api/uploads/{u.id}/file")
    thumbnail_url = fields.Function(lambda u: f"/api/uploads/{u.id}/thumb" if u.thumb_key else None)
    phone_gps = fields.Function(lambda u: {"lat": u.client_lat, "lon": u.client_lon, "accuracy_m": u.client_accuracy_m}
                                if u.client_lat is not None else None,
                                metadata={"description": "拍摄时手机定位（用户允许时）；gps 是照片 EXIF 中的位置"})
    watermarked_url = fields.Function(lambda u: f"/api/uploads/{u.id}/watermarked" if u.watermark_key else None)
