"""``flask simulate``: realistic, deterministic transactions for the registry's vendors.

For each local day of the plan, every approved vendor of the chosen markets trades
(see ``generate``): sales by goods category with the morning peak, weekends and Tết,
QR use ramping from each market's launch for vendors whose QR was issued, and the
monthly board fees. Rows and their rollups go to the driver in bulk (executemany on
SQLite, COPY on PostgreSQL), one database transaction per chunk of ~200,000 rows,
written by a thread while the next chunk is generated (``writer``).

On SQLite, a first load into an empty ``transactions`` table builds the secondary
indexes once at the end (``indexes``). On PostgreSQL, a month that has no partition yet
is loaded into a table of its own and attached, one transaction per month
(``payments.month_load``); the other months it needs are created first.

Idempotent: a (vendor, day) that already has simulator rows is skipped, and references
are derived (``sim-<yyyymmdd>-<vendor>-<n>``), so running the same command twice adds
nothing, and a later run only fills the new days.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import InvalidInput
from market40.localtime import day_start_utc, local_day
from market40.models import Market, Transaction, Vendor, utcnow
from market40.partitions import ensure_months, is_partitioned
from market40.payments.bulk import timestamp_writer
from market40.payments.month_load import month_is_new
from market40.registry.markets import market_code
from market40.simulate.adoption import draw_habits
from market40.simulate.generate import SimVendor, clock_for, generate_day
from market40.simulate.indexes import defer_indexes, restore_indexes
from market40.simulate.producer import Producer, Work
from market40.simulate.profiles import RENT, category_of
from market40.simulate.seasons import has_tet_data
from market40.simulate.vendors import MODEL_MARKETS
from market40.simulate.writer import Chunk, ChunkWriter

log = logging.getLogger(__name__)

MAX_DAYS = 3_660
CHUNK_ROWS = 200_000
# Plans this big (vendors x days) draw their rows in a second process on PostgreSQL.
PROCESS_VENDOR_DAYS = 50_000


@dataclass(frozen=True, slots=True)
class Plan:
    first: date
    last: date
    seed: int
    markets: tuple[str, ...]
    vendors: list[SimVendor] = field(repr=False, compare=False)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def years_without_tet(self) -> list[int]:
        return sorted({d.year for d in self.days if not has_tet_data(d)})


@dataclass(frozen=True, slots=True)
class Progress:
    """What one committed chunk wrote, and where the time went."""

    days: int
    rows: int
    vendor_days: int
    skipped_vendor_days: int
    generate_seconds: float  # Python: drawing the rows (main thread)
    write_seconds: float = 0.0  # database: insert, upsert, commit (writer thread)


def plan_simulation(
    session: Session, *, days: int, until: date | None = None, seed: int = 40,
    markets: Sequence[str] = (), today: date | None = None,
) -> Plan:
    """Check the arguments and load the vendors: the ``days`` local days ending ``until``
    (default yesterday; today is still being traded)."""
    today = today or local_day(utcnow())
    yesterday = today - timedelta(days=1)
    if not 1 <= days <= MAX_DAYS:
        raise _cannot("days", f"Must be between 1 and {MAX_DAYS}.")
    until = until or yesterday
    if until > yesterday:
        raise _cannot("until", f"Must be {yesterday.isoformat()} or earlier: only finished "
                               "days are simulated.")
    codes = tuple(dict.fromkeys(market_code(code) for code in markets))
    found = set(session.scalars(sa.select(Market.code).where(Market.code.in_(codes))))
    if missing := [code for code in codes if code not in found]:
        raise _cannot("markets", f"Unknown market code(s): {', '.join(missing)}.")
    return Plan(until - timedelta(days=days - 1), until, seed, codes,
                load_vendors(session, seed, codes))


def _cannot(field: str, problem: str) -> InvalidInput:
    return InvalidInput({field: [problem]}, message="Cannot simulate.")


def load_vendors(session: Session, seed: int, markets: Sequence[str] = ()) -> list[SimVendor]:
    """Approved vendors (and closed ones that were approved) of active markets, by id."""
    statement = (
        sa.select(Vendor.id, Vendor.market_id, Vendor.goods_category, Vendor.status,
                  Vendor.created_at, Vendor.approved_at, Vendor.closed_at,
                  Vendor.qr_issued_at, Vendor.bank_bin, Vendor.account_number,
                  Market.grade, Market.launched_on, Market.code)
        .join(Market, Market.id == Vendor.market_id)
        .where(Market.status == "active",
               sa.or_(Vendor.status == "approved",
                      sa.and_(Vendor.status == "closed", Vendor.approved_at.is_not(None))))
        .order_by(Vendor.id)
    )
    if markets:
        statement = statement.where(Market.code.in_(markets))
    vendors = []
    for row in session.execute(statement):
        approved = row.approved_at or row.created_at
        vendors.append(SimVendor(
            id=row.id, market_id=row.market_id, grade=row.grade,
            category=category_of(row.goods_category),
            trading_from=local_day(approved),
            trading_until=local_day(row.closed_at) if row.status == "closed" and row.closed_at
            else None,
            qr_from=row.qr_issued_at if row.status == "approved" else None,
            has_account=bool(row.bank_bin and row.account_number),
            launched_on=row.launched_on,
            habits=draw_habits(seed, row.id, RENT.get(row.grade, RENT[3])),
            model_market=row.code in MODEL_MARKETS,
        ))
    return vendors


def simulated_vendors(connection: sa.Connection, day: date) -> set[int]:
    """Vendors that already have simulator rows on local ``day``."""
    start, end = day_start_utc(day), day_start_utc(day + timedelta(days=1))
    in_day = (Transaction.occurred_at >= start, Transaction.occurred_at < end,
              Transaction.source == "simulator")
    try:
        if connection.scalar(sa.select(Transaction.id).where(*in_day).limit(1)) is None:
            return set()
        return set(connection.scalars(
            sa.select(Transaction.vendor_id).where(*in_day).distinct()))
    finally:
        connection.rollback()  # no long-lived snapshot on PostgreSQL


def simulate_traffic(engine: sa.Engine, plan: Plan, chunk_rows: int = CHUNK_ROWS, *,
                     events: bool = False, staged_rollups: bool = True,
                     month_loads: bool = True, processes: bool | None = None,
                     ) -> Iterator[Progress]:
    """Write the plan's rows and rollups, committing every ~``chunk_rows`` rows.

    A bulk job commits as it goes (a year is ten million rows: not one transaction);
    each chunk holds whole days with their rollups, so the database is consistent
    after every commit and an interrupted run resumes where it stopped. Yields the
    progress of each committed chunk. With ``events``, each QR sale also gets its
    payment event (the live outbox) in its chunk's transaction.
    ``staged_rollups=False`` takes PostgreSQL's earlier path (see ``writer``), for
    the benchmark's comparison, and ``month_loads=False`` writes new months through
    the partitioned table too.

    On partitioned PostgreSQL, each month of the plan that has no partition yet is one
    database transaction (``payments.month_load``; not with ``events``, whose outbox
    rows are found in ``transactions`` by id), so an interrupted run resumes at the
    month it was loading. On PostgreSQL the rows are drawn in a second process
    (``producer``) when ``processes`` says so; by default for plans of at least
    :data:`PROCESS_VENDOR_DAYS` vendor-days (a process costs a second to start).
    """
    dialect = engine.dialect.name
    created_at = timestamp_writer(dialect)(utcnow())
    restore_indexes(engine)  # those a killed first load left out (SQLite)
    months = {day.replace(day=1) for day in plan.days}
    with engine.begin() as connection:  # the plan's months, before any chunk needs them
        new_months = {month for month in months if month_is_new(connection, month)} \
            if month_loads and staged_rollups and not events \
            and is_partitioned(connection) else set()
        ensure_months(connection, months - new_months)
    deferred = defer_indexes(engine)  # SQLite, empty table: built once, after the load
    if processes is None:
        processes = len(plan.vendors) * len(plan.days) >= PROCESS_VENDOR_DAYS
    # COPY text from a process: PostgreSQL's staged path only (the others need tuples
    # or the Python-side rollups).
    processes = processes and dialect == "postgresql" and staged_rollups and not events
    writer = ChunkWriter(engine, events=events, staged_rollups=staged_rollups)
    writer.start()
    ok = False
    try:
        with engine.connect() as reader:
            made = (_drawn_elsewhere(plan, reader, new_months, created_at, chunk_rows)
                    if processes else
                    _drawn_here(plan, reader, deferred, new_months, dialect, created_at,
                                chunk_rows))
            for chunk in made:
                writer.submit(chunk)
                yield from _committed(writer)
        writer.finish()
        ok = True
        yield from _committed(writer)
    finally:
        if not ok:
            writer.finish(abort=True)
        if deferred:
            restore_indexes(engine)


def _drawn_here(plan: Plan, reader: sa.Connection, deferred: list[str], new_months: set[date],
                dialect: str, created_at: object, chunk_rows: int) -> Iterator[Chunk]:
    """The plan's chunks, drawn in this process (rows as tuples, rollups in Python)."""
    rows: list[tuple] = []
    rollups: list[dict] = []
    days = vendor_days = skipped = 0
    seconds = 0.0
    for day in plan.days:
        started = time.perf_counter()
        month = day.replace(day=1)
        # An empty table at the start (deferred indexes) or a month without a
        # partition: nothing to skip, and no index to look with.
        skip = set() if deferred or month in new_months else simulated_vendors(reader, day)
        out = generate_day(day, plan.vendors, plan.seed, skip, clock_for(dialect, day),
                           created_at)
        rows += out.rows
        rollups += out.rollups
        days, vendor_days = days + 1, vendor_days + out.vendors
        skipped += len(skip)
        seconds += time.perf_counter() - started
        month_ends = day == plan.last or (day + timedelta(days=1)).day == 1
        if len(rows) >= chunk_rows or month_ends:
            progress = Progress(days, len(rows), vendor_days, skipped, seconds)
            yield Chunk(rows, rollups, progress, month if month in new_months else None,
                        month_ends)
            rows, rollups, days, vendor_days, skipped = [], [], 0, 0, 0
            seconds = 0.0


def _drawn_elsewhere(plan: Plan, reader: sa.Connection, new_months: set[date],
                     created_at: object, chunk_rows: int) -> Iterator[Chunk]:
    """The plan's chunks as COPY text from a generator process (``producer``)."""
    skips = {}
    for day in plan.days:  # read before the child starts: it has no database
        if day.replace(day=1) not in new_months and (skip := simulated_vendors(reader, day)):
            skips[day] = skip
    producer = Producer(Work(plan.days, plan.vendors, plan.seed, skips, frozenset(new_months),
                             str(created_at), chunk_rows))
    try:
        for made in producer:
            yield Chunk(made.rows, [], Progress(made.days, made.rows.count, made.vendor_days,
                                                made.skipped, made.seconds),
                        made.new_month, made.month_ends)
    finally:
        producer.close()


def _committed(writer: ChunkWriter) -> Iterator[Progress]:
    while True:
        try:
            progress, seconds = writer.committed.get_nowait()
        except queue.Empty:
            return
        yield replace(progress, write_seconds=seconds)
