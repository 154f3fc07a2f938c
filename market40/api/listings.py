"""Online listings of a market (they count for ``online_products``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.listings import ListingInSchema, ListingQueryArgsSchema, ListingSchema
from market40.auth import caller
from market40.extensions import db
from market40.models import Listing
from market40.registry.listings import add_listing, end_listing, listings_query
from market40.registry.markets import get_market

blp = Blueprint(
    "listings",
    __name__,
    url_prefix="/api/v1/markets",
    description="Products of a market on e-commerce platforms",
)


@blp.route("/<code>/listings")
class Listings(MethodView):
    @blp.arguments(ListingQueryArgsSchema, location="query")
    @blp.response(200, ListingSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict[str, Any], code: str) -> sa.Select:
        """List a market's online listings, newest first (ended ones too unless active_on)."""
        return listings_query(get_market(db.session, code), args.get("active_on"))

    @blp.arguments(ListingInSchema)
    @blp.response(201, ListingSchema)
    def post(self, data: dict[str, Any], code: str) -> Listing:
        """Record a product of the market put on an e-commerce platform."""
        market = get_market(db.session, code)
        user = caller(market=market)
        listing = add_listing(db.session, market, user, **data)
        db.session.commit()
        return listing


@blp.route("/<code>/listings/<id:listing_id>")
class ListingById(MethodView):
    @blp.response(204)
    def delete(self, code: str, listing_id: int) -> None:
        """End a listing today; the row is kept so earlier reports still count it."""
        market = get_market(db.session, code)
        user = caller(market=market)
        end_listing(db.session, market, listing_id, user)
        db.session.commit()
