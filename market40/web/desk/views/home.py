"""``/desk``: the user's markets and to-dos; ``/desk/markets/CODE/vendors``: a market's vendors."""

from __future__ import annotations

import marshmallow as ma
from flask import render_template

from market40.auth import can
from market40.extensions import db
from market40.models.vendor import VENDOR_STATUSES
from market40.web.args import PageArgsSchema, parse
from market40.web.desk.blueprint import bp, desk_user, market_for
from market40.web.desk.queries import PAGE_SIZE, desk_markets, market_vendors, to_dos

FEW_MARKETS = 6


class VendorListArgsSchema(PageArgsSchema):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=80))
    status = ma.fields.String(load_default=None,
                              validate=ma.validate.OneOf(("", *VENDOR_STATUSES)))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10_000))


@bp.get("/desk")
def home() -> str:
    """The markets the user may work on, with counts, and the user's own to-dos."""
    user = desk_user()
    markets = desk_markets(db.session, user)
    # desk_markets holds only the user's markets, so the role decides the buttons; with
    # many markets (admin, department) they live on each market's own page.
    return render_template("desk/home.html", markets=markets, todo=to_dos(db.session, user),
                           few=len(markets) <= FEW_MARKETS,
                           writes=can(user, "vendors.write"),
                           imports=can(user, "vendors.import"))


@bp.get("/desk/markets/<code>/vendors")
def market_vendor_list(code: str) -> tuple[str, int]:
    """The market's vendors: search by stall, name or owner, filter by status, paged."""
    market = market_for(code, "vendors.read")
    args = parse(VendorListArgsSchema())
    q = (args["q"] or "").strip() or None
    status = args["status"] or None
    vendors, total = market_vendors(db.session, market, q=q, status=status, page=args["page"])
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("desk/vendors.html", market=market, vendors=vendors, total=total,
                           page=args["page"], pages=pages, q=q or "", status=status or "",
                           statuses=VENDOR_STATUSES, arg_errors=args.errors), args.status
