"""Data versions: a counter per market (and one for everything else) that every write bumps.

Cached figures and HTTP validators (``market40.cache``) are keyed by these counters, so
a cached figure can never outlive the data it was computed from. Row ``market_id = 0``
counts the writes that are not one market's (units, banks, snapshots, a vendor status
change, ...); every figure depends on it. Written only by ``market40.cache.versions``,
in the writer's own transaction, at its commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base, utcnow

GENERAL = 0  # the row of writes that are not one market's


class DataVersion(Base):
    __tablename__ = "data_versions"

    # A market's id, or GENERAL; no foreign key: row 0 is not a market.
    market_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
