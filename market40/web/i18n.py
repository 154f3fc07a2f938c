"""Vietnamese by default, English on request: the page language and its message lookup.

The language comes from ``?lang=vi|en`` (which also sets the ``lang`` cookie, so the
choice sticks from page to page), then from the cookie, then Vietnamese. The
browser's Accept-Language is deliberately not consulted: the programme's users
are Vietnamese, and a phone set to English should not hide the Vietnamese page.

Why a catalogue of our own (the package ``messages``) rather than Flask-Babel/gettext: two
languages and some five hundred strings, written side by side so a missing
translation is visible in review and caught by a test; no ``.po``/``.mo`` compile step
in the build; and the number and date formats, the one thing Babel would add, are
exactly what ``formatting.py`` has to pin down anyway (1.234.567 đ, 72,5 %).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Response, has_request_context, request, url_for

from market40.web.messages import MESSAGES
from market40.web.session import cookie_secure

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
_INDEX = {"vi": 0, "en": 1}
_ENVIRON_KEY = "market40.lang"


def current_lang() -> str:
    """The language of the current page (cached on the request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    # On the request, not on ``g``: an app context can outlive a request (tests, CLI).
    lang = request.environ.get(_ENVIRON_KEY)
    if lang is None:
        lang = request.environ[_ENVIRON_KEY] = _requested() or _cookie() or DEFAULT_LANGUAGE
    return lang


def _requested() -> str | None:
    value = request.args.get("lang")
    return value if value in LANGUAGES else None


def _cookie() -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value in LANGUAGES else None


def gettext(key: str, lang: str | None = None, **values: Any) -> str:
    """The text of message ``key`` in ``lang`` (default: the page's), formatted with ``values``.

    An unknown key is a programming error that the catalogue test catches; at run
    time it shows the key rather than failing the page.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        log.warning("missing message %r", key)
        text = key
    else:
        text = entry[_INDEX[lang or current_lang()]]
    return text.format(**values) if values else text


def has_message(key: str) -> bool:
    return key in MESSAGES


def switch_url(lang: str) -> str:
    """The current page in ``lang``: same endpoint, same arguments, ``lang`` replaced."""
    if request.endpoint is None:  # an error page for an unknown URL
        return f"{request.path}?{urlencode({'lang': lang})}"
    # Query keys never override the path's own values, and url_for's ``_external``-style
    # options cannot be smuggled in through the query string.
    args = {k: v for k, v in request.args.lists() if not k.startswith("_")}
    args.update(request.view_args or {})
    args["lang"] = [lang]
    return url_for(request.endpoint, **args)


def remember_language(response: Response) -> Response:
    """After a ``?lang=`` request, keep the choice in the ``lang`` cookie (one year)."""
    chosen = _requested()
    if chosen is not None and chosen != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=cookie_secure(),
        )
    response.vary.add("Cookie")
    response.content_language = [current_lang()]
    return response

