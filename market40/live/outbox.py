"""The transactional outbox: one payment event per recorded QR sale, in the same commit.

Every path that records QR credits (single POST, batch, bank notification, SePay, the
simulator with ``--events``) calls :func:`add_event` or :func:`add_events` inside its
own database transaction: an event exists if and only if its transaction does.

Readers resume with ``id > Last-Event-ID``, which is only exact if ids become visible
in increasing order. A PostgreSQL sequence hands out ids at INSERT, not at COMMIT, so
two concurrent writers could commit 11 before 10 and a reader would skip 10. Writers
therefore take one transaction-scoped advisory lock before inserting events: ids are
then assigned in commit order. SQLite serialises writers already (the first write of
a transaction holds the database's write lock until it commits). The lock is taken
at the end of the writer's transaction, so it is held only for the commit itself.

On PostgreSQL the insert also sends ``NOTIFY market40_events`` (delivered at commit)
so listening stream hubs and the MQTT relay wake up at once; elsewhere they poll, or
wake on a Redis message published after the commit (``market40.live.wake``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.db import driver_errors, executemany, uninterrupted
from market40.live.words import MAX_AMOUNT, announcement
from market40.localtime import LOCAL_TZ
from market40.models import PaymentEvent, Transaction, utcnow

log = logging.getLogger(__name__)

ADVISORY_LOCK = 0x6D3430  # "m40": the outbox writers' lock key on PostgreSQL
CHANNEL = "market40_events"
RETENTION = timedelta(days=7)
SESSION_FLAG = "market40.payment_events"  # session.info key: events added, not committed


def announced(method: str, kind: str) -> bool:
    """Which transactions the stall hears: QR sales (a fee is the vendor paying out)."""
    return method == "qr" and kind == "sale"


def _serialise_writers(bind: Session | sa.Connection) -> None:
    dialect = bind.dialect if isinstance(bind, sa.Connection) else bind.get_bind().dialect
    if dialect.name == "postgresql":
        # gevent: every payment waits for this lock, so its holder must not yield
        uninterrupted(bind if isinstance(bind, sa.Connection) else bind.connection())
        bind.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        bind.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))


def _clip(content: str | None) -> str | None:
    return None if content is None else content[:300]


@functools.lru_cache(maxsize=4096)  # bulk writers repeat the same few hundred amounts
def _sentence(amount: int) -> str:
    return announcement(min(amount, MAX_AMOUNT))


def add_event(session: Session, transaction: Transaction,
              content: str | None = None) -> PaymentEvent | None:
    """The event of a just-flushed ``transaction`` (None when it is not announced)."""
    if not announced(transaction.method, transaction.kind):
        return None
    _serialise_writers(session)
    event = PaymentEvent(
        vendor_id=transaction.vendor_id, transaction_id=transaction.id,
        amount=transaction.amount, occurred_at=transaction.occurred_at,
        reference=transaction.reference, content=_clip(content),
        announcement=_sentence(transaction.amount))
    session.add(event)
    session.flush()
    session.info.setdefault(SESSION_FLAG, set()).add(transaction.vendor_id)
    return event


def add_events(session: Session, references: Sequence[str],
               contents: dict[str, str] | None = None, chunk: int = 5_000,
               between: tuple[datetime, datetime] | None = None) -> int:
    """Events for the just-inserted transactions with these ``references`` (bulk paths).

    ``between``: the first and last ``occurred_at`` of those rows, when the caller knows
    them, so that PostgreSQL looks only in their months' partitions."""
    contents = contents or {}
    rows = []
    bounds = () if between is None else (Transaction.occurred_at >= between[0],
                                         Transaction.occurred_at <= between[1])
    for start in range(0, len(references), chunk):
        rows.extend(session.execute(
            sa.select(Transaction.id, Transaction.vendor_id, Transaction.amount,
                      Transaction.occurred_at, Transaction.reference)
            .where(Transaction.reference.in_(references[start:start + chunk]),
                   Transaction.method == "qr", Transaction.kind == "sale", *bounds)
            .order_by(Transaction.id)))
    count = _insert_events(session, rows, contents)
    session.info.setdefault(SESSION_FLAG, set()).update(r.vendor_id for r in rows)
    return count


def add_staged_events(session: Session, amounts: Collection[int],
                      vendor_ids: Collection[int]) -> None:
    """PostgreSQL: the events of the QR sales that ``payments.bulk.copy_transactions``
    staged (``stage_qr_sales``), in one ``INSERT ... SELECT`` by id, after the writers'
    lock. ``amounts``: every amount among them (each announcement is made once, in
    Python); ``vendor_ids``: their vendors (the streams to wake after the commit)."""
    from market40.payments.bulk import STAGED_SALES, connection_of

    if not amounts:
        return
    connection = connection_of(session)
    _serialise_writers(connection)
    amounts = sorted(amounts)
    statement = (
        "INSERT INTO payment_events (vendor_id, transaction_id, amount, occurred_at, "
        "reference, content, announcement, created_at) "
        "SELECT s.vendor_id, s.id, s.amount, s.occurred_at, s.reference, NULL, w.sentence, "
        f"%s FROM pg_temp.{STAGED_SALES} s "
        "JOIN unnest(%s::bigint[], %s::text[]) AS w (amount, sentence) USING (amount) "
        "ORDER BY s.id")
    with driver_errors(connection, statement), \
            connection.connection.driver_connection.cursor() as cursor:
        cursor.execute(statement, (utcnow(), amounts, [_sentence(a) for a in amounts]))
    session.info.setdefault(SESSION_FLAG, set()).update(vendor_ids)


def _write_events(connection: sa.Connection,
                  sales: Sequence[tuple[int, int, int, datetime, str]]) -> None:
    """The events of QR sales given as ``(id, vendor_id, amount, occurred_at, reference)``,
    to the driver in one ``executemany``, after the writers' lock."""
    from market40.payments.bulk import placeholders, timestamp_writer

    dialect = connection.dialect
    _serialise_writers(connection)
    created_at = timestamp_writer(dialect.name)(utcnow())
    executemany(connection,
                "INSERT INTO payment_events (vendor_id, transaction_id, amount, occurred_at, "
                "reference, content, announcement, created_at) "
                f"VALUES ({placeholders(dialect, 8)})",
                [(vendor_id, id_, amount, occurred_at, reference, None, _sentence(amount),
                  created_at) for id_, vendor_id, amount, occurred_at, reference in sales])


def last_transaction_id(connection: sa.Connection) -> int:
    """The highest transaction id so far: what :func:`add_events_after` starts after."""
    return connection.scalar(sa.select(sa.func.coalesce(sa.func.max(Transaction.id), 0)))


def add_events_after(connection: sa.Connection, after_id: int, references: set[str]) -> int:
    """Events for the QR sales with ids above ``after_id`` whose reference is in
    ``references``: the rows a bulk writer (the simulator's ``--events``) has just
    inserted in the caller's transaction. One range scan on the primary key instead of
    ``IN`` lists; the references keep it exact if another writer inserted meanwhile.

    Straight to the driver, as the bulk writers' rows are: ``occurred_at`` is copied as
    the driver returns it (the same column type in both tables), so no row goes through
    SQLAlchemy's type processing (three quarters of the time it would take).
    """
    # here, not at the top: market40.payments imports this module (its writers add events)
    from market40.payments.bulk import placeholders

    mark = placeholders(connection.dialect, 1)
    rows = [row for row in connection.exec_driver_sql(
        "SELECT id, vendor_id, amount, occurred_at, reference FROM transactions "
        f"WHERE id > {mark} AND method = 'qr' AND kind = 'sale' ORDER BY id",
        (after_id,)) if row[4] in references]
    if not rows:
        return 0
    _write_events(connection, rows)
    return len(rows)


def _insert_events(bind: Session | sa.Connection, rows: Sequence[sa.Row],
                   contents: dict[str, str]) -> int:
    if not rows:
        return 0
    _serialise_writers(bind)
    now = utcnow()
    bind.execute(sa.insert(PaymentEvent), [
        {"vendor_id": r.vendor_id, "transaction_id": r.id, "amount": r.amount,
         "occurred_at": r.occurred_at, "reference": r.reference,
         "content": _clip(contents.get(r.reference)), "announcement": _sentence(r.amount),
         "created_at": now}
        for r in rows])
    return len(rows)


def events_after(session: Session, vendor_id: int | None, after: int,
                 limit: int = 1000) -> list[PaymentEvent]:
    """Events with id > ``after`` (of one vendor, or all), oldest first."""
    statement = sa.select(PaymentEvent).where(PaymentEvent.id > after)
    if vendor_id is not None:
        statement = statement.where(PaymentEvent.vendor_id == vendor_id)
    return list(session.scalars(statement.order_by(PaymentEvent.id).limit(limit)))


def last_event_id(session: Session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(PaymentEvent.id), 0)))


def prune_events(session: Session, *, keep: timedelta = RETENTION,
                 now: datetime | None = None) -> int:
    """Delete events older than ``keep`` (at least 7 days are kept); returns how many."""
    keep = max(keep, RETENTION)
    cutoff = (now or utcnow()) - keep
    result = session.execute(sa.delete(PaymentEvent).where(PaymentEvent.created_at < cutoff))
    return result.rowcount or 0


def event_json(event: PaymentEvent) -> dict[str, object]:
    """The event as the stream and the relay send it (times ISO 8601 with offset, local)."""
    return {
        "id": event.id,
        "vendor_id": event.vendor_id,
        "transaction_id": event.transaction_id,
        "amount": event.amount,
        "occurred_at": event.occurred_at.astimezone(LOCAL_TZ).isoformat(),
        "reference": event.reference,
        "content": event.content,
        "announcement": event.announcement,
    }
