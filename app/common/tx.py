"""The request's one commit, and Idempotency-Key replay for create/submit endpoints."""
import json
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, make_response, request
from flask_login import current_user
from sqlalchemy import Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from app.common import events
from app.common.dbtypes import UTCDateTime
from app.common.errors import Conflict, DomainError, field_error
from app.common.timeutil import as_utc, utcnow
from app.extensions import db


class IdempotencyRecord(db.Model):
    """The first response to (user, Idempotency-Key); a retry gets it back verbatim."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def compare_and_set_status(obj, new: str, message: str, details: dict | None = None,
                           code: str = "invalid_transition") -> str:
    """Move `obj.status` from the value this request read to `new`, or raise 409 if another request moved it.

    `UPDATE … SET status = :new WHERE id = :id AND status = :old` and a row count of one: the same guard on
    SQLite (where SELECT … FOR UPDATE does nothing) and PostgreSQL. Returns the previous status.
    """
    model, previous = type(obj), obj.status
    claimed = db.session.execute(
        update(model).where(model.id == obj.id, model.status == previous).values(status=new)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Conflict(message, code=code, details={"status": previous, **(details or {})})
    set_committed_value(obj, "status", new)
    events.status_set.send(obj, previous=previous)
    return previous


def _lookup(key: str):
    record = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == current_user.id, IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.path != request.path or record.method != request.method:
        raise Conflict("该 Idempotency-Key 已用于其他请求", code="idempotency_key_reused")
    response = Response(record.body, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replay"] = "true"
    return response


def transactional(idempotent: bool = False):
    """Commit once when the view succeeds; roll back on any error.

    With idempotent=True an `Idempotency-Key` header makes a retry (even a concurrent one)
    return the first response instead of acting twice.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key") if idempotent else None
            if key is not None and not (1 <= len(key) <= 128):
                raise field_error("Idempotency-Key", "长度应为1-128个字符", status=400)
            if key and current_user.is_authenticated:
                replay = _lookup(key)
                if replay is not None:
                    return replay
            else:
                key = None
            try:
                response = make_response(view(*args, **kwargs))
                if key and response.status_code < 300:
                    db.session.add(IdempotencyRecord(
                        user_id=current_user.id, key=key, method=request.method, path=request.path,
                        status_code=response.status_code, body=json.dumps(response.get_json())))
                db.session.commit()
                return response
            except (DomainError, IntegrityError) as exc:
                db.session.rollback()
                if key:
                    replay = _lookup(key)
                    if replay is not None:
                        return replay
                if isinstance(exc, IntegrityError):
                    raise Conflict("数据已被其他操作修改，请刷新后重试") from exc
                raise
            except BaseException:
                db.session.rollback()
                raise

        return wrapper

    return decorator


IDEMPOTENCY_KEY_DAYS = 7


def delete_expired_idempotency_records(as_of: datetime) -> int:
    """Daily job: delete Idempotency-Key replay records older than IDEMPOTENCY_KEY_DAYS."""
    cutoff = as_utc(as_of) - timedelta(days=IDEMPOTENCY_KEY_DAYS)
    return db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
