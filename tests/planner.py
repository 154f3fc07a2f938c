"""PostgreSQL's planner statistics, for the tests that check a bulk write refreshes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def column_statistics(session: Any, table: str) -> int:
    """How many columns of ``table`` (this schema's) the planner has statistics for."""
    return session.scalar(sa.text(
        "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
        "AND tablename = :name"), {"name": table})


def forget_statistics(bind: Any, tables: Sequence[str]) -> None:
    """Drop the planner's statistics of ``tables``, as months of unanalyzed writes would
    leave them stale (the caller commits)."""
    bind.execute(sa.text(
        "DELETE FROM pg_statistic WHERE starelid = ANY(CAST(:names AS regclass[]))"),
        {"names": list(tables)})
