"""Schemathesis against /api/openapi.json, as each role: no 5xx, and responses match the spec.

Each documented operation gets a bounded number of generated requests (hypothesis), sent as an
enterprise user, a city regulator, the sysadmin and an anonymous visitor.
"""
from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.factories import make_runs

EXAMPLES = 5
# Endpoints that would end the fuzzing sessions themselves; they have their own tests.
SKIP = {"POST /api/auth/logout", "POST /api/auth/password"}


def _send(case, client):
    headers = dict(case.headers or {})
    if "HTTP_X_CSRF_TOKEN" in client.environ_base:
        headers["X-CSRF-Token"] = client.environ_base["HTTP_X_CSRF_TOKEN"]
    # the WSGI transport reads the body as sent; compression (tests/common/test_compression.py) is not what
    # this test checks
    headers["Accept-Encoding"] = "identity"
    return client.open(**case.as_transport_kwargs(headers=headers))  # WSGI kwargs: path, method, json…


def test_every_operation_survives_generated_input(app, world, auth):
    with app.app_context():
        make_runs(world, date(2026, 11, 20))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    clients = [auth.client(name) for name in ("ehs-a", "reg-city", "sysadmin", None)]
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIP:
            continue

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            for client in clients:
                case.validate_response(_send(case, client), checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every failing operation, report them all
            failures.append(f"{operation.label}: {_summary(exc)}")
        tested += 1
    assert tested > 20
    assert not failures, "\n\n".join(failures)


def _summary(exc: BaseException) -> str:
    """The first lines of each failure in a (possibly grouped) exception."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    return " | ".join(" ".join(str(p).split("\n")[:3])[:300] for p in parts)
