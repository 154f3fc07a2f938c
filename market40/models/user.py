"""Users, their market scope and their API tokens (stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow
from market40.models.market import Market

ROLES = ("admin", "department", "auditor", "board", "vendor")

user_markets = sa.Table(
    "user_markets",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("market_id", sa.ForeignKey("markets.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    role: Mapped[str] = mapped_column(sa.String(12))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    markets: Mapped[list[Market]] = relationship(secondary=user_markets, order_by=Market.code)
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")
    # For role "vendor": the stall this user is (the link lives on the vendor, so that
    # users and vendors do not reference each other in a cycle).
    vendor: Mapped[Vendor | None] = relationship(  # noqa: F821
        "Vendor", foreign_keys="Vendor.user_id", uselist=False, viewonly=True
    )

    @property
    def vendor_id(self) -> int | None:
        return self.vendor.id if self.vendor is not None else None

    @property
    def market_ids(self) -> set[int]:
        return {m.id for m in self.markets}


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # sha256 of the token: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
