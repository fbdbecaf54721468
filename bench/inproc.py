"""In-process measurements for bench/run.py: SQL statements per request, EXPLAIN, jobs, PDF rendering."""
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

PASSWORD = "bench-pass-2026"


class StatementLog:
    """Record every statement the engine executes (text, parameters, seconds) while active."""

    def __init__(self, engine):
        self.engine, self.rows, self._start = engine, [], {}

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_t0"].pop()
        self.rows.append((statement, parameters, time.perf_counter() - started))

    @contextmanager
    def active(self):
        self.rows = []
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            event.remove(self.engine, "after_cursor_execute", self._after)


def login(app, username: str):
    client = app.test_client()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, (username, response.status_code, response.get_data(as_text=True)[:200])
    client.environ_base["HTTP_X_CSRF_TOKEN"] = response.get_json()["csrf_token"]
    return client


def endpoint_calls(fx: dict, take_run, take_problem) -> dict:
    """endpoint -> (who, method, path, json body)."""
    first = next(iter(fx["users"]))
    me = fx["users"][first]
    reg = fx["regulators"]
    return {
        "login": (None, "POST", "/api/auth/login", {"username": first, "password": PASSWORD}),
        "selfcheck_list": (first, "GET", "/api/selfchecks", None),
        "selfcheck_detail": (first, "GET", f"/api/selfchecks/{me['save_run']}", None),
        "save_answer": (first, "PUT", f"/api/selfchecks/{me['save_run']}/answers",
                        {"answers": [{"item_id": me["save_item"], "result": "compliant", "value": None,
                                      "upload_ids": []}]}),
        "submit": take_run,
        "report_json": (first, "GET", f"/api/reports/{me['report_id']}", None),
        "report_pdf": (first, "GET", f"/api/reports/{me['report_id']}/pdf", None),
        "problems_enterprise": (first, "GET", "/api/problems", None),
        "problems_county": (reg["county"], "GET", "/api/problems", None),
        "problems_city": (reg["city"], "GET", "/api/problems", None),
        "problems_province": (reg["province"], "GET", "/api/problems", None),
        "problem_accept": take_problem,
        "dashboard_county": (reg["county"], "GET", "/api/supervision/dashboard", None),
        "dashboard_province": (reg["province"], "GET", "/api/supervision/dashboard", None),
        "enterprise_list_city": (reg["city"], "GET", "/api/supervision/enterprises", None),
        "eligibility": (first, "GET", f"/api/enterprises/{me['enterprise_id']}/eligibility", None),
    }


def query_counts(app, fx: dict, take) -> dict:
    """Call each endpoint once warm (after one unmeasured call) and count its SQL statements."""
    from app.extensions import db

    out = {}
    clients = {}
    with app.app_context():
        log = StatementLog(db.engine)
    calls = endpoint_calls(fx, None, None)
    for name, spec in calls.items():
        consuming = spec is None
        if consuming:
            username, kind = take(name)
            if username is None:
                out[name] = {"skipped": "no prepared data left"}
                continue
            path = f"/api/selfchecks/{kind}/submit" if name == "submit" else f"/api/problems/{kind}/accept"
            spec = (username, "POST", path, {} if name == "submit" else {"plan": "计划"})
        who, method, path, body = spec
        client = app.test_client() if who is None else clients.setdefault(who, login(app, who))
        if not consuming and method == "GET":
            client.open(path, method=method, json=body)  # warm caches (templates, fonts, compiled SQL)
        with log.active():
            started = time.perf_counter()
            response = client.open(path, method=method, json=body)
            elapsed = time.perf_counter() - started
        out[name] = {"status": response.status_code, "statements": len(log.rows),
                     "in_process_ms": round(elapsed * 1000, 1),
                     "sql": [(s, p, round(d * 1000, 2)) for s, p, d in log.rows]}
    return out


# The regulator views of the provincial-scale issue, and their goals as multiples of GET /api/health measured
# in the same run (in-process, median of 5 after one warm call).
VIEW_GOALS = {
    "dashboard_province": ("province", "/api/supervision/dashboard", 50),
    "dashboard_county": ("county", "/api/supervision/dashboard", 15),
    "enterprise_list_city": ("city", "/api/supervision/enterprises", 15),
    "problems_city": ("city", "/api/problems", 10),
    "problems_province": ("province", "/api/problems", 10),
    "review_queue_province": ("province", "/api/problems/review-queue", 10),
}


def views_vs_floor(app, fx: dict, repeat: int = 5) -> dict:
    """Each view's in-process median against the floor (GET /api/health) measured around it in this run."""
    clients = {who: login(app, fx["regulators"][who]) for who in ("province", "city", "county")}

    def median_ms(client, path):
        assert client.get(path).status_code == 200, path  # warm
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        return statistics.median(times)

    out = {}
    floors = []
    for name, (who, path, goal) in VIEW_GOALS.items():
        floor = median_ms(clients[who], "/api/health")
        floors.append(floor)
        ms = median_ms(clients[who], path)
        out[name] = {"path": path, "who": who, "median_ms": round(ms, 1), "floor_ms": round(floor, 2),
                     "ratio": round(ms / floor, 1), "goal_ratio": goal, "met": ms / floor <= goal}
    return {"views": out, "floor_median_ms": round(statistics.median(floors), 2)}


def rollups_check(app) -> dict:
    """After the load: the rollups equal the base tables, and the province dashboard is the same from both."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.common.timeutil import today_local
    from app.extensions import db
    from app.rollups.check import differences
    from app.supervision.dashboard import dashboard

    with app.app_context():
        started = time.perf_counter()
        report = differences()
        verify_s = time.perf_counter() - started
        user = db.session.scalar(select(User).where(User.role == "sysadmin").limit(1)) or db.session.scalar(
            select(User).where(User.username.like("bench-reg-%0000")).limit(1))
        today = today_local()
        start = today.replace(month=1, day=1)
        equal = dashboard(user, start, today, None, 12, "rollups") == dashboard(user, start, today, None, 12, "base")
        db.session.rollback()
    different = {t: r["different"] for t, r in report.items() if r["different"]}
    return {"different": different, "examples": {t: report[t]["examples"][:3] for t in different},
            "dashboard_equal": equal, "verify_s": round(verify_s, 2)}


def explain(app, captured: dict, names: tuple[str, ...], top: int = 3) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) for the slowest statements of the named endpoints (PostgreSQL only)."""
    from app.extensions import db

    plans = {}
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return {}
        raw = db.engine.raw_connection()
        try:
            for name in names:
                entry = captured.get(name) or {}
                slowest = sorted(entry.get("sql", []), key=lambda r: -r[2])[:top]
                plans[name] = []
                for statement, params, ms in slowest:
                    if not statement.lstrip().upper().startswith("SELECT"):
                        continue
                    cur = raw.cursor()
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                    plan = "\n".join(r[0] for r in cur.fetchall())
                    cur.close()
                    plans[name].append({"ms": ms, "sql": statement, "plan": plan})
                raw.rollback()
        finally:
            raw.close()
    return plans


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def generation(app) -> dict:
    """generate_due_selfchecks for the next month's first day: first call creates ~all runs, second none.
    Rolled back, so the database is unchanged."""
    from app.common.timeutil import today_local
    from app.extensions import db
    from app.selfcheck.service import generate_due_selfchecks

    with app.app_context():
        as_of = (today_local().replace(day=28) + timedelta(days=4)).replace(day=1)
        created, first = timed(generate_due_selfchecks, as_of)
        db.session.flush()
        again, second = timed(generate_due_selfchecks, as_of)
        db.session.rollback()
        _, today_call = timed(generate_due_selfchecks, today_local())
        db.session.rollback()
    return {"as_of": as_of.isoformat(), "first_s": round(first, 2), "created": created,
            "second_s": round(second, 2), "second_created": again, "today_s": round(today_call, 2)}


def warnings_and_tick(app) -> dict:
    """run_daily_warnings twice, then the daily scheduler tick twice (committed: they are idempotent)."""
    from app.common.timeutil import today_local, utcnow
    from app.extensions import db

    out = {}
    with app.app_context():
        from app.supervision.warnings import run_daily_warnings

        if True:
            runs = []
            for _ in range(2):
                created, seconds = timed(run_daily_warnings, today_local())
                db.session.commit()
                runs.append({"s": round(seconds, 2), "created": created})
            out["warnings"] = {"first_s": runs[0]["s"], "first_created": runs[0]["created"],
                               "second_s": runs[1]["s"], "second_created": runs[1]["created"]}
        out["tick"] = tick_per_job(utcnow())
    return out


def tick_per_job(as_of) -> dict:
    """Each daily job alone, twice at the same instant (the second finds nothing new), committed like the
    scheduler does; the tick's figures are the sums. deliver_notifications (push/email) is left out."""
    from app.scheduler.jobs import JOBS
    from app.scheduler.runner import run_job

    jobs, failed = {}, []
    for job in JOBS:
        if job.id == "deliver_notifications":
            continue
        runs = []
        for _ in range(2):
            try:
                result, seconds = timed(run_job, job, as_of)
            except Exception as exc:  # recorded, the other jobs still run
                result, seconds = repr(exc)[:120], float("nan")
                failed.append(job.id)
            runs.append({"s": round(seconds, 3), "result": result if isinstance(result, (int, float, str, type(None)))
                         else repr(result)[:120]})
        jobs[job.id] = {"first_s": runs[0]["s"], "second_s": runs[1]["s"], "first_result": runs[0]["result"],
                        "second_result": runs[1]["result"]}
    return {"first_s": round(sum(j["first_s"] for j in jobs.values()), 2),
            "second_s": round(sum(j["second_s"] for j in jobs.values()), 2), "jobs": jobs, "failed": failed}


def report_build(app, fx: dict, take, count: int) -> dict:
    """Submit `count` prepared runs through the test client, timing issue_report inside each submit."""
    import app.reports.service as report_service

    durations, totals = [], []
    original = report_service.issue_report

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - started)

    report_service.issue_report = wrapper
    clients = {}
    try:
        for _ in range(count):
            username, run_id = take("submit")
            if username is None:
                break
            client = clients.setdefault(username, login(app, username))
            started = time.perf_counter()
            response = client.post(f"/api/selfchecks/{run_id}/submit")
            totals.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
    finally:
        report_service.issue_report = original
    return {"n": len(durations), "issue_report_median_ms": _ms(durations), "submit_median_ms": _ms(totals)}


def _ms(values) -> float | None:
    return round(statistics.median(values) * 1000, 1) if values else None


def pdf_render(app, fx: dict, photos: int = 10, items: int = 50, repeat: int = 3) -> dict:
    """Render a report with `items` checked items and `photos` distinct photos, in-process (rolled back)."""
    from app.evidence.models import Upload
    from app.extensions import db
    from app.reports import render
    from app.reports.models import Report

    with app.app_context():
        base = db.session.get(Report, next(u["report_id"] for u in fx["users"].values() if u["report_id"]))
        upload = db.session.scalar(select(Upload).where(Upload.enterprise_id == base.enterprise_id).limit(1))
        ids = []
        for n in range(photos):
            extra = Upload(client_id=f"bench-pdf-{n}", enterprise_id=upload.enterprise_id,
                           uploaded_by_id=upload.uploaded_by_id, sha256=upload.sha256, content_type="image/jpeg",
                           size=upload.size, filename=f"p{n}.jpg", thumb_key=upload.thumb_key)
            db.session.add(extra)
            db.session.flush()
            ids.append(extra.id)
        snap = dict(base.snapshot)
        snap["totals"] = {"checked": items, "compliant": items - photos, "non_compliant": photos, "not_applicable": 0}
        template = (snap.get("problems") or [None])[0] or {
            "item_code": "W1", "question": "废气治理设施是否正常运行", "observed": "现场检查发现不符合要求",
            "severity": "较重", "legal_basis": [], "recommendation": "立即整改", "deadline": "2026-12-31"}
        snap["problems"] = [{**template, "problem_id": 900000 + n, "item_code": f"Q{n + 1}",
                             "photo_upload_ids": [ids[n]]} for n in range(photos)]
        report = Report(id=base.id, number=base.number, region_code=base.region_code, year=base.year, seq=base.seq,
                        selfcheck_id=base.selfcheck_id, enterprise_id=base.enterprise_id, score=base.score,
                        grade=base.grade, snapshot=snap, digest=base.digest, revoked=False, issued_at=base.issued_at)
        times, size = [], 0
        with app.test_request_context(base_url="http://127.0.0.1"):
            for _ in range(repeat + 1):
                pdf, seconds = timed(render.report_pdf, report)
                times.append(seconds)
                size = len(pdf)
        db.session.rollback()
    return {"first_s": round(times[0], 2), "median_s": round(statistics.median(times[1:]), 2), "bytes": size,
            "photos": photos, "items": items}
