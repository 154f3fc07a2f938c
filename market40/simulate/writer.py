"""The simulator's database side: a thread that writes and commits chunks while the
main thread generates the next one.

SQLite and psycopg release the GIL while the database works, so generating in Python
and storing overlap on a multi-core machine. The writer owns one connection for the
whole run and throws it away at the end (``invalidate``), so the bulk settings below
never leak into the application's pool:

* SQLite ``foreign_keys=OFF``: the rows reference vendors and markets just read from
  the same database and never deleted, and the checks cost ~40% of insert time;
* SQLite ``cache_size`` of 1 GiB: the indexes of ten million rows stay in memory;
* SQLite ``wal_autocheckpoint=0`` and a checkpoint every few chunks instead: an index
  page that every chunk touches is copied into the database file once per checkpoint,
  not once per commit (this cut commit time by two thirds at ten million rows). The
  last checkpoint truncates the WAL.

On PostgreSQL a chunk is :func:`payments.bulk.copy_transactions`: COPY into a staging
table, one INSERT ... SELECT, and the rollups set-based from the staged rows (the
chunk's Python-side rollups are not used there). ``staged_rollups=False`` keeps the
earlier PostgreSQL path (COPY straight into ``transactions``, the Python-side rollups
upserted by executemany) for the benchmark's side-by-side figures.

A month that has no partition yet (a first load: a province year into a fresh database)
is written as one :class:`payments.month_load.MonthLoad` instead: its chunks are COPYed
into a table of their own, indexed and attached at the month's last chunk, and the whole
month is one database transaction (committed chunks of such a month are reported when
the month commits). If another writer made the month meanwhile, its chunks take the
COPY path, one transaction each, as any other month's.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from market40.live.outbox import add_events_after, last_transaction_id
from market40.payments.bulk import COLUMNS, Rows, copy_transactions, insert_transactions
from market40.payments.month_load import MonthLoad
from market40.rollups.upsert import upsert_rollups

log = logging.getLogger(__name__)

SQLITE_BULK_PRAGMAS = (
    "PRAGMA foreign_keys=OFF", "PRAGMA cache_size=-1048576", "PRAGMA wal_autocheckpoint=0",
)
CHECKPOINT_EVERY = 6  # chunks (~1.2 million rows, a WAL of a few hundred MB)
POLL_SECONDS = 0.5


@dataclass
class Chunk:
    rows: Rows  # tuples, or COPY text from the generator process (``producer``)
    rollups: list[dict[str, Any]]
    progress: Any  # handed back with the write time once the chunk is committed
    # A month without a partition when the run began (the chunk's rows are all in it):
    # loaded as a MonthLoad, committed at the chunk that ends it (``month_ends``).
    new_month: date | None = None
    month_ends: bool = True


class ChunkWriter(threading.Thread):
    """Writes each submitted chunk in its own database transaction, in order."""

    def __init__(self, engine: sa.Engine, *, events: bool = False,
                 staged_rollups: bool = True) -> None:
        super().__init__(name="simulate-writer", daemon=True)
        self.engine = engine
        self.events = events  # also the payment events of QR sales (``simulate --events``)
        self.staged_rollups = staged_rollups
        self._todo: queue.Queue[Chunk | None] = queue.Queue(maxsize=1)
        self.committed: queue.Queue[Any] = queue.Queue()
        self.error: BaseException | None = None
        self._abort = threading.Event()

    def run(self) -> None:
        connection = self.engine.connect()
        sqlite = connection.dialect.name == "sqlite"
        written = 0
        try:
            if sqlite:
                for pragma in SQLITE_BULK_PRAGMAS:
                    connection.exec_driver_sql(pragma)
                connection.commit()
            load: MonthLoad | None = None
            through: date | None = None  # a new month that another writer made meanwhile
            pending: list[tuple[Any, float]] = []  # chunks of the month being loaded
            while (chunk := self._todo.get()) is not None:
                if self._abort.is_set():
                    continue
                started = time.perf_counter()
                if chunk.new_month is not None and chunk.new_month != through:
                    if load is None:
                        connection.begin()
                        load = MonthLoad.begin(connection, chunk.new_month)
                        if load is None:
                            connection.rollback()
                            through = chunk.new_month
                    if load is not None:
                        load.copy(chunk.rows)
                        if chunk.month_ends:
                            load.finish()
                            connection.commit()
                            load = None
                        pending.append((chunk.progress, time.perf_counter() - started))
                        if chunk.month_ends:
                            written += 1
                            log.info("simulator loaded the month %s: %s rows", chunk.new_month,
                                     sum(p.rows for p, _ in pending))
                            for done in pending:
                                self.committed.put(done)
                            pending = []
                        continue
                with connection.begin():
                    after = last_transaction_id(connection) if self.events else 0
                    if sqlite or not self.staged_rollups:
                        insert_transactions(connection, chunk.rows)
                        upsert_rollups(connection, chunk.rollups)
                    else:  # COPY, rollups set-based from the staged rows
                        copy_transactions(connection, chunk.rows)
                    if self.events:  # in the same transaction as the rows (outbox)
                        add_events_after(connection, after, _qr_sales(chunk.rows))
                written += 1
                if sqlite and written % CHECKPOINT_EVERY == 0:
                    _checkpoint(connection, "PASSIVE")
                seconds = time.perf_counter() - started
                log.info("simulator committed %s rows, %s rollups in %.1f s", len(chunk.rows),
                         len(chunk.rollups), seconds)
                self.committed.put((chunk.progress, seconds))
            if sqlite and written:
                _checkpoint(connection, "TRUNCATE")
        except BaseException as error:  # handed to the producer, which re-raises it
            self.error = error
            self._drain()
        finally:
            connection.invalidate()  # never return a connection with bulk pragmas
            connection.close()

    def _drain(self) -> None:
        while True:
            try:
                if self._todo.get(timeout=POLL_SECONDS) is None:
                    return
            except queue.Empty:
                if self._abort.is_set():
                    return

    def submit(self, chunk: Chunk) -> None:
        """Queue ``chunk``; blocks while the previous one is still being written."""
        while True:
            if self.error is not None:
                raise self.error
            try:
                self._todo.put(chunk, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def finish(self, *, abort: bool = False) -> None:
        """Stop after the queued chunks (or at once with ``abort``); re-raise its error."""
        if abort:
            self._abort.set()
        while self.is_alive():
            try:
                self._todo.put(None, timeout=POLL_SECONDS)
                break
            except queue.Full:
                continue
        self.join()
        if self.error is not None and not abort:
            raise self.error


_METHOD, _KIND, _REFERENCE = (COLUMNS.index(name) for name in ("method", "kind", "reference"))


def _qr_sales(rows: list[tuple[Any, ...]]) -> set[str]:
    """The references of the rows that are announced: QR sales."""
    return {row[_REFERENCE] for row in rows if row[_METHOD] == "qr" and row[_KIND] == "sale"}


def _checkpoint(connection: sa.Connection, mode: str) -> None:
    """Copy the WAL into the database file (PASSIVE never waits for readers)."""
    connection.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})").all()
    connection.commit()
