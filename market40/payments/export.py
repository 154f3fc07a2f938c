"""Stream transactions as CSV: constant memory for any number of rows, safe in spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.cooperative import pause
from market40.csvfile import csv_writer, formula_safe
from market40.localtime import LOCAL_TZ

HEADER = (
    "id", "occurred_at", "market", "vendor_id", "stall", "vendor_name", "amount_vnd",
    "method", "kind", "source", "reference", "created_at",
)
STREAM_ROWS = 2_000
FLUSH_BYTES = 64 * 1024


def _row(row: sa.Row[Any]) -> list[Any]:
    return [
        row.id,
        row.occurred_at.astimezone(LOCAL_TZ).isoformat(),
        formula_safe(row.market_code),
        row.vendor_id,
        formula_safe(row.stall_code),
        formula_safe(row.display_name),
        row.amount,
        row.method,
        row.kind,
        row.source,
        formula_safe(row.reference),
        row.created_at.astimezone(LOCAL_TZ).isoformat(),
    ]


def csv_chunks(session: Session, statement: sa.Select) -> Iterator[str]:
    """Yield the CSV in pieces of about 64 KiB while the cursor streams the rows.

    ``yield_per`` makes PostgreSQL use a server-side cursor and keeps SQLite stepping
    lazily, so only ``STREAM_ROWS`` rows are in memory at a time.
    """
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(HEADER)
    for row in session.execute(statement.execution_options(yield_per=STREAM_ROWS)):
        writer.writerow(_row(row))
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pause()  # a local client reads as fast as this writes: no wait would switch
    yield buffer.getvalue()
