"""Dialect-aware SQL that SQLAlchemy's core does not spell the same way on SQLite and PostgreSQL."""
import json
import secrets
from typing import Any

from sqlalchemy import JSON, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

CHUNK = 1000
COPY_FROM = 500  # fewer rows go as one VALUES statement: a temporary table is not worth it


def insert_ignoring(table: Table, conflict_columns: list[str], dialect: str):
    """`INSERT … ON CONFLICT (conflict_columns) DO NOTHING` for the bind's dialect.

    Both dialects spell it the same once the right `insert` is chosen; the unique constraint on
    `conflict_columns` decides, so concurrent writers need no lock.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


def insert_many_ignoring(table: Table, conflict_columns: list[str], rows: list[dict],
                         returning: tuple[str, ...] = ("id",)) -> list[dict]:
    """Insert many rows, skipping those the unique `conflict_columns` already hold; returns the inserted rows'
    `returning` columns.

    On PostgreSQL the rows go by COPY into a temporary table and one `INSERT … SELECT … ON CONFLICT DO NOTHING
    RETURNING`: a many-row VALUES statement costs psycopg ~0.2 s per thousand rows only to parse its
    placeholders (measured: 19 of 37 s of a month's generation at provincial scale). Elsewhere, chunks of
    `insert_ignoring` (also on PostgreSQL below COPY_FROM rows). Every row has the same keys.
    """
    from app.extensions import db

    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect != "postgresql" or len(rows) < COPY_FROM:
        stmt = insert_ignoring(table, conflict_columns, dialect)
        if not returning:
            for start in range(0, len(rows), CHUNK):
                db.session.execute(stmt, rows[start:start + CHUNK])
            return []
        stmt = stmt.returning(*[table.c[c] for c in returning])
        return [r._asdict() for start in range(0, len(rows), CHUNK)
                for r in db.session.execute(stmt, rows[start:start + CHUNK])]
    db.session.flush()  # the raw cursor below does not flush pending ORM changes the rows may refer to
    # COPY bypasses SQLAlchemy: apply the columns' Python-side defaults (default=utcnow, default="") here
    defaults: dict[str, Any] = {c.name: c.default for c in table.columns
                                if c.name not in rows[0] and c.default is not None and not c.primary_key
                                and (c.default.is_scalar or c.default.is_callable)}
    if defaults:
        rows = [{**row, **{name: (d.arg(None) if d.is_callable else d.arg) for name, d in defaults.items()}}
                for row in rows]
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names, temp = ", ".join(columns), f"tmp_{table.name}_{secrets.token_hex(4)}"
    driver: Any = db.session.connection().connection.driver_connection  # psycopg's Connection
    cursor = driver.cursor()
    try:  # the types of the table's columns, none of its constraints or defaults
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {table.name} WITH NO DATA")
        with cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in as_json and row[c] is not None else row[c]
                                for c in columns])
        cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {temp} "
                       f"ON CONFLICT ({', '.join(conflict_columns)}) DO NOTHING"
                       + (f" RETURNING {', '.join(returning)}" if returning else ""))
        inserted = [dict(zip(returning, r, strict=True)) for r in cursor.fetchall()] if returning else []
        cursor.execute(f"DROP TABLE {temp}")
    finally:
        cursor.close()
    return inserted


def upsert(table: Table, conflict_columns, update_columns, dialect: str, select_stmt=None):
    """`INSERT … ON CONFLICT (conflict_columns) DO UPDATE SET c = excluded.c` for each of `update_columns`,
    for the bind's dialect; with `select_stmt`, `INSERT … SELECT` (its columns in conflict + update order)."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if select_stmt is not None:
        stmt = stmt.from_select([*conflict_columns, *update_columns], select_stmt)
    return stmt.on_conflict_do_update(index_elements=list(conflict_columns),
                                      set_={c: stmt.excluded[c] for c in update_columns})


ANALYZE_AFTER_ROWS = 1000


def analyze_after_bulk(table_name: str, rows: int) -> None:
    """Refresh PostgreSQL's statistics of a table a job has just grown by `rows` (≥ ANALYZE_AFTER_ROWS).

    Autovacuum gets to it minutes later; until then the next job plans with the old row count. Measured: the
    first obligations run inserted 530 000 rows into an empty table, and the reminder job right after it planned
    for 2 rows — a nested-loop anti-join against every obligation notification, minutes instead of a second.
    """
    from sqlalchemy import text

    from app.extensions import db

    if rows >= ANALYZE_AFTER_ROWS and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f'ANALYZE "{table_name}"'))


COUNT_CAP = 10_000


def capped_count(stmt, column, cap: int | None = None) -> tuple[int, bool]:
    """How many rows `stmt` gives, counting at most `cap` + 1 of them: (min(n, cap), n > cap).

    Exact where cheap, capped where not: a province's list shows "10000+" instead of counting 400 000 rows for
    a number nobody pages through. `column` is the selected column (a primary key).
    """
    from app.extensions import db

    cap = COUNT_CAP if cap is None else cap
    n = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(column).limit(cap + 1).subquery()))
    return min(n or 0, cap), (n or 0) > cap


__all__ = ["COUNT_CAP", "analyze_after_bulk", "capped_count", "insert_ignoring", "upsert"]
