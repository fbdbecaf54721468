"""The dashboard from the rollups equals the dashboard from the base tables, whatever happened before.

Random histories (hypothesis): self-checks and problems created, moved by UPDATE (compare_and_set_status) and
through the ORM, deleted, enterprises moved to another county or industry, commits and rollbacks in between.
Afterwards `flask rollups verify` finds no difference and every dashboard a regulator can open is the same
from both sources.
"""
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from app.accounts.models import Enterprise, User
from app.common.tx import compare_and_set_status
from app.extensions import db
from app.remediation.models import Problem
from app.rollups.check import differences, rebuild
from app.rollups.maintain import mark_states
from app.rollups.models import EnterpriseState, RollupWatermark, SelfCheckDay
from app.selfcheck.models import SelfCheck
from app.supervision.dashboard import dashboard
from app.supervision.models import RiskWarning
from app.supervision.warnings import record_warnings, warning_row
from tests.supervision.conftest import TODAY, Builder

ENTERPRISES = ("a", "b", "c")
COUNTIES = ("230102", "230103", "230602")
INDUSTRIES = (("C3360", "金属表面处理及热处理加工"), ("C2319", "包装装潢及其他印刷"))
SEVERITIES = ("一般", "较重", "重大")
PROBLEM_STATES = ("open", "rectifying", "extension_requested", "submitted", "verified", "self_closed", "cancelled")
SELFCHECK_STATES = ("pending", "in_progress", "submitted")
CREDIT_GRADES = ("环保诚信", "环保警示", "环保不良", "未评级")
NOW = datetime.now(UTC)

days = st.integers(-70, 40)
operation = st.one_of(
    st.tuples(st.just("selfcheck"), st.sampled_from(ENTERPRISES), days, st.sampled_from(SELFCHECK_STATES),
              st.one_of(st.none(), st.integers(0, 100)), st.booleans()),
    st.tuples(st.just("problem"), st.sampled_from(ENTERPRISES), st.sampled_from(SEVERITIES),
              st.sampled_from(PROBLEM_STATES), days, st.integers(0, 90), st.integers(0, 30)),
    st.tuples(st.just("move_problem"), st.integers(0, 30), st.sampled_from(PROBLEM_STATES)),
    st.tuples(st.just("submit_selfcheck"), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 100))),
    st.tuples(st.just("edit_problem"), st.integers(0, 30), days, st.sampled_from(SEVERITIES)),
    st.tuples(st.just("delete_problem"), st.integers(0, 30)),
    st.tuples(st.just("move_enterprise"), st.sampled_from(ENTERPRISES), st.sampled_from(COUNTIES),
              st.sampled_from(INDUSTRIES)),
    st.tuples(st.just("warning"), st.sampled_from(ENTERPRISES), st.integers(0, 5)),
    st.tuples(st.just("handle_warning"), st.integers(0, 30), st.sampled_from(("acknowledged", "delete"))),
    st.tuples(st.just("permit"), st.sampled_from(ENTERPRISES), st.one_of(st.none(), st.integers(-40, 120))),
    st.tuples(st.just("credit"), st.sampled_from(ENTERPRISES), st.sampled_from(CREDIT_GRADES)),
    st.tuples(st.just("rename"), st.sampled_from(ENTERPRISES), st.sampled_from(("甲厂", "乙厂", "丙厂"))),
    st.tuples(st.just("rollback")),
)


def _pick(model, n):
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    return rows[n % len(rows)] if rows else None


def _apply(build: Builder, op) -> None:
    kind = op[0]
    if kind == "selfcheck":
        _, key, offset, status, score, late = op
        build.selfcheck(key, TODAY + timedelta(days=offset), status, score=score if status == "submitted" else None,
                        late=late)
    elif kind == "problem":
        _, key, severity, status, offset, age, took = op
        created = NOW - timedelta(days=age, hours=age % 24)
        closed = created + timedelta(days=took, hours=7) if status in ("verified", "self_closed") else None
        build.problem(key, severity, status, deadline=TODAY + timedelta(days=offset), created_at=created,
                      closed_at=closed)
    elif kind == "move_problem":
        problem = _pick(Problem, op[1])
        if problem is not None and problem.status != op[2]:
            compare_and_set_status(problem, op[2], "conflict")
            if op[2] in ("verified", "self_closed"):
                problem.closed_at = NOW
    elif kind == "submit_selfcheck":
        run = _pick(SelfCheck, op[1])
        if run is not None and run.status != "submitted":
            compare_and_set_status(run, "submitted", "conflict")  # and nothing else: the status alone moves it
            if op[2] is not None:
                run.score, run.submitted_at = op[2], NOW
    elif kind == "edit_problem":
        problem = _pick(Problem, op[1])
        if problem is not None:
            problem.deadline, problem.severity = TODAY + timedelta(days=op[2]), op[3]
    elif kind == "delete_problem":
        problem = _pick(Problem, op[1])
        if problem is not None:
            db.session.delete(problem)
    elif kind == "warning":  # a Core INSERT, as the daily job and the monitoring ingest write them
        _, key, n = op
        record_warnings([warning_row(f"t:{key}:{n}", build.eid(key), "selfcheck_overdue", "high", "预警", "",
                                     TODAY)])
    elif kind == "handle_warning":
        warning = _pick(RiskWarning, op[1])
        if warning is not None and op[2] == "delete":  # a Core DELETE, as monitoring drops an absorbed episode
            db.session.execute(delete(RiskWarning).where(RiskWarning.id == warning.id))
            mark_states(db.session(), [warning.enterprise_id])
        elif warning is not None:
            warning.status = op[2]
    elif kind in ("permit", "credit", "rename"):
        enterprise = db.session.get(Enterprise, build.eid(op[1]))
        if kind == "permit":
            enterprise.permit_valid_until = None if op[2] is None else TODAY + timedelta(days=op[2])
        elif kind == "credit":
            enterprise.credit_grade = op[2]
        else:
            enterprise.name = op[2]
    elif kind == "move_enterprise":
        enterprise = db.session.get(Enterprise, build.eid(op[1]))
        enterprise.region_code, (enterprise.industry_code, enterprise.industry_name) = op[2], op[3]
    db.session.flush()
    if kind == "rollback":
        db.session.rollback()


def _reset(build: Builder) -> None:
    for model in (Problem, SelfCheck, RiskWarning):
        db.session.execute(delete(model))
    for table in db.metadata.sorted_tables:
        if table.name.startswith("rollup"):
            db.session.execute(table.delete())
    for key, (county, industry) in {"a": ("230102", INDUSTRIES[0]), "b": ("230103", INDUSTRIES[1]),
                                    "c": ("230602", INDUSTRIES[0])}.items():
        enterprise = db.session.get(Enterprise, build.eid(key))
        enterprise.region_code, (enterprise.industry_code, enterprise.industry_name) = county, industry
        enterprise.permit_valid_until, enterprise.credit_grade, enterprise.name = None, "未评级", f"企业{key}"
    db.session.commit()
    rebuild()  # the tables were emptied behind the maintenance's back
    db.session.commit()


def _dashboards(source: str) -> list[dict]:
    out = []
    for username, region in (("sysadmin", None), ("reg-city", None), ("reg-city", "230103"), ("reg-county-a", None)):
        user = db.session.scalar(select(User).where(User.username == username))
        out.append(dashboard(user, TODAY - timedelta(days=60), TODAY + timedelta(days=30), region, 3, source))
    return out


@pytest.fixture
def build(app, world):
    builder = Builder(app, world)
    with app.app_context():
        for key in ENTERPRISES:
            builder.schedule(key)
        db.session.commit()
    return builder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(operation, st.booleans()), max_size=25))
def test_dashboard_from_rollups_equals_dashboard_from_base_tables(app, build, ops):
    with app.app_context():
        _reset(build)
        for op, then_commit in ops:
            _apply(build, op)
            if then_commit:
                db.session.commit()
        db.session.commit()
        report = differences()
        assert all(t["different"] == 0 for t in report.values()), report
        assert _dashboards("rollups") == _dashboards("base")
        db.session.remove()


def test_rebuild_repairs_a_damaged_rollup_and_verify_reports_it(app, build, runner):
    with app.app_context():
        build.selfcheck("a", TODAY - timedelta(days=3), "submitted", score=80)
        build.problem("a", "重大", deadline=TODAY - timedelta(days=1))
        db.session.commit()
        assert runner.invoke(args=["rollups", "verify"]).exit_code == 0
        db.session.execute(SelfCheckDay.__table__.update().values(submitted=0))
        db.session.execute(EnterpriseState.__table__.update().values(latest_score=1)
                           .where(EnterpriseState.enterprise_id == build.eid("a")))
        db.session.commit()
        result = runner.invoke(args=["rollups", "verify"])
        assert result.exit_code == 1 and "不一致：2 行" in result.output
        assert runner.invoke(args=["rollups", "rebuild"]).exit_code == 0
        assert runner.invoke(args=["rollups", "verify"]).exit_code == 0
        assert rebuild() == {"rollup_selfcheck_day": 0, "rollup_problem_day": 0,
                             "rollup_enterprise": 3}  # every enterprise has its state
        assert all(t["different"] == 0 for t in differences().values())


def test_a_rolled_back_change_leaves_the_rollups_as_they_were(app, build):
    with app.app_context():
        build.selfcheck("a", TODAY - timedelta(days=3))
        db.session.commit()
        run = db.session.scalar(select(SelfCheck))
        compare_and_set_status(run, "submitted", "conflict")
        db.session.rollback()
        assert db.session.scalar(select(SelfCheckDay.submitted)) == 0
        assert all(t["different"] == 0 for t in differences().values())


def test_a_status_moved_by_update_alone_is_counted(app, build):
    with app.app_context():
        build.problem("a", "重大", deadline=TODAY - timedelta(days=1))
        build.selfcheck("a", TODAY - timedelta(days=3))
        db.session.commit()
        compare_and_set_status(db.session.scalar(select(Problem)), "submitted", "conflict")
        compare_and_set_status(db.session.scalar(select(SelfCheck)), "submitted", "conflict")
        db.session.commit()
        state = db.session.get(EnterpriseState, build.eid("a"))
        assert (state.active_major, state.waiting_major, state.overdue_major) == (0, 1, 0)
        assert db.session.scalar(select(SelfCheckDay.submitted)) == 1


def test_the_state_rolls_to_the_next_day_recomputing_only_the_enterprises_that_crossed_a_date(app, build):
    import time_machine

    from app.rollups import enterprise


    with app.app_context():
        build.problem("a", "重大", deadline=TODAY)           # overdue from tomorrow
        build.problem("b", "一般", deadline=TODAY + timedelta(days=5))
        build.selfcheck("c", TODAY)                          # not submitted: overdue from tomorrow
        db.session.commit()
        enterprise.current(TODAY)
        assert db.session.scalar(select(func.sum(EnterpriseState.overdue_total))) == 0
        tomorrow = datetime.combine(TODAY + timedelta(days=1), datetime.min.time()).replace(hour=9)
        with time_machine.travel(tomorrow.astimezone(UTC), tick=False):
            assert enterprise.crossing(TODAY, TODAY + timedelta(days=1)) == {build.eid("a"), build.eid("c")}
            enterprise.current(TODAY + timedelta(days=1))
            assert db.session.get(RollupWatermark, "enterprise").day == TODAY + timedelta(days=1)
            a = db.session.get(EnterpriseState, build.eid("a"))
            assert (a.overdue_major, a.oldest_major, a.overdue_total) == (1, TODAY, 1)
            assert db.session.get(EnterpriseState, build.eid("c")).overdue_selfchecks == 1
            assert db.session.get(EnterpriseState, build.eid("b")).overdue_total == 0
            assert enterprise.differences(TODAY + timedelta(days=1))["different"] == 0
            assert enterprise.roll(TODAY + timedelta(days=1)) == 0  # a second roll the same day does nothing


def test_concurrent_writers_of_one_key_both_count(app, build, monkeypatch):
    """Two transactions move problems of two enterprises in one (county, industry) cell at the same time. Each
    recomputes the cell from the stored states before its commit; the recomputation is held until the other
    one's has begun (or a second has passed). Without the cell's lock both would sum from a snapshot missing
    the other's state and the second write would lose the first; with it the second waits for the first
    commit and counts both. (On SQLite the database serialises the writers earlier; the result is the same.)"""
    import threading

    from app.rollups import enterprise
    from app.rollups.models import EnterpriseCell

    deadline = TODAY + timedelta(days=7)
    with app.app_context():
        a, b = db.session.get(Enterprise, build.eid("a")), db.session.get(Enterprise, build.eid("b"))
        b.region_code, b.industry_code, b.industry_name = a.region_code, a.industry_code, a.industry_name
        ids = [build.problem(key, "较重", deadline=deadline, created_at=NOW - timedelta(days=n)).id
               for key, n in (("a", 1), ("b", 45))]  # created in different months: no day key in common
        db.session.commit()
        cell = (a.region_code, a.industry_code)
    both_writing, errors = threading.Barrier(2, timeout=1), []
    write_cells = enterprise.write_cells

    def held_write_cells(pairs, stale=True):
        try:
            both_writing.wait()
        except threading.BrokenBarrierError:
            pass  # the other writer is waiting for our commit (the lock): go on
        return write_cells(pairs, stale)

    monkeypatch.setattr(enterprise, "write_cells", held_write_cells)

    def move(problem_id):
        with app.app_context():
            try:
                compare_and_set_status(db.session.get(Problem, problem_id), "submitted", "conflict")
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=move, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.setattr(enterprise, "write_cells", write_cells)
    assert not errors, errors
    with app.app_context():
        row = db.session.get(EnterpriseCell, cell)
        assert (row.active_serious, row.waiting_serious) == (0, 2)
        assert all(t["different"] == 0 for t in differences().values())


def test_the_attention_colour_rolls_with_the_permit_and_the_thirty_day_late_self_check(app, build):
    """A permit that expires today is amber (expiring) until tomorrow, when it turns red; one 91 days away
    turns amber tomorrow; a self-check 30 days late is amber and turns red on day 31. The roll recomputes
    exactly those enterprises, and the cells move with them."""
    import time_machine

    from app.rollups import enterprise
    from app.rollups.models import EnterpriseCell

    with app.app_context():
        db.session.get(Enterprise, build.eid("a")).permit_valid_until = TODAY
        db.session.get(Enterprise, build.eid("b")).permit_valid_until = TODAY + timedelta(days=91)
        build.selfcheck("c", TODAY - timedelta(days=30))
        db.session.commit()
        enterprise.current(TODAY)
        colours = {key: db.session.get(EnterpriseState, build.eid(key)).colour for key in ENTERPRISES}
        assert colours == {"a": "amber", "b": None, "c": "amber"}
        assert db.session.scalar(select(func.sum(EnterpriseCell.amber))) == 2
        tomorrow = TODAY + timedelta(days=1)
        with time_machine.travel(datetime.combine(tomorrow, datetime.min.time()).replace(hour=9).astimezone(UTC),
                                 tick=False):
            assert enterprise.crossing(TODAY, tomorrow) == {build.eid(k) for k in ENTERPRISES}
            enterprise.current(tomorrow)
            db.session.expire_all()
            colours = {key: db.session.get(EnterpriseState, build.eid(key)).colour for key in ENTERPRISES}
            assert colours == {"a": "red", "b": "amber", "c": "red"}
            assert db.session.scalar(select(func.sum(EnterpriseCell.red))) == 2
            assert all(t["different"] == 0 for t in differences().values())


def test_the_attention_list_is_ordered_red_first_then_by_reasons_then_by_name(app, build):
    from app.supervision.dashboard import Scope, attention

    with app.app_context():
        a, b, c = (db.session.get(Enterprise, build.eid(k)) for k in ENTERPRISES)
        a.name, b.name, c.name = "丙", "乙", "甲"
        a.permit_valid_until = TODAY + timedelta(days=10)                   # amber, one reason
        b.permit_valid_until = TODAY + timedelta(days=10)                   # amber, two reasons
        build.problem("b", "一般", deadline=TODAY - timedelta(days=2))
        c.permit_valid_until = TODAY - timedelta(days=1)                    # red
        db.session.commit()
        user = db.session.scalar(select(User).where(User.username == "sysadmin"))
        whole = dashboard(user, None, None, None)["attention"]
        assert [i["name"] for i in whole["items"]] == ["甲", "乙", "丙"]
        assert whole["counts"]["red"] == 1 and whole["counts"]["amber"] == 2 and whole["truncated"] is False
        assert whole["items"][0]["reasons"] == [{"colour": "red", "text": "排污许可证已过期1天"}]
        assert [r["colour"] for r in whole["items"][1]["reasons"]] == ["amber", "amber"]
        first_two = attention(Scope(user, None), TODAY, whole["counts"], limit=2)
        assert [i["name"] for i in first_two["items"]] == ["甲", "乙"] and first_two["truncated"] is True
