"""Bulk row writing (PostgreSQL COPY, else executemany) and audit hash chains computed in Python."""
import hashlib
import json
import time
from datetime import datetime

from sqlalchemy import JSON, select, text

from app.common.audit import GENESIS, AuditChainHead
from app.common.timeutil import as_utc
from app.extensions import db


class BulkWriter:
    """Write tuples into a table in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.dialect = db.session.get_bind().dialect.name
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def write(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        started = time.perf_counter()
        try:
            self._write(table, columns, rows)
        finally:
            self.seconds[table.name] = self.seconds.get(table.name, 0.0) + time.perf_counter() - started

    def _write(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        json_cols = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        if self.is_postgres:
            raw = db.session.connection().connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    if json_cols:
                        row = list(row)
                        for i in json_cols:
                            value = row[i]
                            row[i] = value if isinstance(value, str) or value is None else json.dumps(
                                value, ensure_ascii=False)
                    copy.write_row(row)
        else:
            dicts = []
            for row in rows:
                item = dict(zip(columns, row, strict=True))
                for i in json_cols:
                    if isinstance(item[columns[i]], str):
                        item[columns[i]] = json.loads(item[columns[i]])
                dicts.append(item)
            for start in range(0, len(dicts), 5000):
                db.session.execute(table.insert(), dicts[start:start + 5000])

    def reset_sequences(self, tables) -> None:
        """After explicit ids: move each PostgreSQL id sequence past the largest id."""
        if not self.is_postgres:
            return
        for table in tables:
            if "id" in table.c:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


def next_id(model) -> int:
    return (db.session.scalar(select(db.func.max(model.id))) or 0) + 1


AUDIT_COLUMNS = ("id", "chain", "seq", "enterprise_id", "actor_id", "actor_role", "action", "object_type",
                 "object_id", "from_state", "to_state", "comment", "request_id", "client_ip", "at",
                 "prev_hash", "hash")


class AuditChains:
    """Append events to per-enterprise chains exactly as app.common.audit.record() would hash them."""

    def __init__(self, first_id: int) -> None:
        self.next_id = first_id
        self.heads: dict[str, list] = {}   # chain -> [seq, last_hash, existed_in_db]

    def load_heads(self, chains: list[str]) -> None:
        """Continue existing chains (locks their heads for the rest of the transaction)."""
        if not chains:
            return
        rows = db.session.scalars(select(AuditChainHead).where(AuditChainHead.chain.in_(chains))
                                  .with_for_update()).all()
        for head in rows:
            self.heads[head.chain] = [head.seq, head.last_hash, True]

    def rows_for(self, enterprise_id: int | None, events: list[tuple]) -> list[tuple]:
        """events: (at, action, object_type, object_id, from_state, to_state, comment, actor_id, actor_role),
        in any order; they are chained in time order."""
        chain = f"ent:{enterprise_id}" if enterprise_id else "system"
        head = self.heads.setdefault(chain, [0, GENESIS, False])
        out = []
        for at, action, object_type, object_id, from_state, to_state, comment, actor_id, actor_role in sorted(
                events, key=lambda e: e[0]):
            seq = head[0] + 1
            at = as_utc(at)
            content = {
                "chain": chain, "seq": seq, "enterprise_id": enterprise_id, "actor_id": actor_id,
                "actor_role": actor_role, "action": action, "object_type": object_type,
                "object_id": str(object_id), "from_state": from_state, "to_state": to_state,
                "comment": comment, "request_id": None, "client_ip": None,
                "at": at.isoformat(timespec="microseconds"),
            }
            canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            digest = hashlib.sha256((head[1] + canonical).encode()).hexdigest()
            out.append((self.next_id, chain, seq, enterprise_id, actor_id, actor_role, action, object_type,
                        str(object_id), from_state, to_state, comment, None, None, at, head[1], digest))
            self.next_id += 1
            head[0], head[1] = seq, digest
        return out

    def flush_heads(self, writer: BulkWriter) -> None:
        """Write the heads of new chains (COPY) and update the heads of continued ones."""
        new = [(chain, seq, last) for chain, (seq, last, existed) in self.heads.items() if not existed]
        writer.write(AuditChainHead.__table__, ("chain", "seq", "last_hash"), new)
        for chain, (seq, last, existed) in self.heads.items():
            if existed:
                db.session.execute(AuditChainHead.__table__.update().where(
                    AuditChainHead.__table__.c.chain == chain).values(seq=seq, last_hash=last))
        self.heads.clear()  # each chunk of enterprises has its own chains


def at_local(day, hour: int, minute: int = 0) -> datetime:
    """An aware UTC instant for a local (Asia/Shanghai) date and time."""
    from app.common.timeutil import TZ

    return as_utc(datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ))
