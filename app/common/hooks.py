"""Request hooks: login loading, CSRF, security headers, JSON errors, SQLite pragmas."""
import logging

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError

from app.common import audit
from app.common.errors import DomainError, error_response
from app.common.jsonguard import guard_json_body
from app.common.security import check_csrf, security_headers
from app.common.storage import ObjectMissing, StorageError
from app.extensions import db, login_manager

log = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def init_app(app: Flask) -> None:
    audit.connect()
    @login_manager.unauthorized_handler
    def unauthorized():
        return error_response(401)

    app.before_request(check_csrf)
    app.before_request(guard_json_body)
    app.after_request(security_headers)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(exc: Exception):
        # A number beyond what the database column holds (e.g. an id of 10**30): the input is wrong.
        db.session.rollback()
        return error_response(422, "value_out_of_range", "数值超出允许范围")

    @app.errorhandler(ObjectMissing)
    def object_missing(exc: Exception):
        log.error("stored file missing: %s", exc)
        return error_response(404, "file_missing", "文件在存储中缺失，请联系管理员")

    @app.errorhandler(StorageError)
    def storage_unavailable(exc: Exception):
        log.error("storage unavailable: %s", exc)
        return error_response(503, "storage_unavailable", "文件存储暂不可用，请稍后重试")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        from werkzeug.exceptions import HTTPException

        if isinstance(exc, HTTPException):
            from app.extensions import api

            return api.handle_http_exception(exc)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
