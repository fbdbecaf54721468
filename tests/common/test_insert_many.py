"""insert_many_ignoring: many rows by COPY on PostgreSQL (VALUES below COPY_FROM and on SQLite), duplicates skipped,
the inserted rows returned, pending ORM changes flushed first."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.common.dbutil import COPY_FROM, insert_many_ignoring
from app.extensions import db
from app.obligations.models import Obligation
from app.selfcheck.models import SelfCheck
from tests.factories import make_runs


def _rows(enterprise_id: int, keys) -> list[dict]:
    return [{"enterprise_id": enterprise_id, "code": "TEST", "period_key": f"p{k}", "period_label": f"第{k}期",
             "title": "测试义务", "due_date": date(2027, 1, 1), "status": "pending"} for k in keys]  # note, created_at: defaults


@pytest.mark.parametrize("many", [COPY_FROM + 100, 3])
def test_duplicates_are_skipped_and_the_new_rows_returned(app, world, many):
    with app.app_context():
        eid = world.enterprises["a"]
        first = insert_many_ignoring(Obligation.__table__, ["enterprise_id", "code", "period_key"],
                                     _rows(eid, range(many)), ("id", "period_key"))
        assert len(first) == many and {r["period_key"] for r in first} == {f"p{k}" for k in range(many)}
        again = insert_many_ignoring(Obligation.__table__, ["enterprise_id", "code", "period_key"],
                                     _rows(eid, range(many + 7)), ("id", "period_key"))
        assert sorted(r["period_key"] for r in again) == sorted(f"p{k}" for k in range(many, many + 7))
        assert db.session.scalar(select(func.count()).select_from(Obligation).where(
            Obligation.code == "TEST")) == many + 7
        stored = db.session.get(Obligation, first[0]["id"])
        assert stored.created_at is not None and stored.note == ""  # the model's defaults, on either path
        assert insert_many_ignoring(Obligation.__table__, ["enterprise_id", "code", "period_key"],
                                    _rows(eid, range(many)), ()) == []
        db.session.rollback()


def test_json_columns_go_through_copy_intact(app, world):
    with app.app_context():
        make_runs(world, date(2026, 11, 20))
        run = db.session.scalars(select(SelfCheck)).first()
        keep = ("schedule_id", "enterprise_id", "version_id", "title", "period_label", "open_date", "due_date",
                "status", "late", "answered_count")
        rows = [{**{k: getattr(run, k) for k in keep}, "period_key": f"x{k}", "item_ids": [k, k + 1, 7]}
                for k in range(COPY_FROM + 1)]
        inserted = insert_many_ignoring(SelfCheck.__table__, ["schedule_id", "period_key"], rows, ("id",))
        assert len(inserted) == COPY_FROM + 1
        last = db.session.get(SelfCheck, inserted[-1]["id"])
        assert last.item_ids == [COPY_FROM, COPY_FROM + 1, 7]
        db.session.rollback()
