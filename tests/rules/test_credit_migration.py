"""The data migration: a 环保良好 that nobody set (the old default) becomes 未评价; a grade set by a regulator stays."""
import os
import subprocess
import sys

import sqlalchemy as sa

BEFORE, MINE = "f1a2b3c4d5e6", "a7c3e9d1f2b4"


def _enterprise(conn, eid: int, grade: str) -> None:
    conn.execute(sa.text(
        "INSERT INTO enterprises (id, name, uscc, industry_code, industry_name, region_code, permit_class, flags,"
        " credit_grade, address, contact_name, contact_phone, public_code, created_at) VALUES (:id, :name,"
        " :uscc, 'C3360', '电镀', '230102', '重点管理', '[]', :grade, '', '', '', :pc, '2025-01-01 00:00:00')"),
        {"id": eid, "name": f"厂{eid}", "uscc": f"91230102MA000000{eid}X", "grade": grade, "pc": f"pc{eid}"})


def test_defaulted_good_grades_become_unrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp_path)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    assert subprocess.run(flask + [BEFORE], env=env, capture_output=True, timeout=120).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (code, name, level) VALUES ('230102', '道里区', 'county')"))
        _enterprise(conn, 1, "环保良好")   # the old default: never rated
        _enterprise(conn, 2, "环保良好")   # a regulator set it (audit trail names credit_grade)
        _enterprise(conn, 3, "环保警示")   # a real grade
        conn.execute(sa.text(
            "INSERT INTO audit_events (chain, seq, enterprise_id, action, object_type, object_id, comment, at,"
            " prev_hash, hash) VALUES ('e2', 1, 2, 'enterprise.updated', 'enterprise', '2', 'credit_grade、name',"
            " '2025-02-01 00:00:00', '', 'h')"))
    result = subprocess.run(flask + [MINE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with engine.begin() as conn:
        grades = dict(conn.execute(sa.text("SELECT id, credit_grade FROM enterprises")).all())
        conn.execute(sa.text(
            "INSERT INTO enterprises (id, name, uscc, industry_code, industry_name, region_code, permit_class, flags,"
            " address, contact_name, contact_phone, public_code, created_at) VALUES (4, '新厂', '91230102MA0000004Y',"
            " 'C3360', '电镀', '230102', '重点管理', '[]', '', '', '', 'pc4', '2025-01-01 00:00:00')"))
        new = conn.execute(sa.text("SELECT credit_grade FROM enterprises WHERE id = 4")).scalar()
    engine.dispose()
    assert grades == {1: "未评价", 2: "环保良好", 3: "环保警示"}
    assert new == "未评价"  # the column's default
