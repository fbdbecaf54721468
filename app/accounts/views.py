"""Auth and administration endpoints (thin: parse, check, call the service, dump)."""
from flask import request, session
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint

from app.accounts import importer, service
from app.accounts.models import Enterprise, Region
from app.accounts.permissions import ADMIN, login_required, roles_required
from app.accounts.schemas import (
    AuthOut,
    EnterpriseIn,
    EnterpriseListArgs,
    EnterpriseOut,
    EnterprisePage,
    EnterpriseUpdateIn,
    ImportResult,
    LoginIn,
    PasswordIn,
    RegionOut,
    UserIn,
    UserOut,
    UserPage,
    UserUpdateIn,
)
from app.accounts.scoping import get_scoped, region_clause
from app.common import audit
from app.common.errors import field_error
from app.common.schemas import EmptySchema, PageArgs
from app.common.security import csrf_token, issue_csrf_token
from app.common.tx import transactional
from app.extensions import db

auth_blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录与会话")
admin_blp = Blueprint("admin", __name__, url_prefix="/api/admin", description="企业与用户管理")


@auth_blp.route("/login", methods=["POST"])
@transactional()
@auth_blp.arguments(LoginIn)
@auth_blp.response(200, AuthOut)
def login(data):
    user = service.authenticate(data["username"], data["password"], request.remote_addr or "")
    session.clear()
    session.permanent = True
    login_user(user)
    audit.record("user.login", "user", user.id, enterprise_id=user.enterprise_id, actor=user)
    return {"user": user, "csrf_token": issue_csrf_token()}


@auth_blp.route("/me")
@login_required
@auth_blp.response(200, AuthOut)
def me():
    return {"user": current_user, "csrf_token": csrf_token()}


@auth_blp.route("/logout", methods=["POST"])
@transactional()
@auth_blp.response(200, EmptySchema)
def logout():
    if current_user.is_authenticated:
        service.end_session(current_user)
        logout_user()
    session.clear()
    return {}


@auth_blp.route("/password", methods=["POST"])
@login_required
@transactional()
@auth_blp.arguments(PasswordIn)
@auth_blp.response(200, EmptySchema)
def change_password(data):
    service.change_password(current_user, data["old_password"], data["new_password"])
    login_user(current_user)  # the nonce is unchanged; keep this session alive
    return {}


@admin_blp.route("/regions")
@login_required
@admin_blp.response(200, RegionOut(many=True))
def regions():
    stmt = db.select(Region).order_by(Region.code)
    if not current_user.is_sysadmin and current_user.is_regulator:
        stmt = stmt.where(region_clause(current_user, Region.code))
    elif current_user.is_enterprise_user:
        stmt = stmt.where(Region.code == current_user.enterprise.region_code)
    return db.session.scalars(stmt).all()


@admin_blp.route("/enterprises")
@roles_required(*ADMIN)
@admin_blp.arguments(EnterpriseListArgs, location="query")
@admin_blp.response(200, EnterprisePage)
def list_enterprises(args):
    items, total = service.list_enterprises(current_user, args["q"], args["page"], args["per_page"])
    return {"items": items, "total": total}


@admin_blp.route("/enterprises", methods=["POST"])
@roles_required(*ADMIN)
@transactional(idempotent=True)
@admin_blp.arguments(EnterpriseIn)
@admin_blp.response(201, EnterpriseOut)
def create_enterprise(data):
    return service.create_enterprise(current_user, data)


@admin_blp.route("/enterprises/<int:enterprise_id>")
@roles_required(*ADMIN)
@admin_blp.response(200, EnterpriseOut)
def get_enterprise(enterprise_id):
    return get_scoped(Enterprise, enterprise_id, current_user)


@admin_blp.route("/enterprises/<int:enterprise_id>", methods=["PATCH"])
@roles_required(*ADMIN)
@transactional()
@admin_blp.arguments(EnterpriseUpdateIn)
@admin_blp.response(200, EnterpriseOut)
def update_enterprise(data, enterprise_id):
    return service.update_enterprise(current_user, enterprise_id, data)


@admin_blp.route("/enterprises/import", methods=["POST"])
@admin_blp.response(200, ImportResult)
@admin_blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}})
@roles_required(*ADMIN)
@transactional()
def import_enterprises():
    upload = request.files.get("file")
    if upload is None:
        raise field_error("file", "请选择 .xlsx 或 .csv 文件")
    return importer.import_enterprises(current_user, upload.filename or "", upload.read())


@admin_blp.route("/users")
@roles_required(*ADMIN)
@admin_blp.arguments(PageArgs, location="query")
@admin_blp.response(200, UserPage)
def list_users(args):
    items, total = service.list_users(current_user, args["page"], args["per_page"])
    return {"items": items, "total": total}


@admin_blp.route("/users", methods=["POST"])
@roles_required(*ADMIN)
@transactional(idempotent=True)
@admin_blp.arguments(UserIn)
@admin_blp.response(201, UserOut)
def create_user(data):
    return service.create_user(current_user, data)


@admin_blp.route("/users/<int:user_id>", methods=["PATCH"])
@roles_required(*ADMIN)
@transactional()
@admin_blp.arguments(UserUpdateIn)
@admin_blp.response(200, UserOut)
def update_user(data, user_id):
    return service.update_user(current_user, user_id, data)
