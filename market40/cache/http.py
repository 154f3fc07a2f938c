"""HTTP caching of public pages, reports and reference data: ETag, Last-Modified, 304.

:func:`cached_response` wraps a view. Per request it reads the data version of the
view's scope (one small query) and makes the ETag from it, the URL (path and query),
the language and the day (a default ``as_of`` is today); no figure is computed for:

- a conditional request whose ``If-None-Match`` holds that ETag (or, without one, an
  ``If-Modified-Since`` not older than the last change): 304;
- a request whose answer is stored for this version (``market40.cache.store``): the
  stored body.

Otherwise the view runs and a 200 answer is stored. Logged-in users' pages are never
stored nor validated: they keep ``Cache-Control: no-store`` (personal data). Public
answers carry ``Cache-Control: no-cache`` (a browser or proxy keeps them but asks
again every time, and gets a 304 while nothing changed) and pages ``Vary: Cookie``
(their language is a cookie).

``Last-Modified`` is the second after the last change, sent once that second is over,
so that two changes within one second are never both behind one date.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, make_response, request

from market40.cache import store
from market40.cache.store import Entry, Scope
from market40.cache.versions import Version
from market40.localtime import local_today

PUBLIC = "no-cache"


@functools.cache
def _session_user() -> Callable[[], Any]:
    from market40.web.session import session_user

    return session_user


def _page_key() -> tuple:
    from market40.web.i18n import current_lang

    return ("page", request.full_path, current_lang(), local_today().isoformat())


def _api_key() -> tuple:
    return ("api", request.full_path, local_today().isoformat())


def etag_of(name: str, version: Version) -> str:
    return hashlib.sha256(f"{name}@{version.token}".encode()).hexdigest()[:32]


def last_modified(version: Version) -> datetime | None:
    """The second after the last change, once that second is over (else None)."""
    if version.changed_at is None:
        return None
    second = math.floor(version.changed_at.timestamp()) + 1
    if time.time() < second + 1:
        return None
    return datetime.fromtimestamp(second, UTC)


def _unchanged_since(version: Version) -> bool:
    """``If-Modified-Since`` alone (If-None-Match wins when both are sent)."""
    since = request.if_modified_since
    if since is None or request.if_none_match or version.changed_at is None:
        return False
    return last_modified(version) is not None and version.changed_at <= since


def _validators(response: Response, name: str, version: Version, page: bool) -> Response:
    response.set_etag(etag_of(name, version))
    modified = last_modified(version)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = PUBLIC
    if page:
        response.vary.add("Cookie")
    return response


def _not_modified(name: str, version: Version, page: bool) -> Response:
    return _validators(Response(status=304), name, version, page)


def _from_entry(entry: Entry) -> Response:
    status, body, headers = entry.value
    response = Response(body, status=status)
    for header, value in headers:
        response.headers[header] = value
    return response


def _stored(response: Response) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    headers = tuple((h, v) for h, v in response.headers.items()
                    if h in ("Content-Type", "Content-Disposition"))
    return response.status_code, response.get_data(), headers


def cached_response(scope_of: Callable[..., Scope | None], *, page: bool = False
                    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the view from the store and answer conditional requests without running it.

    ``scope_of(**view_args)`` names the data the answer depends on (a market's id,
    ``store.ALL`` or ``store.GENERAL``), or None to leave this request alone (a
    vendor's figures, a bad argument the view will refuse). ``page``: an HTML page
    (language from the cookie; logged-in users are not cached).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if (not store.enabled() or request.method not in ("GET", "HEAD")
                    or (page and _session_user()() is not None)):
                return view(*args, **kwargs)
            scope = scope_of(**kwargs)
            if scope is None:
                return view(*args, **kwargs)
            name = store.key("response", _page_key() if page else _api_key())
            seen = store.version_of(scope)
            version = seen.version
            if (request.if_none_match.contains_weak(etag_of(name, version))
                    or _unchanged_since(version)):
                return _not_modified(name, version, page)
            entry = store.get(name)
            if not store.usable(entry, seen, scope):
                with store.computing(name):
                    entry = store.get(name)  # made meanwhile by the thread holding the lock?
                    if not store.usable(entry, seen, scope):
                        response = make_response(view(*args, **kwargs))
                        if response.status_code != 200 or response.is_streamed:
                            return response
                        store.put(name, Entry(_stored(response), version, seen.read_at))
                        return _validators(response, name, version, page)
            assert entry is not None
            if request.if_none_match.contains_weak(etag_of(name, entry.version)):
                return _not_modified(name, entry.version, page)
            return _validators(_from_entry(entry), name, entry.version, page)

        return wrapper

    return decorator
