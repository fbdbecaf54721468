"""Two real app nodes (gunicorn) on one PostgreSQL database and one S3 bucket: any node serves any user.

Skipped in the SQLite run: it needs TEST_DATABASE_URL (a PostgreSQL server where it may CREATE DATABASE).
"""
import hashlib
import os
import secrets
import signal
import time

import pytest

from tests.deploy import nodes
from tests.deploy.conftest import s3_settings
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="需要 PostgreSQL（TEST_DATABASE_URL）")

DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture
def cluster_env(s3_endpoint, s3_bucket):
    """Environment shared by every node: the scratch database, one SECRET_KEY, the S3 bucket."""
    url, drop = nodes.scratch_database("twonode")
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "STORAGE_PATH")}
    env.update(s3_settings(s3_endpoint, s3_bucket[0]))
    env.update({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "PYTHONUNBUFFERED": "1"})
    try:
        yield env
    finally:
        drop()


@pytest.fixture
def two_nodes(cluster_env, tmp_path):
    """Migrate once, then start two gunicorn nodes (separate instance folders) while the demo data seeds."""
    setup_env = {**cluster_env, "ECOCHECK_INSTANCE_PATH": str(tmp_path / "setup")}
    nodes.flask(setup_env, "db", "upgrade")
    started = []
    try:
        for name in ("node1", "node2"):
            port = nodes.free_port()
            instance = tmp_path / name
            log = tmp_path / f"{name}.log"
            process = nodes.start([str(nodes.BIN / "gunicorn"), "--workers", "1", "--threads", "2",
                                   "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5",
                                   "--no-control-socket",
                                   "app:create_app()"],
                                  {**cluster_env, "ECOCHECK_INSTANCE_PATH": str(instance)}, log)
            started.append({"url": f"http://127.0.0.1:{port}", "process": process, "log": log,
                            "instance": instance})
        nodes.flask(setup_env, "demo", "seed")  # runs while the nodes import the app
        deadline = time.monotonic() + 25
        for node in started:
            nodes.wait_healthy(node["url"], node["process"], node["log"], deadline)
        yield started
    finally:
        nodes.stop_all([node["process"] for node in started], sig=signal.SIGQUIT)  # quick shutdown


def _upload(node, cookie, csrf, data, client_id):
    body, content_type = nodes.multipart({"client_id": client_id}, "file", "现场.jpg", data, "image/jpeg")
    return nodes.request("POST", node["url"] + "/api/uploads", body=body, headers={
        "Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": content_type})


def test_a_session_and_a_file_from_node_1_work_on_node_2(two_nodes, s3_bucket):
    node1, node2 = two_nodes
    bucket, s3 = s3_bucket
    login = nodes.request("POST", node1["url"] + "/api/auth/login",
                          body=b'{"username": "demo-ehs", "password": "%s"}' % DEMO_PASSWORD.encode(),
                          headers={"Content-Type": "application/json"})
    assert login.status == 200, login.body
    cookie, csrf = login.cookie("session"), login.json()["csrf_token"]
    assert cookie

    # The signed cookie from node 1 is a valid session on node 2 (no server-side session store).
    me = nodes.request("GET", node2["url"] + "/api/auth/me", headers={"Cookie": cookie})
    assert me.status == 200 and me.json()["user"]["username"] == "demo-ehs"
    assert me.json()["csrf_token"] == csrf
    assert nodes.request("GET", node2["url"] + "/api/auth/me").status == 401
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert nodes.request("GET", node2["url"] + "/api/auth/me", headers={"Cookie": forged}).status == 401

    # Upload through node 1, read the same bytes back through node 2.
    photo = jpeg_bytes((96, 72))
    created = _upload(node1, cookie, csrf, photo, "two-node-1")
    assert created.status == 201, created.body
    upload = created.json()
    assert upload["sha256"] == hashlib.sha256(photo).hexdigest()
    read = nodes.request("GET", f"{node2['url']}/api/uploads/{upload['id']}/file", headers={"Cookie": cookie})
    assert read.status == 200 and read.body == photo

    # And the other way round, with node 1's CSRF token accepted by node 2.
    other = jpeg_bytes((48, 96))
    created2 = _upload(node2, cookie, csrf, other, "two-node-2")
    assert created2.status == 201, created2.body
    read2 = nodes.request("GET", f"{node1['url']}/api/uploads/{created2.json()['id']}/file",
                          headers={"Cookie": cookie})
    assert read2.status == 200 and read2.body == other

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    for data in (photo, other):
        sha = hashlib.sha256(data).hexdigest()
        assert f"{sha[:2]}/{sha[2:4]}/{sha}" in keys
    for node in two_nodes:  # nothing landed on either node's disk
        assert not (node["instance"] / "files").exists()
