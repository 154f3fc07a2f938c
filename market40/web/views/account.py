"""``/login`` and ``/logout``: a session cookie for the web pages."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from market40.extensions import db, limiter
from market40.web.accounts import authenticate
from market40.web.blueprint import bp
from market40.web.forms import LoginForm, LogoutForm
from market40.web.i18n import gettext
from market40.web.session import log_in, log_out, safe_next, session_user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    """The login form; on success, back to the page that asked for it."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("login.html", form=form, error=None)
    if not form.validate_on_submit():
        # A missing or stale CSRF token (expired session, second tab) or an empty field.
        if "csrf_token" in form.errors:
            error = gettext("login.expired")
        else:
            error = gettext("login.missing")
        return render_template("login.html", form=form, error=error), 400
    user = authenticate(db.session, form.name.data or "", form.password.data or "")
    if user is None:
        form.password.data = ""
        return render_template("login.html", form=form, error=gettext("login.failed")), 401
    log_in(user)
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("web.home"))


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | tuple[str, int] | str:
    """GET asks to confirm (a link cannot log anyone out); POST with the token logs out."""
    form = LogoutForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("logout.html", form=form,
                                   error=gettext("login.expired")), 400
        log_out()
        db.session.commit()
        return redirect(url_for("web.overview"))
    if session_user() is None:
        return redirect(url_for("web.overview"))
    return render_template("logout.html", form=form, error=None)


@bp.get("/me")
def home() -> Response:
    """Where a user lands after logging in: the page of their role."""
    user = session_user()
    if user is None:
        return redirect(url_for("web.login"))
    if user.role == "vendor" and user.vendor_id is not None:
        return redirect(url_for("web.vendor", vendor_id=user.vendor_id))
    if user.role == "board" and user.markets:
        return redirect(url_for("web.market", code=user.markets[0].code))
    if user.role in ("auditor",):
        return redirect(url_for("web.audit"))
    return redirect(url_for("web.overview"))
