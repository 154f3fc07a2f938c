"""Markets (chợ) and their online product listings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, TimestampMixin, utcnow
from market40.models.geo import Commune, District

MARKET_STATUSES = ("active", "closed")
# Hạng by number of business points (NĐ 02/2003, NĐ 60/2024): 1 > 400, 2: 200-400, 3 < 200.
GRADES = (1, 2, 3)


class Market(TimestampMixin, Base):
    __tablename__ = "markets"
    __table_args__ = (sa.CheckConstraint("grade IN (1, 2, 3)", name="grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # The commune in force today, and the commune of the 2024 structure it was in (None
    # for a market registered outside the 2024 province, e.g. in the former Bắc Kạn).
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    former_commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"),
                                                          index=True)
    # The former district (until 30/6/2025), kept as a historical grouping: reports by
    # district still answer with it. Denormalised so district filters need no join.
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("districts.code"),
                                                      index=True)
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    address: Mapped[str | None] = mapped_column(sa.String(250))
    board_name: Mapped[str | None] = mapped_column(sa.String(150))
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    # The day the market started its Chợ 4.0 roll-out (None: not launched yet).
    launched_on: Mapped[date | None]

    commune: Mapped[Commune] = relationship(foreign_keys=[commune_id])
    former_commune: Mapped[Commune | None] = relationship(foreign_keys=[former_commune_id])
    district: Mapped[District | None] = relationship()
    vendors: Mapped[list[Vendor]] = relationship(back_populates="market")  # noqa: F821
    listings: Mapped[list[Listing]] = relationship(back_populates="market")

    @property
    def commune_code(self) -> str:
        """The GSO code of the commune in force today."""
        return self.commune.code

    @property
    def commune_name(self) -> str:
        return self.commune.name

    @property
    def former_commune_code(self) -> str | None:
        return self.former_commune.code if self.former_commune else None


class Listing(Base):
    """A market's product on an e-commerce platform (the "≥1 product online" criterion).

    Active from ``started_on`` until the day before ``ended_on``; ending a listing
    sets ``ended_on`` and keeps the row, so past reports stay reproducible.
    """

    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"), index=True)
    product: Mapped[str] = mapped_column(sa.String(150))
    platform: Mapped[str] = mapped_column(sa.String(60))
    url: Mapped[str] = mapped_column(sa.String(500))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    market: Mapped[Market] = relationship(back_populates="listings")

    @classmethod
    def active_on(cls, day: date | sa.ColumnElement[date]) -> sa.ColumnElement[bool]:
        """SQL: the listing counts for ``online_products`` on local ``day``."""
        return sa.and_(cls.started_on <= day, sa.or_(cls.ended_on.is_(None), cls.ended_on > day))
