"""PostgreSQL restarts (connections terminated) between two requests: the next request succeeds."""
import os
from datetime import datetime

import pytest
from sqlalchemy import text

from app.extensions import db

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


def _terminate_app_connections(app):
    """Kill the backends behind the app's pooled connections, as a PostgreSQL restart would."""
    import sqlalchemy as sa

    with app.app_context():
        pids = set()
        connections = [db.engine.connect() for _ in range(2)]   # check out what the pool holds
        for conn in connections:
            pids.add(conn.execute(text("SELECT pg_backend_pid()")).scalar())
        for conn in connections:
            conn.close()                                        # back into the pool, soon to be dead
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return sum(conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() for pid in pids)
    finally:
        admin.dispose()


def test_request_after_connections_are_terminated_succeeds(app, auth, world):
    client = auth.client("ehs-a")
    assert client.get("/api/selfchecks").status_code == 200     # the pool now holds a connection
    assert _terminate_app_connections(app) >= 1
    assert client.get("/api/selfchecks").status_code == 200     # pool_pre_ping replaces the dead one
    assert client.get("/api/health").get_json()["database"] == "ok"


def test_scheduler_tick_reconnects(app, runner, world):
    assert runner.invoke(args=["scheduler", "tick", "--at", "2026-12-01T08:30"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("SELECT 1"))
    _terminate_app_connections(app)
    result = runner.invoke(args=["scheduler", "tick", "--at", datetime(2026, 12, 2, 8, 30).isoformat()])
    assert result.exit_code == 0, result.output
