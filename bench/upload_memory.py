"""Worker memory under concurrent worst-case image uploads (issue #15 item 4).

Starts one gunicorn worker (`--threads 4`, as deployed) on a free 127.0.0.1 port with a throw-away SQLite
instance, logs in as the demo enterprise user, and for each scenario fires N simultaneous uploads while a
sampler reads the worker's VmRSS from /proc every 20 ms and a probe times GET /api/health. Each scenario
gets a fresh worker so the baselines are comparable. Prints a JSON summary (and writes it with --out).

    .venv/bin/python bench/upload_memory.py                       # this checkout
    .venv/bin/python bench/upload_memory.py --source /tmp/old     # another tree, e.g. `git archive <rev>`
"""
import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 60)).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height)).save(
        out, "JPEG", quality=85)
    return out.getvalue()


SCENARIOS = {
    # name: (description, payload factory)
    "png_7000": ("7000×7000 PNG (the issue's worst case; 143 KB file, 196 MB decoded)", lambda: png(7000, 7000)),
    "png_budget": ("2880×2880 PNG (about the largest accepted under the 32 MiB decode budget)",
                   lambda: png(2880, 2880)),
    "jpeg_48mp": ("8000×6000 JPEG (48 MP phone photo)", lambda: jpeg(8000, 6000)),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def multipart(fields: dict, file_bytes: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Server:
    def __init__(self, source: Path, instance: Path, env_extra: dict):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, ECOCHECK_INSTANCE_PATH=str(instance), PYTHONPATH=str(source),
                        DATABASE_URL=f"sqlite:///{instance / 'bench.db'}", PASSWORD_HASH_METHOD="scrypt:1024:8:1",
                        **env_extra)
        self.source = source
        self.proc = None

    def prepare(self):
        code = ("from app import create_app; from app.extensions import db; from app.demo import seed; "
                "app = create_app(); ctx = app.app_context(); ctx.push(); db.create_all(); seed(); db.session.commit()")
        subprocess.run([sys.executable, "-c", code], cwd=self.source, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def start(self):
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--no-control-socket",
             "--timeout", "120", "--bind", f"127.0.0.1:{self.port}", "app:create_app()"],
            cwd=self.source, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/api/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        workers = children(self.proc.pid)
        assert len(workers) == 1, workers
        self.worker = workers[0]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        body = json.dumps({"username": "demo-ehs", "password": "demo-pass-2026"}).encode()
        req = urllib.request.Request(base + "/api/auth/login", body, {"Content-Type": "application/json"})
        self.csrf = json.loads(self.opener.open(req).read())["csrf_token"]

    def upload(self, data: bytes, name: str) -> int:
        body, ctype = multipart({"client_id": uuid.uuid4().hex}, data, name)
        req = urllib.request.Request(self.base + "/api/uploads", body,
                                     {"Content-Type": ctype, "X-CSRF-Token": self.csrf})
        try:
            return self.opener.open(req, timeout=300).status
        except urllib.error.HTTPError as exc:
            return exc.code


def run_scenario(args, name: str, payload: bytes) -> dict:
    with tempfile.TemporaryDirectory(prefix="ecocheck-mem-") as tmp:
        server = Server(Path(args.source).resolve(), Path(tmp), {})
        server.prepare()
        server.start()
        try:
            session = Session(server.base)
            small = jpeg(640, 480)
            for _ in range(3):  # warm the worker: imports, first decode, thumbnail
                session.upload(small, "warm.jpg")
            time.sleep(1.0)
            baseline = rss_kb(server.worker)
            samples, health, stop = [], [], threading.Event()

            def sample():
                while not stop.is_set():
                    samples.append(rss_kb(server.worker))
                    time.sleep(0.02)

            def probe():
                while not stop.is_set():
                    t = time.perf_counter()
                    try:
                        urllib.request.urlopen(server.base + "/api/health", timeout=60).read()
                    except OSError:
                        pass
                    health.append(time.perf_counter() - t)
                    time.sleep(0.2)

            watchers = [threading.Thread(target=sample), threading.Thread(target=probe)]
            for w in watchers:
                w.start()
            statuses, barrier = [], threading.Barrier(args.concurrency)

            def fire():
                barrier.wait()
                statuses.append(session.upload(payload, f"{name}.img"))

            started = time.perf_counter()
            shooters = [threading.Thread(target=fire) for _ in range(args.concurrency)]
            for s in shooters:
                s.start()
            for s in shooters:
                s.join()
            elapsed = time.perf_counter() - started
            time.sleep(args.settle)
            stop.set()
            for w in watchers:
                w.join()
            after = rss_kb(server.worker)
        finally:
            server.stop()
    peak = max(samples + [baseline])
    return {"scenario": name, "description": SCENARIOS[name][0], "file_kb": round(len(payload) / 1024),
            "concurrency": args.concurrency, "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "baseline_mb": round(baseline / 1024, 1), "peak_mb": round(peak / 1024, 1),
            "peak_delta_mb": round((peak - baseline) / 1024, 1), "after_mb": round(after / 1024, 1),
            "after_vs_baseline_pct": round(100 * (after - baseline) / baseline, 1),
            "burst_seconds": round(elapsed, 2), "health_max_seconds": round(max(health or [0]), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(ROOT), help="source tree to serve (default: this checkout)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the burst before 'after' RSS")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--out")
    args = parser.parse_args()
    results = []
    for name in args.scenario or list(SCENARIOS):
        result = run_scenario(args, name, SCENARIOS[name][1]())
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    if args.out:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
