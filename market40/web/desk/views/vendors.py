"""Register a stall, see and edit a vendor, and move it through maker-checker."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from market40.auth import can
from market40.codes import payment_code
from market40.errors import Conflict, DomainError, InvalidInput
from market40.extensions import db
from market40.inputpolicy import checked_by_view, shown_again
from market40.models import Market, Vendor
from market40.models.vendor import GOODS_CATEGORIES
from market40.registry.validation import VENDOR_INPUT_FIELDS
from market40.registry.vendors import register_vendor, update_vendor
from market40.registry.workflow import transition
from market40.render import qr_svg
from market40.web.desk.blueprint import (
    bp,
    check_csrf,
    desk_user,
    form_data,
    form_version,
    market_for,
    vendor_for,
)
from market40.web.desk.problems import field_problems, problem_of
from market40.web.desk.queries import active_banks, vendor_history
from market40.web.desk.workflow import NEEDS_REASON, PERMISSION, action_options

NEW_ACTIONS = ("draft", "submit")


def _form_page(market: Market, values: dict[str, Any], errors: dict[str, list[str]],
               status: int = 200) -> tuple[str, int]:
    return render_template("desk/vendor_new.html", market=market, values=shown_again(values),
                           errors=errors, banks=active_banks(db.session),
                           categories=GOODS_CATEGORIES), status


@bp.route("/desk/markets/<code>/vendors/new", methods=["GET", "POST"])
@checked_by_view(*VENDOR_INPUT_FIELDS)  # clean_vendor_fields applies the input policy
def vendor_new(code: str) -> Response | tuple[str, int]:
    """Register a stall as a draft or straight into the checker's queue."""
    market = market_for(code, "vendors.write")
    if request.method == "GET":
        return _form_page(market, {}, {})
    check_csrf()
    data = form_data(VENDOR_INPUT_FIELDS)
    action = request.form.get("action", "draft")
    if action not in NEW_ACTIONS:
        return _form_page(market, data, field_problems(
            {"action": ["must be one of: draft, submit"]}), 422)
    try:
        vendor = register_vendor(db.session, market, data, desk_user(),
                                 status="submitted" if action == "submit" else "draft")
    except DomainError as error:
        db.session.rollback()
        errors = field_problems(getattr(error, "errors", None))
        if not errors:
            errors = {"": [problem_of(error)]}
        return _form_page(market, data, errors, 422 if isinstance(error, InvalidInput)
                          else error.status)
    db.session.commit()
    flash("desk.flash.created" if action == "draft" else "desk.flash.submitted")
    return redirect(url_for("desk.vendor_detail", vendor_id=vendor.id))


def _vendor_page(vendor: Vendor, *, values: dict[str, Any] | None = None,
                 errors: dict[str, list[str]] | None = None, problem: str | None = None,
                 status: int = 200) -> tuple[str, int]:
    user = desk_user()
    try:
        code = payment_code(vendor) if vendor.status == "approved" else None
    except Conflict:
        code = None
    qr = Markup(qr_svg(code.payload).decode("ascii")) if code is not None else None
    personal = can(user, "vendors.personal", vendor=vendor)
    editable = can(user, "vendors.write", vendor=vendor) and vendor.status not in (
        "rejected", "closed")
    current = {name: getattr(vendor, name) for name in VENDOR_INPUT_FIELDS}
    return render_template(
        "desk/vendor.html", vendor=vendor, code=code, qr=qr, personal=personal,
        editable=editable, values=shown_again(values) if values is not None else current,
        errors=errors or {}, problem=problem,
        options=action_options(db.session, vendor, user),
        needs_reason=NEEDS_REASON, history=vendor_history(db.session, vendor),
        banks=active_banks(db.session) if editable else [], categories=GOODS_CATEGORIES,
    ), status


@bp.get("/desk/vendors/<id:vendor_id>")
def vendor_detail(vendor_id: int) -> tuple[str, int]:
    """The vendor, its edit form, its history, its card and the moves the user may make."""
    return _vendor_page(vendor_for(vendor_id, "vendors.read"))


@bp.post("/desk/vendors/<id:vendor_id>")
@checked_by_view(*VENDOR_INPUT_FIELDS)  # clean_vendor_fields applies the input policy
def vendor_edit(vendor_id: int) -> Response | tuple[str, int]:
    """Save the edit form; the editor becomes the maker (someone else checks it)."""
    vendor = vendor_for(vendor_id, "vendors.write")
    check_csrf()
    names = VENDOR_INPUT_FIELDS if can(desk_user(), "vendors.personal", vendor=vendor) else \
        tuple(n for n in VENDOR_INPUT_FIELDS if n not in ("phone", "national_id"))
    data = form_data(names)
    try:
        update_vendor(db.session, vendor, data, desk_user(), expected_version=form_version())
    except DomainError as error:
        db.session.rollback()
        vendor = vendor_for(vendor_id, "vendors.write")
        errors = field_problems(getattr(error, "errors", None))
        return _vendor_page(vendor, values=data, errors=errors,
                            problem=None if errors else problem_of(error),
                            status=error.status)
    db.session.commit()
    flash("desk.flash.saved")
    return redirect(url_for("desk.vendor_detail", vendor_id=vendor.id))


def _move(vendor_id: int, action: str) -> Response | tuple[str, int]:
    vendor = vendor_for(vendor_id, PERMISSION[action])
    check_csrf()
    try:
        transition(db.session, vendor, action, desk_user(),
                   reason=request.form.get("reason") if action in NEEDS_REASON else None,
                   expected_version=form_version())
    except DomainError as error:
        db.session.rollback()
        vendor = vendor_for(vendor_id, "vendors.read")
        page, _ = _vendor_page(vendor, problem=problem_of(error))
        return page, error.status
    db.session.commit()
    flash(f"desk.flash.{action}")
    return redirect(url_for("desk.vendor_detail", vendor_id=vendor_id))


@bp.post("/desk/vendors/<id:vendor_id>/submit")
def vendor_submit(vendor_id: int) -> Response | tuple[str, int]:
    """Send a draft or sent-back vendor to a checker."""
    return _move(vendor_id, "submit")


@bp.post("/desk/vendors/<id:vendor_id>/approve")
def vendor_approve(vendor_id: int) -> Response | tuple[str, int]:
    """Approve (never the maker); issues the QR when the vendor has an account."""
    return _move(vendor_id, "approve")


@bp.post("/desk/vendors/<id:vendor_id>/reject")
def vendor_reject(vendor_id: int) -> Response | tuple[str, int]:
    """Reject for good, with a reason."""
    return _move(vendor_id, "reject")


@bp.post("/desk/vendors/<id:vendor_id>/revert")
def vendor_revert(vendor_id: int) -> Response | tuple[str, int]:
    """Send back to the maker with a reason; withdraws the QR."""
    return _move(vendor_id, "revert")
