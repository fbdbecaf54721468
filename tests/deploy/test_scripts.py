"""The deploy scripts parse, and their URL helpers turn SQLAlchemy URLs into libpq ones safely."""
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SCRIPTS = sorted(DEPLOY.glob("*.sh"))


def test_the_scripts_exist():
    assert {p.name for p in SCRIPTS} >= {"backup.sh", "restore.sh", "restore-drill.sh", "lib.sh"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bash_syntax(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr


def _lib(expression: str) -> str:
    result = subprocess.run(["bash", "-c", f'. "{DEPLOY / "lib.sh"}"; {expression}'], capture_output=True,
                            text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("url,expected", [
    ("postgresql+psycopg://eco:pw@db:5432/ecocheck", "postgresql://eco:pw@db:5432/ecocheck"),
    ("postgresql+psycopg2://eco@db/ecocheck", "postgresql://eco@db/ecocheck"),
    ("postgres://eco@db/ecocheck", "postgresql://eco@db/ecocheck"),
    ("postgresql://eco@db/ecocheck", "postgresql://eco@db/ecocheck"),
])
def test_libpq_url(url, expected):
    assert _lib(f'libpq_url "{url}"') == expected


@pytest.mark.parametrize("url,expected", [
    ("postgresql://eco@db:5432/ecocheck", "postgresql://eco@db:5432/drill"),
    ("postgresql://eco@db/ecocheck?sslmode=require", "postgresql://eco@db/drill?sslmode=require"),
])
def test_with_database(url, expected):
    assert _lib(f'with_database "{url}" drill') == expected


def test_passwords_never_reach_the_log():
    out = _lib('redact_url "postgresql://eco:Secr%40t1@db:5432/ecocheck?sslmode=require"')
    assert out == "postgresql://eco:***@db:5432/ecocheck" and "Secr" not in out


def test_restore_refuses_without_yes(tmp_path):
    (tmp_path / "db").mkdir()
    dump = tmp_path / "db" / "ecocheck-20260101T000000Z.dump"
    dump.write_bytes(b"not really a dump")
    env = {"PATH": "/usr/bin:/bin", "BACKUP_DIR": str(tmp_path), "ECOCHECK_ENV_FILE": "/nonexistent",
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run(["bash", str(DEPLOY / "restore.sh")], env=env, capture_output=True, text=True,
                            timeout=10)
    assert result.returncode != 0 and "--yes" in result.stderr
