"""Who may see which transactions, and the filtered ``select()`` for lists and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from market40.auth import authorize, scope_markets
from market40.errors import Forbidden, InvalidInput
from market40.localtime import day_start_utc
from market40.models import Market, Transaction, UnmatchedNotification, User, Vendor
from market40.registry.markets import find_market


@dataclass(frozen=True, slots=True)
class TransactionFilters:
    market: str | None = None
    vendor: int | None = None
    method: str | None = None
    kind: str | None = None
    source: str | None = None
    # A local date (from: its start; to: through its end) or an aware datetime (to: exclusive)
    start: date | datetime | None = None
    end: date | datetime | None = None


def _instant(value: date | datetime, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    return day_start_utc(value + timedelta(days=1) if end else value)


def transaction_conditions(
    session: Session, actor: User, filters: TransactionFilters
) -> list[sa.ColumnElement[bool]]:
    """WHERE clauses for ``filters`` within what ``actor`` may read.

    :raises Forbidden: a filter names a market or vendor outside the actor's scope.
    :raises InvalidInput: an unknown market code, or ``from`` after ``to``.

    The role was checked by the access table before the request reached here; this
    narrows to the actor's markets (or its own stall).
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if actor.role == "vendor":
        own = actor.vendor_id
        if filters.vendor is not None and filters.vendor != own:
            raise Forbidden("A vendor reads its own transactions only.")
        conditions.append(Transaction.vendor_id == (own if own is not None else -1))
    else:
        allowed = scope_markets(actor)
        if allowed is not None:
            conditions.append(Transaction.market_id.in_(sorted(allowed)))
    if filters.market is not None:
        market = find_market(session, filters.market)
        if market is None:
            raise InvalidInput.field("market", f"No market has code {filters.market!r}.")
        authorize(actor, "transactions.read", market=market)
        conditions.append(Transaction.market_id == market.id)
    if filters.vendor is not None:
        vendor = session.get(Vendor, filters.vendor)
        if vendor is not None:
            authorize(actor, "transactions.read", vendor=vendor)
        conditions.append(Transaction.vendor_id == filters.vendor)
    for name in ("method", "kind", "source"):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(Transaction, name) == value)
    start = _instant(filters.start, end=False) if filters.start is not None else None
    end = _instant(filters.end, end=True) if filters.end is not None else None
    if start is not None and end is not None and start >= end:
        raise InvalidInput.field("from", "Must be before 'to'.")
    if start is not None:
        conditions.append(Transaction.occurred_at >= start)
    if end is not None:
        conditions.append(Transaction.occurred_at < end)
    return conditions


def transactions_query(session: Session, actor: User, filters: TransactionFilters) -> sa.Select:
    """Newest first, for paginated lists."""
    conditions = transaction_conditions(session, actor, filters)
    return (
        sa.select(Transaction)
        .options(joinedload(Transaction.market))
        .where(*conditions)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
    )


def export_query(session: Session, actor: User, filters: TransactionFilters) -> sa.Select:
    """Oldest first, plain columns (no ORM objects), for streaming CSV."""
    conditions = transaction_conditions(session, actor, filters)
    return (
        sa.select(
            Transaction.id, Transaction.occurred_at, Market.code.label("market_code"),
            Transaction.vendor_id, Vendor.stall_code, Vendor.display_name,
            Transaction.amount, Transaction.method, Transaction.kind, Transaction.source,
            Transaction.reference, Transaction.created_at,
        )
        .join(Market, Market.id == Transaction.market_id)
        .join(Vendor, Vendor.id == Transaction.vendor_id)
        .where(*conditions)
        .order_by(Transaction.occurred_at, Transaction.id)
    )


def unmatched_query(resolved: bool | None = None) -> sa.Select:
    """Logged bank notifications, newest first (``notifications.unmatched``: admins)."""
    statement = sa.select(UnmatchedNotification).order_by(
        UnmatchedNotification.last_received_at.desc(), UnmatchedNotification.id.desc())
    if resolved is not None:
        column = UnmatchedNotification.resolved_at
        statement = statement.where(column.is_not(None) if resolved else column.is_(None))
    return statement
