"""Stream transactions as CSV: constant memory for any number of rows, safe in spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.rollups.days import LOCAL_TZ

HEADER = (
    "id", "occurred_at", "market", "vendor_id", "stall", "vendor_name", "amount_vnd",
    "method", "kind", "source", "reference", "created_at",
)
# Spreadsheets run a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STREAM_ROWS = 2_000
FLUSH_BYTES = 64 * 1024
# Excel reads UTF-8 CSV as such only with a byte order mark; Vietnamese names need it.
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(row: sa.Row[Any]) -> list[Any]:
    return [
        row.id,
        row.occurred_at.astimezone(LOCAL_TZ).isoformat(),
        safe_cell(row.market_code),
        row.vendor_id,
        safe_cell(row.stall_code),
        safe_cell(row.display_name),
        row.amount,
        row.method,
        row.kind,
        row.source,
        safe_cell(row.reference),
        row.created_at.astimezone(LOCAL_TZ).isoformat(),
    ]


def csv_chunks(session: Session, statement: sa.Select) -> Iterator[str]:
    """Yield the CSV in pieces of about 64 KiB while the cursor streams the rows.

    ``yield_per`` makes PostgreSQL use a server-side cursor and keeps SQLite stepping
    lazily, so only ``STREAM_ROWS`` rows are in memory at a time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    for row in session.execute(statement.execution_options(yield_per=STREAM_ROWS)):
        writer.writerow(_row(row))
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
