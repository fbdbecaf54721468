"""Two `flask scheduler run` processes on one PostgreSQL: exactly one acts; the other takes over when it dies."""
import os
import signal
import time

import pytest
import sqlalchemy as sa

from tests.deploy.nodes import BIN, flask, scratch_database, start, stop_all

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")

LEASE = 6


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _holder(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT holder FROM scheduler_leases WHERE name = 'scheduler'")).scalar()
    finally:
        engine.dispose()


def test_one_scheduler_acts_and_the_other_takes_over(tmp_path):
    url, drop = scratch_database("sched")
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "two-schedulers-test-secret", "SCHEDULER_LEASE_SECONDS": str(LEASE)}
    env.pop("TEST_DATABASE_URL", None)
    processes = []
    try:
        flask(env, "db", "upgrade", timeout=120)
        logs = {name: tmp_path / f"{name}.log" for name in ("alpha", "beta")}
        command = [str(BIN / "flask"), "--app", "app", "scheduler", "run", "--holder"]
        alpha = start([*command, "alpha"], env, logs["alpha"])
        processes.append(alpha)
        _wait_for(lambda: "now acts" in logs["alpha"].read_text(), 90, "alpha to act")
        beta = start([*command, "beta"], env, logs["beta"])
        processes.append(beta)
        _wait_for(lambda: "standing by" in logs["beta"].read_text() or beta.poll() is not None, 90, "beta to start")
        time.sleep(LEASE / 2)
        assert _holder(url) == "alpha"
        assert "now acts" not in logs["beta"].read_text()
        alpha.send_signal(signal.SIGKILL)   # dies without releasing the lease
        alpha.wait(timeout=10)
        _wait_for(lambda: "now acts" in logs["beta"].read_text(), 60, "beta to take over")
        assert _holder(url) == "beta"
    finally:
        stop_all(processes)
        drop()
