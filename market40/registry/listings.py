"""A market's products on e-commerce platforms: what ``online_products`` counts.

A listing is active from ``started_on`` up to the day before ``ended_on``.
Ending one keeps the row (reports for earlier dates still count it), and every
change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import Conflict, InvalidInput, NotFound
from market40.localtime import local_today
from market40.models import Listing, Market, User
from market40.registry.audit import record_change

log = logging.getLogger(__name__)
LIMITS = {"product": 150, "platform": 60, "url": 500}


def listings_query(market: Market, active_on: date | None = None) -> sa.Select:
    """The market's listings, newest first; only those active on a date if given."""
    statement = (
        sa.select(Listing)
        .where(Listing.market_id == market.id)
        .order_by(Listing.started_on.desc(), Listing.id.desc())
    )
    if active_on is not None:
        statement = statement.where(Listing.active_on(active_on))
    return statement


def _text(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput.field(field, "must not be empty")
    if len(value) > LIMITS[field]:
        raise InvalidInput.field(field, f"must be at most {LIMITS[field]} characters")
    return value


def _url(value: str) -> str:
    value = _text("url", value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise InvalidInput.field("url", "must be an http:// or https:// address")
    return value


def _audit(session: Session, user: User, action: str, listing: Listing, old, new) -> None:
    record_change(session, actor=user, action=action, entity="listing", entity_id=listing.id,
                  market_id=listing.market_id, old=old, new=new)


def _state(listing: Listing) -> dict[str, str | None]:
    return {
        "product": listing.product,
        "platform": listing.platform,
        "url": listing.url,
        "started_on": listing.started_on.isoformat(),
        "ended_on": listing.ended_on.isoformat() if listing.ended_on else None,
    }


def add_listing(
    session: Session,
    market: Market,
    user: User,
    product: str,
    platform: str,
    url: str,
    started_on: date | None = None,
) -> Listing:
    """Record a product of ``market`` put online; ``started_on`` defaults to today (local)."""
    today = local_today()
    started_on = started_on or today
    if started_on > today:
        raise InvalidInput.field("started_on", f"must not be after today ({today.isoformat()})")
    listing = Listing(
        market_id=market.id,
        product=_text("product", product),
        platform=_text("platform", platform),
        url=_url(url),
        started_on=started_on,
    )
    session.add(listing)
    session.flush()
    _audit(session, user, "listing.create", listing, None, _state(listing))
    session.flush()
    log.info("listing %s added to market %s by %s", listing.id, market.code, user.name)
    return listing


def end_listing(session: Session, market: Market, listing_id: int, user: User) -> Listing:
    """End a listing today (local): it no longer counts from today on. The row stays."""
    listing = session.get(Listing, listing_id)
    if listing is None or listing.market_id != market.id:
        raise NotFound(f"listing {listing_id} does not exist in market {market.code}")
    if listing.ended_on is not None:
        raise Conflict(f"listing {listing_id} already ended on {listing.ended_on.isoformat()}")
    old = _state(listing)
    listing.ended_on = max(local_today(), listing.started_on)
    _audit(session, user, "listing.end", listing, old, _state(listing))
    session.flush()
    log.info("listing %s of market %s ended by %s", listing.id, market.code, user.name)
    return listing
