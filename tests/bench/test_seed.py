"""The benchmark seeder: valid audit chains, every problem state, consistent reports, and prepared runs that
the real submit endpoint accepts."""
from sqlalchemy import func, select

from app.bench.seed import PASSWORD, Seeder
from app.common.audit import verify_chains
from app.extensions import db
from app.remediation.models import Problem
from app.reports.models import Report, ReportCounter
from app.reports.service import digest_of
from app.selfcheck.models import SelfCheck


def test_seed_makes_valid_chains_all_states_and_consistent_reports(app, seeded):
    with app.app_context():
        assert verify_chains() == []
        states = set(db.session.scalars(select(Problem.status).distinct()))
        assert {"open", "rectifying", "submitted", "verified", "self_closed"} <= states
        assert set(db.session.scalars(select(SelfCheck.status).distinct())) >= {"submitted", "pending"}
        for report in db.session.scalars(select(Report).limit(20)):
            assert digest_of(report.snapshot) == report.digest
            assert db.session.get(SelfCheck, report.selfcheck_id).report_id == report.id
        top = db.session.execute(select(Report.region_code, Report.year, func.max(Report.seq))
                                 .group_by(Report.region_code, Report.year)).all()
        for region, year, seq in top:
            assert db.session.get(ReportCounter, (region, year)).last_seq == seq


def test_seed_is_deterministic(app):
    with app.app_context():
        first = Seeder(enterprises=8, months=2, seed=3, echo=lambda *_: None).run()
        names = db.session.scalars(select(SelfCheck.score).order_by(SelfCheck.id)).all()
    # empty and seed again with the same seed
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        second = Seeder(enterprises=8, months=2, seed=3, echo=lambda *_: None).run()
        assert db.session.scalars(select(SelfCheck.score).order_by(SelfCheck.id)).all() == names
    assert first == second


def test_prepared_runs_submit_and_problems_accept_through_the_api(app, seeded):
    from app.bench.prepare import prepare

    with app.app_context():
        fixtures = prepare(runs=2, problems=2, pool=1)
        db.session.commit()
    username, me = next(iter(fixtures["users"].items()))
    client = app.test_client()
    token = client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).get_json()["csrf_token"]
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    response = client.post(f"/api/selfchecks/{me['submit_runs'][0]}/submit")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["report_id"]
    assert client.post(f"/api/problems/{me['open_problems'][0]}/accept", json={"plan": "计划"}).status_code == 200
    with app.app_context():
        assert verify_chains() == []
