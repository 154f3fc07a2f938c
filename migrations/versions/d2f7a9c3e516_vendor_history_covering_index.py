"""vendor_status_history: the per-vendor index also holds ``event``, so "the last QR event
before T" is answered from the index alone (about half the time of a province report).

Revision ID: d2f7a9c3e516
Revises: c4d9e1f27a58
Create Date: 2026-12-03 08:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2f7a9c3e516"
down_revision = "c4d9e1f27a58"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_vendor_status_history_vendor", table_name="vendor_status_history")
    op.create_index("ix_vendor_status_history_vendor", "vendor_status_history",
                    ["vendor_id", "at", "id", "event"])


def downgrade():
    op.drop_index("ix_vendor_status_history_vendor", table_name="vendor_status_history")
    op.create_index("ix_vendor_status_history_vendor", "vendor_status_history",
                    ["vendor_id", "at", "id"])
