"""Load test of the key endpoints with locust used as a library (run by bench/run.py in bench/.venv).

    bench/.venv/bin/python bench/locustfile.py --host http://127.0.0.1:PORT --fixtures F.json \
        --plan plan.json --out results.json

The plan is a list of {"endpoint", "users", "seconds"}. For each entry one user class runs at a fixed
concurrency: users log in first (not measured), then statistics are reset and every request of the
measured window carries an `X-Bench-Tag: endpoint@users` header, so the server's access log gives the
server-side time of exactly those requests. Endpoints that consume data (submit, accept) take runs /
problems from a queue shared by all levels, each enterprise used once.
"""
import argparse
import itertools
import json
import random
import time

import gevent
from locust import HttpUser, constant
from locust.env import Environment

PASSWORD = "bench-pass-2026"
METHODS = {"login": "POST", "submit": "POST", "problem_accept": "POST", "save_answer": "PUT"}
MIN_REQUESTS = 5
WARMUP_S = 25
STATE = {"measuring": False, "tag": "", "fixtures": {}, "ready": 0, "queues": {}}


def _users() -> list[str]:
    return list(STATE["fixtures"]["users"])


class BenchUser(HttpUser):
    abstract = True
    wait_time = constant(0)
    role = "ent"          # ent | county | city | province | none
    consumes = None       # "submit_runs" | "open_problems"

    def on_start(self):
        self.rng = random.Random(id(self))
        self.account = None
        if self.consumes:
            self._next_account()
        elif self.role == "ent":
            users = _users()
            self.account = users[next(STATE["counter"]) % len(users)]
            self.login(self.account)
        elif self.role != "none":
            self.login(STATE["fixtures"]["regulators"][self.role])
        STATE["ready"] += 1

    def login(self, username: str) -> None:
        self.client.cookies.clear()
        with self.client.post("/api/auth/login", json={"username": username, "password": PASSWORD},
                              name="login (setup)", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"login {username}: {r.status_code} {r.text[:200]}")
                self.csrf = ""
                return
            self.csrf = r.json()["csrf_token"]

    def _next_account(self) -> bool:
        queue = STATE["queues"].setdefault(self.consumes, iter(_users()))
        self.account = next(queue, None)
        self.items = list(STATE["fixtures"]["users"][self.account][self.consumes]) if self.account else []
        if self.account:
            self.login(self.account)
        return bool(self.account)

    def take(self):
        while not self.items:
            if not self._next_account():
                return None
        return self.items.pop(0)

    @property
    def me(self) -> dict:
        return STATE["fixtures"]["users"][self.account]

    def call(self, method: str, path: str, name: str, expect: int = 200, **kwargs):
        headers = kwargs.pop("headers", {})
        if STATE["measuring"]:
            headers["X-Bench-Tag"] = STATE["tag"]
        if method != "GET":
            headers["X-CSRF-Token"] = getattr(self, "csrf", "")
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code}: {r.text[:300]}")


def make_user(endpoint: str) -> type:
    spec = ENDPOINTS[endpoint]

    def task(self):
        spec["run"](self)
        if not getattr(self, "warmed", False):  # first request of each user: lazy imports, caches
            self.warmed = True
            STATE["warm"] += 1

    attrs = {"role": spec.get("role", "ent"), "consumes": spec.get("consumes"), "tasks": [task],
             "__module__": __name__}
    return type(f"User_{endpoint}", (BenchUser,), attrs)


def _login_task(self):
    username = self.rng.choice(_users())
    self.client.cookies.clear()
    self.call("POST", "/api/auth/login", "login", json={"username": username, "password": PASSWORD})


def _submit(self):
    run_id = self.take()
    if run_id is None:
        gevent.sleep(0.05)
        return
    self.call("POST", f"/api/selfchecks/{run_id}/submit", "submit")


def _accept(self):
    problem_id = self.take()
    if problem_id is None:
        gevent.sleep(0.05)
        return
    self.call("POST", f"/api/problems/{problem_id}/accept", "problem_accept", json={"plan": "基准测试整改计划"})


def _save(self):
    body = {"answers": [{"item_id": self.me["save_item"], "result": "compliant", "value": None, "upload_ids": []}]}
    self.call("PUT", f"/api/selfchecks/{self.me['save_run']}/answers", "save_answer", json=body)


def _get(path_fn, name):
    return lambda self: self.call("GET", path_fn(self), name)


ENDPOINTS = {
    "floor_health": {"role": "none", "run": _get(lambda u: "/api/health", "floor_health")},
    "login": {"role": "none", "run": _login_task},
    "selfcheck_list": {"run": _get(lambda u: "/api/selfchecks", "selfcheck_list")},
    "selfcheck_detail": {"run": _get(lambda u: f"/api/selfchecks/{u.me['save_run']}", "selfcheck_detail")},
    "save_answer": {"run": _save},
    "submit": {"run": _submit, "consumes": "submit_runs"},
    "report_json": {"run": _get(lambda u: f"/api/reports/{u.me['report_id']}", "report_json")},
    "report_pdf": {"run": _get(lambda u: f"/api/reports/{u.me['report_id']}/pdf", "report_pdf")},
    "problems_enterprise": {"run": _get(lambda u: "/api/problems", "problems_enterprise")},
    "problems_county": {"role": "county", "run": _get(lambda u: "/api/problems", "problems_county")},
    "problems_city": {"role": "city", "run": _get(lambda u: "/api/problems", "problems_city")},
    "problems_province": {"role": "province", "run": _get(lambda u: "/api/problems", "problems_province")},
    "problem_accept": {"run": _accept, "consumes": "open_problems"},
    "dashboard_county": {"role": "county", "run": _get(lambda u: "/api/supervision/dashboard", "dashboard_county")},
    "dashboard_province": {"role": "province",
                           "run": _get(lambda u: "/api/supervision/dashboard", "dashboard_province")},
    "enterprise_list_city": {"role": "city", "run": _get(lambda u: "/api/supervision/enterprises",
                                                          "enterprise_list_city")},
    "eligibility": {"run": _get(lambda u: f"/api/enterprises/{u.me['enterprise_id']}/eligibility", "eligibility")},
}


def drain(host: str, limit_s: float = 180) -> None:
    """Wait until the server has worked off requests still queued from the last group (health answers fast)."""
    import requests

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            requests.get(f"{host}/api/health", timeout=limit_s)
        except requests.RequestException:
            pass
        if time.monotonic() - started < 0.5:
            return
        gevent.sleep(0.5)


def run_one(host: str, endpoint: str, users: int, seconds: float) -> dict:
    env = Environment(user_classes=[make_user(endpoint)], host=host)
    runner = env.create_local_runner()
    STATE["ready"] = STATE["warm"] = 0
    runner.start(users, spawn_rate=max(users, 1))
    # Every user logs in and makes one request first (lazy imports, caches) — at most WARMUP_S: a saturated
    # server (a slow endpoint at 100 users) is then measured as it is.
    deadline = time.monotonic() + WARMUP_S
    while STATE["warm"] < users and time.monotonic() < deadline:
        gevent.sleep(0.05)
    setup_failures = env.stats.total.num_failures
    setup_errors = {str(k): v.occurrences for k, v in env.stats.errors.items()}
    env.stats.reset_all()
    STATE["tag"], STATE["measuring"] = f"{endpoint}@{users}", True
    started = time.monotonic()
    method = METHODS.get(endpoint, "GET")
    gevent.sleep(seconds)
    while time.monotonic() - started < seconds * 5:  # slow endpoints: wait for a few completed requests
        entry = env.stats.entries.get((endpoint, method))
        if entry is not None and entry.num_requests >= MIN_REQUESTS:
            break
        gevent.sleep(0.1)
    STATE["measuring"] = False
    elapsed = time.monotonic() - started
    entry = env.stats.entries.get((endpoint, method))
    errors = {str(v.error)[:300]: v.occurrences for v in env.stats.errors.values()}  # the message, not its hash
    runner.quit()
    runner.greenlet.join(timeout=30)
    drain(host)
    if entry is None or entry.num_requests == 0:
        return {"endpoint": endpoint, "users": users, "seconds": round(elapsed, 2), "requests": 0, "rps": 0.0,
                "failures": setup_failures, "errors": {**setup_errors, **errors}}
    return {
        "endpoint": endpoint, "users": users, "seconds": round(elapsed, 2), "requests": entry.num_requests,
        "rps": round(entry.num_requests / elapsed, 2), "failures": entry.num_failures + setup_failures,
        "median_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99), "errors": {**setup_errors, **errors},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.fixtures, encoding="utf-8") as handle:
        STATE["fixtures"] = json.load(handle)
    STATE["counter"] = itertools.count()
    with open(args.plan, encoding="utf-8") as handle:
        plan = json.load(handle)
    results = []
    for step in plan:
        result = run_one(args.host, step["endpoint"], step["users"], step["seconds"])
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
