"""One record's audit history by (entity, entity_id): the desk's vendor pages and the
makers since a vendor's last approval read it without scanning the whole log.

Revision ID: f3a9c2d41e77
Revises: f1c4a8d2b6e9
Create Date: 2026-12-03 07:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a9c2d41e77"
down_revision = "f1c4a8d2b6e9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_entries_entity", "audit_entries", ["entity", "entity_id", "id"])


def downgrade():
    op.drop_index("ix_audit_entries_entity", table_name="audit_entries")
