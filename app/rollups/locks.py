"""Transaction-scoped advisory locks on rollup keys (PostgreSQL; SQLite has one writer at a time).

A writer to the same key waits here until the other commits, and its recomputation — a later statement —
then sees the other's rows. Keys are hashed to 64 bits (a collision only makes two writers wait) and taken
in one order in one statement, so two writers cannot each hold what the other wants.

Every writer also holds one shared lock on the rollups as a whole; a bulk writer (a rebuild, a catch-up
generation touching thousands of keys) takes that one exclusively instead of thousands of key locks, which
would exhaust PostgreSQL's lock table (max_locks_per_transaction). It waits for the writers in flight, and
later writers wait for it, so nobody recomputes from a snapshot that misses the other's rows.
"""
import hashlib
from collections.abc import Iterable

from sqlalchemy import text

from app.extensions import db

ALL = ("rollups",)
MAX_KEYS = 1000


def key_id(name: tuple) -> int:
    return int.from_bytes(hashlib.blake2b(repr(name).encode(), digest_size=8).digest(), "big", signed=True)


def lock(names: Iterable[tuple], bulk: bool = False) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({key_id(n) for n in names})
    if bulk or len(ids) > MAX_KEYS:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:all)"), {"all": key_id(ALL)})
        return
    if not ids:
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:all), "
                            "(SELECT count(pg_advisory_xact_lock(k)) FROM "
                            "(SELECT k FROM unnest(CAST(:ids AS bigint[])) AS k ORDER BY k) AS keys)"),
                       {"all": key_id(ALL), "ids": ids})
