"""Department and admin: register a market and edit its name, hạng, commune, board, status."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from market40.errors import DomainError, InvalidInput
from market40.extensions import db
from market40.localtime import local_today
from market40.models import Commune, Market
from market40.models.market import GRADES, MARKET_STATUSES
from market40.registry.markets import create_market, get_market, update_market
from market40.web.desk.blueprint import bp, check_csrf, desk_user, form_number
from market40.web.desk.problems import field_problems, problem_of

TEXT_FIELDS = ("name", "commune_code", "address", "board_name")


def _communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune).where(
        Commune.in_force_on(local_today())).order_by(Commune.name)))


def _form_values(new: bool) -> dict[str, Any]:
    """The posted market fields, typed as the registry takes them."""
    form = request.form
    data: dict[str, Any] = {name: (form.get(name) or "").strip() or None for name in TEXT_FIELDS}
    if new:
        data["code"] = (form.get("code") or "").strip() or None
    grade = (form.get("grade") or "").strip()
    number = form_number(grade)
    data["grade"] = number if number is not None else (grade or None)
    if not new:
        data["status"] = form.get("status") or None
    launched = (form.get("launched_on") or "").strip()
    try:
        data["launched_on"] = date.fromisoformat(launched) if launched else None
    except ValueError:
        raise InvalidInput.field("launched_on", "must be a date (YYYY-MM-DD)") from None
    return data


def _page(market: Market | None, values: dict[str, Any], errors: dict[str, list[str]],
          status: int = 200) -> tuple[str, int]:
    return render_template("desk/market_form.html", market=market, values=values,
                           errors=errors, communes=_communes(), grades=GRADES,
                           statuses=MARKET_STATUSES), status


def _save(market: Market | None) -> Response | tuple[str, int]:
    check_csrf()
    values: dict[str, Any] = {}
    try:
        values = _form_values(market is None)
        if market is None:
            market = create_market(db.session, values, desk_user())
        else:
            update_market(db.session, market, values, desk_user())
    except DomainError as error:
        db.session.rollback()
        errors = field_problems(getattr(error, "errors", None)) or {"": [problem_of(error)]}
        current = None if market is None or market.id is None else market
        return _page(current, values, errors, error.status)
    db.session.commit()
    flash("desk.flash.market_saved")
    return redirect(url_for("desk.market_vendor_list", code=market.code))


@bp.route("/desk/markets/new", methods=["GET", "POST"])
def market_new() -> Response | tuple[str, int]:
    """Register a market (code, name, current commune, hạng)."""
    if request.method == "GET":
        return _page(None, {}, {})
    return _save(None)


@bp.route("/desk/markets/<code>/edit", methods=["GET", "POST"])
def market_edit(code: str) -> Response | tuple[str, int]:
    """Edit a market's name, hạng, commune, address, board and status (the code stays)."""
    market = get_market(db.session, code)
    if request.method == "GET":
        values = {name: getattr(market, name) for name in
                  (*TEXT_FIELDS, "grade", "status", "launched_on")}
        return _page(market, values, {})
    return _save(market)
