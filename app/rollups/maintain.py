"""Keeping the rollups exact, in the transaction that changes the base rows.

A change marks the keys it touches — (enterprise, day) per table — and just before the commit the marked
keys are recomputed from the base tables (the same GROUP BY as `flask rollups rebuild`, restricted to them)
and written. Recomputing, not adding deltas, makes over-marking harmless and leaves no arithmetic to drift;
an advisory lock per key taken before recomputing makes concurrent writers to one key wait for each other's
commit, so the second one counts the first one's rows (PostgreSQL READ COMMITTED: every statement sees what
was committed before it began).

Marks come from four places: the ORM flush (new, changed and deleted self-checks and problems, new
enterprises and enterprises whose name, region, industry, permit or credit grade change, and the rows of
the counts registered with `enterprise.register_count`, e.g. risk warnings), `compare_and_set_status` (a
status moved by UPDATE, told through `events.status_set`), bulk inserts that bypass the ORM
(`events.rows_inserted`, e.g. generation), and `mark_states` from a writer that uses Core statements.
"""
from itertools import chain

from sqlalchemy import event, inspect, select, tuple_
from sqlalchemy.orm.util import identity_key

from app.accounts.models import Enterprise
from app.common import events
from app.common.dbutil import upsert
from app.common.timeutil import local_date, today_local
from app.extensions import db
from app.remediation.models import Problem, ProblemStatus
from app.rollups import enterprise, locks
from app.rollups.specs import (
    CLOSED_DONE,
    PROBLEM_DAY,
    SELFCHECK_DAY,
    SPECS,
    Spec,
    same,
    stored,
)
from app.selfcheck.models import SelfCheck, SelfCheckStatus

INFO_KEY = "rollups_dirty"
MOVED_KEY = "rollups_moved"
STATES_KEY = "rollups_states"
ALL_PAIRS_ABOVE = 200  # more (region, industry) pairs than this: refresh the days across every pair
SELFCHECK_FIELDS = ("enterprise_id", "due_date", "late", "score")
ENTERPRISE_FIELDS = ("name", "region_code", "industry_code", "industry_name", "permit_valid_until", "credit_grade")
PROBLEM_FIELDS = ("enterprise_id", "severity", "deadline", "created_at", "closed_at")


def selfcheck_class(status: str) -> bool:
    """What the rollups tell apart in a self-check's status: submitted or not (pending = in progress)."""
    return status == SelfCheckStatus.SUBMITTED.value


def problem_class(status: str) -> str:
    """What the rollups tell apart in a problem's status (open, rectifying and extension_requested are one)."""
    if status in ProblemStatus.ACTIVE:
        return "active"
    if status == ProblemStatus.SUBMITTED.value:
        return "waiting"
    return "closed" if status in CLOSED_DONE else "other"


CLASS_OF = {"SelfCheck": selfcheck_class, "Problem": problem_class}


def _values(obj, attr: str) -> set:
    """Every value `attr` had in this transaction: the loaded one, the new one, the replaced one."""
    history = inspect(obj).attrs[attr].history
    return {v for v in chain(history.added or (), history.unchanged or (), history.deleted or ()) if v is not None}


def _dirty(session) -> dict:
    return session.info.setdefault(INFO_KEY, {})


def mark(session, spec: Spec, enterprise_id: int | None, day, extra: str | None = None, state: bool = True) -> None:
    """Mark a key of `spec` — and, unless `state` is False, the enterprise's state row — for recomputation."""
    if enterprise_id is not None and day is not None:
        _dirty(session).setdefault(spec, set()).add((enterprise_id, day, extra))
        if state:
            session.info.setdefault(STATES_KEY, set()).add(enterprise_id)


def mark_states(session, enterprise_ids) -> None:
    """Recompute these enterprises' states (and their cells) before the commit: for writers that change a
    counted row with a Core statement the flush does not see."""
    session.info.setdefault(STATES_KEY, set()).update(i for i in enterprise_ids if i is not None)


def mark_selfcheck(session, obj, history: bool = True) -> None:
    dues = _values(obj, "due_date") if history else {obj.due_date}
    for eid in (_values(obj, "enterprise_id") if history else {obj.enterprise_id}):
        for due in dues:
            mark(session, SELFCHECK_DAY, eid, due)


def mark_problem(session, obj, history: bool = True) -> None:
    get = (lambda a: _values(obj, a)) if history else (lambda a: {getattr(obj, a)} - {None})
    for eid in get("enterprise_id"):
        for moment in get("created_at") | get("closed_at"):
            mark(session, PROBLEM_DAY, eid, local_date(moment))
    mark_states(session, get("enterprise_id"))  # open / overdue / awaiting review are the enterprise's


def _changed(obj, fields) -> bool:
    """A counted field changed, or the status moved to a state the rollups count differently."""
    state = inspect(obj)
    if any(state.attrs[f].history.has_changes() for f in fields):
        return True
    return len({CLASS_OF[type(obj).__name__](v) for v in _values(obj, "status")}) > 1


def _after_flush(session, _context) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        fresh = obj in session.new or obj in session.deleted
        if isinstance(obj, SelfCheck) and (fresh or _changed(obj, SELFCHECK_FIELDS)):
            mark_selfcheck(session, obj)
        elif isinstance(obj, Problem) and (fresh or _changed(obj, PROBLEM_FIELDS)):
            mark_problem(session, obj)
        elif isinstance(obj, Enterprise):
            if fresh or any(inspect(obj).attrs[f].history.has_changes() for f in ENTERPRISE_FIELDS):
                mark_states(session, [obj.id])
            if not fresh and any(inspect(obj).attrs[f].history.has_changes() for f in ("region_code", "industry_code")):
                regions = _values(obj, "region_code")
                industries = _values(obj, "industry_code")
                moved = session.info.setdefault(MOVED_KEY, set())
                moved.update((r, i) for r in regions for i in industries)
        elif type(obj) in enterprise.TRACKED:
            mark_states(session, _values(obj, "enterprise_id") if not fresh else [obj.enterprise_id])


def _status_set(obj, previous=None, **_kwargs) -> None:
    classify = CLASS_OF.get(type(obj).__name__)
    if classify is None or (previous is not None and classify(previous) == classify(obj.status)):
        return
    if isinstance(obj, SelfCheck):
        mark_selfcheck(db.session(), obj, history=False)
    elif isinstance(obj, Problem):
        mark_problem(db.session(), obj, history=False)


def _rows_inserted(model, rows=(), **_kwargs) -> None:
    session = db.session()
    today = today_local()
    if model is SelfCheck:
        for row in rows:  # a new, unsubmitted self-check changes an enterprise's state only once it is overdue
            late = row["due_date"] < today or row.get("status") == SelfCheckStatus.SUBMITTED.value
            mark(session, SELFCHECK_DAY, row["enterprise_id"], row["due_date"], state=late)
    elif model is Problem:
        for row in rows:
            eid = row["enterprise_id"]
            for moment in (row.get("created_at"), row.get("closed_at")):
                if moment is not None:
                    mark(session, PROBLEM_DAY, eid, local_date(moment))
            mark_states(session, [eid])


def _upsert(table, keys: tuple[str, ...], values: tuple[str, ...], select_stmt=None):
    return upsert(table, keys, values, db.session.get_bind().dialect.name, select_stmt)


def _sync(table, keys, values, before: dict, after: dict) -> int:
    """Write `after` over `before` (rows of one table): upsert what changed, delete what is gone."""
    changed = [dict(zip(keys, k, strict=True)) | dict(zip(values, v, strict=True))
               for k, v in sorted(after.items()) if k not in before or not same(before[k], v)]
    gone = [k for k in before if k not in after]
    if changed:
        db.session.execute(_upsert(table, keys, values), changed)
    cols = [table.c[k] for k in keys]
    for start in range(0, len(gone), 500):
        db.session.execute(table.delete().where(tuple_(*cols).in_(gone[start:start + 500])))
    return len(changed) + len(gone)


def replace(spec: Spec, pairs: set | None, days: set | None) -> int:
    """Make the table's rows for (pairs × days) — None meaning all — and their months equal to the base tables
    (rows with nothing left are deleted). Used by `flask rollups rebuild` and when an enterprise changes region
    or industry. Returns the number of rows changed."""
    locks.lock((), bulk=True)
    n = _sync(spec.table, spec.keys, spec.values, stored(spec, pairs, days), spec.compute(pairs, days))
    months = None if days is None else {d.replace(day=1) for d in days}
    return n + _sync(spec.month_table, spec.month_keys, spec.values, stored(spec, pairs, months, month=True),
                     spec.month_compute(pairs, months))


def _write_keys(spec: Spec, keys: set[tuple], found: dict) -> None:
    """Upsert exactly `keys` with what was found (zeros where nothing was)."""
    zero = tuple(0 for _ in spec.values)
    db.session.execute(_upsert(spec.table, spec.keys, spec.values),
                       [dict(zip(spec.keys, k, strict=True)) | dict(zip(spec.values, found.get(k, zero), strict=True))
                        for k in sorted(keys)])


def _pairs(session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """(region, industry) of each enterprise: from the session when it holds the enterprise, else one query."""
    out, missing = {}, set()
    for eid in ids:
        loaded = session.identity_map.get(identity_key(Enterprise, eid))
        if loaded is not None and "region_code" in loaded.__dict__ and "industry_code" in loaded.__dict__:
            out[eid] = (loaded.region_code, loaded.industry_code)
        else:
            missing.add(eid)
    for start in range(0, len(missing), 5000):
        chunk = sorted(missing)[start:start + 5000]
        out.update({eid: (r, i) for eid, r, i in session.execute(
            select(Enterprise.id, Enterprise.region_code, Enterprise.industry_code).where(Enterprise.id.in_(chunk)))})
    return out


def refresh(session) -> None:
    """Recompute every marked key (called just before the commit).

    A key's row is written with what the base tables now give (zero when nothing is left: a zero row is
    harmless to every sum and saves a statement); only the keys marked are written.
    """
    dirty = session.info.pop(INFO_KEY, None) or {}
    moved = session.info.pop(MOVED_KEY, None)
    states = sorted(session.info.pop(STATES_KEY, None) or ())
    if moved:
        for spec in SPECS:
            replace(spec, set(moved), None)
    if not dirty:
        if states:
            enterprise.write(states, today_local(), moved=moved)
        return
    pair_of = _pairs(session, {eid for marks in dirty.values() for eid, _, _ in marks})
    work = []
    for spec in SPECS:
        marks = dirty.get(spec, set())
        keys = {(*pair_of[eid], *((extra,) if extra is not None else ()), day)
                for eid, day, extra in marks if eid in pair_of}
        if keys:
            work.append((spec, keys))
    month_keys = {spec: {(*k[:-1], k[-1].replace(day=1)) for k in keys} for spec, keys in work}
    locks.lock([(spec.table.name, *key) for spec, keys in work for key in keys]
               + [(spec.month_table.name, *key) for spec, keys in month_keys.items() for key in keys]
               + enterprise.lock_names(states))
    for spec, keys in work:
        pairs = {(k[0], k[1]) for k in keys}
        some_pairs = pairs if len(pairs) <= ALL_PAIRS_ABOVE else None
        _write_keys(spec, keys, spec.compute(some_pairs, {k[-1] for k in keys}))
        # the months, summed from the day rows in the database (day rows are kept, with zeros, so every
        # touched month has a day row to sum): one INSERT … SELECT … ON CONFLICT DO UPDATE
        months = {k[-1] for k in month_keys[spec]}
        session.execute(_upsert(spec.month_table, spec.month_keys, spec.values,
                                spec.month_select(some_pairs, months, month_keys[spec])))
    if states:
        enterprise.write(states, today_local(), locked=True, moved=moved)


def _before_commit(session) -> None:
    session.flush()
    refresh(session)


def _after_end(session, transaction) -> None:
    if transaction.parent is None:
        for key in (INFO_KEY, MOVED_KEY, STATES_KEY):
            session.info.pop(key, None)


_connected = False


def connect_receivers() -> None:
    """Listen to the flush, the commit and the bulk-write events (once per process)."""
    global _connected
    if _connected:
        return
    _connected = True
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "before_commit", _before_commit)
    event.listen(db.session, "after_transaction_end", _after_end)
    events.status_set.connect(_status_set, weak=False)
    events.rows_inserted.connect(_rows_inserted, weak=False)
