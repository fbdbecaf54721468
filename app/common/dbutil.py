"""Dialect-aware SQL that SQLAlchemy's core does not spell the same way on SQLite and PostgreSQL."""
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring(table: Table, conflict_columns: list[str], dialect: str):
    """`INSERT … ON CONFLICT (conflict_columns) DO NOTHING` for the bind's dialect.

    Both dialects spell it the same once the right `insert` is chosen; the unique constraint on
    `conflict_columns` decides, so concurrent writers need no lock.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


__all__ = ["insert_ignoring"]
