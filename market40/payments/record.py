"""Record one transaction: validate, check the vendor, store once, keep rollups current."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from market40.auth import authorize
from market40.errors import Conflict, InvalidInput
from market40.live.outbox import add_event
from market40.models import Market, Transaction, User, Vendor, utcnow
from market40.partitions import ensure_for, is_partitioned, stored_references
from market40.payments.rules import TransactionIn, declared_amount_problem, rule_errors
from market40.payments.vendors import (
    foreign_key_violation,
    payment_problem,
    source_for,
    vendors_moved,
)
from market40.rollups import RollupDeltas, upsert_rollups

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TransactionView:
    """A stored transaction as plain values, taken before the commit: serialising it
    afterwards costs no query (a committed ORM object would reload itself and its
    market; on the single-POST path that was a fifth of the request)."""

    id: int
    vendor_id: int
    market_code: str
    occurred_at: datetime
    amount: int
    method: str
    kind: str
    source: str
    reference: str
    created_at: datetime

    @classmethod
    def of(cls, tx: Transaction) -> TransactionView:
        return cls(tx.id, tx.vendor_id, tx.market_code, tx.occurred_at, tx.amount, tx.method,
                   tx.kind, tx.source, tx.reference, tx.created_at)


@dataclass(frozen=True, slots=True)
class Recorded:
    """The stored transaction and whether this call stored it (False: it was known)."""

    transaction: Transaction
    created: bool

    @property
    def view(self) -> TransactionView:
        return TransactionView.of(self.transaction)


def record_transaction(
    session: Session, actor: User, item: TransactionIn, *, now: datetime | None = None
) -> Recorded:
    """Store ``item`` for ``actor`` (source from the actor's role), or return the stored one.

    :raises Forbidden: the vendor is outside the actor's scope (the role is the access table's).
    :raises InvalidInput: a rule is broken, or the vendor does not exist.
    :raises Conflict: the vendor cannot receive it, or the reference is already stored
        with different content.
    """
    errors = rule_errors(item, now or utcnow())
    if errors:
        raise InvalidInput(errors)
    # With its market, which the stored transaction (and the response) refer to.
    vendor = session.get(Vendor, item.vendor_id, options=[joinedload(Vendor.market)])
    if vendor is None:
        raise InvalidInput.field("vendor_id", f"No vendor has id {item.vendor_id}.")
    authorize(actor, "transactions.write", vendor=vendor)
    if (problem := payment_problem(vendor, item.method, item.occurred_at)) is not None:
        raise Conflict(problem)
    source = source_for(actor)
    if (problem := declared_amount_problem(source, item.amount)) is not None:
        raise InvalidInput.field("amount", problem)
    return store_transaction(session, item, market=vendor.market, source=source)


def _replay(existing: Transaction, item: TransactionIn) -> Recorded:
    differences = item.same_as(existing)
    if differences:
        raise Conflict(
            f"reference {existing.reference!r} is already stored (transaction {existing.id}) "
            f"with a different {', '.join(differences)}"
        )
    return Recorded(existing, False)


def _stored(session: Session, reference: str) -> Transaction | None:
    # The common case is "not stored": probe the unique index for the id only (with
    # monthly partitions, the reference table's one index instead of one per month).
    known = stored_references(session.connection(), [reference])
    if known is not None and not known:
        return None
    found = session.scalar(sa.select(Transaction.id).where(Transaction.reference == reference))
    return None if found is None else session.get(Transaction, found)


def _archived(session: Session, reference: str) -> bool:
    """Whether ``reference`` is known only to ``transaction_references``: its month was
    detached (``flask partitions detach``), so no attached row answers for it."""
    if not is_partitioned(session.connection()):
        return False
    return session.execute(sa.text(
        "SELECT 1 FROM transaction_references WHERE reference = :r"), {"r": reference}
    ).first() is not None


def store_transaction(
    session: Session,
    item: TransactionIn,
    *,
    market: Market,
    source: str,
    payload: dict[str, Any] | None = None,
    content: str | None = None,
) -> Recorded:
    """Insert ``item`` unless its reference is stored; add it to the rollups.

    Two requests with the same reference may race: the loser's INSERT fails on the
    unique index (PostgreSQL makes it wait for the winner's commit first; SQLite
    serialises writers), so it rolls back to its savepoint and answers with the
    winner's row. Whatever the caller wrote before stays in its transaction.
    A QR sale also gets its payment event (the outbox), with ``content`` (the memo).
    """
    # A month missing on a partitioned table is made before anything reads transactions.
    ensure_for(session.connection(), [item.occurred_at])
    existing = _stored(session, item.reference)
    if existing is not None:
        return _replay(existing, item)
    transaction = Transaction(
        vendor_id=item.vendor_id,
        market=market,
        occurred_at=item.occurred_at,
        amount=item.amount,
        method=item.method,
        kind=item.kind,
        source=source,
        reference=item.reference,
        payload=payload,
    )
    try:
        with session.begin_nested():
            session.add(transaction)
    except IntegrityError as error:
        if foreign_key_violation(error):  # the vendor is not in the market we read
            raise vendors_moved(session, {item.vendor_id: market.id}) from None
        existing = _stored(session, item.reference)
        if existing is None and _archived(session, item.reference):
            raise Conflict(f"reference {item.reference!r} is already stored, in a month "
                           "detached to the archive") from None
        if existing is None:
            raise
        log.info("reference %s stored concurrently by another request", item.reference)
        return _replay(existing, item)
    upsert_rollups(session, RollupDeltas().extend([transaction]).rows())
    add_event(session, transaction, content)
    log.info("stored transaction %s (%s %s %s) for vendor %s", transaction.id, source,
             item.method, item.kind, item.vendor_id)
    return Recorded(transaction, True)
