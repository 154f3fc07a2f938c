"""PostgreSQL: ``transactions`` partitioned by local month; references kept unique globally.

Revision ID: b5c8e2f4a913
Revises: d2f7a9c3e516
Create Date: 2026-12-03 09:20:00

PostgreSQL only (SQLite keeps its one table: nothing to do). The rows are copied into a
table partitioned by range of ``occurred_at``, one partition per local month
(Asia/Ho_Chi_Minh, +07:00 since 1975), from the month of the oldest row to three
months after today; then the old table is dropped. No row is lost: the test
compares counts and sums before and after.

What changes, because PostgreSQL wants the partition key in every unique index:
- the primary key is (id, occurred_at); ids still come from the same sequence;
- ``reference`` stays unique across all months through ``transaction_references``
  (reference as primary key), filled by statement triggers on ``transactions`` from
  their transition tables (one set-based INSERT per statement, COPY included), so
  every write path keeps the guarantee without knowing about it; a plain index on
  ``reference`` per partition serves the lookups;
- the two foreign keys that pointed at ``transactions.id`` (``payment_events`` and
  ``unmatched_notifications``) cannot point at a part of a key: they are dropped. Both
  are written in the same database transaction as the row they name, and no code
  deletes transactions.

The downgrade puts every row back into one table, including months detached to the
archive (``flask partitions detach``), and restores the constraints.
"""
from __future__ import annotations

from datetime import date

from alembic import op

# revision identifiers, used by Alembic.
revision = "b5c8e2f4a913"
down_revision = "d2f7a9c3e516"
branch_labels = None
depends_on = None

ZONE = "Asia/Ho_Chi_Minh"
AHEAD = 3  # months after the current one
INDEXES = (
    "CREATE INDEX ix_transactions_market_occurred ON {t} (market_id, occurred_at)",
    "CREATE INDEX ix_transactions_vendor_occurred ON {t} (vendor_id, occurred_at)",
    "CREATE INDEX ix_transactions_occurred ON {t} (occurred_at)",
    "CREATE INDEX ix_transactions_declared_qr ON {t} (market_id, occurred_at) "
    "WHERE source = 'declared' AND method = 'qr'",
)
FOREIGN_KEYS = (
    "ALTER TABLE {t} ADD CONSTRAINT fk_transactions_vendor_id_vendors "
    "FOREIGN KEY (vendor_id) REFERENCES vendors (id)",
    "ALTER TABLE {t} ADD CONSTRAINT fk_transactions_market_id_markets "
    "FOREIGN KEY (market_id) REFERENCES markets (id)",
)
POINTING_AT = (
    ("payment_events", "fk_payment_events_transaction_id_transactions"),
    ("unmatched_notifications", "fk_unmatched_notifications_transaction_id_transactions"),
)
REFERENCE_TRIGGERS = (
    """
    CREATE FUNCTION market40_transaction_references_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO transaction_references (reference) SELECT reference FROM new_rows;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION market40_transaction_references_remove() RETURNS trigger AS $$
    BEGIN
        DELETE FROM transaction_references r USING old_rows o WHERE r.reference = o.reference;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION market40_transaction_references_clear() RETURNS trigger AS $$
    BEGIN
        TRUNCATE transaction_references;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER transaction_references_add AFTER INSERT ON transactions "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION market40_transaction_references_add()",
    "CREATE TRIGGER transaction_references_remove AFTER DELETE ON transactions "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION market40_transaction_references_remove()",
    "CREATE TRIGGER transaction_references_clear AFTER TRUNCATE ON transactions "
    "FOR EACH STATEMENT EXECUTE FUNCTION market40_transaction_references_clear()",
)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _name(month: date) -> str:
    return f"transactions_p{month.year:04d}_{month.month:02d}"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    for table, constraint in POINTING_AT:
        run(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}")
    # The old table keeps its rows until they are copied; its names go, so the new
    # table can take them. Indexes are built once, after the copy.
    run("ALTER TABLE transactions RENAME TO transactions_unpartitioned")
    run("ALTER TABLE transactions_unpartitioned DROP CONSTRAINT pk_transactions, "
        "DROP CONSTRAINT uq_transactions_reference, "
        "DROP CONSTRAINT fk_transactions_vendor_id_vendors, "
        "DROP CONSTRAINT fk_transactions_market_id_markets")
    for index in ("market_occurred", "vendor_occurred", "occurred", "declared_qr"):
        run(f"DROP INDEX IF EXISTS ix_transactions_{index}")
    run("CREATE TABLE transactions (LIKE transactions_unpartitioned "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (occurred_at)")
    today, oldest = run(
        f"SELECT (now() AT TIME ZONE '{ZONE}')::date, "
        f"(min(occurred_at) AT TIME ZONE '{ZONE}')::date FROM transactions_unpartitioned"
    ).one()
    month = (oldest or today).replace(day=1)
    last = _shift(today, AHEAD)
    while month <= last:
        following = _shift(month, 1)
        run(f"CREATE TABLE {_name(month)} PARTITION OF transactions FOR VALUES "
            f"FROM ('{month.isoformat()} 00:00:00+07') TO ('{following.isoformat()} 00:00:00+07')")
        month = following
    run("INSERT INTO transactions SELECT * FROM transactions_unpartitioned")
    run("ALTER TABLE transactions ADD CONSTRAINT pk_transactions PRIMARY KEY (id, occurred_at)")
    for statement in (*INDEXES, *FOREIGN_KEYS,
                      "CREATE INDEX ix_transactions_reference ON {t} (reference)"):
        run(statement.format(t="transactions"))
    run("CREATE TABLE transaction_references (reference varchar(80) NOT NULL, "
        "CONSTRAINT pk_transaction_references PRIMARY KEY (reference))")
    run("INSERT INTO transaction_references SELECT reference FROM transactions")
    for statement in REFERENCE_TRIGGERS:
        run(statement)
    run("ALTER SEQUENCE IF EXISTS transactions_id_seq OWNED BY transactions.id")
    run("DROP TABLE transactions_unpartitioned")
    run("ANALYZE transactions")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    for trigger in ("add", "remove", "clear"):
        run(f"DROP TRIGGER IF EXISTS transaction_references_{trigger} ON transactions")
        run(f"DROP FUNCTION IF EXISTS market40_transaction_references_{trigger}()")
    schema = "(SELECT relnamespace FROM pg_class WHERE oid = 'transactions'::regclass)"
    detached = [name for (name,) in run(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
        "AND c.relname ~ '^transactions_p[0-9]{4}_[0-9]{2}$' "
        f"AND c.relnamespace = {schema} "
        "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)")]
    run("ALTER TABLE transactions RENAME TO transactions_partitioned")
    run("ALTER TABLE transactions_partitioned DROP CONSTRAINT pk_transactions, "
        "DROP CONSTRAINT fk_transactions_vendor_id_vendors, "
        "DROP CONSTRAINT fk_transactions_market_id_markets")
    for index in ("market_occurred", "vendor_occurred", "occurred", "declared_qr", "reference"):
        run(f"DROP INDEX IF EXISTS ix_transactions_{index}")
    run("CREATE TABLE transactions (LIKE transactions_partitioned "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run("INSERT INTO transactions SELECT * FROM transactions_partitioned")
    for name in detached:  # archived months come back too: no row is lost
        run(f"INSERT INTO transactions SELECT * FROM {name}")
    run("ALTER TABLE transactions ADD CONSTRAINT pk_transactions PRIMARY KEY (id)")
    run("ALTER TABLE transactions ADD CONSTRAINT uq_transactions_reference UNIQUE (reference)")
    for statement in (*INDEXES, *FOREIGN_KEYS):
        run(statement.format(t="transactions"))
    run("ALTER SEQUENCE IF EXISTS transactions_id_seq OWNED BY transactions.id")
    run("DROP TABLE transactions_partitioned CASCADE")
    for name in detached:
        run(f"DROP TABLE {name}")
    run("DROP TABLE transaction_references")
    for table, constraint in POINTING_AT:
        run(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} "
            "FOREIGN KEY (transaction_id) REFERENCES transactions (id)")
    run("ANALYZE transactions")
