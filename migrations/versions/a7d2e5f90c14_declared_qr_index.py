"""Board-declared QR payments: a partial index, for rulesets that do not count them.

Revision ID: a7d2e5f90c14
Revises: 9c97f18ac654
Create Date: 2026-12-03 08:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d2e5f90c14"
down_revision = "9c97f18ac654"
branch_labels = None
depends_on = None

DECLARED_QR = "source = 'declared' AND method = 'qr'"


def upgrade():
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index("ix_transactions_declared_qr", ["market_id", "occurred_at"],
                              unique=False, sqlite_where=sa.text(DECLARED_QR),
                              postgresql_where=sa.text(DECLARED_QR))


def downgrade():
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_declared_qr", sqlite_where=sa.text(DECLARED_QR),
                            postgresql_where=sa.text(DECLARED_QR))
