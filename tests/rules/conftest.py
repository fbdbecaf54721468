"""A Shanxi corner of the world: 山西省 / 长治市 / 潞州区 with one enterprise, its admin and a city regulator."""
import shutil
from types import SimpleNamespace

import pytest
import yaml

from app import rules as rules_packs
from app.accounts.models import Region, Role
from app.extensions import db
from tests.factories import make_enterprise, make_user
from tests.remediation.conftest import make_problem  # noqa: F401 (a fixture the credit tests use)


@pytest.fixture
def shanxi(app, world):
    with app.app_context():
        for code, name, level, parent in (("140000", "山西省", "province", None), ("140400", "长治市", "city", "140000"),
                                          ("140403", "潞州区", "county", "140400")):
            db.session.add(Region(code=code, name=name, level=level, parent_code=parent))
        db.session.flush()
        ent = make_enterprise("长治焦化厂", "140403", serial=9, industry=("C2521", "炼焦"), credit_grade="B")
        make_user("ehs-sx", Role.ENTERPRISE_ADMIN, enterprise=ent)
        make_user("reg-sx", Role.REGULATOR, region="140400")
        db.session.commit()
        return SimpleNamespace(enterprise=ent.id, world=world)


@pytest.fixture
def packs(app, tmp_path):
    """A writable copy of the shipped packs, used for the duration of one test."""
    folder = tmp_path / "rules"
    for province in ("230000", "140000"):
        shutil.copytree(rules_packs.RULES_DIR / province, folder / province)
    app.config["RULES_DIR"] = str(folder)
    yield folder
    app.config.pop("RULES_DIR")
    rules_packs._cache.clear()


def edit(folder, province, stem, change):
    path = folder / province / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
