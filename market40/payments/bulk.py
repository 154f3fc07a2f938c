"""Many transactions at once, straight to the driver: executemany (SQLite) or COPY (PostgreSQL).

On PostgreSQL, :func:`copy_transactions` is the whole bulk write: COPY into a
temporary staging table, one ``INSERT ... SELECT`` into ``transactions``, and the
rollups added set-based from the staging table (``rollups.staged``), all in the
caller's transaction (all or nothing).

``connection.execute(insert(table), list_of_dicts)`` spends ~15 µs per row in
SQLAlchemy (``construct_params`` and type processing) before the driver sees it:
about as long as SQLite takes to store the row. Bulk writers here (the batch API and
the simulator) build plain tuples instead, with timestamps converted once by a
function chosen per dialect to exactly what the model's ``UTCDateTime`` type would
write (a test pins this), and hand them to the driver inside the caller's
transaction. Single writes keep the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.db import driver_errors, executemany
from market40.partitions import ensure_for, ensure_months_of

# The tuple layout of a row for insert_transactions (no payload: bulk rows carry none).
COLUMNS = (
    "vendor_id", "market_id", "occurred_at", "amount", "method", "kind", "source",
    "reference", "created_at",
)
OCCURRED_AT = COLUMNS.index("occurred_at")
CHUNK_ROWS = 20_000


def sqlite_timestamp(moment: datetime) -> str:
    """What ``UTCDateTime`` stores on SQLite: naive UTC, microseconds always written."""
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
            f"{moment.microsecond:06d}")


def _aware_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def timestamp_writer(dialect: str) -> Callable[[datetime], Any]:
    """The function that turns an aware datetime into the driver value for ``dialect``."""
    return sqlite_timestamp if dialect == "sqlite" else _aware_utc


def connection_of(bind: Session | sa.Connection) -> sa.Connection:
    """The connection of the caller's transaction (a session's is begun if needed)."""
    return bind if isinstance(bind, sa.Connection) else bind.connection()


def dialect_of(bind: Session | sa.Connection) -> str:
    """The dialect name behind a session (or scoped session) or a connection."""
    if isinstance(bind, sa.Connection):
        return bind.dialect.name
    return bind.get_bind().dialect.name


def placeholders(dialect: sa.Dialect, count: int) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


# The staging table of the COPY path: temporary (no WAL, no indexes, private to the
# connection), emptied at each commit. Created on first use in a connection.
STAGING = "m40_staged_transactions"
STAGING_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ("
    "vendor_id integer NOT NULL, market_id integer NOT NULL, "
    "occurred_at timestamptz NOT NULL, amount bigint NOT NULL, method varchar(4) NOT NULL, "
    "kind varchar(4) NOT NULL, source varchar(10) NOT NULL, reference varchar(80) NOT NULL, "
    "created_at timestamptz NOT NULL) ON COMMIT DELETE ROWS"
)


def rows_table(name: str, schema: str | None = None) -> sa.TableClause:
    """A table with the columns of :data:`COLUMNS` (the staging table, a month's load)."""
    return sa.table(
        name,
        sa.column("vendor_id", sa.Integer), sa.column("market_id", sa.Integer),
        sa.column("occurred_at", sa.DateTime(timezone=True)), sa.column("amount", sa.BigInteger),
        sa.column("method", sa.String), sa.column("kind", sa.String),
        sa.column("source", sa.String), sa.column("reference", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        schema=schema,
    )


STAGED = rows_table(STAGING, "pg_temp")


@dataclass(frozen=True, slots=True)
class CopyText:
    """Rows already in COPY's text format (tab-separated, one a line, :data:`COLUMNS`
    order): what the simulator's generator process hands over, written in one call."""

    data: bytes
    count: int

    def __len__(self) -> int:
        return self.count


Rows = Sequence[tuple[Any, ...]] | CopyText


def write_copy(copy: Any, rows: Rows) -> None:
    """Send ``rows`` to a psycopg ``Copy``: the text at once, or tuple by tuple."""
    if isinstance(rows, CopyText):
        copy.write(rows.data)
        return
    for row in rows:
        copy.write_row(row)


# The QR sales a batch's INSERT stored (``copy_transactions(..., stage_qr_sales=True)``):
# their payment events are written from here by ``live.outbox.add_staged_events``,
# without the rows passing through Python.
STAGED_SALES = "m40_staged_qr_sales"
STAGED_SALES_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGED_SALES} ("
    "id bigint NOT NULL, vendor_id integer NOT NULL, amount bigint NOT NULL, "
    "occurred_at timestamptz NOT NULL, reference varchar(80) NOT NULL) ON COMMIT DELETE ROWS"
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(text: str) -> str:
    """``text`` as a field of COPY's text format: backslash, tab and line breaks escaped."""
    return text.translate(_COPY_ESCAPES)


def copy_transactions(bind: Session | sa.Connection, rows: Rows, *,
                      ordered: bool = False, stage_qr_sales: bool = False,
                      markets: Collection[int] | None = None) -> int:
    """PostgreSQL: store ``rows`` (as for :func:`insert_transactions`, or
    :class:`CopyText`) and their rollups.

    COPY into the staging table, ``INSERT INTO transactions SELECT`` from it (sorted by
    reference when ``ordered``: concurrent batches then take the unique index's locks in
    the same order), then the vendor-day, market-day and QR-month rollups, each one
    ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE`` over the staged rows.
    A duplicate reference fails the INSERT (``IntegrityError``) and with it everything
    since the caller's transaction or savepoint began. Returns the rows stored.

    ``stage_qr_sales``: the INSERT's ``RETURNING`` also puts the stored QR sales (id,
    vendor, amount, time, reference) into the temporary table :data:`STAGED_SALES`,
    from which ``live.outbox.add_staged_events`` writes their payment events in one
    statement (no look-up by reference, no row through Python).

    ``markets``: the rows' markets, when the caller knows them and has already made
    their months' partitions (``partitions.ensure_for``, as the batch API does before
    it reads): the staged rows are then not scanned again for either.
    """
    from market40.rollups.staged import upsert_staged_rollups

    if not rows:
        return 0
    connection = connection_of(bind)
    if connection.dialect.name != "postgresql":
        raise NotImplementedError("the COPY path is PostgreSQL's")
    driver = connection.connection.driver_connection
    names = ", ".join(COLUMNS)
    staged = f"pg_temp.{STAGING}"
    setup = [STAGING_DDL, f"TRUNCATE {staged}"]  # a caller may load twice in one transaction
    if stage_qr_sales:
        setup += [STAGED_SALES_DDL, f"TRUNCATE pg_temp.{STAGED_SALES}"]
    with driver_errors(connection, STAGING_DDL), driver.cursor() as cursor:
        for statement in setup:
            cursor.execute(statement)
    sql = f"COPY {staged} ({names}) FROM STDIN"
    with driver_errors(connection, sql), driver.cursor() as cursor, cursor.copy(sql) as copy:
        write_copy(copy, rows)
    if markets is None:
        ensure_months_of(connection, staged)
    order = " ORDER BY reference" if ordered else ""
    sql = f"INSERT INTO transactions ({names}) SELECT {names} FROM {staged}{order}"
    if stage_qr_sales:
        sql = (f"WITH stored AS ({sql} RETURNING id, vendor_id, amount, occurred_at, "
               f"reference, method, kind) INSERT INTO pg_temp.{STAGED_SALES} "
               "SELECT id, vendor_id, amount, occurred_at, reference FROM stored "
               "WHERE method = 'qr' AND kind = 'sale'")
    with driver_errors(connection, sql), driver.cursor() as cursor:
        cursor.execute(sql)
    upsert_staged_rollups(connection, STAGED, markets)
    return len(rows)


def insert_transactions(
    bind: Session | sa.Connection, rows: Sequence[tuple[Any, ...]], chunk: int = CHUNK_ROWS
) -> int:
    """Insert ``rows`` (tuples in :data:`COLUMNS` order, timestamps already converted by
    :func:`timestamp_writer`) in the caller's transaction; returns how many."""
    if not rows:
        return 0
    connection = connection_of(bind)
    driver = connection.connection.driver_connection
    names = ", ".join(COLUMNS)
    if connection.dialect.name == "postgresql":
        ensure_for(connection, {row[OCCURRED_AT] for row in rows})  # months made ahead
        sql = f"COPY transactions ({names}) FROM STDIN"
        with driver_errors(connection, sql), driver.cursor() as cursor, \
                cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    sql = f"INSERT INTO transactions ({names}) VALUES ({placeholders(connection.dialect, 9)})"
    for start in range(0, len(rows), chunk):
        executemany(connection, sql, rows[start:start + chunk])
    return len(rows)
