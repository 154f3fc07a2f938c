"""The registry's audit log: one row per change, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow
from market40.models.market import Market


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    # One record's history (the desk's vendor page, makers since the last approval)
    # without scanning the whole log.
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(80))  # user name, or "system"/"seed"
    action: Mapped[str] = mapped_column(sa.String(40))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str] = mapped_column(sa.String(40))
    # Lets a board user read the log of its own markets only.
    market_id: Mapped[int | None] = mapped_column(sa.ForeignKey("markets.id"), index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    market: Mapped[Market | None] = relationship()

    @property
    def market_code(self) -> str | None:
        return self.market.code if self.market is not None else None
