"""Reads that only the web pages need, as frozen dataclasses.

The adoption figures themselves come from ``market40.reports`` (one definition for
the API, the CLI and the pages); what is here is page detail around them: a
market's best-selling stalls, the vendors its board should follow up, its online
listings, and a vendor's latest payments. Rollups, never raw transactions, except
for the one vendor's latest payments (bounded by an index and a LIMIT).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.localtime import day_end_utc
from market40.models import DailyRollup, Listing, Market, Transaction, Vendor
from market40.reports.queries import had_qr_sale

# Vendors that are waiting for a step, in the order a board works through them.
FOLLOW_UP_ORDER = ("submitted", "reverted", "draft", "approved")


@dataclass(frozen=True, slots=True)
class TopStall:
    """Public: stall code and display name only, never the owner or the account."""

    vendor_id: int
    stall_code: str
    display_name: str
    qr_sales_count: int
    qr_sales_value: int


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A vendor of the market without a QR code in force, and why (for the board only)."""

    vendor_id: int
    stall_code: str
    display_name: str
    owner_name: str
    phone: str | None
    status: str
    why: str  # a message key of the web catalogue: "why.submitted", "why.no_account", ...
    reason: str | None  # the board's own note (rejection or reversal reason)
    since: datetime


@dataclass(frozen=True, slots=True)
class ListingRow:
    product: str
    platform: str
    url: str
    started_on: date


@dataclass(frozen=True, slots=True)
class Payment:
    occurred_at: datetime
    amount: int
    method: str
    kind: str
    source: str


def stall_sales(session: Session, market: Market, first: date, last: date
                ) -> dict[int, TopStall]:
    """Each stall of the market with a QR sale between local days first and last: its
    QR sales' count and value, by vendor id. Sums add up across days, so a page keeps
    those of the days before today and adds today's (``merge_sales``)."""
    statement = (
        sa.select(
            Vendor.id,
            Vendor.stall_code,
            Vendor.display_name,
            sa.func.sum(DailyRollup.qr_sales_count),
            sa.func.sum(DailyRollup.qr_sales_value),
        )
        .join(DailyRollup, DailyRollup.vendor_id == Vendor.id)
        .where(
            Vendor.market_id == market.id,
            DailyRollup.day >= first,
            DailyRollup.day <= last,
            had_qr_sale(),  # a day without a QR sale adds nothing (and is not read)
        )
        .group_by(Vendor.id, Vendor.stall_code, Vendor.display_name)
    )
    return {row[0]: TopStall(row[0], row[1], row[2], int(row[3]), int(row[4]))
            for row in session.execute(statement)}


def merge_sales(*parts: dict[int, TopStall]) -> dict[int, TopStall]:
    """The sums of several ranges of days (``stall_sales`` of each), by vendor id."""
    merged: dict[int, TopStall] = {}
    for part in parts:
        for vendor_id, stall in part.items():
            found = merged.get(vendor_id)
            merged[vendor_id] = stall if found is None else replace(
                found, qr_sales_count=found.qr_sales_count + stall.qr_sales_count,
                qr_sales_value=found.qr_sales_value + stall.qr_sales_value)
    return merged


def best_stalls(sales: dict[int, TopStall], limit: int = 10) -> list[TopStall]:
    """The stalls with the most QR sales value (ties by stall code in code-point order,
    as SQLite and a C-collated PostgreSQL order them)."""
    selling = [stall for stall in sales.values() if stall.qr_sales_value > 0]
    return sorted(selling, key=lambda s: (-s.qr_sales_value, s.stall_code))[:limit]


def top_stalls(session: Session, market: Market, first: date, last: date,
               limit: int = 10) -> list[TopStall]:
    """The market's stalls with the most QR sales value between local days first and last."""
    return best_stalls(stall_sales(session, market, first, last), limit)


def why_no_code(vendor: Vendor) -> str:
    """Why buyers cannot pay ``vendor`` by QR, as a message key of the web catalogue."""
    if vendor.status == "approved":
        return "why.no_account" if not vendor.has_bank_account else "why.no_qr"
    return f"why.{vendor.status}"


def follow_ups(session: Session, market: Market) -> list[FollowUp]:
    """Vendors of the market that buyers cannot pay by QR today, with what is missing.

    Exactly the registered vendors without a QR code (DESIGN.md §5: registered minus
    with_qr), so the list's length agrees with the coverage figure: closed vendors have
    left the market and rejected ones are not registered, so neither needs a follow-up;
    approved vendors are listed only when they lack an account or an issued code.
    """
    statement = (
        sa.select(Vendor)
        .where(
            Vendor.market_id == market.id,
            Vendor.status.not_in(("closed", "rejected")),
            sa.or_(
                Vendor.status != "approved",
                Vendor.bank_bin.is_(None),
                Vendor.account_number.is_(None),
                Vendor.account_number == "",
                Vendor.qr_issued_at.is_(None),
            ),
        )
        .order_by(Vendor.stall_code)
    )
    rows = [
        FollowUp(
            vendor_id=v.id,
            stall_code=v.stall_code,
            display_name=v.display_name,
            owner_name=v.owner_name,
            phone=v.phone,
            status=v.status,
            why=why_no_code(v),
            reason=v.reason,
            since=v.updated_at,
        )
        for v in session.scalars(statement)
    ]
    rank = {status: i for i, status in enumerate(FOLLOW_UP_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.status, len(rank)), r.stall_code))


def online_listings(session: Session, market: Market, as_of: date) -> list[ListingRow]:
    """The market's listings active at ``as_of`` (the same rule as the online_products metric)."""
    statement = (
        sa.select(Listing)
        .where(
            Listing.market_id == market.id,
            Listing.active_on(as_of),
        )
        .order_by(Listing.started_on, Listing.id)
    )
    return [
        ListingRow(item.product, item.platform, item.url, item.started_on)
        for item in session.scalars(statement)
    ]


def recent_payments(session: Session, vendor: Vendor, as_of: date,
                    limit: int = 20) -> list[Payment]:
    """The vendor's latest payments up to the end of local day ``as_of``, newest first."""
    statement = (
        sa.select(Transaction)
        .where(Transaction.vendor_id == vendor.id, Transaction.occurred_at < day_end_utc(as_of))
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(limit)
    )
    return [
        Payment(t.occurred_at, t.amount, t.method, t.kind, t.source)
        for t in session.scalars(statement)
    ]
