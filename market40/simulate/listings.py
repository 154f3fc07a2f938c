"""Demo online listings for the pilot markets, so the demo can meet "≥ 1 product on an
e-commerce platform" (the third ``tn-2022`` criterion) where a market meets the others.

Marked as demo data like the demo vendors: made by the system actor ``seed`` in the
audit log, and the platform reads "(dữ liệu mẫu)" ("sample data") wherever the listing
is shown; the links go to the platforms' home pages, never to a made-up product page.
Idempotent: a market that already has a listing is left alone.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import Listing, Market
from market40.registry.audit import record_change
from market40.registry.seed import SEEDS_DIR, read_csv

log = logging.getLogger(__name__)
SEED_ACTOR = "seed"
DEMO_MARK = "(dữ liệu mẫu)"


def seed_demo_listings(session: Session, seeds_dir: Path = SEEDS_DIR) -> str:
    """Add ``seeds/demo_listings.csv`` to markets without any listing; returns a summary."""
    rows = read_csv("demo_listings.csv", seeds_dir)
    markets = {m.code: m for m in session.scalars(
        sa.select(Market).where(Market.code.in_({r["market"] for r in rows})))}
    listed = set(session.scalars(sa.select(Listing.market_id).distinct()))
    created = 0
    for row in rows:
        market = markets.get(row["market"])
        if market is None or market.id in listed:
            continue
        if DEMO_MARK not in row["platform"]:
            raise ValueError(f"demo listing of {row['market']} is not marked {DEMO_MARK!r}")
        listing = Listing(market_id=market.id, product=row["product"],
                          platform=row["platform"], url=row["url"],
                          started_on=date.fromisoformat(row["started_on"]))
        session.add(listing)
        session.flush()
        record_change(session, actor=SEED_ACTOR, action="listing.create", entity="listing",
                      entity_id=listing.id, market_id=market.id, old=None,
                      new={"product": listing.product, "platform": listing.platform,
                           "url": listing.url, "started_on": row["started_on"],
                           "ended_on": None})
        created += 1
    session.flush()
    log.info("demo listings: %d new", created)
    return f"{created} new"
