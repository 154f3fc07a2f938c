"""Audit snapshots (immutable, hash-chained) and the province indicators the department enters."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow


class Snapshot(Base):
    """A frozen certification: never updated, never deleted (database triggers enforce it).

    Every stored column is also in the body (format 2), so the sha256 and the
    signature cover all of them. The snapshots form one hash chain in id order:
    ``prev_sha256`` is the sha256 of the snapshot before (None for the first). Two
    writers that read the same tip cannot both extend it: ``prev_sha256`` is unique,
    and so is "being the first" (the expression index maps every NULL to '', which
    unique NULLs would not).
    """

    __tablename__ = "snapshots"
    __table_args__ = (
        sa.Index(
            "uq_snapshots_chain_link",
            sa.func.coalesce(sa.column("prev_sha256"), sa.literal_column("''")),
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset: Mapped[str] = mapped_column(sa.String(60))
    ruleset_sha256: Mapped[str] = mapped_column(sa.String(64))
    as_of: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)  # canonical JSON (audit/canonical.py)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prev_sha256: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Copied from the body for lists; the body is the evidence.
    certified: Mapped[int] = mapped_column(default=0)
    # Ed25519 signature (base64) of the body by the key ``key_id`` (reports/signing.py);
    # None only for snapshots made before signing (format market40.snapshot/1).
    key_id: Mapped[str | None] = mapped_column(sa.String(16))
    signature: Mapped[str | None] = mapped_column(sa.Text)

    author: Mapped[User | None] = relationship("User")  # noqa: F821


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

    entered_by: Mapped[User | None] = relationship("User")  # noqa: F821


class IdempotencyRecord(Base):
    """The first answer to a request made with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
