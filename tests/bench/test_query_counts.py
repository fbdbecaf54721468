"""No N+1: each list endpoint runs the same number of SQL statements for 5 rows and for 50 rows, and
every key endpoint stays under a fixed bound (statements counted with before_cursor_execute)."""
import pytest
from sqlalchemy import event

from app.bench.seed import PASSWORD
from app.extensions import db


def login(app, username):
    client = app.test_client()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = response.get_json()["csrf_token"]
    return client


def count_statements(app, client, method, path, json=None):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.open(path, method=method, json=json)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return response, len(statements)


PAGED = [  # (who, path, bound)
    ("bench-reg-230000", "/api/selfchecks", 6),
    ("bench-reg-230000", "/api/problems", 6),
    ("bench-reg-230000", "/api/problems?status=open,rectifying", 6),
    ("bench-reg-230000", "/api/problems/review-queue", 6),
    ("bench-reg-230000", "/api/reports", 6),
    ("bench-reg-230000", "/api/supervision/enterprises", 8),
    ("bench-reg-230000", "/api/supervision/warnings", 6),
    ("bench-ent-1", "/api/selfchecks", 6),
    ("bench-ent-1", "/api/problems", 6),
]


@pytest.mark.parametrize(("who", "path", "bound"), PAGED)
def test_list_statement_count_does_not_grow_with_page_size(app, seeded, who, path, bound):
    client = login(app, who)
    sep = "&" if "?" in path else "?"
    small, n_small = count_statements(app, client, "GET", f"{path}{sep}per_page=5")
    large, n_large = count_statements(app, client, "GET", f"{path}{sep}per_page=50")
    assert small.status_code == large.status_code == 200, large.get_json()
    items_small, items_large = len(small.get_json()["items"]), len(large.get_json()["items"])
    assert items_small <= 5
    if who.startswith("bench-reg") and "review-queue" not in path and "warnings" not in path:
        assert items_large > 5, f"{path}: the seeded data should fill more than one small page"
    assert n_small == n_large, f"{path}: {n_small} statements for 5 rows, {n_large} for {items_large} rows (N+1)"
    assert n_large <= bound, f"{path}: {n_large} statements (bound {bound})"


def test_key_endpoints_have_bounded_statement_counts(app, seeded):
    from app.bench.prepare import prepare

    with app.app_context():
        fixtures = prepare(runs=4, problems=4, pool=2)
        db.session.commit()
    username, me = next(iter(fixtures["users"].items()))
    client = login(app, username)
    province = login(app, "bench-reg-230000")
    checks = [
        (client, "GET", f"/api/selfchecks/{me['save_run']}", None, 6),
        (client, "PUT", f"/api/selfchecks/{me['save_run']}/answers",
         {"answers": [{"item_id": me["save_item"], "result": "compliant", "value": None, "upload_ids": []}]}, 8),
        # submit (43 on SQLite, 44 on PostgreSQL with the advisory locks): the rollups add the touched keys of two
        # day tables (a SELECT and an upsert each) and their months (one INSERT … SELECT each), the enterprise's
        # state (four reads and an upsert) and its cell (one INSERT … SELECT); one read of the statutory calendar
        # for the items answered from it, one of the problems still open (重复发现)
        (client, "POST", f"/api/selfchecks/{me['submit_runs'][0]}/submit", None, 44),
        (client, "GET", f"/api/reports/{me['report_id']}", None, 4),
        (client, "POST", f"/api/problems/{me['open_problems'][0]}/accept", {"plan": "计划"}, 14),
        # the dashboard: cells, two day/month pairs, members, the attention list (ids, states, facts), trend (14)
        (province, "GET", "/api/supervision/dashboard", None, 16),
        (client, "GET", f"/api/enterprises/{me['enterprise_id']}/eligibility", None, 12),
    ]
    for who, method, path, body, bound in checks:
        response, n = count_statements(app, who, method, path, body)
        assert response.status_code == 200, (path, response.get_json())
        assert n <= bound, f"{method} {path}: {n} statements (bound {bound})"
