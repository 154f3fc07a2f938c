"""Devices paired with a stall (a soundbox, an old phone) and who may read a stall's events.

A device token (``m40d_…``, 256 random bits, shown once, stored as sha256) reads that
one vendor's event stream, live page and day statement (what the page shows), nothing
else. It comes as ``Authorization: Bearer m40d_…`` (soundboxes) or, for the live page
in a browser that cannot set headers on an EventSource, as the ``market40_device``
cookie the page sets when opened once with ``?device=TOKEN``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Session

from market40.auth import authorize, current_user, hash_token
from market40.errors import Forbidden, NotFound, Unauthorized
from market40.inputpolicy import clean
from market40.models import ApiToken, Device, User, Vendor, utcnow

log = logging.getLogger(__name__)

DEVICE_PREFIX = "m40d_"
DEVICE_COOKIE = "market40_device"
PERMISSION = "events.read"
# Touch last_seen_at at most this often: hundreds of reconnecting devices must not turn
# every stream open into a write that contends with the payments' writers.
SEEN_RESOLUTION = timedelta(minutes=5)


def pair_device(session: Session, vendor: Vendor, label: str,
                actor: User | None) -> tuple[Device, str]:
    """A new device of ``vendor`` and its token (returned once, kept only hashed)."""
    token = DEVICE_PREFIX + secrets.token_urlsafe(32)
    device = Device(vendor_id=vendor.id, label=clean(label.strip(), "label")[:80],
                    token_hash=hash_token(token), prefix=token[:12],
                    created_by=actor.id if actor is not None else None)
    session.add(device)
    session.flush()
    log.info("paired device %s (%s) with vendor %s", device.id, device.prefix, vendor.id)
    return device, token


def list_devices(session: Session, vendor: Vendor) -> list[Device]:
    return list(session.scalars(sa.select(Device).where(Device.vendor_id == vendor.id)
                                .order_by(Device.id)))


def revoke_device(session: Session, vendor: Vendor, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None or device.vendor_id != vendor.id:
        raise NotFound(f"Vendor {vendor.id} has no device {device_id}.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        session.flush()
        log.info("revoked device %s of vendor %s", device.id, vendor.id)
    return device


def device_for_token(session: Session, token: str) -> Device | None:
    """The live device of ``token``, or None (unknown or revoked)."""
    device = session.scalar(sa.select(Device).where(Device.token_hash == hash_token(token)))
    if device is None or device.revoked_at is not None:
        return None
    now = utcnow()
    if device.last_seen_at is None or now - device.last_seen_at > SEEN_RESOLUTION:
        device.last_seen_at = now
        session.commit()
    return device


def still_allowed(engine: sa.Engine, reader: str) -> Callable[[], bool] | None:
    """For the stream a reader holds open (``reader`` from :func:`authorize_reader`):
    whether its token still reads the stall, asked before each payment is sent, so that
    revoking a device (or a user's tokens, or deactivating the user) also ends the
    streams it already holds: a lost soundbox or phone would otherwise hear the stall's
    payments until its stream's hour was up. One indexed read per payment of that one
    stall, on a connection taken only for it (a waiting stream still holds none).
    A logged-in page's stream likewise ends once its web session is logged out or
    expires, or its user is deactivated."""
    from market40.web.session import live_session_query

    token = request_device_token() if reader == "device" else _bearer()
    if token is None:
        query = live_session_query() if reader == "user" else None
        if query is None:
            return None
    else:
        token_hash = hash_token(token)
        if reader == "device":
            statement = sa.select(Device.id).where(Device.token_hash == token_hash,
                                                    Device.revoked_at.is_(None))
        else:
            statement = (sa.select(ApiToken.id).join(User, User.id == ApiToken.user_id)
                         .where(ApiToken.token_hash == token_hash,
                                ApiToken.revoked_at.is_(None), User.active.is_(True)))

        def query() -> sa.Select:
            return statement

    def check() -> bool:
        with engine.connect() as connection:
            return connection.execute(query()).first() is not None

    return check


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def request_device_token() -> str | None:
    """A device token sent with this request (header first, then the page's cookie)."""
    token = _bearer()
    if token is not None:
        return token if token.startswith(DEVICE_PREFIX) else None
    cookie = request.cookies.get(DEVICE_COOKIE)
    return cookie if cookie and cookie.startswith(DEVICE_PREFIX) else None


def authorize_reader(session: Session, vendor: Vendor, permission: str = PERMISSION) -> str:
    """Who reads ``vendor``'s events (or its day statement: ``permission``):
    ``"device"`` or ``"user"``; else 401/403.

    The vendor itself, a board of its market, admins (bearer token or logged-in web
    session), or a device paired with this vendor.
    """
    token = request_device_token()
    if token is not None and (_bearer() is not None or _session_user() is None):
        device = device_for_token(session, token)
        if device is None:
            raise Unauthorized("The device token is unknown or revoked.")
        if device.vendor_id != vendor.id:
            raise Forbidden("This device is paired with another stall.")
        return "device"
    user = current_user() if _bearer() is not None else _session_user()
    authorize(user, permission, vendor=vendor)
    return "user"


def _session_user() -> User | None:
    from market40.web.session import session_user

    return session_user()
