"""Helpers for tests that run real app processes: a scratch PostgreSQL database, free ports, HTTP."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def scratch_database(prefix: str):
    """CREATE DATABASE <prefix>_<random> on TEST_DATABASE_URL's server; (url, drop callback)."""
    base = os.environ["TEST_DATABASE_URL"]
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"flask {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    try:
        return subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        handle.close()  # the child keeps its own descriptor


def stop_all(processes: list[subprocess.Popen], timeout: float = 10, sig: int = signal.SIGTERM) -> None:
    """Signal each process we started (gunicorn's arbiter stops its own workers); SIGKILL stragglers."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def cookie(self, name: str) -> str | None:
        for header in self.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            if pair.startswith(name + "="):
                return pair
        return None


def request(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 10) -> Response:
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.headers, err.read())


def multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes, content_type: str):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_healthy(base_url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base_url} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if request("GET", base_url + "/api/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base_url} not healthy in time:\n{log.read_text(errors='replace')}")
