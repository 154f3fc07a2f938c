"""``/vendors/<id>/live``: the stall's phone page. Today's total and payments, each new
one highlighted and spoken (live.js under the CSP); without JavaScript a plain page
that reloads itself. Who: the vendor, its board, admins (web login), or a paired
device (``?device=TOKEN`` once: kept as an HttpOnly cookie, then the clean URL)."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from market40.errors import Forbidden, Unauthorized
from market40.extensions import db
from market40.live.devices import DEVICE_COOKIE, DEVICE_PREFIX, authorize_reader
from market40.live.statement import day_statement
from market40.localtime import local_today
from market40.models import PaymentEvent, Vendor
from market40.web.blueprint import bp
from market40.web.i18n import gettext
from market40.web.session import cookie_secure, session_user

DEVICE_COOKIE_DAYS = 400  # browsers cap cookie lifetimes at about 400 days


def _unpaired() -> Response:
    """A device cookie whose pairing was revoked (or never was): say so, and forget it, so
    the next visit goes to the login page (a paired phone cannot log in: the board pairs
    it again)."""
    page = render_template("error.html", status=401, text=gettext("live.unpaired"))
    response = make_response(page, 401)
    response.delete_cookie(DEVICE_COOKIE, path="/", httponly=True, samesite="Strict",
                           secure=cookie_secure())
    return response


@bp.get("/vendors/<id:vendor_id>/live")
def vendor_live(vendor_id: int) -> Response | tuple[str, int]:
    """The live page of a stall."""
    token = request.args.get("device", "")
    if token.startswith(DEVICE_PREFIX):
        # Pairing a phone: keep the token out of the address bar and history.
        response = redirect(url_for("web.vendor_live", vendor_id=vendor_id))
        response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_DAYS * 86400,
                            httponly=True, samesite="Strict", secure=cookie_secure(),
                            path="/")
        return response
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    try:
        reader = authorize_reader(db.session, vendor)
    except Unauthorized:
        if request.cookies.get(DEVICE_COOKIE):
            return _unpaired()
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    except Forbidden:
        abort(403)
    today = local_today()
    statement = day_statement(db.session, vendor, today)
    latest = db.session.scalar(
        db.select(db.func.max(PaymentEvent.id)).where(PaymentEvent.vendor_id == vendor.id))
    page = render_template(
        "live.html", vendor=vendor, statement=statement, today=today,
        payments=list(reversed(statement.transactions)), last_event_id=latest or 0,
        is_device=reader == "device",
        logged_in=session_user() is not None)
    response = make_response(page, 200)
    response.headers["Cache-Control"] = "no-store"
    return response
