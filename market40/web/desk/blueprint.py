"""The desk blueprint (``desk.*`` endpoints), its access gate and what its views share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from market40.auth.access import PUBLIC, access_for
from market40.auth.policy import authorize
from market40.errors import DomainError, Forbidden
from market40.extensions import db
from market40.inputpolicy import whole_number
from market40.models import Market, User, Vendor
from market40.models.base import MAX_ID
from market40.registry.markets import get_market
from market40.registry.vendors import get_vendor
from market40.web.i18n import remember_language
from market40.web.session import session_user

bp = Blueprint("desk", __name__, template_folder="templates")


@bp.before_request
def _gate() -> Response | None:
    """The access table decides, with the session user (anonymous: to the login page)."""
    rule = request.url_rule
    if rule is None:
        return None
    access = access_for(request.method, rule.rule)
    if access is None:
        raise Forbidden("This page has no access rule yet, so it is closed.")
    if access.permission == PUBLIC:
        return None
    user = session_user()
    if user is None:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    authorize(user, access.permission)
    return None


@bp.after_request
def _after(response: Response) -> Response:
    response = remember_language(response)
    # Desk pages show personal data and the join status page is a secret address.
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.app_template_filter("problem")
def _problem(error: DomainError) -> str:
    from market40.web.desk.problems import problem_of

    return problem_of(error)


@bp.app_template_filter("changed_fields")
def _changed_fields(values: dict[str, Any], personal: bool) -> str:
    """The names of the fields an audit entry changed, in the page's language."""
    from market40.registry.audit import PERSONAL_FIELDS
    from market40.web.i18n import gettext, has_message

    names = [n for n in values if personal or n not in PERSONAL_FIELDS]
    return ", ".join(gettext(f"field.{n}") if has_message(f"field.{n}") else n for n in names)


def csrf_valid() -> bool:
    """Whether the POST carries a valid ``csrf_token`` (Flask-WTF's signed token: it
    lasts an hour and needs the session cookie it was made for)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


def check_csrf() -> None:
    """Every desk POST carries ``csrf_token``; else a 400 page."""
    if not csrf_valid():
        abort(400, "The form has expired or its csrf_token is missing; reload the page.")


def desk_user() -> User:
    user = session_user()
    assert user is not None  # the gate let only logged-in users through
    return user


def market_for(code: str, permission: str) -> Market:
    """The market of the URL, if the user's permission reaches it (404 / 403 otherwise)."""
    market = get_market(db.session, code)
    authorize(desk_user(), permission, market=market)
    return market


def vendor_for(vendor_id: int, permission: str) -> Vendor:
    vendor = get_vendor(db.session, vendor_id)
    authorize(desk_user(), permission, vendor=vendor)
    return vendor


def form_data(names: tuple[str, ...]) -> dict[str, Any]:
    """The named form fields as posted (blank fields as None), nothing else."""
    data: dict[str, Any] = {}
    for name in names:
        value = request.form.get(name)
        data[name] = value if value is not None and value.strip() else None
    return data


def form_number(raw: str | None) -> int | None:
    """A posted id, version or grade: ASCII digits up to the largest id, else None
    (``inputpolicy.whole_number``: "²", 20 digits or 5,000 were each a 500)."""
    return whole_number((raw or "").strip(), MAX_ID)


def form_version() -> int:
    """The ``version`` the form was rendered with (required on every vendor change)."""
    from market40.errors import InvalidInput

    version = form_number(request.form.get("version"))
    if version is None:
        raise InvalidInput.field("version", "is required: reload the page and try again")
    return version


__all__ = ["DomainError", "bp", "check_csrf", "desk_user", "form_data", "form_number",
           "form_version",
           "market_for", "vendor_for"]
