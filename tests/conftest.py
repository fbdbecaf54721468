"""Fixtures: one app per session (SQLite file, or TEST_DATABASE_URL), tables emptied after each test.

ECOCHECK_TEST_DATE=YYYY-MM-DD runs the suite with the clock moved to 10:00 Asia/Shanghai on that day
(time-machine, ticking), so date-sensitive rules are checked on month ends, leap days and holidays
whatever day the suite really runs (`make pytest-dates`).
"""
import os
from datetime import datetime

import pytest
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.factories import PASSWORD, make_world

_FROZEN_DATE = os.environ.get("ECOCHECK_TEST_DATE")
if _FROZEN_DATE:
    import time_machine

    # Started at import so that module-level TODAY constants in test modules see the moved clock.
    time_machine.travel(datetime.fromisoformat(f"{_FROZEN_DATE}T10:00:00+08:00"), tick=True).start()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["ECOCHECK_INSTANCE_PATH"] = str(instance)
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    config = TestConfig(url)
    config.STORAGE_PATH = str(instance / "files")
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(app):
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    with app.app_context():
        return make_world()


@pytest.fixture
def library(app):
    from app.selfcheck.library import load_library

    with app.app_context():
        load_library()
        db.session.commit()


class Auth:
    """Log a test client in and send the CSRF token on every later request."""

    def __init__(self, app):
        self.app = app

    def client(self, username: str | None = None, password: str = PASSWORD):
        client = self.app.test_client()
        if username:
            response = client.post("/api/auth/login", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            client.environ_base["HTTP_X_CSRF_TOKEN"] = response.get_json()["csrf_token"]
        return client


@pytest.fixture
def auth(app):
    return Auth(app)


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser tests in Chromium (run separately)")
