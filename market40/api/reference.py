"""Districts with their communes, and the bank list: public, read-only."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas import BankQueryArgsSchema, BankSchema, DistrictSchema
from market40.registry.queries import banks_query, districts_query

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference data")


@blp.route("/districts")
class Districts(MethodView):
    @blp.response(200, DistrictSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self) -> sa.Select:
        """List district-level units, each with its communes."""
        return districts_query()


@blp.route("/banks")
class Banks(MethodView):
    @blp.arguments(BankQueryArgsSchema, location="query")
    @blp.response(200, BankSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict) -> sa.Select:
        """List NAPAS banks; ``q`` matches a BIN or a (former) name."""
        return banks_query(**args)
