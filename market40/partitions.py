"""Monthly partitions of ``transactions`` on PostgreSQL: create ahead, on demand, detach.

Migration ``b5c8e2f4a913`` turns ``transactions`` into a table partitioned by range of
``occurred_at``, one partition per **local** month (Asia/Ho_Chi_Minh, the months the
reports and rollups count in), named ``transactions_pYYYY_MM``. The tests build their
PostgreSQL schema by the migrations, so they run on this layout. SQLite, and a
PostgreSQL database built with ``create_all``, keep one plain table: every function
here is then a no-op, and callers need not ask. Rows added through the ORM make their
month themselves (a ``before_insert`` hook on ``Transaction``).

- **No DEFAULT partition.** With one, creating a month later must scan it under an
  ACCESS EXCLUSIVE lock, and fails if it holds rows of that month. Instead the months
  are created ahead (``flask --app wsgi partitions create-ahead --months 3``, daily
  from cron, and by the migration), and every writer creates a missing month it
  touches (late or back-dated payments) in its own transaction: :func:`ensure_months`.
  Creating a partition takes an ACCESS EXCLUSIVE lock on ``transactions`` until the
  writer commits, which is why the coming months are made ahead of time and the hot
  path only checks a per-connection cache.
- **The vendor-day rollups too.** Migration ``c8f1d3a5e2b7`` partitions ``daily_rollups``
  by the same local months (range of ``day``), ``daily_rollups_pYYYY_MM``, so that a
  first load of a month (``payments.month_load``) can attach its rollups as it attaches
  its rows. Every month made here gets its rollup partition in the same transaction.
- **Detach** (``partitions detach --before YYYY-MM``) takes old months out of
  ``transactions``: the table stays (``transactions_pYYYY_MM``, for a dump or for
  re-attaching), the rollups and so every report keep their figures, and the
  references stay in ``transaction_references`` so a replay of an archived payment
  is still refused, never stored twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from market40.db import lookup_chunks
from market40.errors import Conflict, InvalidInput
from market40.localtime import LOCAL_TZ, local_day, local_midnight, month_start, shift_months

log = logging.getLogger(__name__)

PARENT = "transactions"
ROLLUPS = "daily_rollups"  # partitioned by the same months (range of day), when migrated
NAME = re.compile(r"^transactions_p(\d{4})_(\d{2})$")
ROLLUP_NAME = re.compile(r"^daily_rollups_p(\d{4})_(\d{2})$")
# Writers that create partitions take this transaction-scoped lock first, so two of them
# never race on the catalog for the same month.
ADVISORY_LOCK = 0x6D3450  # "m4P"
_CACHE = "market40.partitions"  # connection.info key: the months known attached
_ROLLUPS_CACHE = "market40.partitions.rollups"  # connection.info key: daily_rollups' kind


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    month: date
    attached: bool
    rows: int  # the planner's estimate (pg_class.reltuples), -1 when never analysed


def partition_name(month: date) -> str:
    return f"transactions_p{month.year:04d}_{month.month:02d}"


def rollup_partition_name(month: date) -> str:
    return f"{ROLLUPS}_p{month.year:04d}_{month.month:02d}"


def month_of(name: str) -> date | None:
    found = NAME.match(name)
    return date(int(found[1]), int(found[2]), 1) if found else None


def bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants at which local ``month`` begins and ends."""
    start = local_midnight(month_start(month)).astimezone(UTC)
    return start, local_midnight(shift_months(month, 1)).astimezone(UTC)


def is_partitioned(connection: sa.Connection) -> bool:
    """Whether ``transactions`` is a partitioned table here (cached per connection)."""
    if connection.dialect.name != "postgresql":
        return False
    known = connection.info.get(_CACHE)
    if known is None:
        kind = connection.exec_driver_sql(
            "SELECT relkind FROM pg_class WHERE oid = to_regclass('transactions')").scalar()
        known = connection.info[_CACHE] = set() if kind == "p" else False
    return known is not False


def rollups_partitioned(connection: sa.Connection) -> bool:
    """Whether ``daily_rollups`` is partitioned by month here (cached per connection)."""
    if connection.dialect.name != "postgresql":
        return False
    known = connection.info.get(_ROLLUPS_CACHE)
    if known is None:
        known = connection.info[_ROLLUPS_CACHE] = connection.exec_driver_sql(
            f"SELECT relkind FROM pg_class WHERE oid = to_regclass('{ROLLUPS}')").scalar() == "p"
    return known


def forget(connection: sa.Connection) -> None:
    """Drop the connection's cache (after a migration changed the layout, in tests)."""
    connection.info.pop(_CACHE, None)
    connection.info.pop(_ROLLUPS_CACHE, None)


def create_rollup_month(connection: sa.Connection, month: date) -> bool:
    """The month's partition of ``daily_rollups``, unless it exists or the table is not
    partitioned; the caller holds :data:`ADVISORY_LOCK`. Returns whether it was made."""
    name = rollup_partition_name(month)
    if not rollups_partitioned(connection) or connection.exec_driver_sql(
            f"SELECT to_regclass('{name}')").scalar() is not None:
        return False
    following = shift_months(month, 1)
    connection.exec_driver_sql(
        f"CREATE TABLE {name} PARTITION OF {ROLLUPS} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')")
    log.info("created partition %s", name)
    return True


def partitions(connection: sa.Connection) -> list[Partition]:
    """Every monthly table, attached or detached, by month."""
    if not is_partitioned(connection):
        return []
    rows = connection.exec_driver_sql(
        "SELECT c.relname, i.inhparent IS NOT NULL AS attached, c.reltuples::bigint "
        "FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid "
        "AND i.inhparent = to_regclass('transactions') "
        "WHERE c.relkind = 'r' AND c.relname ~ '^transactions_p[0-9]{4}_[0-9]{2}$' "
        "AND c.relnamespace = (SELECT relnamespace FROM pg_class "
        "WHERE oid = to_regclass('transactions'))").all()
    found = [Partition(name, month, attached, rows) for name, attached, rows in rows
             if (month := month_of(name)) is not None]
    return sorted(found, key=lambda p: p.month)


def archived_ranges(connection: sa.Connection) -> list[tuple[date, date]]:
    """The local days of the archived months, as ``[first, after)`` ranges: months that
    have rollups but no attached partition of ``transactions``, because their payments
    were detached (and perhaps dumped and dropped since). Their rollups are kept and can
    never be recomputed. Empty where ``transactions`` is not partitioned."""
    if not is_partitioned(connection):
        return []
    attached = _attached(connection)
    return month_ranges(m for m in _rollup_months(connection) if m not in attached)


def _rollup_months(connection: sa.Connection) -> set[date]:
    """The months ``daily_rollups`` holds: its monthly partitions (never detached), or,
    before migration c8f1d3a5e2b7 partitioned it, the months of its rows."""
    if rollups_partitioned(connection):
        names = connection.exec_driver_sql(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            f"WHERE i.inhparent = to_regclass('{ROLLUPS}')").scalars()
        return {date(int(found[1]), int(found[2]), 1)
                for name in names if (found := ROLLUP_NAME.match(name))}
    return set(connection.exec_driver_sql(
        f"SELECT DISTINCT date_trunc('month', day)::date FROM {ROLLUPS}").scalars())


def month_ranges(months: Iterable[date]) -> list[tuple[date, date]]:
    """Months as ``[first day, first day after)`` ranges, consecutive months joined.

    >>> for first, after in month_ranges([date(2025, 4, 1), date(2025, 1, 1), date(2025, 2, 1)]):
    ...     print(first, after)
    2025-01-01 2025-03-01
    2025-04-01 2025-05-01
    """
    ranges: list[tuple[date, date]] = []
    for month in sorted(months):
        after = shift_months(month, 1)
        if ranges and ranges[-1][1] == month:
            ranges[-1] = (ranges[-1][0], after)
        else:
            ranges.append((month, after))
    return ranges


def _attached(connection: sa.Connection) -> set[date]:
    return {p.month for p in partitions(connection) if p.attached}


def ensure_months(connection: sa.Connection, months: Iterable[date]) -> list[date]:
    """Create the partitions of ``months`` that do not exist, in the caller's transaction;
    returns the months created. A no-op where ``transactions`` is not partitioned.

    :raises Conflict: one of the months is detached (archived): it takes no payments.
    """
    if not is_partitioned(connection):
        return []
    known: set[date] = connection.info[_CACHE]
    wanted = {month_start(m) for m in months} - known
    if not wanted:
        return []
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})")
    attached = _attached(connection)
    created = []
    for month in sorted(wanted):
        # Rollups are written for every month that takes payments, and are never
        # detached: an archived month keeps its rollup partition attached.
        create_rollup_month(connection, month)
    for month in sorted(wanted - attached):
        start, end = bounds(month)
        if connection.exec_driver_sql(
                f"SELECT to_regclass('{partition_name(month)}')").scalar() is not None:
            raise Conflict(f"{month:%m/%Y} is detached to the archive "
                           f"({partition_name(month)}): payments of that month can no "
                           "longer be stored; attach it again first.")
        connection.exec_driver_sql(
            f"CREATE TABLE {partition_name(month)} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
        created.append(month)
        log.info("created partition %s", partition_name(month))
    # The cache is only trusted once committed: a rollback would undo the CREATE.
    connection.info[_CACHE] = known | (attached - set(created))
    return created


def ensure_for(connection: sa.Connection, moments: Iterable[datetime]) -> list[date]:
    """:func:`ensure_months` for the local months of these instants."""
    if not is_partitioned(connection):
        return []
    return ensure_months(connection, local_months(moments))


def local_months(moments: Iterable[datetime]) -> set[date]:
    """The first days of the local months of these instants.

    A batch's 10,000 instants fall in a few thousand quarter hours: the local day of each
    quarter hour's start is every instant's in it (zone offsets are whole quarter hours
    since the 1970s), so the zone is consulted once a quarter hour, not once an instant.
    """
    quarters = {int(m.timestamp() // 900) for m in moments}
    return {month_start(local_day(datetime.fromtimestamp(q * 900, UTC))) for q in quarters}


def ensure_months_of(connection: sa.Connection, staged: str) -> list[date]:
    """:func:`ensure_months` for the rows of the table ``staged`` (the COPY path)."""
    if not is_partitioned(connection):
        return []
    months = connection.exec_driver_sql(
        f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE '{LOCAL_TZ}')::date "
        f"FROM {staged}").scalars().all()
    return ensure_months(connection, months)


def stored_references(connection: sa.Connection, references: Iterable[str]) -> set[str] | None:
    """Those of ``references`` already stored (in any month, archived ones included), from
    ``transaction_references``: one primary-key probe each instead of one per partition.
    None where ``transactions`` is not partitioned (look in ``transactions`` itself)."""
    if not is_partitioned(connection):
        return None
    found: set[str] = set()
    for chunk in lookup_chunks(list(references)):
        found.update(connection.execute(
            sa.text("SELECT reference FROM transaction_references WHERE reference = ANY(:r)"),
            {"r": chunk}).scalars())
    return found


def create_ahead(connection: sa.Connection, months: int, today: date) -> list[date]:
    """The partitions of ``today``'s local month and the ``months`` after it."""
    return ensure_months(connection, [shift_months(today, n) for n in range(months + 1)])


def detach_before(connection: sa.Connection, month: date, today: date) -> list[str]:
    """Detach every attached partition of a month before ``month``; returns their names.

    The tables stay, with their rows; the rollups are untouched, so reports keep their
    figures. Detaching the current or a future month is refused (payments still come).

    :raises InvalidInput: ``month`` is after ``today``'s month.
    """
    if month_start(month) > month_start(today):
        raise InvalidInput.field("before", f"Must be {today:%Y-%m} or earlier: the current "
                                           "month still receives payments.")
    if not is_partitioned(connection):
        return []
    names = [p.name for p in partitions(connection) if p.attached and p.month < month]
    for name in names:
        connection.exec_driver_sql(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
        log.info("detached partition %s", name)
    forget(connection)
    return names
