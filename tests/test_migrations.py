"""`flask db upgrade` on an empty database gives exactly the models."""
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def _fresh_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'migrated.db'}", None
    name = f"migr_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return base.rsplit("/", 1)[0] + "/" + name, (admin, name)


def test_upgrade_on_an_empty_database_matches_the_models(app, tmp_path):
    url, cleanup = _fresh_database_url(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp_path)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    result = subprocess.run(flask, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
    finally:
        engine.dispose()
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.mark.parametrize("command", [["demo", "seed"]])
def test_demo_seed_is_idempotent_after_upgrade(tmp_path, command):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "ECOCHECK_INSTANCE_PATH": str(tmp_path)}
    base = [sys.executable, "-m", "flask", "--app", "app"]
    assert subprocess.run(base + ["db", "upgrade"], env=env, capture_output=True, timeout=120).returncode == 0
    first = subprocess.run(base + command, env=env, capture_output=True, text=True, timeout=300)
    second = subprocess.run(base + command, env=env, capture_output=True, text=True, timeout=300)
    assert "已创建" in first.stdout and "已存在" in second.stdout, first.stderr
    verify = subprocess.run(base + ["audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
    # a populated database goes down past the table rebuilds (SQLite batch mode) and back up
    for step in (["db", "downgrade", "d41e7c2b9a10"], ["db", "upgrade"]):
        moved = subprocess.run(base + step, env=env, capture_output=True, text=True, timeout=300)
        assert moved.returncode == 0, moved.stderr[-2000:]


def test_the_rollups_migration_fills_the_rollups_from_existing_data(tmp_path):
    """Downgrade below the rollups revision on a database with data, upgrade again: the migration fills them
    exactly as the commit-time maintenance had (flask rollups verify finds no difference)."""
    url, cleanup = _fresh_database_url(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp_path)}
    base = [sys.executable, "-m", "flask", "--app", "app"]

    def run(*args):
        result = subprocess.run(base + list(args), env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (args, result.stdout[:3000], result.stderr[-2000:])
        return result.stdout

    def rows():
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return {t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}"))))
                        for t in ("rollup_selfcheck_day", "rollup_problem_day")}
        finally:
            engine.dispose()

    try:
        run("db", "upgrade")
        run("demo", "seed")
        maintained = rows()
        assert sum(len(v) for v in maintained.values()) > 10
        run("db", "downgrade", "c4d8e2f1a9b7")
        run("db", "upgrade")
        verified = run("rollups", "verify")
        assert "一致" in verified
        migrated = rows()
        for table, n_keys in {"rollup_selfcheck_day": 3, "rollup_problem_day": 3}.items():
            def nonzero(values, n=n_keys):  # maintenance may leave rows of zeros; the migration writes none
                return {r[:n]: r[n:] for r in values if any(r[n:])}
            before, after = nonzero(maintained[table]), nonzero(migrated[table])
            assert before.keys() == after.keys(), table
            assert all(after[k] == pytest.approx(v) for k, v in before.items()), table
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
