"""The data migration: penalty rows from before it become closed cases with their credit categories."""
import os
import subprocess
import sys

import sqlalchemy as sa

BEFORE, MINE = "d41e7c2b9a10", "e5c4a1f7b2d3"


def test_penalties_become_closed_cases(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp_path)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    assert subprocess.run(flask + [BEFORE], env=env, capture_output=True, timeout=120).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (code, name, level) VALUES ('230102', '道里区', 'county')"))
        conn.execute(sa.text(
            "INSERT INTO enterprises (id, name, uscc, industry_code, industry_name, region_code, permit_class, flags,"
            " credit_grade, address, contact_name, contact_phone, public_code, created_at) VALUES (1, '甲厂',"
            " '91230102MA0000001X', 'C3360', '电镀', '230102', '重点管理', '[]', '环保良好', '', '', '', 'pc1',"
            " '2025-01-01 00:00:00')"))
        for pid, no, cat, amount in ((1, "哈环罚〔2025〕1号", "一般失信", 30000), (2, "哈环罚〔2025〕2号", "严重失信", 200000)):
            conn.execute(sa.text(
                "INSERT INTO env_penalties (id, enterprise_id, decision_no, decided_on, amount, credit_category,"
                " problem_ids, description, created_at) VALUES (:id, 1, :no, '2025-03-01', :amount, :cat, '[]',"
                " '超标排放', '2025-03-01 02:00:00')"), {"id": pid, "no": no, "cat": cat, "amount": amount})
    result = subprocess.run(flask + [MINE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT penalty_id, status, decision, decision_no, credit_category, amount,"
                                    " province, legacy FROM cases ORDER BY penalty_id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, "closed", "punish", "哈环罚〔2025〕1号", "一般失信", 30000, "230000", 1),
        (2, "closed", "punish", "哈环罚〔2025〕2号", "严重失信", 200000, "230000", 1)]
