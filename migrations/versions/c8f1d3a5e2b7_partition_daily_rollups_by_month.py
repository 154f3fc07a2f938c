"""PostgreSQL: ``daily_rollups`` partitioned by local month, like ``transactions``.

Revision ID: c8f1d3a5e2b7
Revises: a7c3e5f9b1d2
Create Date: 2026-12-03 17:50:00

PostgreSQL only (SQLite keeps its one table: nothing to do). The vendor-day rollups are
copied into a table partitioned by range of ``day``, one partition per local month,
``daily_rollups_pYYYY_MM``, for every month from the oldest of (the oldest rollup, the
oldest month of ``transactions``, attached or detached) to the newest of (the newest
rollup, the newest month of ``transactions``, three months after today); then the old
table is dropped. No row is lost: the test compares every rollup before and after.

Why: a first load of a month (``payments.month_load``) can then build the month's
vendor-day rollups in a table of its own and ATTACH it, and PostgreSQL validates their
two foreign keys with one anti-join each instead of two trigger calls per row, which
were half of a month load's rollup work. The key, the indexes and the foreign keys are
the ones the table had (the key (vendor_id, day) holds the partition key already), so
reads and the live paths' upserts (ON CONFLICT on that key) are unchanged.

Rollup partitions are never detached with their transactions' month: the rollups keep
the figures of archived months.

The downgrade puts every row back into one table.
"""
from __future__ import annotations

from datetime import date

from alembic import op

# revision identifiers, used by Alembic.
revision = "c8f1d3a5e2b7"
down_revision = "a7c3e5f9b1d2"
branch_labels = None
depends_on = None

ZONE = "Asia/Ho_Chi_Minh"
AHEAD = 3  # months after the current one, as transactions' migration
INDEXES = (
    "CREATE INDEX ix_daily_rollups_qr_sellers ON daily_rollups (vendor_id, day) "
    "WHERE qr_sales_count > 0",
    "CREATE INDEX ix_daily_rollups_qr_days ON daily_rollups (day, market_id) "
    "WHERE qr_sales_count > 0",
)
CONSTRAINTS = (
    "ALTER TABLE daily_rollups ADD CONSTRAINT pk_daily_rollups PRIMARY KEY (vendor_id, day)",
    "ALTER TABLE daily_rollups ADD CONSTRAINT fk_daily_rollups_vendor_id_vendors "
    "FOREIGN KEY (vendor_id) REFERENCES vendors (id)",
    "ALTER TABLE daily_rollups ADD CONSTRAINT fk_daily_rollups_market_id_markets "
    "FOREIGN KEY (market_id) REFERENCES markets (id)",
)
DROP_CONSTRAINTS = ("DROP CONSTRAINT pk_daily_rollups, "
                    "DROP CONSTRAINT fk_daily_rollups_vendor_id_vendors, "
                    "DROP CONSTRAINT fk_daily_rollups_market_id_markets")


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _name(month: date) -> str:
    return f"daily_rollups_p{month.year:04d}_{month.month:02d}"


def _months(run) -> tuple[date, date]:
    """The first and last month to make a partition for (see the module)."""
    today, oldest, newest = run(
        f"SELECT (now() AT TIME ZONE '{ZONE}')::date, min(day), max(day) "
        "FROM daily_rollups_unpartitioned").one()
    months = [today.replace(day=1), _shift(today, AHEAD)]
    months += [d.replace(day=1) for d in (oldest, newest) if d is not None]
    schema = "(SELECT relnamespace FROM pg_class WHERE oid = 'transactions'::regclass)"
    for (name,) in run(
            "SELECT relname FROM pg_class WHERE relkind = 'r' "
            f"AND relname ~ '^transactions_p[0-9]{{4}}_[0-9]{{2}}$' AND relnamespace = {schema}"):
        months.append(date(int(name[-7:-3]), int(name[-2:]), 1))
    return min(months), max(months)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    # The old table keeps its rows until they are copied; its names go, so the new
    # table can take them. Indexes and keys are built once, after the copy.
    run("ALTER TABLE daily_rollups RENAME TO daily_rollups_unpartitioned")
    run(f"ALTER TABLE daily_rollups_unpartitioned {DROP_CONSTRAINTS}")
    run("DROP INDEX IF EXISTS ix_daily_rollups_qr_sellers")
    run("DROP INDEX IF EXISTS ix_daily_rollups_qr_days")
    run("CREATE TABLE daily_rollups (LIKE daily_rollups_unpartitioned "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (day)")
    month, last = _months(run)
    while month <= last:
        following = _shift(month, 1)
        run(f"CREATE TABLE {_name(month)} PARTITION OF daily_rollups FOR VALUES "
            f"FROM ('{month.isoformat()}') TO ('{following.isoformat()}')")
        month = following
    run("INSERT INTO daily_rollups SELECT * FROM daily_rollups_unpartitioned "
        "ORDER BY vendor_id, day")
    for statement in (*CONSTRAINTS, *INDEXES):
        run(statement)
    run("DROP TABLE daily_rollups_unpartitioned")
    run("ANALYZE daily_rollups")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    run("ALTER TABLE daily_rollups RENAME TO daily_rollups_partitioned")
    run(f"ALTER TABLE daily_rollups_partitioned {DROP_CONSTRAINTS}")
    run("DROP INDEX IF EXISTS ix_daily_rollups_qr_sellers")
    run("DROP INDEX IF EXISTS ix_daily_rollups_qr_days")
    run("CREATE TABLE daily_rollups (LIKE daily_rollups_partitioned "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run("INSERT INTO daily_rollups SELECT * FROM daily_rollups_partitioned "
        "ORDER BY vendor_id, day")
    for statement in (*CONSTRAINTS, *INDEXES):
        run(statement)
    run("DROP TABLE daily_rollups_partitioned CASCADE")
    run("ANALYZE daily_rollups")
