"""A small seeded world for the bench tests (the benchmark's own seeder, at tiny scale)."""
import pytest

from app.extensions import db


@pytest.fixture
def seeded(app):
    from app.bench.seed import Seeder

    with app.app_context():
        counts = Seeder(enterprises=60, months=3, seed=7, echo=lambda *_: None).run()
        db.session.remove()
    return counts
