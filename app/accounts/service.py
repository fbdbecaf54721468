"""Login, passwords, and administration of enterprises and users."""
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import (
    ENTERPRISE_ROLES,
    REGULATOR_ROLES,
    Enterprise,
    LoginAttempt,
    Region,
    Role,
    User,
)
from app.accounts.scoping import can_see_region, get_scoped, region_clause, scoped
from app.common import audit
from app.common.errors import Forbidden, NotFound, TooManyRequests, Unauthorized, field_error
from app.common.timeutil import utcnow
from app.extensions import db

_DUMMY_HASH = generate_password_hash("timing-equaliser")


def hash_password(password: str) -> str:
    """Hash with scrypt (memory-hard); tests lower the cost through PASSWORD_HASH_METHOD."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def login_wait_seconds(username: str, ip: str) -> int:
    """How long this (username, address) pair must wait before its password is even checked; 0 = go ahead.

    登录失败处理 without handing attackers a weapon (docs/security.md): failures are throttled per
    (username, address) pair with an exponential delay after a few free tries; once a username has too
    many failures from anywhere, only addresses that have failed for it wait out the window, so the real
    user with the right password from a clean address still gets in; an address with many failures over
    many usernames (a NAT, or credential stuffing) loses its free tries, but its users who have not failed
    are not blocked. Nothing locks permanently; every wait ends within the window.
    """
    cfg = current_app.config
    window = int(cfg["LOGIN_FAILURE_WINDOW_SECONDS"])
    now = utcnow()
    since = now - timedelta(seconds=window)
    recent = select(func.count(), func.max(LoginAttempt.at)).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    pair_failures, last_failure = db.session.execute(
        recent.where(LoginAttempt.username == username, LoginAttempt.ip == ip)).one()
    if not pair_failures:
        return 0
    user_failures = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username, LoginAttempt.at >= since))
    if user_failures >= cfg["LOGIN_MAX_FAILURES_PER_USER"]:
        return max(1, int((last_failure + timedelta(seconds=window) - now).total_seconds()) + 1)
    ip_failures = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip == ip, LoginAttempt.at >= since))
    free = 1 if ip_failures >= cfg["LOGIN_MAX_FAILURES_PER_IP"] else int(cfg.get("LOGIN_FREE_FAILURES_PER_PAIR", 3))
    if pair_failures < free:
        return 0
    delay = min(float(cfg.get("LOGIN_DELAY_BASE_SECONDS", 1)) * 2 ** (pair_failures - free), window)
    remaining = (last_failure + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def authenticate(username: str, password: str, ip: str) -> User:
    """Check credentials with fair throttling; the same message for a wrong name or password."""
    username_key, ip = username[:64], ip[:64]
    wait = login_wait_seconds(username_key, ip)
    if wait:
        when = f"{wait}秒" if wait < 120 else f"{(wait + 59) // 60}分钟"
        raise TooManyRequests(f"登录失败次数过多，请{when}后再试", code="login_rate_limited",
                              details={"retry_after": wait})
    user = db.session.scalar(select(User).where(User.username == username))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None or not user.active:
        db.session.add(LoginAttempt(username=username_key, ip=ip))
        if user is not None and not ok:
            user.failed_logins += 1  # shown to admins; never locks the account by itself
        db.session.commit()
        raise Unauthorized("用户名或密码错误", code="invalid_credentials")
    if user.locked:
        raise Forbidden("账号已被管理员锁定，请联系管理员解锁", code="account_locked")
    user.failed_logins = 0
    return user


def end_session(user: User) -> None:
    """Invalidate every cookie issued for this user's current session."""
    user.session_nonce = secrets.token_hex(16)


def check_password_strength(password: str, username: str) -> None:
    if len(password) < 8:
        raise field_error("new_password", "至少8个字符")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise field_error("new_password", "须同时包含字母和数字")
    if username.lower() in password.lower():
        raise field_error("new_password", "不能包含用户名")


def change_password(user: User, old_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, old_password):
        raise field_error("old_password", "原密码不正确")
    check_password_strength(new_password, user.username)
    if old_password == new_password:
        raise field_error("new_password", "新密码不能与原密码相同")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_session(user)  # other devices must log in again; the caller re-issues this session
    audit.record("user.password_changed", "user", user.id, enterprise_id=user.enterprise_id, actor=user)


# --- enterprises -------------------------------------------------------------------------

def _check_region(actor: User, region_code: str) -> Region:
    region = db.session.get(Region, region_code)
    if region is None:
        raise field_error("region_code", "行政区划不存在")
    if not can_see_region(actor, region_code):
        raise field_error("region_code", "不在您的管辖范围内", status=403, code="forbidden")
    return region


def list_enterprises(actor: User, q: str | None, page: int, per_page: int):
    stmt = scoped(select(Enterprise), actor)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(Enterprise.name.like(like) | Enterprise.uscc.like(like))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Enterprise.id).offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def check_credit_grade(region_code: str, grade: str | None) -> None:
    """A grade must be on the scale of the enterprise's province (app/rules/<province>/credit.yaml), or 未评价."""
    from app import rules as rules_packs

    credit = rules_packs.for_region(region_code, "credit")
    if grade is not None and grade != credit["unrated"] and grade not in credit["scale"]:
        raise field_error("credit_grade", f"信用等级应为{'、'.join(credit['scale'])}或{credit['unrated']}")


def create_enterprise(actor: User, data: dict) -> Enterprise:
    _check_region(actor, data["region_code"])
    check_credit_grade(data["region_code"], data.get("credit_grade"))
    data = {**data, "uscc": data["uscc"].upper()}
    if db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == data["uscc"])):
        raise field_error("uscc", "该统一社会信用代码已存在", status=409, code="duplicate")
    enterprise = Enterprise(**data)
    db.session.add(enterprise)
    db.session.flush()
    audit.record("enterprise.created", "enterprise", enterprise.id, enterprise_id=enterprise.id)
    return enterprise


def update_enterprise(actor: User, enterprise_id: int, data: dict) -> Enterprise:
    enterprise = get_scoped(Enterprise, enterprise_id, actor)
    if "region_code" in data:
        _check_region(actor, data["region_code"])
    if "uscc" in data:
        data["uscc"] = data["uscc"].upper()
        clash = db.session.scalar(select(Enterprise.id).where(
            Enterprise.uscc == data["uscc"], Enterprise.id != enterprise.id))
        if clash:
            raise field_error("uscc", "该统一社会信用代码已存在", status=409, code="duplicate")
    if "credit_grade" in data or "region_code" in data:
        check_credit_grade(data.get("region_code", enterprise.region_code),
                           data.get("credit_grade", enterprise.credit_grade))
    for key, value in data.items():
        setattr(enterprise, key, value)
    audit.record("enterprise.updated", "enterprise", enterprise.id, enterprise_id=enterprise.id,
                 comment="、".join(sorted(data)))
    return enterprise


# --- users --------------------------------------------------------------------------------

def users_query(actor: User):
    ent_ids = scoped(select(Enterprise.id), actor)
    return select(User).where(User.enterprise_id.in_(ent_ids) | region_clause(actor, User.region_code))


def list_users(actor: User, page: int, per_page: int):
    stmt = users_query(actor)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(User.id).offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def _check_position(role: str, data: dict) -> None:
    """Positions and 执法证号 belong to regulators (the inspection approval chains name the positions)."""
    if role not in REGULATOR_ROLES and (data.get("position") or data.get("enforcement_cert_no")):
        raise field_error("position", "只有监管人员可以设置职务和执法证号")


def create_user(actor: User, data: dict) -> User:
    role = data["role"]
    if role == Role.SYSADMIN and not actor.is_sysadmin:
        raise field_error("role", "只有系统管理员可以创建系统管理员", status=403, code="forbidden")
    if role in ENTERPRISE_ROLES:
        if not data.get("enterprise_id"):
            raise field_error("enterprise_id", "企业用户必须指定企业")
        get_scoped(Enterprise, data["enterprise_id"], actor, message="企业不存在或不在管辖范围内")
        data["region_code"] = None
    elif role in REGULATOR_ROLES:
        if not data.get("region_code"):
            raise field_error("region_code", "监管用户必须指定行政区划")
        _check_region(actor, data["region_code"])
        data["enterprise_id"] = None
    _check_position(role, data)
    if db.session.scalar(select(User.id).where(User.username == data["username"])):
        raise field_error("username", "用户名已存在", status=409, code="duplicate")
    password = data.pop("password")
    user = User(**data, password_hash=hash_password(password), must_change_password=True)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", "user", user.id, enterprise_id=user.enterprise_id)
    return user


def update_user(actor: User, user_id: int, data: dict) -> User:
    user = db.session.scalar(users_query(actor).where(User.id == int(user_id)))
    if user is None:
        raise NotFound("未找到该用户")
    if user.id == actor.id and (data.get("active") is False or data.get("locked") is True):
        raise field_error("active" if "active" in data else "locked", "不能停用或锁定自己的账号")
    if "password" in data:
        user.password_hash = hash_password(data.pop("password"))
        user.must_change_password = True
        end_session(user)
    if data.get("locked") is False:
        user.failed_logins = 0
    _check_position(user.role, data)
    for key, value in data.items():
        setattr(user, key, value)
    audit.record("user.updated", "user", user.id, enterprise_id=user.enterprise_id, comment="、".join(sorted(data)))
    return user
