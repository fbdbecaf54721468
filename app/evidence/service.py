"""Using evidence: the one check that a list of upload ids may be attached to an enterprise's record."""
from sqlalchemy import select

from app.accounts.models import User
from app.common.errors import ValidationFailed
from app.evidence.models import Upload
from app.extensions import db


def attach_uploads(upload_ids: list[int], enterprise_id: int, actor: User, field: str = "upload_ids") -> list[int]:
    """The ids, de-duplicated in order, if each is the enterprise's file or the actor's own unattached one.

    A regulator's own photo (no enterprise yet) becomes part of the enterprise's file.
    """
    upload_ids = list(dict.fromkeys(upload_ids or []))
    if not upload_ids:
        return []
    uploads = db.session.scalars(select(Upload).where(Upload.id.in_(upload_ids))).all()
    usable = {u.id for u in uploads
              if u.enterprise_id == enterprise_id or (u.enterprise_id is None and u.uploaded_by_id == actor.id)}
    unknown = [u for u in upload_ids if u not in usable]
    if unknown:
        raise ValidationFailed(f"照片不存在或无权使用：{unknown}", code="unknown_upload",
                               details={"fields": {field: ["照片不存在或无权使用"]}})
    for upload in uploads:
        if upload.enterprise_id is None:
            upload.enterprise_id = enterprise_id
    return upload_ids


def uploads_by_id(ids) -> dict[int, Upload]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(ids)))}
