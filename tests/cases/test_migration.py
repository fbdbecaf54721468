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



def _migration():
    import importlib.util
    from pathlib import Path

    path = next((Path(__file__).parents[2] / "migrations" / "versions").glob(f"{MINE}_*.py"))
    spec = importlib.util.spec_from_file_location("case_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_eligibility_unchanged_by_the_case_migration(app):
    """Eligibility and credit repair read the penalty records: the demo's verdicts are the same with the penalties'
    cases, with no case at all (the state before the migration) and with the cases the migration makes of them."""
    from app import demo
    from app.accounts.models import Enterprise
    from app.extensions import db
    from app.supervision import eligibility
    from app.supervision.models import Penalty

    with app.app_context():
        assert demo.seed()
        db.session.commit()
        day = db.session.scalar(sa.select(sa.func.max(Penalty.decided_on)))  # a day fixed by the data

        def verdicts():
            db.session.expire_all()
            out = {f"e{e.id}": eligibility.evaluate(e, day) for e in db.session.scalars(sa.select(Enterprise))}
            for p in db.session.scalars(sa.select(Penalty)):
                out[f"p{p.id}"] = eligibility.evaluate(db.session.get(Enterprise, p.enterprise_id), day, p.id)
            return out

        def case_of_each_penalty():
            return db.session.execute(sa.text(
                "SELECT env_penalties.id, cases.credit_category = env_penalties.credit_category FROM env_penalties"
                " LEFT JOIN cases ON cases.penalty_id = env_penalties.id ORDER BY env_penalties.id")).all()

        penalties = db.session.scalars(sa.select(Penalty.id).order_by(Penalty.id)).all()
        assert len(penalties) >= 2, "demo: the fined case and the 长治 record"
        assert [tuple(r) for r in case_of_each_penalty()] == [(p, True) for p in penalties]
        with_cases = verdicts()
        assert {v["credit_repair"]["penalty_id"] for k, v in with_cases.items() if k.startswith("p")} == set(penalties)

        db.session.execute(sa.text("UPDATE credit_repair_applications SET case_id = NULL"))
        db.session.execute(sa.text("DELETE FROM cases"))
        db.session.commit()
        assert verdicts() == with_cases

        assert _migration().penalties_to_cases(db.session.connection()) == len(penalties)
        db.session.commit()
        assert [tuple(r) for r in case_of_each_penalty()] == [(p, True) for p in penalties]
        assert verdicts() == with_cases
