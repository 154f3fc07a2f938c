"""Who is looking at a web page: a signed session cookie, checked by the API's policy table.

The cookie holds the user id, a fingerprint of the password hash and a random session
key whose sha256 is kept on the server (``WebSession``): logging out ends the session
there, so a copied cookie stops working at once; setting a new password (``flask
users-passwd``) or deactivating the user ends every session of that user at its next
request. The cookie is HttpOnly, SameSite=Lax, and Secure
on HTTPS (or when ``PREFERRED_URL_SCHEME`` is https, behind a TLS proxy).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from market40.auth import authorize
from market40.extensions import db
from market40.models import Market, User, Vendor, WebSession, utcnow

SESSION_KEY = "auth"
_ENVIRON_KEY = "market40.web_user"
F = TypeVar("F", bound=Callable[..., Any])


def cookie_secure() -> bool:
    """Mark cookies Secure on HTTPS requests, or when the app says it is served over HTTPS."""
    config = current_app.config
    return bool(
        config.get("SESSION_COOKIE_SECURE")
        or request.is_secure
        or config.get("PREFERRED_URL_SCHEME") == "https"
    )


class WebSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, made Secure per request instead of per deployment."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure()


def configure_sessions(app: Flask) -> None:
    app.config["SESSION_COOKIE_NAME"] = "market40_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # A working day at the market office; the browser forgets it after that.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
    app.session_interface = WebSessionInterface()


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _fresh_session() -> None:
    session.clear()
    # Flask-WTF keeps the signed form token on ``g``; it belonged to the cleared session.
    g.pop("csrf_token", None)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _server_session(value: list[Any]) -> WebSession | None:
    """The live server-side session the cookie names, or None."""
    key = value[2]
    if not isinstance(key, str) or not key:
        return None
    row = db.session.scalar(sa.select(WebSession).where(WebSession.key_hash == _key_hash(key)))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    return row if row.user_id == value[0] else None


def live_session_query() -> Callable[[], sa.Select] | None:
    """For a stream this request's web session holds open: a query, made afresh at each
    call, that finds a row while that session is live (not logged out, not expired) and
    its user active; None when the request has no web session. ``market40.live.devices``
    asks it before each payment it sends, as it asks a token's."""
    value = session.get(SESSION_KEY)
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[2], str)
            and value[2]):
        return None
    key_hash = _key_hash(value[2])

    def query() -> sa.Select:
        return (sa.select(WebSession.id).join(User, User.id == WebSession.user_id)
                .where(WebSession.key_hash == key_hash, WebSession.ended_at.is_(None),
                       WebSession.expires_at > utcnow(), User.active.is_(True)))

    return query


def log_in(user: User) -> None:
    """Start a fresh session for ``user`` (anything left from before is dropped); the
    caller commits."""
    _fresh_session()
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(WebSession(key_hash=_key_hash(key), user_id=user.id, created_at=now,
                              expires_at=now + current_app.permanent_session_lifetime))
    session.permanent = True
    session[SESSION_KEY] = [user.id, _fingerprint(user), key]
    request.environ[_ENVIRON_KEY] = user


def log_out() -> None:
    """End the session on the server too (the caller commits), then drop the cookie."""
    value = session.get(SESSION_KEY)
    if isinstance(value, list) and len(value) == 3:
        row = _server_session(value)
        if row is not None:
            row.ended_at = utcnow()
    _fresh_session()
    request.environ[_ENVIRON_KEY] = None


def session_user() -> User | None:
    """The logged-in user, or None (no session, user gone or inactive, password changed)."""
    # Cached on the request, like market40.auth.identity: ``g`` can outlive one request.
    if _ENVIRON_KEY in request.environ:
        return request.environ[_ENVIRON_KEY]
    user = None
    value = session.get(SESSION_KEY)
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], int):
        candidate = db.session.get(User, value[0])
        if (
            candidate is not None
            and candidate.active
            and candidate.password_hash
            and hmac.compare_digest(str(value[1]), _fingerprint(candidate))
            and _server_session(value) is not None
        ):
            user = candidate
        else:
            session.pop(SESSION_KEY, None)
    request.environ[_ENVIRON_KEY] = user
    return user


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no scheme, no host, no ``//``), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, and back here afterwards."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if session_user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require(permission: str, *, market: Market | None = None,
            vendor: Vendor | None = None) -> User:
    """The session user if the policy table allows ``permission`` here (else 403)."""
    return authorize(session_user(), permission, market=market, vendor=vendor)
