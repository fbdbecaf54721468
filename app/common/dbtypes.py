"""Column types shared by every model."""
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from app.common.timeutil import as_utc


class UTCDateTime(TypeDecorator):
    """An instant stored as UTC and read back timezone-aware, on PostgreSQL and on SQLite alike.

    SQLite keeps no offset: without this, 03:04 +08:00 would be stored as "03:04" and read back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return as_utc(value)

    def process_result_value(self, value, dialect):
        return as_utc(value)
