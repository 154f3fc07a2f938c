"""Audit snapshots (immutable, hash-chained) and the province indicators the department enters."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base, utcnow


class Snapshot(Base):
    """A frozen certification: never updated, never deleted (triggers enforce it on PostgreSQL)."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset: Mapped[str] = mapped_column(sa.String(60))
    ruleset_sha256: Mapped[str] = mapped_column(sa.String(64))
    as_of: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)  # canonical JSON
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prev_sha256: Mapped[str | None] = mapped_column(sa.String(64), unique=True)


class Indicator(Base):
    """A province figure such as the share of people with an e-payment account."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60), index=True)
    value: Mapped[float]
    as_of: Mapped[date]
    source: Mapped[str] = mapped_column(sa.String(300))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a request made with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
