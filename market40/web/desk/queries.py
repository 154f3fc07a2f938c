"""What the desk pages read: counts per market, the user's to-dos, queues, a vendor's history."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from market40.auth import scope_markets
from market40.models import AuditEntry, Bank, Market, User, Vendor
from market40.registry.makers import makers_of
from market40.registry.queries import audit_query, vendor_conditions

PAGE_SIZE = 50
QUEUE_SIZE = 50


@dataclass(frozen=True)
class MarketCounts:
    market: Market
    draft: int = 0
    submitted: int = 0
    approved_without_qr: int = 0
    rejected: int = 0
    total: int = 0


@dataclass(frozen=True)
class ToDos:
    sent_back: list[Vendor]
    to_check: int


def desk_markets(session: Session, user: User) -> list[MarketCounts]:
    """The markets ``user`` may work on with their vendors counted by what needs doing."""
    allowed = scope_markets(user)
    markets_q = sa.select(Market).order_by(Market.district_code, Market.code)
    counts_q = (
        sa.select(
            Vendor.market_id,
            sa.func.count().filter(Vendor.status == "draft"),
            sa.func.count().filter(Vendor.status == "submitted"),
            sa.func.count().filter(Vendor.status == "approved", Vendor.qr_issued_at.is_(None)),
            sa.func.count().filter(Vendor.status == "rejected"),
            sa.func.count(),
        )
        .group_by(Vendor.market_id)
    )
    if allowed is not None:
        markets_q = markets_q.where(Market.id.in_(allowed))
        counts_q = counts_q.where(Vendor.market_id.in_(allowed))
    counts = {row[0]: row[1:] for row in session.execute(counts_q)}
    return [MarketCounts(m, *counts.get(m.id, (0, 0, 0, 0, 0)))
            for m in session.scalars(markets_q)]


def _checkable(user: User) -> sa.ColumnElement[bool]:
    """Submitted vendors in the user's markets that the user did not make (the queue)."""
    allowed = scope_markets(user)
    condition = sa.and_(
        Vendor.status == "submitted",
        sa.or_(Vendor.made_by_id.is_(None), Vendor.made_by_id != user.id),
    )
    if allowed is not None:
        condition = sa.and_(condition, Vendor.market_id.in_(allowed))
    return condition


def to_dos(session: Session, user: User) -> ToDos:
    """What the user made that was sent back, and how many vendors wait for their check."""
    sent_back = list(session.scalars(
        sa.select(Vendor).options(selectinload(Vendor.market))
        .where(Vendor.made_by_id == user.id, Vendor.status == "reverted")
        .order_by(Vendor.updated_at.desc()).limit(20)))
    return ToDos(sent_back, checkable_count(session, user))


def checkable_count(session: Session, user: User) -> int:
    """How many submitted vendors of the user's markets the user did not make."""
    return session.scalar(sa.select(sa.func.count()).select_from(Vendor)
                          .where(_checkable(user))) or 0


def approval_queue(session: Session, user: User, limit: int = QUEUE_SIZE) -> list[Vendor]:
    """Oldest first: the vendors this user may check, never one they made a change of
    since its last approval (the registry's ``makers_of``, one query for the page)."""
    candidates = session.scalars(
        sa.select(Vendor)
        .options(selectinload(Vendor.market), selectinload(Vendor.made_by))
        .where(_checkable(user))
        .order_by(Vendor.submitted_at, Vendor.id)
        .limit(limit * 2))
    candidates = list(candidates)
    makers = makers_of(session, candidates)
    return [v for v in candidates if user.id not in makers[v.id]][:limit]


# What the desk's vendor list shows of each vendor (desk/vendors.html).
LIST_COLUMNS = (Vendor.id, Vendor.stall_code, Vendor.display_name, Vendor.status,
                Vendor.owner_name, Vendor.goods_category, Vendor.qr_issued_at)


def market_vendors(session: Session, market: Market, *, q: str | None, status: str | None,
                   page: int) -> tuple[list[sa.Row], int]:
    """One page of the market's vendors (stall order) and how many match in all.

    Rows of the columns the list shows, not ORM objects with their market and makers:
    building 50 vendors and loading three relationships was most of the page's time.
    """
    conditions = vendor_conditions(market, status=status, q=q)
    total = session.scalar(sa.select(sa.func.count()).select_from(Vendor)
                           .where(*conditions)) or 0
    rows = session.execute(
        sa.select(*LIST_COLUMNS).where(*conditions).order_by(Vendor.stall_code, Vendor.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return list(rows), total


def vendor_history(session: Session, vendor: Vendor) -> list[AuditEntry]:
    return list(session.scalars(
        audit_query(entity="vendor", entity_id=str(vendor.id)).limit(100)))


def active_banks(session: Session) -> list[Bank]:
    return list(session.scalars(sa.select(Bank).where(Bank.active.is_(True))
                                .order_by(Bank.short_name)))
