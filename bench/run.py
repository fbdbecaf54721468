"""EcoCheck benchmark: seed (once per scale), serve with gunicorn as deployed, load with locust, measure.

    python bench/run.py --scale full     # 50k enterprises on PostgreSQL (BENCH_DATABASE_URL); writes docs/benchmarks.md
    python bench/run.py --scale smoke    # 1/100 scale, short runs; fails on any HTTP error (CI: make bench-smoke)

Figures are medians; every throughput is also given as a ratio to a floor (GET /api/health on the
same stack, measured in the same run at the same concurrency), because the machine is shared.
"""
import argparse
import gzip
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_PY = ROOT / ".venv" / "bin" / "python"
LOCUST_PY = BENCH / ".venv" / "bin" / "python"
LOCUST_PIN = "locust==2.47.0"
LIGHTHOUSE_PIN = "lighthouse@13.5.0"
SECRET = "bench-secret-key-0123456789abcdef0123456789abcdef"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ecocheck_bench"

SCALES = {
    "full": {"enterprises": 50_000, "months": 12, "levels": [1, 20, 100], "seconds": 10, "runs": 4000,
             "problems": 4000, "pool": 300, "report_builds": 20, "lighthouse": True},
    "smoke": {"enterprises": 500, "months": 12, "levels": [5], "seconds": 3, "runs": 200, "problems": 200,
              "pool": 20, "report_builds": 3, "lighthouse": False},
}
ENDPOINTS = ["floor_health", "login", "selfcheck_list", "selfcheck_detail", "save_answer", "submit", "report_json",
             "report_pdf", "problems_enterprise", "problems_county", "problems_city", "problems_province",
             "problem_accept", "dashboard_county", "dashboard_province", "enterprise_list_city", "eligibility"]
# Server-time targets (median, ms) from the issues; compared with the 1-user (uncontended) server time.
TARGETS_MS = {"save_answer": 15, "submit": 60, "report_json": 15, "problems_city": 50, "problem_accept": 20,
              "dashboard_province": 300, "dashboard_county": 80, "enterprise_list_city": 80, "eligibility": 30}


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# --- database ------------------------------------------------------------------------------

def database_url(scale: str) -> str:
    """The full benchmark's database, or for smoke a separate one (never the full data set)."""
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if scale == "smoke":
        return os.environ.get("BENCH_SMOKE_DATABASE_URL") or url + "_smoke"
    return url


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    base = re.sub(r"^postgresql\+psycopg://", "postgresql://", url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def pg_available(url: str) -> bool:
    try:
        pg_admin(url, "SELECT 1")
        return True
    except Exception:
        return False


def db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def flask_bench(env: dict, *args: str, capture: bool = False) -> str:
    cmd = [str(VENV_PY), str(BENCH / "flask_bench.py"), *args]
    if capture:
        return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    subprocess.run(cmd, env=env, check=True)
    return ""


def ensure_seeded(url: str, env: dict, cfg: dict, seed: int) -> dict:
    is_pg = url.startswith("postgresql")
    if is_pg:
        try:
            pg_admin(url, f'CREATE DATABASE "{db_name(url)}"')
            log(f"新建数据库 {db_name(url)}")
        except Exception:
            pass
        # as docs/deployment.md recommends for SSD storage: index scans are not four times dearer than sequential
        pg_admin(url, f'ALTER DATABASE "{db_name(url)}" SET random_page_cost = 1.1')
    meta = {}
    try:
        meta = json.loads(flask_bench(env, "meta", capture=True).strip().splitlines()[-1] or "{}")
    except Exception:
        meta = {}
    if (meta.get("enterprises") == str(cfg["enterprises"]) and meta.get("months") == str(cfg["months"])
            and meta.get("seed") == str(seed)):
        # new tables are added in place; any other difference from the models (a new column) means a reseed
        code = ("import sys\nfrom alembic.autogenerate import compare_metadata\nfrom alembic.migration import "
                "MigrationContext\nfrom app import create_app\nfrom app.extensions import db\napp = create_app()\n"
                "with app.app_context():\n    db.create_all()\n    with db.engine.connect() as conn:\n"
                "        diff = [d for d in compare_metadata(MigrationContext.configure(conn), db.metadata)\n"
                "                if not (isinstance(d, tuple) and d[0] == 'remove_table')]  # bench_meta is ours\n"
                "    print(diff[:5])\n    sys.exit(3 if diff else 0)\n")
        same = subprocess.run([str(VENV_PY), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
        if same.returncode not in (0, 3):
            raise RuntimeError(same.stderr[-2000:])
        if same.returncode == 3:
            log(f"已按该规模播种，但表结构与模型不同（{same.stdout.strip()[:300]}），重新播种")
            meta = {}
    if (meta.get("enterprises") == str(cfg["enterprises"]) and meta.get("months") == str(cfg["months"])
            and meta.get("seed") == str(seed)):
        log(f"已按该规模播种（{meta}），跳过播种；补建了新增的表，重建看板汇总表")
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "rollups", "rebuild"], env=env,
                       check=True, cwd=ROOT)
        return {"skipped": True, "rollups_rebuild_s": round(time.perf_counter() - started, 1), **meta}
    log("重建数据库并播种…")
    if is_pg:
        pg_admin(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
        pg_admin(url, f'CREATE DATABASE "{db_name(url)}"')
        pg_admin(url, f'ALTER DATABASE "{db_name(url)}" SET random_page_cost = 1.1')
    else:
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    code = "from app import create_app\nfrom app.extensions import db\napp = create_app()\n" \
           "with app.app_context():\n    db.create_all()\n"
    subprocess.run([str(VENV_PY), "-c", code], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    flask_bench(env, "seed", "--enterprises", str(cfg["enterprises"]), "--months", str(cfg["months"]),
                "--seed", str(seed))
    seconds = time.perf_counter() - started
    verify = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "audit", "verify"], env=env,
                            cwd=ROOT, capture_output=True, text=True)
    return {"skipped": False, "seconds": round(seconds, 1), "audit_verify": verify.returncode == 0,
            "audit_verify_output": (verify.stdout + verify.stderr).strip()[-300:]}


# --- server and load -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, access_log: Path) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--threads", "4", "--bind",
           f"127.0.0.1:{port}", "--access-logfile", str(access_log),
           "--access-logformat", "%({x-bench-tag}i)s %(s)s %(D)s", "app:create_app()"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import urllib.request

    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except Exception:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gunicorn 未能启动：" + proc.stderr.read().decode()[-2000:])


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # still working off queued slow requests
        proc.kill()
        proc.wait(timeout=30)


def ensure_locust() -> None:
    if LOCUST_PY.exists() and subprocess.run([str(LOCUST_PY), "-c", "import locust"], capture_output=True).returncode == 0:
        return
    log(f"安装 {LOCUST_PIN} 到 bench/.venv …")
    subprocess.run([sys.executable, "-m", "venv", str(BENCH / ".venv")], check=True)
    subprocess.run([str(LOCUST_PY), "-m", "pip", "install", "--quiet", LOCUST_PIN], check=True)


def server_times(access_log: Path) -> dict:
    """tag -> sorted server-side durations (ms) from gunicorn's access log."""
    times: dict[str, list[float]] = {}
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] != "-":
            times.setdefault(parts[0], []).append(int(parts[2]) / 1000)
    return {tag: sorted(v) for tag, v in times.items()}


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


# --- frontend ------------------------------------------------------------------------------

def frontend_sizes() -> dict:
    dist = ROOT / "frontend" / "dist"
    index = dist / "index.html"
    if not index.exists():
        return {"skipped": "frontend/dist/index.html 不存在（先 make frontend）"}
    html = index.read_text()
    refs = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html)
    files = {}
    for ref in dict.fromkeys(refs):
        path = dist / ref.lstrip("/")
        if path.exists():
            data = path.read_bytes()
            files[ref] = {"raw": len(data), "gzip": len(gzip.compress(data, 6))}
    return {"files": files, "js_gzip": sum(v["gzip"] for k, v in files.items() if k.endswith(".js")),
            "css_gzip": sum(v["gzip"] for k, v in files.items() if k.endswith(".css")),
            "total_gzip": sum(v["gzip"] for v in files.values())}


def session_cookie(port: int, username: str) -> str:
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"username": username, "password": "bench-pass-2026"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", data=body,
                                     headers={"Content-Type": "application/json"})
    opener.open(request, timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def lighthouse(port: int, fixtures: dict, out_dir: Path) -> dict:
    binary = BENCH / "node_modules" / ".bin" / "lighthouse"
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not Path(chrome).exists():
        return {"skipped": f"没有 Chromium（{chrome}）"}
    if not binary.exists():
        log(f"安装 {LIGHTHOUSE_PIN} 到 bench/node_modules …")
        done = subprocess.run(["npm", "install", "--prefix", str(BENCH), "--no-audit", "--no-fund", "--loglevel=error",
                               LIGHTHOUSE_PIN], capture_output=True, text=True)
        if done.returncode != 0 or not binary.exists():
            return {"skipped": "npm install lighthouse 失败：" + done.stderr[-500:]}
    user = next(iter(fixtures["users"]))
    pages = {"login": ("/login", None),
             "selfcheck": (f"/ent/selfchecks/{fixtures['users'][user]['save_run']}", session_cookie(port, user))}
    out = {}
    for name, (path, cookie) in pages.items():
        report = out_dir / f"lighthouse-{name}.json"
        cmd = [str(binary), f"http://127.0.0.1:{port}{path}", "--output=json", f"--output-path={report}", "--quiet",
               "--chrome-flags=--headless --no-sandbox --disable-gpu", "--form-factor=mobile"]
        if cookie:
            cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chrome},
                              timeout=300)
        if done.returncode != 0 or not report.exists():
            out[name] = {"error": (done.stderr or done.stdout)[-600:]}
            continue
        data = json.loads(report.read_text())
        audits = data.get("audits", {})
        out[name] = {
            "version": data.get("lighthouseVersion"), "final_url": data.get("finalDisplayedUrl") or data.get("finalUrl"),
            "performance": round((data["categories"]["performance"]["score"] or 0) * 100),
            "fcp_ms": round(audits.get("first-contentful-paint", {}).get("numericValue", 0)),
            "lcp_ms": round(audits.get("largest-contentful-paint", {}).get("numericValue", 0)),
            "tbt_ms": round(audits.get("total-blocking-time", {}).get("numericValue", 0)),
            "pwa_category": "pwa" in data.get("categories", {}),
            "installable_audit": audits.get("installable-manifest", {}).get("score"),
        }
    out["installability_check"] = installability(port)
    return out


def installability(port: int) -> dict:
    """Lighthouse ≥12 has no PWA category: check the criteria Chromium applies, directly."""
    import urllib.request

    base = f"http://127.0.0.1:{port}"
    html = urllib.request.urlopen(base + "/login", timeout=10).read().decode()
    link = re.search(r'<link[^>]+rel="manifest"[^>]+href="([^"]+)"', html) or \
        re.search(r'<link[^>]+href="([^"]+)"[^>]+rel="manifest"', html)
    result = {"manifest_link": bool(link)}
    if link:
        manifest = json.loads(urllib.request.urlopen(base + "/" + link.group(1).lstrip("/"), timeout=10).read())
        sizes = {s for icon in manifest.get("icons", []) for s in icon.get("sizes", "").split()}
        result.update(name=bool(manifest.get("name") or manifest.get("short_name")),
                      start_url=bool(manifest.get("start_url")), display=manifest.get("display"),
                      icon_192=any(s in sizes for s in ("192x192", "512x512")), icon_512="512x512" in sizes)
    try:
        result["service_worker"] = urllib.request.urlopen(base + "/sw.js", timeout=10).status == 200
    except Exception:
        result["service_worker"] = False
    result["installable"] = all(result.get(k) for k in ("manifest_link", "name", "start_url", "icon_192",
                                                         "service_worker")) and result.get("display") in (
        "standalone", "fullscreen", "minimal-ui")
    return result


# --- main ----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except Exception:
        cpu = platform.processor()
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except Exception:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return {"nproc": os.cpu_count(), "memory": mem, "cpu": cpu, "python": platform.python_version(),
            "commit": commit.strip() + ("（工作区有未提交改动）" if dirty.strip() else ""),
            "load_before": os.getloadavg()[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="smoke")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--seconds", type=float, default=None, help="每个端点每个并发级别的测量时长")
    parser.add_argument("--levels", default=None, help="并发用户数，逗号分隔（默认 full: 1,20,100；smoke: 5）")
    parser.add_argument("--endpoints", default=None, help="只测这些端点（逗号分隔）")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--docs", action=argparse.BooleanOptionalAction, default=None,
                        help="写入 docs/benchmarks.md（full 默认写，smoke 默认不写）")
    args = parser.parse_args()
    cfg = dict(SCALES[args.scale])
    if args.seconds:
        cfg["seconds"] = args.seconds
    if args.levels:
        cfg["levels"] = [int(x) for x in args.levels.split(",")]
    endpoints = args.endpoints.split(",") if args.endpoints else ENDPOINTS
    if "floor_health" not in endpoints:
        endpoints = ["floor_health", *endpoints]
    write_docs = args.docs if args.docs is not None else args.scale == "full"

    url = database_url(args.scale)
    if url.startswith("postgresql") and not pg_available(url):
        if args.scale == "full":
            log(f"PostgreSQL 不可用（{url}）：完整基准需要 PostgreSQL")
            return 2
        url = f"sqlite:///{BENCH / '.data' / 'smoke.db'}"
        log("PostgreSQL 不可用：冒烟基准改用 SQLite")
    data_dir = BENCH / ".data" / (db_name(url) if url.startswith("postgresql") else "sqlite")
    (data_dir / "instance").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "STORAGE_PATH": str(data_dir / "files"),
           "ECOCHECK_INSTANCE_PATH": str(data_dir / "instance"), "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_APP", None)
    results: dict = {"scale": args.scale, "date": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": machine(), "database": re.sub(r"//[^@/]*@", "//", url), "config": cfg}
    log(f"规模 {args.scale}：{cfg['enterprises']} 家企业，数据库 {results['database']}")
    results["seed"] = ensure_seeded(url, env, cfg, args.seed)
    ensure_locust()

    work = Path(tempfile.mkdtemp(prefix="ecocheck-bench-"))
    fixtures_path = work / "fixtures.json"
    flask_bench(env, "prepare", "--runs", str(cfg["runs"]), "--problems", str(cfg["problems"]),
                "--pool", str(cfg["pool"]), "--out", str(fixtures_path))
    fixtures = json.loads(fixtures_path.read_text())

    # In-process measurements use the same database (this process imports the app).
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "STORAGE_PATH", "ECOCHECK_INSTANCE_PATH")})
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    import inproc

    from app import create_app

    app = create_app()
    # The in-process steps take their runs/problems from the END of the last users' lists; the load test
    # uses the lists from the front, so nothing is used twice.
    spare = list(reversed(list(fixtures["users"])))

    def take(kind: str):
        key = "submit_runs" if kind == "submit" else "open_problems"
        for username in spare:
            items = fixtures["users"][username][key]
            if len(items) > 1:
                return username, items.pop()
        return None, None

    log("统计每个端点的 SQL 语句数…")
    counts = inproc.query_counts(app, fixtures, take)
    results["query_counts"] = {k: {kk: vv for kk, vv in v.items() if kk != "sql"} for k, v in counts.items()}
    for name, value in results["query_counts"].items():
        log(f"  {name:24} {value}")
    results["explain"] = inproc.explain(app, counts, ("problems_city", "dashboard_province", "enterprise_list_city"))
    log("生成自查任务（首次/再次）…")
    results["generation"] = inproc.generation(app)
    log(f"  {results['generation']}")
    log("提交时生成报告…")
    results["report_build"] = inproc.report_build(app, fixtures, take, cfg["report_builds"])
    log(f"  {results['report_build']}")
    log("PDF 渲染（50 项、10 张照片）…")
    results["pdf"] = inproc.pdf_render(app, fixtures)
    log(f"  {results['pdf']}")
    log("监管视图相对 floor（进程内中位数）…")
    results["views"] = inproc.views_vs_floor(app, fixtures)
    for name, v in results["views"]["views"].items():
        log(f"  {name:24} {v['median_ms']} ms = {v['ratio']}× floor（目标 ≤ {v['goal_ratio']}×）")
    log("每日预警与调度 tick（首次/再次）…")
    results["jobs"] = inproc.warnings_and_tick(app)
    log(f"  {json.dumps(results['jobs'], ensure_ascii=False)[:600]}")
    fixtures_path.write_text(json.dumps(fixtures, ensure_ascii=False))
    results["rollups_before_load"] = inproc.rollups_check(app)
    log(f"  看板汇总表核对（负载前）：{results['rollups_before_load']}")
    (work / "inproc.json").write_text(json.dumps(results, ensure_ascii=False, default=str))
    log(f"进程内结果已存 {work / 'inproc.json'}")

    port = free_port()
    access_log = work / "access.log"
    server = start_server(env, port, access_log)
    log(f"gunicorn --workers 2 --threads 4 已在 127.0.0.1:{port} 启动")
    try:
        available = {}
        for name in endpoints:  # endpoints that do not exist yet (404/405) are skipped with a note
            spec = inproc.endpoint_calls(fixtures, None, None).get(name)
            available[name] = True
            if spec and spec[1] == "GET" and name in counts and counts[name].get("status") in (404, 405):
                available[name] = False
        plan = [{"endpoint": e, "users": u, "seconds": cfg["seconds"]}
                for u in cfg["levels"] for e in endpoints if available.get(e, True)]
        results["skipped_endpoints"] = [e for e, ok in available.items() if not ok]
        plan_path, out_path = work / "plan.json", work / "locust.json"
        plan_path.write_text(json.dumps(plan))
        log(f"locust：{len(plan)} 组（{cfg['levels']} 用户 × {cfg['seconds']}s）…")
        subprocess.run([str(LOCUST_PY), str(BENCH / "locustfile.py"), "--host", f"http://127.0.0.1:{port}",
                        "--fixtures", str(fixtures_path), "--plan", str(plan_path), "--out", str(out_path)],
                       check=True, cwd=BENCH)
        load = json.loads(out_path.read_text())
        if cfg["lighthouse"] and not args.no_lighthouse:
            log("Lighthouse…")
            try:
                results["lighthouse"] = lighthouse(port, fixtures, work)
            except Exception as exc:  # noqa: BLE001 - reported, never fatal
                results["lighthouse"] = {"error": repr(exc)[:500]}
    finally:
        stop_server(server)
    log("看板汇总表核对（负载后）…")
    results["rollups"] = inproc.rollups_check(app)
    log(f"  {results['rollups']}")
    times = server_times(access_log)
    floors = {r["users"]: r["rps"] for r in load if r["endpoint"] == "floor_health"}
    for r in load:
        st = times.get(f"{r['endpoint']}@{r['users']}", [])
        r["server_median_ms"], r["server_p95_ms"] = pct(st, 0.5), pct(st, 0.95)
        r["ratio_to_floor"] = round(r["rps"] / floors[r["users"]], 3) if floors.get(r["users"]) else None
    results["load"] = load
    results["frontend"] = frontend_sizes()
    results["machine"]["load_after"] = os.getloadavg()[0]

    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_file = out_dir / f"{stamp}-{args.scale}.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    log(f"结果：{out_file.relative_to(ROOT)}")
    import report as report_md

    text = report_md.section(results)
    print(text)
    if write_docs:
        report_md.prepend(ROOT / "docs" / "benchmarks.md", text)
        log("已写入 docs/benchmarks.md")
    errors = [r for r in load if r["failures"]]
    if errors:
        log("有请求失败：" + "; ".join(f"{r['endpoint']}@{r['users']}: {r['failures']} {r['errors']}"
                                   for r in errors)[:3000])
        return 1
    for when in ("rollups_before_load", "rollups"):
        check = results[when]
        if check["different"] or not check["dashboard_equal"]:
            log(f"看板汇总表与明细不一致（{when}）：{check}")
            return 1
    if results["seed"].get("audit_verify") is False:
        log("审计链校验失败")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
