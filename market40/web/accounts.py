"""Web passwords: set, clear, check. Stored only as werkzeug hashes (scrypt) in User.password_hash.

API clients use bearer tokens (``market40.auth``); a password only opens the web pages.
"""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from market40.errors import InvalidInput, NotFound
from market40.models import User
from market40.registry.audit import record_change

log = logging.getLogger(__name__)

MIN_LENGTH = 10
MAX_LENGTH = 200


def hash_method() -> str:
    """The app's ``PASSWORD_HASH_METHOD`` (``Config``'s outside an app)."""
    from market40.config import Config

    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", Config.PASSWORD_HASH_METHOD)
    return Config.PASSWORD_HASH_METHOD


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=hash_method())


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the user name is unknown, so both answers take the same time."""
    return generate_password_hash("market40-timing-equaliser", method=method)


def _user(session: Session, name: str) -> User:
    user = session.scalar(sa.select(User).where(User.name == name.strip()))
    if user is None:
        raise NotFound(f"user {name!r} does not exist")
    return user


def check_password_rules(password: str, name: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput.field("password", f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        raise InvalidInput.field("password", f"must be at most {MAX_LENGTH} characters long")
    if password.strip().lower() == name.strip().lower() or len(set(password)) < 4:
        raise InvalidInput.field("password", "is too easy to guess")


def set_password(session: Session, name: str, password: str, *, actor: str = "cli") -> User:
    """Give user ``name`` a new web password; its open web sessions end (see web.session)."""
    user = _user(session, name)
    check_password_rules(password, user.name)
    had = user.password_hash is not None
    user.password_hash = hash_password(password)
    record_change(
        session, actor=actor, action="password.set", entity="user", entity_id=user.id,
        market_id=None, old={"password": "set" if had else None}, new={"password": "set"},
    )
    session.flush()
    log.info("web password set for user id %s", user.id)
    return user


def clear_password(session: Session, name: str, *, actor: str = "cli") -> User:
    """Remove the web password of ``name``: no web login until a new one is set."""
    user = _user(session, name)
    if user.password_hash is not None:
        user.password_hash = None
        record_change(
            session, actor=actor, action="password.clear", entity="user", entity_id=user.id,
            market_id=None, old={"password": "set"}, new={"password": None},
        )
        session.flush()
        log.info("web password cleared for user id %s", user.id)
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, else None (never says which was wrong)."""
    user = session.scalar(sa.select(User).where(User.name == name.strip()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user
