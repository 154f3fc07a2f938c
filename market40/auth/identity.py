"""Resolve the bearer token of the current request to a user."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import request

from market40.auth.tokens import hash_token
from market40.errors import Unauthorized
from market40.extensions import db
from market40.models import ApiToken, User, utcnow

# Touch last_used_at at most this often, so reads do not turn into writes on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_ENVIRON_KEY = "market40.user"


def load_request_user() -> User | None:
    """The user behind ``Authorization: Bearer TOKEN``, or None without the header.

    A header that is present but wrong is an error, not an anonymous request.
    """
    # Cached on the request, not on ``g``: ``g`` lives as long as the app context, which
    # can outlive one request (tests, CLI), and a user must never leak between requests.
    if _ENVIRON_KEY in request.environ:
        return request.environ[_ENVIRON_KEY]
    header = request.headers.get("Authorization")
    user = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization must be 'Bearer TOKEN'.")
        row = db.session.execute(
            sa.select(ApiToken, User)
            .join(User)
            .where(ApiToken.token_hash == hash_token(token.strip()))
        ).first()
        if row is None or row.ApiToken.revoked_at is not None or not row.User.active:
            raise Unauthorized("The API token is unknown or revoked.")
        user = row.User
        now = utcnow()
        last = row.ApiToken.last_used_at
        if last is None or now - last > LAST_USED_RESOLUTION:
            row.ApiToken.last_used_at = now
            db.session.commit()
    request.environ[_ENVIRON_KEY] = user
    return user


def current_user() -> User | None:
    return load_request_user()
