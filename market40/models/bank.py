"""Banks of the NAPAS 247 / VietQR network, keyed by their 6-digit acquirer ID (BIN)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base


class Bank(Base):
    __tablename__ = "banks"

    bin: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    short_name: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(200))
    swift: Mapped[str | None] = mapped_column(sa.String(11))
    active: Mapped[bool] = mapped_column(default=True)
    # Renames keep the BIN (OceanBank -> MBV): old names stay searchable, vendors never break.
    former_names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
