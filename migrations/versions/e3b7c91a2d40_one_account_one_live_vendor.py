"""One bank account, one live vendor: a partial unique index on (bank_bin, account_number).

A second live vendor holding the same account makes bank notifications ambiguous, and
takes the first one's credits when the first is reverted. The index makes a race
between two registrations fail in the database too. Existing duplicates stop the
upgrade with the vendor ids to resolve (reject or close one of each pair): choosing
which vendor keeps the account is a registry decision, not a migration's.

Revision ID: e3b7c91a2d40
Revises: d6e1a5c0f4b2
Create Date: 2026-12-03 07:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b7c91a2d40"
down_revision = "d6e1a5c0f4b2"
branch_labels = None
depends_on = None

LIVE = "status NOT IN ('rejected', 'closed')"


def upgrade():
    duplicates = op.get_bind().execute(sa.text(
        f"SELECT bank_bin, min(id), max(id), count(*) FROM vendors "
        f"WHERE {LIVE} AND bank_bin IS NOT NULL AND account_number IS NOT NULL "
        f"GROUP BY bank_bin, account_number HAVING count(*) > 1")).all()
    if duplicates:
        pairs = "; ".join(f"bank {b}: vendors {lo} and {hi} ({n} in all)"
                          for b, lo, hi, n in duplicates[:20])
        raise RuntimeError(
            f"{len(duplicates)} bank account(s) are held by several live vendors ({pairs}). "
            "Reject or close the wrong vendor of each, then upgrade again.")
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.create_index("uq_vendors_bank_account_live", ["bank_bin", "account_number"],
                              unique=True, sqlite_where=sa.text(LIVE),
                              postgresql_where=sa.text(LIVE))


def downgrade():
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_index("uq_vendors_bank_account_live", sqlite_where=sa.text(LIVE),
                            postgresql_where=sa.text(LIVE))
