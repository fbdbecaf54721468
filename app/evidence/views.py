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
from app.evidence.uploads import receive_upload
from app.extensions import db

uploads_blp = Blueprint("uploads", __name__, url_prefix="/api/uploads", description="证据文件")


UPLOAD_BODY = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "client_id"],
    "properties": {"file": {"type": "string", "format": "binary"}, "client_id": {"type": "string", "maxLength": 64},
                   "captured_at": {"type": "string", "format": "date-time"}}}}}}


@uploads_blp.route("", methods=["POST"])
@login_required
@transactional()
@uploads_blp.doc(requestBody=UPLOAD_BODY)
@uploads_blp.response(201, UploadOut)
def create_upload():
    file = request.files.get("file")
    if file is None:
        raise field_error("file", "请选择要上传的文件")
    upload, created = receive_upload(current_user, request.form.get("client_id", ""), file.filename,
                                     file.read(current_app.config["MAX_UPLOAD_BYTES"] + 1),
                                     current_app.config["MAX_UPLOAD_BYTES"], request.form.get("captured_at"))
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


def _send(upload_id: int, thumb: bool):
    upload = _scoped_upload(upload_id)
    key = upload.thumb_key if thumb else upload.sha256
    if not key:
        raise NotFound("该文件没有缩略图")
    data = get_storage().get(key)
    mimetype = "image/jpeg" if thumb else upload.content_type
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
    return _send(upload_id, thumb=False)


@uploads_blp.route("/<int:upload_id>/thumb")
@login_required
@uploads_blp.response(200, description="缩略图（JPEG）")
def upload_thumb(upload_id):
    return _send(upload_id, thumb=True)
