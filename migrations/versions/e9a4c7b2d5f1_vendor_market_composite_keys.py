"""A row's market is its vendor's: one composite foreign key instead of two single ones.

Revision ID: e9a4c7b2d5f1
Revises: c8f1d3a5e2b7
Create Date: 2026-12-03 21:45:00

``transactions``, ``daily_rollups`` and ``vendor_qr_months`` carry both ``vendor_id``
and ``market_id`` (the market denormalised for the reports). Each had a foreign key to
``vendors (id)`` and one to ``markets (id)``; now one key
``(vendor_id, market_id) -> vendors (id, market_id)`` replaces both, under the vendor
key's name. It is a stronger rule (a row cannot name a market that is not its
vendor's; the vendor's own key to ``markets`` covers the market) and half the checks:
every row the bulk paths write was two trigger calls, now one. A vendor never changes
market (its market is not an editable field), so the key never stops a registry write.

The parent key is a unique index ``uq_vendors_id_market_id``: both databases accept a
unique index as the parent of a foreign key, and SQLite adds one without rebuilding
``vendors``, which every other table references.

PostgreSQL: the keys are changed on the partitioned parents (``transactions``,
``daily_rollups``: PostgreSQL changes them on every partition and validates each one,
set-based) and on months detached to the archive (``flask partitions detach``), which
keep their own copies of the keys, so a month re-attached later matches. A month loaded
on its own (``payments.month_load``) gets the key from the parent when it is attached,
checked by one anti-join. SQLite: the three tables are rebuilt (batch mode), their rows
copied; ``migrations/env.py`` checks every foreign key after the migrations ran.

A row whose market is not its vendor's makes the upgrade fail with that row named;
nothing is changed then. PostgreSQL's DDL is transactional, so its own validation would
undo everything; SQLite's is not (each statement of a table rebuild commits), so the rows
are looked for first, on both databases, before anything changes. Both directions keep
every row. On PostgreSQL the keys are changed under exclusive locks while every row is
checked: run it with the app stopped (3.6 s for a province year of 11.3M rows here).
"""
from __future__ import annotations

from alembic import op

# revision identifiers, used by Alembic.
revision = "e9a4c7b2d5f1"
down_revision = "c8f1d3a5e2b7"
branch_labels = None
depends_on = None

TABLES = ("transactions", "daily_rollups", "vendor_qr_months")
UNIQUE = "CREATE UNIQUE INDEX uq_vendors_id_market_id ON vendors (id, market_id)"
DETACHED = (  # months of transactions detached to the archive: tables of their own
    "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
    "AND c.relname ~ '^transactions_p[0-9]{4}_[0-9]{2}$' "
    "AND c.relnamespace = (SELECT relnamespace FROM pg_class "
    "WHERE oid = 'transactions'::regclass) "
    "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"
)


def _composite(table: str) -> str:
    return (f"ADD CONSTRAINT fk_{table}_vendor_id_vendors FOREIGN KEY (vendor_id, market_id) "
            "REFERENCES vendors (id, market_id)")


def _singles(table: str) -> str:
    return (f"ADD CONSTRAINT fk_{table}_vendor_id_vendors FOREIGN KEY (vendor_id) "
            f"REFERENCES vendors (id), ADD CONSTRAINT fk_{table}_market_id_markets "
            "FOREIGN KEY (market_id) REFERENCES markets (id)")


def _postgresql_targets(run) -> list[tuple[str, str, str]]:
    """(table, the name its keys are named after, IF EXISTS or not)."""
    targets = [(table, table, "") for table in TABLES]
    targets += [(name, "transactions", "IF EXISTS ") for (name,) in run(DETACHED)]
    return targets


def _refuse_rows_in_another_market(bind) -> None:
    """Stop, changing nothing, if a row names a market that is not its vendor's."""
    found = []
    for table in TABLES:
        found += [f"{table}: vendor {vendor} with market {market}, the vendor's is {own}"
                  for vendor, market, own in bind.exec_driver_sql(
                      f"SELECT t.vendor_id, t.market_id, v.market_id FROM {table} t "
                      "JOIN vendors v ON v.id = t.vendor_id "
                      "WHERE t.market_id <> v.market_id LIMIT 5").all()]
    if found:
        raise RuntimeError(
            "Rows name a market that is not their vendor's, so the key "
            "(vendor_id, market_id) -> vendors cannot be added; nothing was changed. "
            "Correct them (the vendor's market is the right one) and upgrade again: "
            + "; ".join(found))


def upgrade():
    bind = op.get_bind()
    _refuse_rows_in_another_market(bind)
    if bind.dialect.name == "postgresql":
        run = bind.exec_driver_sql
        run(UNIQUE)
        for table, named, if_exists in _postgresql_targets(run):
            run(f"ALTER TABLE {table} "
                f"DROP CONSTRAINT {if_exists}fk_{named}_market_id_markets, "
                f"DROP CONSTRAINT {if_exists}fk_{named}_vendor_id_vendors, {_composite(named)}")
        return
    op.create_index("uq_vendors_id_market_id", "vendors", ["id", "market_id"], unique=True)
    for table in TABLES:
        with _rebuilt(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_market_id_markets", type_="foreignkey")
            batch_op.drop_constraint(f"fk_{table}_vendor_id_vendors", type_="foreignkey")
            batch_op.create_foreign_key(f"fk_{table}_vendor_id_vendors", "vendors",
                                        ["vendor_id", "market_id"], ["id", "market_id"])


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        run = bind.exec_driver_sql
        for table, named, if_exists in _postgresql_targets(run):
            run(f"ALTER TABLE {table} DROP CONSTRAINT {if_exists}fk_{named}_vendor_id_vendors, "
                f"{_singles(named)}")
        run("DROP INDEX uq_vendors_id_market_id")
        return
    for table in TABLES:
        with _rebuilt(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_vendor_id_vendors", type_="foreignkey")
            batch_op.create_foreign_key(f"fk_{table}_vendor_id_vendors", "vendors",
                                        ["vendor_id"], ["id"])
            batch_op.create_foreign_key(f"fk_{table}_market_id_markets", "markets",
                                        ["market_id"], ["id"])
    op.drop_index("uq_vendors_id_market_id", table_name="vendors")


def _rebuilt(table: str):
    """SQLite: the table copied into a new one with the changed keys (indexes, partial
    ones included, are reflected and made again; ``vendor_qr_months`` stays WITHOUT
    ROWID, which reflection does not carry)."""
    options = {"sqlite_with_rowid": False} if table == "vendor_qr_months" else {}
    return op.batch_alter_table(table, recreate="always", table_kwargs=options)
