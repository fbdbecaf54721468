"""HJ 212 ingest throughput (issue #18): POST /api/monitoring/hj212 against the floor GET /api/health, and the
time to judge a day.

Seeds a throw-away database (SQLite in a temp instance, or --database-url for PostgreSQL) with N enterprises, each
with one outlet (NOx/SO2/PM hourly limits, an annual permit) and one 数采仪, starts gunicorn as deployed
(`--workers 2 --threads 4`) on a free 127.0.0.1 port, then at a fixed client concurrency for a fixed time each:

- floor:   GET /api/health
- packet:  POST one hourly packet per request (a 数采仪 sends one an hour; 3 pollutant values each)
- batch:   POST 24 hourly packets per request (a platform forwarding a device's day)

Every packet is distinct (device × hour) and valid, about 1 % above the NOx limit, so each request parses,
authenticates, stores and judges. Throughput is given as packets/s and as a ratio to the floor's requests/s in the
same run (the machine is shared). Then, in process: `judge_day` for a day seeded with every outlet's 24 hours.

    .venv/bin/python bench/hj212_ingest.py                          # 2000 enterprises, SQLite, 10 s per level
    .venv/bin/python bench/hj212_ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hj212_bench
    .venv/bin/python bench/hj212_ingest.py --docs                    # append the figures to docs/benchmarks.md
"""
import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

PROVINCE_HOURLY_PACKETS = 50_000  # the issue: a province's hourly load, one packet per enterprise and hour
DAY = datetime(2025, 6, 2)        # a fixed past day: every DataTime is in the past
JUDGED_DAY = DAY - timedelta(days=1)  # seeded complete (every outlet's 24 hours) for the judge-a-day timing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED = """
import sys
from app import create_app
from app.accounts.models import Enterprise, Region
from app.accounts.uscc import make_uscc
from sqlalchemy import text
from app.extensions import db
from app.monitoring.ingest import new_credentials
from datetime import datetime, timedelta
from app.common.timeutil import TZ, as_utc
from app.monitoring.models import Device, Outlet, PollutantLimit, Record, Value

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    db.drop_all()  # a throw-away database: --database-url must name one made for this
    db.create_all()
    db.session.add_all([Region(code="230000", name="黑龙江省", level="province"),
                        Region(code="230100", name="哈尔滨市", level="city", parent_code="230000"),
                        Region(code="230102", name="道里区", level="county", parent_code="230100")])
    db.session.flush()
    salt, digest = new_credentials("bench-pw")
    rows = lambda model, items: db.session.execute(model.__table__.insert(), items)
    rows(Enterprise, [{"id": n, "name": f"基准企业{n}", "uscc": make_uscc(f"91230102MA{n:07d}"),
                       "industry_code": "D4430", "industry_name": "热力生产和供应", "region_code": "230102",
                       "permit_class": "重点管理", "flags": ["boiler", "online_monitoring"], "address": "",
                       "credit_grade": "环保良好", "contact_name": "", "contact_phone": "", "public_code": f"b{n}",
                       "air_special_limits": False, "water_special_limits": False} for n in range(1, count + 1)])
    rows(Outlet, [{"id": n, "enterprise_id": n, "code": "DA001", "name": "", "kind": "gas", "location": "",
                   "active": True} for n in range(1, count + 1)])
    rows(PollutantLimit, [{"outlet_id": n, "pollutant": code, "name": name, "limit_value": value, "unit": "mg/m³",
                           "basis": "GB 13271-2014 表1", "basis_checked": False, "period": "hour",
                           "annual_permit_t": permit}
                          for n in range(1, count + 1)
                          for code, name, value, permit in (("a21002", "氮氧化物", 400, 8.0),
                                                            ("a21026", "二氧化硫", 400, 6.0),
                                                            ("a34013", "颗粒物", 80, 1.0))])
    rows(Device, [{"outlet_id": n, "mn": f"B{n:013d}", "pw_salt": salt, "pw_hash": digest, "st": "31",
                   "active": True} for n in range(1, count + 1)])
    # The judged day: every outlet's 24 hours already stored (as the ingest path stores them).
    day = datetime.fromisoformat(sys.argv[2]).replace(tzinfo=TZ)
    hours = [as_utc(day + timedelta(hours=h)) for h in range(24)]
    rid = 0
    for start in range(1, count + 1, 500):
        records, values = [], []
        for n in range(start, min(start + 500, count + 1)):
            for at in hours:
                rid += 1
                records.append({"id": rid, "outlet_id": n, "enterprise_id": n, "device_id": n, "cn": "2061",
                                "data_time": at, "source": "bench"})
                values += [{"record_id": rid, "pollutant": code, "outlet_id": n, "cn": "2061", "data_time": at,
                            "avg": avg, "cou": cou, "flag": "N"}
                           for code, avg, cou in (("a21002", 200.0, 0.8), ("a21026", 150.0, 0.6), ("a34013", 25.0, 0.1))]
        rows(Record, records)
        rows(Value, values)
    db.session.execute(Outlet.__table__.update().values(first_data_at=hours[0]))
    if db.engine.dialect.name == "postgresql":  # ids were given explicitly: move the sequences past them
        for table in ("enterprises", "monitoring_outlets", "monitoring_records"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
"""


def seed(env: dict, enterprises: int) -> None:
    subprocess.run([sys.executable, "-c", SEED, str(enterprises), JUDGED_DAY.isoformat()], cwd=ROOT, env=env,
                   check=True)


def packet(index: int, at: datetime) -> str:
    from app.monitoring import hj212

    nox = 460.0 if (index * 7 + at.hour) % 97 == 0 else 180.0 + (index % 50)
    return hj212.build_data_packet(
        mn=f"B{index:013d}", pw="bench-pw", cn=hj212.CN_HOURLY, data_time=at, st="31",
        qn=f"{at:%Y%m%d%H%M%S}{index % 1000:03d}",
        values={"a21002": {"Avg": nox, "ZsAvg": nox, "Cou": 0.8, "Flag": "N"},
                "a21026": {"Avg": 150.0, "Cou": 0.6, "Flag": "N"}, "a34013": {"Avg": 25.0, "Cou": 0.1, "Flag": "N"}})


class Work:
    """Hands out distinct (device, hour) packets: one per request, or one device's 24 hours per request."""

    def __init__(self, devices: int, start: datetime, per_request: int):
        self.devices, self.start, self.per_request = devices, start, per_request
        self.next, self.lock = 0, threading.Lock()

    def take(self) -> str:
        with self.lock:
            n, self.next = self.next, self.next + 1
        if self.per_request == 1:  # hour by hour across all devices
            hours, device = divmod(n, self.devices)
            return packet(device + 1, self.start + timedelta(hours=hours))
        days, device = divmod(n, self.devices)  # a device's day
        day = self.start + timedelta(days=days)
        return "".join(packet(device + 1, day + timedelta(hours=h)) for h in range(24))


def drive(port: int, users: int, seconds: float, request) -> dict:
    """`users` threads, each with one keep-alive connection, calling `request(conn)` until the time is up."""
    stop = time.monotonic() + seconds
    counts, errors, latencies = [0] * users, [0] * users, [[] for _ in range(users)]

    def run(slot: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                status = request(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 599
            latencies[slot].append(time.perf_counter() - began)
            if status >= 400:
                errors[slot] += 1
            counts[slot] += 1
        conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ordered = sorted(x for slot in latencies for x in slot)
    median = ordered[len(ordered) // 2] if ordered else None
    return {"requests": sum(counts), "errors": sum(errors), "seconds": round(elapsed, 2),
            "rps": round(sum(counts) / elapsed, 1), "median_ms": round(median * 1000, 1) if median else None}


def health(conn) -> int:
    conn.request("GET", "/api/health")
    response = conn.getresponse()
    response.read()
    return response.status


def poster(work: Work):
    def post(conn) -> int:
        body = work.take().encode("ascii")
        conn.request("POST", "/api/monitoring/hj212", body=body, headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        data = response.read()
        if response.status == 200 and json.loads(data)["refused"]:
            return 400
        return response.status
    return post


def judge(env: dict) -> dict:
    code = f"""
import json, time
from datetime import date, timedelta
from app import create_app
from app.extensions import db
from app.monitoring.judgement import judge_day
app = create_app()
with app.app_context():
    judge_day(date({JUDGED_DAY.year}, {JUDGED_DAY.month}, {JUDGED_DAY.day}) - timedelta(days=1))  # warm: no data yet
    db.session.rollback()
    began = time.perf_counter()
    result = judge_day(date({JUDGED_DAY.year}, {JUDGED_DAY.month}, {JUDGED_DAY.day}))
    db.session.commit()
    print(json.dumps({{"seconds": round(time.perf_counter() - began, 2), **result}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--users", type=int, default=8, help="concurrent clients (gunicorn has 2×4 threads)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--docs", action="store_true", help="append a section to docs/benchmarks.md")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hj212-bench-"))
    url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    env = dict(os.environ, ECOCHECK_INSTANCE_PATH=str(instance), DATABASE_URL=url,
               PASSWORD_HASH_METHOD="scrypt:1024:8:1", HJ212_MAX_PW_FAILURES="1000000")
    began = time.monotonic()
    seed(env, args.enterprises)
    seeded = round(time.monotonic() - began, 1)
    port = free_port()
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--no-control-socket",
                               "--timeout", "120", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:  # up when /api/health answers 200; a server that died or never answers ends the run
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                if health(conn) == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start (run `flask --app app routes` to see why)")
            time.sleep(0.2)
        drive(port, 2, 1.0, health)  # warm both workers
        results = {"floor": drive(port, args.users, args.seconds, health)}
        results["packet"] = drive(port, args.users, args.seconds,
                                  poster(Work(args.enterprises, DAY, 1)))
        results["batch"] = drive(port, args.users, args.seconds,
                                 poster(Work(args.enterprises, DAY + timedelta(days=1), 24)))
    finally:
        server.terminate()
        server.wait(timeout=60)
    results["packet"]["packets_per_s"] = results["packet"]["rps"]
    results["batch"]["packets_per_s"] = round(results["batch"]["rps"] * 24, 1)
    for key in ("packet", "batch"):
        results[key]["ratio_to_floor"] = round(results[key]["rps"] / results["floor"]["rps"], 3)
        results[key]["values_per_s"] = round(results[key]["packets_per_s"] * 3, 1)
        results[key]["province_headroom"] = round(results[key]["packets_per_s"] * 3600 / PROVINCE_HOURLY_PACKETS, 1)
    results["judge_day"] = judge(env)
    summary = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "enterprises": args.enterprises,
               "database": url.split("@")[-1] if "@" in url else url.split(":")[0], "users": args.users,
               "seconds": args.seconds, "seeded_s": seeded, "load": os.getloadavg(), "cpus": os.cpu_count(),
               "python": platform.python_version(), **results}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-hj212.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = any(results[k]["errors"] for k in ("floor", "packet", "batch"))
    if args.docs and not failed:
        append_docs(summary)
    return 1 if failed else 0


def append_docs(s: dict) -> None:
    f, p, b, j = s["floor"], s["packet"], s["batch"], s["judge_day"]
    section = f"""## {s['at']} — HJ 212 数据接收（issue #18），`bench/hj212_ingest.py`

- 方法：`.venv/bin/python bench/hj212_ingest.py --enterprises {s['enterprises']} --users {s['users']} --seconds {s['seconds']:g}`。
  {s['enterprises']} 家企业各一个排放口（氮氧化物、二氧化硫、颗粒物小时限值与年许可量）、一台数采仪；
  `gunicorn --workers 2 --threads 4`，{s['users']} 个并发客户端（同机，长连接），每组 {s['seconds']:g} s。每个报文都是不同的
  设备×小时、CRC 正确、密码正确，约 1% 超标，每次请求都经过解析、认证、入库（去重）与超标判定。
- 数据库：{s['database']}；机器：{s['cpus']} 核（共享，1/5/15 分钟负载 {', '.join(f'{x:.1f}' for x in s['load'])}）；Python {s['python']}；播种 {s['seeded_s']} s。

| 组 | 请求 | 错误 | 请求/s | 中位数 | 与 floor 之比 | 报文/s | 数值/s | 省级小时负载（5 万报文/小时）的倍数 |
|---|---|---|---|---|---|---|---|---|
| floor：GET /api/health | {f['requests']} | {f['errors']} | {f['rps']} | {f['median_ms']} ms | 1 | — | — | — |
| 每请求 1 个小时报文 | {p['requests']} | {p['errors']} | {p['rps']} | {p['median_ms']} ms | {p['ratio_to_floor']} | {p['packets_per_s']} | {p['values_per_s']} | {p['province_headroom']}× |
| 每请求 24 个小时报文 | {b['requests']} | {b['errors']} | {b['rps']} | {b['median_ms']} ms | {b['ratio_to_floor']} | {b['packets_per_s']} | {b['values_per_s']} | {b['province_headroom']}× |

- 日判定（`judge_day`，进程内，{s['enterprises']} 个排放口、当天各 24 小时 × 3 项数据，预先写入）：{j['seconds']} s
  （数据缺失 {j['missing_episodes']} 段，日排放量 {j['totals']} 项，超许可 {j['over_permit']} 项）。

"""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    marker = "<!-- runs below, newest first -->\n"
    path.write_text(text.replace(marker, marker + "\n" + section, 1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
