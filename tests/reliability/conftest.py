"""A real gunicorn serving a migrated, demo-seeded database of its own (SQLite, or a scratch PostgreSQL DB)."""
import contextlib
import os
import time
import uuid
from pathlib import Path

from tests.deploy.nodes import BIN, flask, free_port, scratch_database, start, stop_all, wait_healthy


def children(pid: int) -> list[int]:
    """Process ids whose parent is pid (gunicorn's workers), read from /proc."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


@contextlib.contextmanager
def served_demo(tmp: Path, name: str, *gunicorn_args: str):
    drop = None
    if os.environ.get("TEST_DATABASE_URL"):
        url, drop = scratch_database(name)
    else:
        url = f"sqlite:///{tmp / f'{name}.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ECOCHECK_INSTANCE_PATH": str(tmp / "instance"),
           "SECRET_KEY": f"{name}-" + uuid.uuid4().hex}
    env.pop("TEST_DATABASE_URL", None)
    process = None
    try:
        flask(env, "db", "upgrade", timeout=120)
        flask(env, "demo", "seed", timeout=300)
        port = free_port()
        log = tmp / "gunicorn.log"
        process = start([str(BIN / "gunicorn"), *gunicorn_args, "--no-control-socket",
                         "--bind", f"127.0.0.1:{port}", "app:create_app()"], env, log)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process, log, time.monotonic() + 90)
        yield {"base": base, "url": url, "env": env, "process": process, "log": log,
               "files": tmp / "instance" / "files"}
    finally:
        if process is not None:
            stop_all([process])
        if drop:
            drop()
