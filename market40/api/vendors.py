"""Vendors of a market: every read needs a token, scoped to what the caller may see.

Vendor lists carry names, stalls and bank accounts, so they are not public: a board
user sees the vendors of its markets, a vendor user its own stall, the province-wide
roles (admin, department, auditor) every market. Phone and national ID are shown only
to readers with the ``vendors.personal`` right (not the department).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.vendors import (
    VendorCreateSchema,
    VendorPatchSchema,
    VendorQueryArgsSchema,
    VendorSchema,
)
from market40.auth import caller
from market40.extensions import db
from market40.models import Vendor
from market40.registry.markets import get_market
from market40.registry.queries import vendors_query
from market40.registry.validation import canonical_category
from market40.registry.vendors import get_vendor, register_vendor, update_vendor

blp = Blueprint("vendors", __name__, url_prefix="/api/v1",
                description="Vendors (tiểu thương): token required, scoped by market")


@blp.route("/markets/<code>/vendors")
class MarketVendors(MethodView):
    @blp.arguments(VendorQueryArgsSchema, location="query")
    @blp.response(200, VendorSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict, code: str) -> sa.Select:
        """List a market's vendors by stall code (a vendor user sees only itself)."""
        market = get_market(db.session, code)
        user = caller(market=market)
        if args.get("goods_category"):
            # An unknown category simply matches nothing.
            args["goods_category"] = canonical_category(args["goods_category"]) or "?"
        only = user.vendor_id if user.role == "vendor" else None
        return vendors_query(market, only_vendor_id=only, **args)

    @blp.arguments(VendorCreateSchema)
    @blp.response(201, VendorSchema)
    def post(self, data: dict, code: str) -> Vendor:
        """Register a vendor as a draft; the caller becomes its maker."""
        market = get_market(db.session, code)
        user = caller(market=market)
        data.pop("version", None)
        vendor = register_vendor(db.session, market, data, user)
        db.session.commit()
        return vendor


@blp.route("/vendors/<id:vendor_id>")
class VendorById(MethodView):
    @blp.response(200, VendorSchema)
    def get(self, vendor_id: int) -> Vendor:
        """Show one vendor."""
        vendor = get_vendor(db.session, vendor_id)
        caller(vendor=vendor)
        return vendor

    @blp.arguments(VendorPatchSchema)
    @blp.response(200, VendorSchema)
    def patch(self, data: dict, vendor_id: int) -> Vendor:
        """Edit a vendor; a new bank account on an approved vendor needs approval again."""
        vendor = get_vendor(db.session, vendor_id)
        user = caller(vendor=vendor)
        version = data.pop("version", None)
        vendor = update_vendor(db.session, vendor, data, user, expected_version=version)
        db.session.commit()
        return vendor
