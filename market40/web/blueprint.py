"""The one blueprint every web page hangs on (``web.*`` endpoints), and what all pages share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from flask_wtf.csrf import generate_csrf

from market40.auth import can
from market40.reports.glossary import TERMS
from market40.reports.metrics import RATIO_METRICS
from market40.web.desk.problems import page_problem
from market40.web.figures import basis, frozen_value
from market40.web.i18n import (
    LANGUAGES,
    current_lang,
    gettext,
    has_message,
    remember_language,
    switch_url,
)
from market40.web.session import session_user

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@bp.after_request
def _after(response: Response) -> Response:
    if request.endpoint == "web.static":
        return response  # the stylesheet and icon keep Flask's conditional caching
    response = remember_language(response)
    # Pages show live figures and, once logged in, personal data: never cached by proxies.
    response.headers.setdefault("Cache-Control", "no-store" if session_user() else "no-cache")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def template_globals() -> dict[str, Any]:
    """Names every template can use (also the error pages rendered outside the blueprint)."""
    return {
        "_": gettext,
        "lang": current_lang(),
        "languages": LANGUAGES,
        "switch_url": switch_url,
        "web_user": session_user(),
        "can": lambda permission, **scope: can(session_user(), permission, **scope),
        "csrf_token": generate_csrf,
        "has_message": has_message,
        "page_problem": page_problem,
        "ratio_metrics": RATIO_METRICS,
        "basis": basis,
        "frozen_value": frozen_value,
        "glossary": TERMS,
    }
