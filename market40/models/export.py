"""Export jobs: a large CSV written to a file in the background, then served whole.

A streamed response can be cut by a proxy or a worker timeout and the client still
sees a 200; a job's file is complete or the job says it failed. The row keeps what a
client needs to trust the file: its row count, size and sha256.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base, utcnow

EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ExportJob(Base):
    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {EXPORT_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24), default="transactions")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    # The filters as the client sent them (validated), so the job can be re-read.
    filters: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(sa.String(8), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    rows: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # Only transactions up to this id: a file that reads the same however long it takes.
    max_id: Mapped[int | None]
    path: Mapped[str | None] = mapped_column(sa.String(500))
    worker: Mapped[str | None] = mapped_column(sa.String(120))  # host:pid running it
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
