"""Demo web users for ``make run``: two board users of the busiest demo market (so one can
make and the other check), a department officer and an admin.

DEMO ONLY. Passwords are random, generated when the users are created and printed once
by ``flask seed``; a rerun keeps the users and prints nothing new. Reset one with
``flask --app wsgi users-passwd NAME``.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.auth import create_user
from market40.models import Market, User, Vendor
from market40.web.accounts import set_password

DEMO_USERS = (
    ("demo-board-1", "board"),
    ("demo-board-2", "board"),
    ("demo-department", "department"),
    ("demo-admin", "admin"),
)


def _busiest_market(session: Session) -> str | None:
    return session.scalar(
        sa.select(Market.code).join(Vendor, Vendor.market_id == Market.id)
        .group_by(Market.code).order_by(sa.func.count().desc(), Market.code).limit(1))


def seed_demo_users(session: Session) -> list[tuple[str, str, str]]:
    """Create the missing demo users; return (name, role, password) of each new one."""
    market = _busiest_market(session)
    created = []
    for name, role in DEMO_USERS:
        if session.scalar(sa.select(User.id).where(User.name == name)) is not None:
            continue
        if role == "board" and market is None:
            continue  # no demo vendors, nothing for a board to do
        create_user(session, name, role, [market] if role == "board" else [])
        password = secrets.token_urlsafe(12)
        set_password(session, name, password, actor="seed")
        created.append((name, role, password))
    return created
