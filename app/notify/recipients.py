"""Who receives a reminder: enterprise admins, and the regulators in charge of an enterprise.

Both are loaded set-based (one query each per run), never one query per enterprise.
"""
from collections import defaultdict

from sqlalchemy import select

from app.accounts.models import REGULATOR_ROLES, Region, Role, User
from app.extensions import db


def admins_by_enterprise(enterprise_ids) -> dict[int, list[int]]:
    """Active enterprise_admin users keyed by enterprise; `enterprise_ids` may be a subquery."""
    rows = db.session.execute(select(User.enterprise_id, User.id).where(
        User.role == Role.ENTERPRISE_ADMIN.value, User.active.is_(True),
        User.enterprise_id.in_(enterprise_ids)).order_by(User.id)).all()
    admins: dict[int, list[int]] = defaultdict(list)
    for enterprise_id, user_id in rows:
        admins[enterprise_id].append(user_id)
    return admins


class RegulatorsInCharge:
    """Maps an enterprise's region code to the regulators in charge of it.

    In charge = active regulator/regulator_admin users whose region prefix (Region.prefix) is a
    prefix of the enterprise's region, the most local level that has anyone: county users first;
    if none, city; if none, province.
    """

    def __init__(self) -> None:
        levels = dict(db.session.execute(select(Region.code, Region.level)).all())
        rows = db.session.execute(select(User.id, User.region_code).where(
            User.role.in_([r.value for r in REGULATOR_ROLES]), User.active.is_(True),
            User.region_code.is_not(None)).order_by(User.id)).all()
        self._by_prefix: dict[str, list[int]] = defaultdict(list)
        for user_id, code in rows:
            prefix = Region(code=code, level=levels.get(code, "county")).prefix
            self._by_prefix[prefix].append(user_id)
        self._cache: dict[str, list[int]] = {}

    def for_region(self, region_code: str) -> list[int]:
        if region_code not in self._cache:
            found: list[int] = []
            for length in (6, 4, 2):   # county, city, province prefixes (GB/T 2260)
                found = self._by_prefix.get(region_code[:length], [])
                if found:
                    break
            self._cache[region_code] = found
        return self._cache[region_code]
