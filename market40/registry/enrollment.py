"""Self-registration from the market's poster: join keys, registering, the status token.

A vendor scans the poster's QR (``/join/CODE?k=KEY``), fills in the stall's fields (no
national ID: a public form does not take it) and lands in the market as ``submitted``,
made by the actor ``self-registration``: a board user checks it like any other. The
phone keeps ``/join/status/TOKEN``; only the token's SHA-256 is stored. Each rendered
form carries a random submission key and the token is derived from it and the stall
code, so the same form sent twice (a second tap) finds the registration it made instead
of a "stall taken".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import NotFound
from market40.models import Market, MarketJoinKey, SelfRegistration, User, Vendor, utcnow
from market40.registry.audit import Actor, record_change
from market40.registry.validation import VENDOR_INPUT_FIELDS
from market40.registry.vendors import register_vendor

log = logging.getLogger(__name__)

SELF_REGISTRATION = "self-registration"  # the actor of the audit entries
JOIN_FIELDS = tuple(name for name in VENDOR_INPUT_FIELDS if name != "national_id")
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join_key(session: Session, market: Market) -> str:
    """The market's current poster key (made on first use for markets created later)."""
    row = session.get(MarketJoinKey, market.id)
    if row is None:
        row = MarketJoinKey(market_id=market.id, key=secrets.token_urlsafe(12))
        session.add(row)
        session.flush()
    return row.key


def rotate_join_key(session: Session, market: Market, actor: Actor) -> str:
    """A new poster key: every poster printed before stops working. Audited."""
    row = session.get(MarketJoinKey, market.id)
    now = utcnow()
    if row is None:
        row = MarketJoinKey(market_id=market.id, key=secrets.token_urlsafe(12), rotated_at=now)
        session.add(row)
    else:
        row.key = secrets.token_urlsafe(12)
        row.rotated_at = now
    # The key itself stays out of the log: it is only ever printed on the poster.
    record_change(session, actor=actor, action="join_key.rotate", entity="market",
                  entity_id=market.id, market_id=market.id, old={"join_key": "(previous)"},
                  new={"join_key": "(rotated)"}, at=now)
    session.flush()
    log.info("join key of market %s rotated", market.code)
    return row.key


def check_join_key(session: Session, market: Market, key: str | None) -> None:
    """NotFound unless ``key`` is the market's current poster key (old posters included)."""
    row = session.get(MarketJoinKey, market.id)
    if row is None or not key or not hmac.compare_digest(row.key.encode(), key.encode()):
        raise NotFound("this registration link is not valid any more; scan the poster again")


def new_submission_key() -> str:
    """The key a rendered join form carries (sent back with it, kept nowhere)."""
    return secrets.token_urlsafe(24)


def submission_token(secret: str, key: str, stall_code: str | None) -> str | None:
    """The status token of the registration a form with submission ``key`` makes for
    ``stall_code``: the same for the same form sent again (a second tap), another for
    another stall (the form, back after its registration, filled in for the next stall);
    unguessable without the app's secret. None for a key not made by
    :func:`new_submission_key`."""
    if not SUBMISSION_KEY.fullmatch(key):
        return None
    stall = "".join(unicodedata.normalize("NFKC", stall_code or "").split()).upper()
    message = f"join-status:{key}:{stall}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def self_register(session: Session, market: Market, data: Mapping[str, Any],
                  token: str | None = None, maker: User | None = None) -> tuple[Vendor, str]:
    """Register the stall as ``submitted``; return it and its status token (shown once):
    ``token`` (from :func:`submission_token`) or a random one.

    ``maker``: a logged-in user who sent the form (a board user helping a vendor) made the
    registration, so maker-checker bars them from approving it; else nobody did.

    The registry's own rules apply: among them, an account that already pays a live
    vendor is refused with a message naming that stall."""
    values = {name: data.get(name) for name in JOIN_FIELDS}
    vendor = register_vendor(session, market, values, maker or SELF_REGISTRATION,
                             status="submitted")
    token = token or secrets.token_urlsafe(24)
    session.add(SelfRegistration(vendor_id=vendor.id, token_hash=_hash(token)))
    session.flush()
    log.info("self-registration of vendor %s in %s", vendor.id, market.code)
    return vendor, token


def registered(session: Session, token: str) -> Vendor | None:
    """The vendor behind a status token, or None."""
    if not token or len(token) > 100:
        return None
    return session.scalar(
        sa.select(Vendor).join(SelfRegistration, SelfRegistration.vendor_id == Vendor.id)
        .where(SelfRegistration.token_hash == _hash(token)))


def registration(session: Session, token: str) -> Vendor:
    """The vendor behind a status token, or NotFound."""
    vendor = registered(session, token)
    if vendor is None:
        raise NotFound("no registration has this address")
    return vendor
