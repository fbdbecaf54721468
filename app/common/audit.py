"""全过程留痕: append-only, hash-chained audit events (one chain per enterprise plus "system")."""
import hashlib
import json
import uuid
from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column

from app.common.dbtypes import UTCDateTime
from app.common.dbutil import insert_ignoring
from app.common.timeutil import as_utc, utcnow
from app.extensions import db

GENESIS = "0" * 64


class AuditChainHead(db.Model):
    """The last link of one chain; locked while appending so links never fork."""

    __tablename__ = "audit_chain_heads"
    chain: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),
                      Index("ix_audit_events_object", "enterprise_id", "object_type", "object_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def canonical(self) -> str:
        content = {
            "chain": self.chain, "seq": self.seq, "enterprise_id": self.enterprise_id,
            "actor_id": self.actor_id, "actor_role": self.actor_role, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id,
            "from_state": self.from_state, "to_state": self.to_state, "comment": self.comment,
            "request_id": self.request_id, "client_ip": self.client_ip,
            "at": as_utc(self.at).isoformat(timespec="microseconds"),
        }
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()


def request_id() -> str | None:
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    return g.request_id


def record(action: str, object_type: str, object_id, *, enterprise_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None, comment: str | None = None,
           actor=None) -> AuditEvent:
    """Append one event to its chain and flush (the caller's transaction commits it)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    chain = f"ent:{enterprise_id}" if enterprise_id else "system"
    seq, prev_hash = _advance(chain)
    event = AuditEvent(
        chain=chain, seq=seq, enterprise_id=enterprise_id,
        actor_id=getattr(actor, "id", None), actor_role=getattr(actor, "role", None),
        action=action, object_type=object_type, object_id=str(object_id),
        from_state=from_state, to_state=to_state, comment=comment,
        request_id=request_id(), client_ip=request.remote_addr if has_request_context() else None,
        at=utcnow(), prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    _heads()[chain] = (seq, event.hash)
    table = AuditChainHead.__table__
    db.session.execute(update(table).where(table.c.chain == chain).values(seq=seq, last_hash=event.hash))
    return event


HEADS_KEY = "audit_heads"


def _heads() -> dict:
    """Chains this (sub)transaction already holds the head of: chain -> (seq, last_hash)."""
    return db.session().info.setdefault(HEADS_KEY, {})


def _advance(chain: str) -> tuple[int, str]:
    """The next sequence number and the previous hash of `chain`, holding its head row's write lock.

    The first event of a chain in a transaction increments the head with one UPDATE … RETURNING, which takes
    the row's write lock first (reading and then writing would let two writers both see seq N; SQLite ignores
    FOR UPDATE), so every other writer of this chain waits until we commit. Later events of the same chain in
    the same transaction already hold the lock and continue from what the previous one wrote (`record` writes
    the head's seq and hash after each event). The memory is dropped at the end of every transaction and savepoint.
    """
    held = _heads().get(chain)
    table = AuditChainHead.__table__
    if held is not None:
        return held[0] + 1, held[1]
    bump = (update(table).where(table.c.chain == chain).values(seq=table.c.seq + 1)
            .returning(table.c.seq, table.c.last_hash))
    row = db.session.execute(bump).first()
    if row is None:
        db.session.execute(insert_ignoring(table, ["chain"], db.session.get_bind().dialect.name)
                           .values(chain=chain, seq=0, last_hash=GENESIS))
        row = db.session.execute(bump).first()
    return row[0], row[1]


def _forget_heads(session, _transaction) -> None:
    session.info.pop(HEADS_KEY, None)


def connect() -> None:
    """Forget the held heads whenever a transaction or savepoint ends (a rolled-back savepoint's lock is gone)."""
    if not sa_event.contains(db.session, "after_transaction_end", _forget_heads):
        sa_event.listen(db.session, "after_transaction_end", _forget_heads)


def verify_chains() -> list[str]:
    """Walk every chain; return a description of each first broken link (empty when intact)."""
    problems: list[str] = []
    chains = db.session.scalars(select(AuditEvent.chain).distinct()).all()
    for chain in chains:
        prev, expected_seq = GENESIS, 1
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()
        for event in rows:
            if event.seq != expected_seq or event.prev_hash != prev or event.compute_hash() != event.hash:
                problems.append(f"{chain} 第 {event.seq} 条（事件 {event.id}）校验失败")
                break
            prev, expected_seq = event.hash, expected_seq + 1
        else:
            head = db.session.get(AuditChainHead, chain)
            if head is None or head.last_hash != prev or head.seq != expected_seq - 1:
                problems.append(f"{chain} 链尾不一致（可能有事件被删除）")
    return problems
