"""The one scoping helper: every query for tenant data goes through these functions.

Enterprise users see their own enterprise; regulators see enterprises whose region is
their region or below it; sysadmin sees everything. Out of scope reads as "not found".
"""
from sqlalchemy import and_, false, select, true

from app.accounts.models import Enterprise, Region, User
from app.common.errors import NotFound
from app.extensions import db


def region_prefix(user: User) -> str | None:
    region = user.region or (db.session.get(Region, user.region_code) if user.region_code else None)
    return region.prefix if region else None


def prefix_clause(column, prefix: str):
    """`column` starts with `prefix`, written as a range so a btree index serves it under any collation
    (LIKE 'prefix%' uses an index only with the C collation). Region codes are digits, so the two agree."""
    if not prefix:
        return true()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def enterprise_clause(user: User):
    """Return a WHERE clause on Enterprise limiting rows to the user's jurisdiction."""
    if user.is_sysadmin:
        return true()
    if user.is_enterprise_user:
        return Enterprise.id == user.enterprise_id if user.enterprise_id else false()
    prefix = region_prefix(user)
    if user.is_regulator and prefix:
        return prefix_clause(Enterprise.region_code, prefix)
    return false()


def region_clause(user: User, column):
    """Limit a region-code column (e.g. a user's region) to the user's jurisdiction."""
    if user.is_sysadmin:
        return true()
    prefix = region_prefix(user) if user.is_regulator else None
    return prefix_clause(column, prefix) if prefix else false()


def scoped(stmt, user: User, model=Enterprise):
    """Apply the user's scope to a select over `model` (Enterprise or anything with enterprise_id)."""
    if model is Enterprise:
        return stmt.where(enterprise_clause(user))
    if user.is_sysadmin:
        return stmt
    if user.is_enterprise_user:
        return stmt.where(model.enterprise_id == user.enterprise_id)
    return stmt.where(model.enterprise_id.in_(select(Enterprise.id).where(enterprise_clause(user))))


def get_scoped(model, object_id, user: User, *, message: str = "未找到该对象"):
    """Fetch one object by id within the user's scope, else NotFound (never reveal it exists)."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    obj = db.session.scalar(scoped(select(model).where(model.id == object_id), user, model))
    if obj is None:
        raise NotFound(message)
    return obj


def can_see_region(user: User, region_code: str) -> bool:
    if user.is_sysadmin:
        return True
    prefix = region_prefix(user) if user.is_regulator else None
    return bool(prefix) and region_code.startswith(prefix)
