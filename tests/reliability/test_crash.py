"""Crash safety: SIGKILL the gunicorn worker mid-upload and mid-submit; nothing is half-written."""
import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.deploy.nodes import flask, multipart, request, wait_healthy
from tests.factories import compliant_answers, jpeg_bytes
from tests.reliability.conftest import children, served_demo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_demo(tmp_path_factory.mktemp("crash"), "crash", "--workers", "1", "--threads", "2",
                     "--graceful-timeout", "1") as served:
        yield served


def _login(base, username="demo-ehs-2"):
    response = request("POST", base + "/api/auth/login", body=b'{"username": "%s", "password": "demo-pass-2026"}'
                       % username.encode(), headers={"Content-Type": "application/json"})
    assert response.status == 200, response.body
    return {"Cookie": response.cookie("session"), "X-CSRF-Token": response.json()["csrf_token"]}


def _kill_worker_and_wait(server):
    workers = children(server["process"].pid)
    assert workers, "no gunicorn worker found"
    for pid in workers:
        os.kill(pid, 9)
    time.sleep(0.5)
    wait_healthy(server["base"], server["process"], server["log"], time.monotonic() + 60)


def _count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root)) if root.exists() else 0


def _scalar(url, sql, **params):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def test_killed_mid_upload_leaves_nothing_and_retry_succeeds(server):
    auth = _login(server["base"])
    client_id = uuid.uuid4().hex
    body, content_type = multipart({"client_id": client_id}, "file", "photo.jpg",
                                   jpeg_bytes((800, 600)) + b"\0" * 200_000, "image/jpeg")
    files_before = _count_files(server["files"])
    port = int(server["base"].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (f"POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nCookie: {auth['Cookie']}\r\nX-CSRF-Token: {auth['X-CSRF-Token']}\r\n\r\n")
        sock.sendall(head.encode() + body[: len(body) // 2])   # half the upload, then the phone dies
        time.sleep(0.5)
        _kill_worker_and_wait(server)
    assert _scalar(server["url"], "SELECT count(*) FROM uploads WHERE client_id = :c", c=client_id) == 0
    assert _count_files(server["files"]) == files_before
    retry = request("POST", server["base"] + "/api/uploads", body=body,
                    headers={**auth, "Content-Type": content_type}, timeout=30)
    assert retry.status == 201, retry.body
    assert _scalar(server["url"], "SELECT count(*) FROM uploads WHERE client_id = :c", c=client_id) == 1


def _hold_write_lock(url):
    """Block the submit inside its transaction: lock the report counter (PostgreSQL) or the whole DB (SQLite)."""
    engine = sa.create_engine(url)
    conn = engine.connect()
    if url.startswith("sqlite"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.execute(sa.text("SELECT * FROM report_counters FOR UPDATE"))
    return engine, conn


def test_killed_mid_submit_leaves_no_half_written_rows_and_retry_succeeds(server):
    base, url = server["base"], server["url"]
    auth = _login(base)
    json_headers = {**auth, "Content-Type": "application/json"}
    run = request("GET", base + "/api/selfchecks?status=pending", headers=auth).json()["items"][0]
    detail = request("GET", base + f"/api/selfchecks/{run['id']}", headers=auth).json()
    body, content_type = multipart({"client_id": uuid.uuid4().hex}, "file", "p.jpg", jpeg_bytes(), "image/jpeg")
    photo = request("POST", base + "/api/uploads", body=body, headers={**auth, "Content-Type": content_type}).json()
    answers = json.dumps({"answers": compliant_answers(detail, photo["id"])}).encode()
    assert request("PUT", base + f"/api/selfchecks/{run['id']}/answers", body=answers,
                   headers=json_headers).status == 200
    key = uuid.uuid4().hex
    engine, lock = _hold_write_lock(url)
    outcome = {}

    def submit():
        try:
            outcome["status"] = request("POST", base + f"/api/selfchecks/{run['id']}/submit", body=b"{}",
                                        headers={**json_headers, "Idempotency-Key": key}, timeout=30).status
        except OSError as exc:   # the connection dies with the worker
            outcome["error"] = exc

    thread = threading.Thread(target=submit)
    thread.start()
    time.sleep(2.0)            # the submit is now waiting on the lock, inside its transaction
    try:
        _kill_worker_and_wait(server)
    finally:
        lock.rollback()
        lock.close()
        engine.dispose()
    thread.join(timeout=30)
    assert "status" not in outcome or outcome["status"] >= 500
    assert _scalar(url, "SELECT status FROM selfchecks WHERE id = :i", i=run["id"]) == "in_progress"
    assert _scalar(url, "SELECT count(*) FROM reports WHERE selfcheck_id = :i", i=run["id"]) == 0
    flask(server["env"], "audit", "verify")
    retry = request("POST", base + f"/api/selfchecks/{run['id']}/submit", body=b"{}",
                    headers={**json_headers, "Idempotency-Key": key}, timeout=30)
    assert retry.status == 200, retry.body
    assert _scalar(url, "SELECT count(*) FROM reports WHERE selfcheck_id = :i", i=run["id"]) == 1
    flask(server["env"], "audit", "verify")
