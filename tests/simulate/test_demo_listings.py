"""``flask seed`` adds a few online listings to the pilot markets, marked as sample data."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import AuditEntry, Listing, Market
from market40.reports.certification import judge
from market40.reports.queries import market_figures
from market40.reports.rulesets import load_ruleset


def test_demo_listings_are_marked_idempotent_and_meet_the_online_criterion(reference):
    from market40.localtime import local_today
    from market40.simulate.listings import DEMO_MARK, seed_demo_listings

    db = reference
    assert seed_demo_listings(db.session) == "8 new"
    db.session.commit()
    assert seed_demo_listings(db.session) == "0 new"  # a market with a listing is left alone
    listings = db.session.scalars(sa.select(Listing)).all()
    assert len(listings) == 8 and all(DEMO_MARK in item.platform for item in listings)
    assert all(item.url.startswith("https://") for item in listings)
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "listing.create")).all()
    assert len(entries) == 8 and {e.actor for e in entries} == {"seed"}
    # The third tn-2022 criterion now passes at THAI (and fails where nothing is listed).
    online = next(c for c in load_ruleset("tn-2022").criteria if c.metric == "online_products")
    figures = {m.code: m.figures for m in market_figures(db.session, local_today(), 30)}
    assert judge([online], figures["THAI"])[0].passed
    assert not judge([online], figures["LA-BANG"])[0].passed
    thai = db.session.scalar(sa.select(Market).where(Market.code == "THAI"))
    assert figures["THAI"].online_products == 2 and thai is not None
