"""Soak: mixed enterprise and regulator load against gunicorn; nothing lost, nothing doubled, no errors.

`make test` runs 30 seconds of it; `make soak` runs 10 minutes (SOAK_SECONDS=600) on PostgreSQL and appends
its figures to docs/benchmarks.md (SOAK_REPORT).
"""
import json
import os
import platform
import random
import statistics
import subprocess
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.deploy.nodes import BIN, multipart, request
from tests.factories import jpeg_bytes
from tests.reliability.conftest import children, served_demo

SECONDS = float(os.environ.get("SOAK_SECONDS", 30))
REPORT = os.environ.get("SOAK_REPORT")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Load:
    """Counts what the load generator sent, so the database can be checked against it."""

    def __init__(self, base):
        self.base = base
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.requests = 0
        self.latencies: list[float] = []
        self.problem_keys: set[str] = set()
        self.upload_ids: set[str] = set()

    def call(self, method, path, headers, body=None, ok=(200, 201)):
        started = time.perf_counter()
        try:
            response = request(method, self.base + path, body=body, headers=headers, timeout=30)
            status = response.status
        except OSError as exc:
            response, status = None, f"connection error {exc}"
        with self.lock:
            self.requests += 1
            self.latencies.append(time.perf_counter() - started)
            if status not in ok:
                self.errors.append(f"{method} {path}: {status}")
        return response

    def login(self, username):
        body = json.dumps({"username": username, "password": "demo-pass-2026"}).encode()
        response = self.call("POST", "/api/auth/login", {"Content-Type": "application/json"}, body)
        return {"Cookie": response.cookie("session"), "X-CSRF-Token": response.json()["csrf_token"]}


def enterprise_user(load: Load, username: str, stop: float, rng: random.Random):
    auth = load.login(username)
    json_headers = {**auth, "Content-Type": "application/json"}
    while time.monotonic() < stop:
        runs = load.call("GET", "/api/selfchecks?status=pending", auth).json()["items"]
        if runs:
            detail = load.call("GET", f"/api/selfchecks/{runs[0]['id']}", auth).json()
            item = rng.choice([i for s in detail["sections"] for i in s["items"] if i["answer_type"] == "yes_no_na"])
            body = json.dumps({"answers": [{"item_id": item["id"], "result": "compliant", "note": "soak"}]})
            load.call("PUT", f"/api/selfchecks/{runs[0]['id']}/answers", json_headers, body.encode())
        client_id = uuid.uuid4().hex
        data, content_type = multipart({"client_id": client_id}, "file", "p.jpg", jpeg_bytes(), "image/jpeg")
        for _ in range(2 if rng.random() < 0.3 else 1):        # a retried upload must not duplicate
            load.call("POST", "/api/uploads", {**auth, "Content-Type": content_type}, data)
        with load.lock:
            load.upload_ids.add(client_id)
        key = uuid.uuid4().hex
        report = json.dumps({"title": f"压力测试问题 {key[:8]}", "severity": "一般", "description": "soak"}).encode()
        for _ in range(2 if rng.random() < 0.3 else 1):        # a retried submission must not duplicate
            load.call("POST", "/api/problems", {**json_headers, "Idempotency-Key": key}, report)
        with load.lock:
            load.problem_keys.add(key)
        load.call("GET", "/api/problems?per_page=20", auth)
        load.call("GET", "/api/reports", auth)


def regulator_user(load: Load, username: str, stop: float, rng: random.Random):
    auth = load.login(username)
    while time.monotonic() < stop:
        load.call("GET", "/api/problems?status=open&per_page=20", auth)
        load.call("GET", "/api/problems/review-queue", auth)
        load.call("GET", "/api/supervision/dashboard", auth)
        load.call("GET", "/api/supervision/enterprises?per_page=20", auth)


@pytest.fixture(scope="module")
def soak_server(tmp_path_factory):
    with served_demo(tmp_path_factory.mktemp("soak"), "soak", "--workers", "2", "--threads", "4") as served:
        yield served


def _memory(process) -> dict[int, int]:
    return {pid: _rss_kib(pid) for pid in [process.pid, *children(process.pid)]}


def test_soak_mixed_load(soak_server):
    load = Load(soak_server["base"])
    started_at = sa.func.now()
    engine = sa.create_engine(soak_server["url"])
    with engine.connect() as conn:
        problems_before = conn.execute(sa.text("SELECT count(*) FROM problems WHERE source = 'self_report'")).scalar()
    warmup = min(10.0, SECONDS / 5)
    stop = time.monotonic() + warmup + SECONDS
    users = [(enterprise_user, "demo-ehs"), (enterprise_user, "demo-ehs-2"),
             (regulator_user, "demo-regulator"), (regulator_user, "demo-regulator-county")]
    threads = [threading.Thread(target=fn, args=(load, name, stop, random.Random(n)))
               for n, (fn, name) in enumerate(users)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    memory_start = _memory(soak_server["process"])
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    memory_end = _memory(soak_server["process"])
    with engine.connect() as conn:
        problems = conn.execute(sa.text("SELECT count(*) FROM problems WHERE source = 'self_report'")).scalar()
        uploads = conn.execute(sa.text("SELECT count(*) FROM uploads WHERE client_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": sorted(load.upload_ids)}).scalar()
    engine.dispose()
    del started_at
    verify = subprocess.run([str(BIN / "flask"), "--app", "app", "audit", "verify"], env=soak_server["env"],
                            capture_output=True, text=True, timeout=300)
    growth = {pid: (memory_end.get(pid, 0) - kib) / kib for pid, kib in memory_start.items() if kib}
    figures = {
        "seconds": SECONDS, "requests": load.requests, "errors": len(load.errors),
        "problems_sent": len(load.problem_keys), "problems_stored": problems - problems_before,
        "uploads_sent": len(load.upload_ids), "uploads_stored": uploads,
        "median_ms": round(statistics.median(load.latencies) * 1000, 1),
        "memory_kib_start": memory_start, "memory_kib_end": memory_end,
        "max_growth_pct": round(100 * max(growth.values(), default=0), 1), "audit_verify": verify.returncode == 0,
    }
    print(json.dumps(figures, ensure_ascii=False))
    if REPORT:
        _append_report(Path(REPORT), figures, soak_server["url"])
    assert not load.errors, load.errors[:20]
    assert figures["problems_stored"] == figures["problems_sent"] > 0     # nothing lost, nothing doubled
    assert figures["uploads_stored"] == figures["uploads_sent"] > 0
    assert verify.returncode == 0, verify.stderr
    if SECONDS >= 300:
        assert figures["max_growth_pct"] <= 20, figures


def _append_report(path: Path, figures: dict, url: str) -> None:
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    section = (
        f"\n## Soak {datetime.now().strftime('%Y-%m-%d %H:%M')} — {platform.node()}, {os.cpu_count()} cores, "
        f"{backend}, commit {commit}\n\n"
        f"| figure | value |\n|---|---|\n"
        f"| duration | {figures['seconds']:.0f} s (after warm-up) |\n| requests | {figures['requests']} |\n"
        f"| errors | {figures['errors']} |\n| median latency | {figures['median_ms']} ms |\n"
        f"| problem reports sent / stored | {figures['problems_sent']} / {figures['problems_stored']} |\n"
        f"| uploads sent / stored | {figures['uploads_sent']} / {figures['uploads_stored']} |\n"
        f"| RSS per process at start (KiB) | {figures['memory_kib_start']} |\n"
        f"| RSS per process at end (KiB) | {figures['memory_kib_end']} |\n"
        f"| largest growth | {figures['max_growth_pct']} % (target ≤ 20 %) |\n"
        f"| audit chain verifies | {'yes' if figures['audit_verify'] else 'NO'} |\n")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(text.rstrip("\n") + "\n" + section)
