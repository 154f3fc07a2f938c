"""Signed snapshots: key_id and Ed25519 signature columns; PostgreSQL refuses TRUNCATE.

Snapshots made before this revision keep format market40.snapshot/1 and no
signature: ``verify`` reports them unsigned rather than trusting them.

Revision ID: 5e1f0c2a9d84
Revises: a7d2e5f90c14
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5e1f0c2a9d84'
down_revision = 'a7d2e5f90c14'
branch_labels = None
depends_on = None

# The function is the one the initial revision created for the row triggers.
PG_TRUNCATE = (
    """
    CREATE OR REPLACE FUNCTION market40_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS snapshots_no_truncate ON snapshots",
    """
    CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION market40_refuse_change()
    """,
)


def upgrade():
    op.add_column('snapshots', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.add_column('snapshots', sa.Column('signature', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_TRUNCATE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS snapshots_no_truncate ON snapshots")
    with op.batch_alter_table('snapshots') as batch_op:
        batch_op.drop_column('signature')
        batch_op.drop_column('key_id')
    if op.get_bind().dialect.name == "sqlite":  # the batch copy left the row triggers behind
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS snapshots_no_{event.lower()} BEFORE {event} "
                "ON snapshots BEGIN SELECT RAISE(ABORT, 'snapshots rows are immutable'); END"
            )
