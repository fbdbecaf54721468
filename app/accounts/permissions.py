"""Role checks for views: who may call an endpoint at all (scope is checked by scoping.py)."""
from functools import wraps

from flask_login import current_user

from app.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role
from app.common.errors import Forbidden, Unauthorized

ANY_ROLE = tuple(Role)
ENTERPRISE = ENTERPRISE_ROLES
REGULATOR = (*REGULATOR_ROLES, Role.SYSADMIN)
ADMIN = (Role.REGULATOR_ADMIN, Role.SYSADMIN)


def roles_required(*roles):
    """Require a logged-in user (401) with one of the roles (403)."""
    allowed = {str(r) for r in (roles or ANY_ROLE)}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise Unauthorized()
            if current_user.role not in allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorator


login_required = roles_required()
