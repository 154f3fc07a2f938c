"""data_versions: a write counter per market (row 0: everything else), the key of cached
figures and of the pages' ETags (market40.cache).

Revision ID: a7c3e5f9b1d2
Revises: b5c8e2f4a913
Create Date: 2026-12-03 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e5f9b1d2"
down_revision = "b5c8e2f4a913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("market_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("market_id", name=op.f("pk_data_versions")),
    )


def downgrade():
    op.drop_table("data_versions")
