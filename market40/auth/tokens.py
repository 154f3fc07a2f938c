"""Users and API tokens: random, shown once, stored as sha256, revocable."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import Conflict, InvalidInput, NotFound
from market40.inputpolicy import clean
from market40.models import ApiToken, User, Vendor, utcnow
from market40.models.user import ROLES
from market40.registry.markets import get_market

log = logging.getLogger(__name__)
TOKEN_PREFIX = "m40_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """A new 256-bit token for ``user``; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:10]))
    session.flush()
    log.info("issued token %s for user id %s", token[:10], user.id)
    return token


def create_user(
    session: Session,
    name: str,
    role: str,
    market_codes: Sequence[str] = (),
    vendor_id: int | None = None,
) -> User:
    """Create a user; board users need their markets, vendor users their stall."""
    name = clean(name.strip(), "name", identifier=True)
    if not name:
        raise InvalidInput.field("name", "must not be empty")
    if role not in ROLES:
        raise InvalidInput.field("role", f"must be one of {', '.join(ROLES)}")
    if session.scalar(sa.select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    markets = []
    for code in market_codes:
        markets.append(get_market(session, code))
    if role == "board" and not markets:
        raise InvalidInput.field("market", "a board user needs at least one market")
    vendor = None
    if role == "vendor":
        vendor = session.get(Vendor, vendor_id) if vendor_id is not None else None
        if vendor is None:
            raise InvalidInput.field("vendor", "a vendor user needs an existing vendor id")
        if vendor.user_id is not None:
            raise Conflict(f"vendor {vendor.id} already has a user")
    user = User(name=name, role=role, markets=markets)
    session.add(user)
    session.flush()
    if vendor is not None:
        vendor.user_id = user.id
        session.flush()
        session.refresh(user)
    return user


def revoke_tokens(session: Session, name: str) -> int:
    """Revoke every live token of user ``name``; returns how many were revoked."""
    name = clean(name, "name", identifier=True)
    user = session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"user {name!r} does not exist")
    now = utcnow()
    count = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            count += 1
    session.flush()
    return count
