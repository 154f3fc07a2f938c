"""Markets: anyone may read them; admin and department users register and edit them."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.markets import (
    MarketCreateSchema,
    MarketPatchSchema,
    MarketQueryArgsSchema,
    MarketSchema,
)
from market40.auth import caller
from market40.extensions import db
from market40.models import Market
from market40.registry.markets import create_market, get_market, update_market
from market40.registry.queries import markets_query

blp = Blueprint("markets", __name__, url_prefix="/api/v1",
                description="Markets (chợ): public list; admin/department write")


@blp.route("/markets")
class Markets(MethodView):
    @blp.arguments(MarketQueryArgsSchema, location="query")
    @blp.response(200, MarketSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict) -> sa.Select:
        """List markets; filter by district, hạng (grade) and status."""
        return markets_query(**args)

    @blp.arguments(MarketCreateSchema)
    @blp.response(201, MarketSchema)
    def post(self, data: dict) -> Market:
        """Register a market (admin, department); its district comes from its commune."""
        user = caller()
        market = create_market(db.session, data, user)
        db.session.commit()
        return market


@blp.route("/markets/<code>")
class MarketByCode(MethodView):
    @blp.response(200, MarketSchema)
    def get(self, code: str) -> Market:
        """Show one market."""
        return get_market(db.session, code)

    @blp.arguments(MarketPatchSchema)
    @blp.response(200, MarketSchema)
    def patch(self, data: dict, code: str) -> Market:
        """Change a market's fields (admin, department); its code never changes."""
        user = caller()
        market = update_market(db.session, get_market(db.session, code), data, user)
        db.session.commit()
        return market
