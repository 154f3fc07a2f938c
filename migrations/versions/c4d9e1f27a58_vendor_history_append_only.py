"""vendor_status_history is append-only: the database refuses UPDATE of its rows.

A correction of the past is a new row (``flask vendors correct-history``), never an edit.
DELETE stays possible only as the cascade of deleting the vendor itself.

Revision ID: c4d9e1f27a58
Revises: b8e4d2a61c37
Create Date: 2026-12-03 08:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d9e1f27a58"
down_revision = "b8e4d2a61c37"
branch_labels = None
depends_on = None

PG_RULES = (
    """
    CREATE OR REPLACE FUNCTION market40_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS vendor_status_history_no_update ON vendor_status_history",
    """
    CREATE TRIGGER vendor_status_history_no_update BEFORE UPDATE ON vendor_status_history
    FOR EACH ROW EXECUTE FUNCTION market40_refuse_change()
    """,
)
SQLITE_RULES = (
    """
    CREATE TRIGGER IF NOT EXISTS vendor_status_history_no_update
    BEFORE UPDATE ON vendor_status_history
    BEGIN SELECT RAISE(ABORT, 'vendor_status_history rows are immutable'); END
    """,
)


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in PG_RULES if dialect == "postgresql" else SQLITE_RULES:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS vendor_status_history_no_update "
                   "ON vendor_status_history")
    else:
        op.execute("DROP TRIGGER IF EXISTS vendor_status_history_no_update")
