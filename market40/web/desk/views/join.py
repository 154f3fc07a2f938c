"""``/join/CODE?k=KEY``: a vendor registers the stall from the poster; ``/join/status/TOKEN``."""

from __future__ import annotations

import io

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from market40.codes import stall_card
from market40.errors import Conflict, DomainError, NotFound
from market40.extensions import db, limiter
from market40.inputpolicy import checked_by_view, shown_again
from market40.models import Market
from market40.models.vendor import GOODS_CATEGORIES
from market40.registry.enrollment import (
    JOIN_FIELDS,
    check_join_key,
    new_submission_key,
    registered,
    registration,
    self_register,
    submission_token,
)
from market40.registry.markets import get_market
from market40.render import stall_card_pdf
from market40.web.desk.blueprint import bp, csrf_valid, form_data
from market40.web.desk.problems import field_problems, problem_of
from market40.web.desk.queries import active_banks
from market40.web.i18n import gettext
from market40.web.session import session_user

HONEYPOT = "website"  # hidden from people; bots fill it in
SUBMISSION = "submission"  # the rendered form's key: sent twice, it finds its registration


def _market(code: str) -> Market:
    market = get_market(db.session, code)
    check_join_key(db.session, market, request.args.get("k"))
    return market


def _form(market: Market, values: dict, errors: dict, status: int = 200,
          submission: str | None = None) -> tuple[str, int]:
    return render_template("desk/join.html", market=market, key=request.args.get("k"),
                           values=shown_again(values), errors=errors,
                           banks=active_banks(db.session), categories=GOODS_CATEGORIES,
                           submission=submission or new_submission_key()), status


def _made_by_this_form(token: str | None) -> Response | None:
    """The status page of the registration this form already made (a second tap)."""
    if token is None or registered(db.session, token) is None:
        return None
    return redirect(url_for("desk.join_status", token=token))


def _counted(response: Response) -> bool:
    """Sends the rate limit counts: all but a field refused, which shows the form again,
    stores nothing and tells nothing about the registry (a taken stall or account is a
    409 and counts), so a vendor correcting one field after another is not locked out."""
    return response.status_code != 422


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per hour", methods=["POST"], deduct_when=_counted)
@checked_by_view(*JOIN_FIELDS)  # clean_vendor_fields applies the input policy
def join(code: str) -> Response | tuple[str, int]:
    """The phone form; on success the vendor is submitted and sent to its status page."""
    market = _market(code)
    if request.method == "GET":
        return _form(market, {}, {})
    data = form_data(JOIN_FIELDS)
    if (request.form.get(HONEYPOT) or "").strip():
        # A bot: nothing is stored, and the answer says nothing a person would need.
        abort(400, "The form could not be sent.")
    submission = request.form.get(SUBMISSION) or ""
    if not csrf_valid():
        # The page was open over an hour (or its cookie is gone): nothing is stored, and
        # the form comes back as it was typed, with a token that works and a new
        # submission key (a page elsewhere may have posted one it knows).
        return _form(market, data, {"": [gettext("join.expired")]}, 400)
    token = submission_token(current_app.config["SECRET_KEY"], submission, data["stall_code"])
    if (earlier := _made_by_this_form(token)) is not None:
        return earlier
    try:
        _, token = self_register(db.session, market, data, token, maker=session_user())
    except DomainError as error:
        db.session.rollback()
        # Two taps sent at once: the first one's commit is what refused the second.
        if (earlier := _made_by_this_form(token)) is not None:
            return earlier
        errors = field_problems(getattr(error, "errors", None)) or {"": [problem_of(error)]}
        return _form(market, data, errors, 422 if error.status == 422 else error.status,
                     submission if token is not None else None)
    db.session.commit()
    return redirect(url_for("desk.join_status", token=token))


@bp.get("/join/status/<token>")
def join_status(token: str) -> str:
    """Where the registration stands, and the card once it is approved."""
    vendor = registration(db.session, token)
    return render_template("desk/join_status.html", vendor=vendor, token=token,
                           card=vendor.status == "approved" and vendor.qr_issued_at is not None)


@bp.get("/join/status/<token>/card.pdf")
def join_card(token: str) -> Response:
    """The approved stall's card to print."""
    vendor = registration(db.session, token)
    try:
        card = stall_card(vendor)
    except Conflict:
        raise NotFound("the card is ready once the market board approves the stall") from None
    return send_file(io.BytesIO(stall_card_pdf(card)), mimetype="application/pdf", max_age=0,
                     download_name=f"card-{vendor.market.code}-{vendor.stall_code}.pdf")
