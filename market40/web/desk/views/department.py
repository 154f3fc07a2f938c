"""Online listings of a market (the "product online" criterion), province indicators and
audit snapshots."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from market40.audit import create_snapshot
from market40.errors import DomainError, InvalidInput
from market40.extensions import db
from market40.models import Market
from market40.registry.indicators import indicator_statuses, record_indicator
from market40.registry.listings import add_listing, end_listing, listings_query
from market40.reports.rulesets import list_rulesets
from market40.web.desk.blueprint import bp, check_csrf, desk_user, market_for
from market40.web.desk.problems import field_problems, problem_of

LISTING_FIELDS = ("product", "platform", "url", "started_on")


def _day(name: str) -> date | None:
    text = (request.form.get(name) or "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput.field(name, "must be a date (YYYY-MM-DD)") from None


def _listings_page(market: Market, values: dict, errors: dict, problem: str | None = None,
                   status: int = 200) -> tuple[str, int]:
    listings = list(db.session.scalars(listings_query(market)))
    return render_template("desk/listings.html", market=market, listings=listings,
                           values=values, errors=errors, problem=problem), status


@bp.route("/desk/markets/<code>/listings", methods=["GET", "POST"])
def listings(code: str) -> Response | tuple[str, int]:
    """The market's products online; POST adds one."""
    market = market_for(code, "listings.write")
    if request.method == "GET":
        return _listings_page(market, {}, {})
    check_csrf()
    values = {name: (request.form.get(name) or "").strip() for name in LISTING_FIELDS}
    try:
        add_listing(db.session, market, desk_user(), values["product"], values["platform"],
                    values["url"], _day("started_on"))
    except DomainError as error:
        db.session.rollback()
        errors = field_problems(getattr(error, "errors", None))
        return _listings_page(market, values, errors, None if errors else problem_of(error),
                              error.status)
    db.session.commit()
    flash("desk.flash.listing_added")
    return redirect(url_for("desk.listings", code=market.code))


@bp.post("/desk/markets/<code>/listings/<id:listing_id>/end")
def listing_end(code: str, listing_id: int) -> Response | tuple[str, int]:
    """End a listing today: it stops counting from today on; the row stays."""
    market = market_for(code, "listings.write")
    check_csrf()
    try:
        end_listing(db.session, market, listing_id, desk_user())
    except DomainError as error:
        db.session.rollback()
        return _listings_page(market, {}, {}, problem_of(error), error.status)
    db.session.commit()
    flash("desk.flash.listing_ended")
    return redirect(url_for("desk.listings", code=market.code))


@bp.route("/desk/snapshots", methods=["GET", "POST"])
def snapshots() -> Response | tuple[str, int]:
    """Freeze the certification of every market as of a day; the audit page verifies it."""
    rulesets = list_rulesets()
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        check_csrf()
        values = {name: (request.form.get(name) or "").strip() for name in ("ruleset", "as_of")}
        try:
            create_snapshot(db.session, values["ruleset"], _day("as_of"), desk_user())
        except DomainError as error:
            db.session.rollback()
            errors = field_problems(getattr(error, "errors", None)) or {
                "": [problem_of(error)]}
            status = error.status
        else:
            db.session.commit()
            flash("desk.flash.snapshot_created")
            return redirect(url_for("web.audit"))
    return render_template("desk/snapshots.html", rulesets=rulesets, values=values,
                           errors=errors), status


@bp.route("/desk/indicators", methods=["GET", "POST"])
def indicators() -> Response | tuple[str, int]:
    """The province's indicators with their latest values; POST enters a dated value."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        check_csrf()
        values = {name: (request.form.get(name) or "").strip()
                  for name in ("key", "value", "as_of", "source")}
        try:
            try:
                amount = float(values["value"].replace(",", "."))
            except ValueError:
                raise InvalidInput.field("value", "must be a number") from None
            as_of = _day("as_of")
            if as_of is None:
                raise InvalidInput.field("as_of", "is required")
            record_indicator(db.session, desk_user(), values["key"], amount, as_of,
                             values["source"])
        except DomainError as error:
            db.session.rollback()
            errors = field_problems(getattr(error, "errors", None)) or {
                "": [problem_of(error)]}
            status = error.status
        else:
            db.session.commit()
            flash("desk.flash.indicator_saved")
            return redirect(url_for("desk.indicators"))
    return render_template("desk/indicators.html", statuses=indicator_statuses(db.session),
                           values=values, errors=errors), status
