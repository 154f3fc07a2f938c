"""Self-registration from a market's poster: the market's join key and each registration's
status token (kept only as a SHA-256 hash, like API tokens)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow
from market40.models.market import Market
from market40.models.vendor import Vendor


class MarketJoinKey(Base):
    """The key printed in the market's poster QR (``/join/CODE?k=KEY``); rotating it
    invalidates every poster printed before."""

    __tablename__ = "market_join_keys"

    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    rotated_at: Mapped[datetime] = mapped_column(default=utcnow)

    market: Mapped[Market] = relationship()


class SelfRegistration(Base):
    """A vendor registered from the poster; its status page is ``/join/status/TOKEN``."""

    __tablename__ = "self_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    vendor: Mapped[Vendor] = relationship()
