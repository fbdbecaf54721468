"""Upload endpoints: receive a file (idempotent per client_id), read its metadata, the file and its thumbnail."""
import io

from flask import current_app, request, send_file
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.accounts.scoping import get_scoped
from app.common.errors import NotFound, field_error
from app.common.storage import get_storage
from app.common.tx import transactional
from app.evidence.models import Upload
from app.evidence.schemas import UploadOut
from app.evidence.uploads import parse_client_place, receive_upload
from app.extensions import db

uploads_blp = Blueprint("uploads", __name__, url_prefix="/api/uploads", description="证据文件")


UPLOAD_BODY = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "client_id"],
    "properties": {"file": {"type": "string", "format": "binary"}, "client_id": {"type": "string", "maxLength": 64},
                   "captured_at": {"type": "string", "format": "date-time"},
                   "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "拍摄时手机定位：纬度"},
                   "lon": {"type": "number", "minimum": -180, "maximum": 180, "description": "经度"},
                   "accuracy": {"type": "number", "minimum": 0, "maximum": 100000, "description": "定位精度（米）"}}}}}}


@uploads_blp.route("", methods=["POST"])
@login_required
@transactional()
@uploads_blp.doc(requestBody=UPLOAD_BODY)
@uploads_blp.response(201, UploadOut)
def create_upload():
    file = request.files.get("file")
    if file is None:
        raise field_error("file", "请选择要上传的文件")
    form = request.form
    try:  # a large body is spooled to a temporary file: close it, whatever the outcome
        place = parse_client_place(form.get("lat"), form.get("lon"), form.get("accuracy"))
        data = file.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
    finally:
        file.close()
    upload, created = receive_upload(current_user, form.get("client_id", ""), file.filename, data,
                                     current_app.config["MAX_UPLOAD_BYTES"], form.get("captured_at"), place)
    return upload, 201 if created else 200


@uploads_blp.route("/<int:upload_id>")
@login_required
@uploads_blp.response(200, UploadOut)
def get_upload(upload_id):
    return _scoped_upload(upload_id)


def _scoped_upload(upload_id: int) -> Upload:
    """The uploader may always read their file; others only within their scope."""
    upload = db.session.get(Upload, upload_id)
    if upload is not None and upload.uploaded_by_id == current_user.id:
        return upload
    return get_scoped(Upload, upload_id, current_user, message="未找到该文件")


def _send(upload_id: int, variant: str):
    upload = _scoped_upload(upload_id)
    key = {"thumb": upload.thumb_key, "watermarked": upload.watermark_key, "file": upload.sha256}[variant]
    if not key:
        raise NotFound("该文件没有缩略图" if variant == "thumb" else "该文件没有水印副本（仅照片有）")
    data = get_storage().get(key)
    mimetype = upload.content_type if variant == "file" else "image/jpeg"
    response = send_file(io.BytesIO(data), mimetype=mimetype, download_name=upload.filename or "file",
                         as_attachment=False, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-SHA256"] = upload.sha256
    return response


@uploads_blp.route("/<int:upload_id>/file")
@login_required
@uploads_blp.response(200, description="文件内容")
def upload_file(upload_id):
    return _send(upload_id, "file")


@uploads_blp.route("/<int:upload_id>/thumb")
@login_required
@uploads_blp.response(200, description="缩略图（JPEG）")
def upload_thumb(upload_id):
    return _send(upload_id, "thumb")


@uploads_blp.route("/<int:upload_id>/watermarked")
@login_required
@uploads_blp.response(200, description="水印副本（JPEG）：照片下方注明拍摄人、拍摄与上传时间、定位和原图 SHA-256")
def upload_watermarked(upload_id):
    return _send(upload_id, "watermarked")
