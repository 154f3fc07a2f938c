"""Self-registration: each market's poster join key, and registrations' status tokens.

Every existing market gets a random join key here, so its poster works at once;
markets created later get theirs on first use (registry.enrollment.join_key).

Revision ID: d6e1a5c0f4b2
Revises: b932aaafe6da
Create Date: 2026-12-03 07:10:00

"""
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d6e1a5c0f4b2"
down_revision = "b932aaafe6da"
branch_labels = None
depends_on = None


def upgrade():
    keys = op.create_table(
        "market_join_keys",
        sa.Column("market_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["market_id"], ["markets.id"],
                                name=op.f("fk_market_join_keys_market_id_markets")),
        sa.PrimaryKeyConstraint("market_id", name=op.f("pk_market_join_keys")),
    )
    op.create_table(
        "self_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"],
                                name=op.f("fk_self_registrations_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_registrations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_self_registrations_token_hash")),
        sa.UniqueConstraint("vendor_id", name=op.f("uq_self_registrations_vendor_id")),
    )
    market_ids = [row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM markets"))]
    now = datetime.now(timezone.utc)
    if market_ids:
        op.bulk_insert(keys, [{"market_id": market_id, "key": secrets.token_urlsafe(12),
                               "rotated_at": now} for market_id in market_ids])


def downgrade():
    op.drop_table("self_registrations")
    op.drop_table("market_join_keys")
