"""`flask monitoring listen`: a 数采仪 connects on loopback, sends packets, and gets the standard's answers."""
import os
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.monitoring import hj212
from app.monitoring.models import Record, Refusal
from tests.monitoring.conftest import DAY, MN, hourly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def listener(app, monitored):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "monitoring", "listen",
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.communicate()[1].decode()) from None
            time.sleep(0.2)
    yield port
    process.terminate()
    process.communicate(timeout=10)


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_device_connects_and_gets_answers(app, listener):
    with socket.create_connection(("127.0.0.1", listener), timeout=20) as conn:
        conn.sendall(hourly(DAY.replace(hour=8), ack=True).encode())
        answer = hj212.parse_packet(_read_line(conn).decode())
        assert (answer.cn, answer.st, answer.qn, answer.mn, answer.flag) == ("9014", "91", "20250303080000001", MN, 4)

        # refused (wrong password) → no answer, so the device keeps the packet; then a repeat and a new hour
        conn.sendall(hourly(DAY.replace(hour=9), ack=True, pw="000000").encode())
        conn.sendall(hourly(DAY.replace(hour=8), ack=True).encode())  # duplicate: stored once, still answered
        conn.sendall(hourly(DAY.replace(hour=10), ack=False).encode())  # no answer asked for
        conn.sendall(hourly(DAY.replace(hour=11), ack=True).encode())
        replies = [hj212.parse_packet(_read_line(conn).decode()).qn for _ in range(2)]
        assert replies == ["20250303080000001", "20250303110000001"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Record)) == 3
        assert db.session.scalar(select(Refusal.count).where(Refusal.code == "wrong_pw")) == 1


def test_garbage_does_not_stop_the_connection(app, listener):
    with socket.create_connection(("127.0.0.1", listener), timeout=20) as conn:
        conn.sendall(b"hello\r\n##0010garbage\r\n")
        conn.sendall(hourly(DAY.replace(hour=8), ack=True).encode())
        assert hj212.parse_packet(_read_line(conn).decode()).cn == "9014"
