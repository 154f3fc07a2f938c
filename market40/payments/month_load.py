"""PostgreSQL: a month that has no partition yet, loaded into a table of its own and attached.

The COPY path (``payments.bulk.copy_transactions``) writes through the live partitioned
table: every row is checked by a foreign-key trigger (its vendor with its market) and added to
six indexes one at a time; that is more than half of the server's CPU for a bulk load
(docs/SCALING.md). A first load of a month (a province year into a fresh database, a
backfill) has nothing to write through yet, so :class:`MonthLoad` does what PostgreSQL's
documentation recommends for bulk loads into partitions:

1. ``CREATE TABLE transactions_pYYYY_MM (LIKE transactions ...)``: a plain table shaped
   like the partition (columns, defaults: ids from the same sequence, CHECK
   constraints), with the month's bounds as one more CHECK, and no index or foreign key;
2. COPY the month's rows into it, in as many pieces as the caller likes;
3. build the partition's indexes once each, by sorting (the primary key and the five
   secondary indexes, derived from the parent's so they always match);
4. add the references to ``transaction_references`` in one sorted INSERT ... SELECT (its
   primary key refuses a reference stored in any other month: the load fails whole);
5. the three rollup levels, set-based from the table (``rollups.staged``); where
   ``daily_rollups`` is partitioned by month (migration ``c8f1d3a5e2b7``) and the
   month has no rollup partition yet, its vendor-day rows go into a table of their own
   the same way (a plain sorted INSERT, then the key and two indexes built once);
6. ``ALTER TABLE transactions ATTACH PARTITION`` (and ``daily_rollups``'s): PostgreSQL
   adopts the indexes, skips the bounds scan (the CHECK implies them) and validates the
   foreign keys with one anti-join each instead of a trigger call per row.

All of it is one database transaction, held from :meth:`MonthLoad.begin` to the caller's
commit: the CREATE TABLE is transactional too, so a load that is killed or fails leaves
nothing at all (no half-loaded or detached table for a later run to clean up), and the
month is stored whole or not at all. :meth:`begin` holds the partitions' advisory lock
(``partitions.ADVISORY_LOCK``) until then, so no other writer can create the month
meanwhile: one that needs it waits for the commit and then finds it attached.

A month whose partition already exists (attached with rows or empty, or detached to the
archive) is not touched: :meth:`begin` returns None and the caller takes the COPY path.
An existing empty partition is never dropped to make way: another connection may hold
it in its cache of attached months (``partitions``) and would fail to insert into it.

Locks: the new tables are private until the commit. The ATTACH takes SHARE UPDATE
EXCLUSIVE on ``transactions`` and ``daily_rollups`` (reads and writes of other months go
on) and, for its
foreign-key checks, SHARE ROW EXCLUSIVE on ``vendors`` and ``markets`` until the commit,
so it comes last, after the rollups: registry writes wait well under a second.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import cache

import sqlalchemy as sa

from market40.db import driver_errors
from market40.localtime import shift_months
from market40.partitions import (
    ADVISORY_LOCK,
    PARENT,
    ROLLUPS,
    bounds,
    is_partitioned,
    partition_name,
    rollup_partition_name,
    rollups_partitioned,
)
from market40.payments.bulk import COLUMNS, Rows, rows_table, write_copy

log = logging.getLogger(__name__)

# An index build sorts the month's rows (~1 million): in memory rather than in files.
MAINTENANCE_WORK_MEM = "256MB"
_USING = re.compile(r" USING .*$")


def month_is_new(connection: sa.Connection, month: date) -> bool:
    """Whether ``month`` has no table yet (attached or detached): a candidate for a load."""
    return connection.exec_driver_sql(
        f"SELECT to_regclass('{partition_name(month)}')").scalar() is None


@cache
def _table(name: str) -> sa.TableClause:
    return rows_table(name)


class MonthLoad:
    """The rows of one local month, loaded into its future partition (see the module)."""

    def __init__(self, connection: sa.Connection, month: date) -> None:
        self.connection = connection
        self.month = month
        self.name = partition_name(month)
        self.rows = 0
        # The month's vendor-day rollups in a table of their own (add_rollups), or None:
        # they go through daily_rollups (not partitioned, or the month exists there).
        self.rollups: str | None = None

    @classmethod
    def begin(cls, connection: sa.Connection, month: date) -> MonthLoad | None:
        """Create the month's table in the caller's transaction; None (and nothing done
        but the lock) when ``transactions`` is not partitioned or the month has a table."""
        if not is_partitioned(connection):
            return None
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})")
        if not month_is_new(connection, month):
            return None
        load = cls(connection, month)
        start, end = bounds(month)
        connection.exec_driver_sql(
            f"CREATE TABLE {load.name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            f"CONSTRAINT {load._bounds} CHECK (occurred_at >= '{start.isoformat()}' "
            f"AND occurred_at < '{end.isoformat()}'))")
        log.info("loading %s as a table of its own", load.name)
        return load

    @property
    def _bounds(self) -> str:
        return f"ck_{self.name}_bounds"

    @property
    def _rollup_bounds(self) -> str:
        return f"ck_{self.rollups}_bounds"

    def copy(self, rows: Rows) -> int:
        """COPY rows (tuples in ``payments.bulk.COLUMNS`` order, or their COPY text)
        into the month's table."""
        connection = self.connection
        driver = connection.connection.driver_connection
        sql = f"COPY {self.name} ({', '.join(COLUMNS)}) FROM STDIN"
        with driver_errors(connection, sql), driver.cursor() as cursor, \
                cursor.copy(sql) as copy:
            write_copy(copy, rows)
        self.rows += len(rows)
        return len(rows)

    def finish(self) -> int:
        """Indexes, references, rollups, ATTACH: the month joins ``transactions`` when the
        caller commits. Returns the rows loaded.

        :raises sqlalchemy.exc.IntegrityError: a reference is already stored, or a row
            names a vendor or market that does not exist (nothing of the month is
            stored, once the caller rolls back).
        """
        self.build_indexes()
        self.add_references()
        self.add_rollups()
        self.attach()
        return self.rows

    def build_indexes(self) -> None:
        """The partition's primary key and indexes, each built once by sorting."""
        run = self.connection.exec_driver_sql
        run(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for statement in self._index_statements():
            run(statement)

    def add_references(self) -> None:
        """The month's references into ``transaction_references`` (unique everywhere)."""
        sql = (f"INSERT INTO transaction_references (reference) "
               f"SELECT reference FROM {self.name} ORDER BY reference")
        with driver_errors(self.connection, sql), \
                self.connection.connection.driver_connection.cursor() as cursor:
            cursor.execute(sql)

    def add_rollups(self) -> None:
        """The three rollup levels, set-based from the month's rows; the vendor-day rows
        into a table of the month's own when ``daily_rollups`` has no partition for it."""
        from market40.rollups.staged import upsert_staged_rollups

        run = self.connection.exec_driver_sql
        name = rollup_partition_name(self.month)
        if rollups_partitioned(self.connection) and run(
                f"SELECT to_regclass('{name}')").scalar() is None:
            self.rollups = name
            run(f"CREATE TABLE {name} (LIKE {ROLLUPS} INCLUDING DEFAULTS INCLUDING "
                f"CONSTRAINTS, CONSTRAINT {self._rollup_bounds} CHECK (day >= "
                f"'{self.month.isoformat()}' AND day < '{shift_months(self.month, 1)}'))")
        upsert_staged_rollups(self.connection, _table(self.name), vendor_days=self.rollups)
        if self.rollups is not None:
            for statement in _index_statements(self.connection, ROLLUPS, self.rollups):
                run(statement)

    def attach(self) -> None:
        """ATTACH PARTITION (its foreign keys validated set-based), then drop the bounds
        CHECK, which the partition bounds imply from now on: the month's vendor-day
        rollups first when they have a table of their own, then its transactions."""
        run = self.connection.exec_driver_sql
        if self.rollups is not None:
            run(f"ALTER TABLE {ROLLUPS} ATTACH PARTITION {self.rollups} FOR VALUES FROM "
                f"('{self.month.isoformat()}') TO ('{shift_months(self.month, 1)}')")
            run(f"ALTER TABLE {self.rollups} DROP CONSTRAINT {self._rollup_bounds}")
            log.info("attached %s", self.rollups)
        start, end = bounds(self.month)
        run(f"ALTER TABLE {PARENT} ATTACH PARTITION {self.name} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
        run(f"ALTER TABLE {self.name} DROP CONSTRAINT {self._bounds}")
        log.info("attached %s: %s rows", self.name, self.rows)

    def _index_statements(self) -> list[str]:
        return _index_statements(self.connection, PARENT, self.name)


def _index_statements(connection: sa.Connection, parent: str, name: str) -> list[str]:
    """``parent``'s primary key and indexes, for its future partition ``name``, in the
    form ATTACH adopts (a constraint for a constraint, a plain index for an index)."""
    statements = []
    for definition, constraint in connection.exec_driver_sql(
            "SELECT pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid) "
            "FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid "
            f"WHERE i.indrelid = to_regclass('{parent}') ORDER BY i.indexrelid"):
        if constraint is not None:  # PRIMARY KEY (id, occurred_at)
            statements.append(f"ALTER TABLE {name} ADD {constraint}")
        else:  # CREATE INDEX ix ON ONLY transactions USING btree (...) [WHERE ...]
            using = _USING.search(definition)
            if using is None:
                raise RuntimeError(f"cannot read the index definition {definition!r}")
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            statements.append(f"CREATE {unique}INDEX ON {name}{using[0]}")
    return statements
