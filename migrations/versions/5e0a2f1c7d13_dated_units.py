"""Dated administrative units: the two-tier structure from 1/7/2025.

Communes get a surrogate id and the period they were in force (a code is read with a
date: some were reused); districts get theirs. The 2024 communes of an existing
database end on 2025-06-30; the 92 communes of 1/7/2025 and the former→new mapping
(NQ 1683/NQ-UBTVQH15) are read from ``seeds/communes-2025.csv`` and
``seeds/commune-changes.csv``; each market moves to its new commune and keeps its former
commune and former district. Figures, rollups and snapshots do not change: they are keyed
by market, and snapshot bodies are stored text.

Revision ID: 5e0a2f1c7d13
Revises: e3b7c91a2d40
Create Date: 2026-12-03 07:00:00

"""
import csv
from datetime import date
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0a2f1c7d13'
down_revision = 'e3b7c91a2d40'
branch_labels = None
depends_on = None

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LAST_DAY = date(2025, 6, 30)


def _read(name):
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _communes_table():
    op.create_table('communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('district_code', sa.String(length=3), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_communes_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
    sa.UniqueConstraint('code', 'valid_from', name=op.f('uq_communes_code_valid_from'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_district_code'), ['district_code'], unique=False)
    return sa.table(
        'communes', sa.column('id', sa.Integer), sa.column('code', sa.String),
        sa.column('name', sa.String), sa.column('kind', sa.String),
        sa.column('province_code', sa.String), sa.column('district_code', sa.String),
        sa.column('valid_from', sa.Date), sa.column('valid_to', sa.Date))


def upgrade():
    bind = op.get_bind()
    old_communes = bind.execute(sa.text(
        "SELECT code, name, kind, district_code FROM communes ORDER BY code")).all()
    markets = bind.execute(sa.text("SELECT id, code, commune_code FROM markets")).all()

    with op.batch_alter_table('markets', schema=None) as batch_op:
        batch_op.drop_constraint('fk_markets_commune_code_communes', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_markets_commune_code'))
        batch_op.drop_column('commune_code')
        batch_op.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('former_commune_id', sa.Integer(), nullable=True))
        batch_op.alter_column('district_code', existing_type=sa.String(length=3), nullable=True)
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_district_code'))
    op.drop_table('communes')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))

    communes = _communes_table()
    op.create_table('commune_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('former_id', sa.Integer(), nullable=True),
    sa.Column('former_name', sa.String(length=80), nullable=False),
    sa.Column('former_kind', sa.String(length=20), nullable=False),
    sa.Column('former_province', sa.String(length=40), nullable=False),
    sa.Column('new_id', sa.Integer(), nullable=False),
    sa.Column('whole', sa.Boolean(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['former_id'], ['communes.id'], name=op.f('fk_commune_changes_former_id_communes')),
    sa.ForeignKeyConstraint(['new_id'], ['communes.id'], name=op.f('fk_commune_changes_new_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_changes'))
    )
    with op.batch_alter_table('commune_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_changes_former_id'), ['former_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_changes_new_id'), ['new_id'], unique=False)

    if old_communes:
        # An existing database: date its units and move its markets to the new communes.
        op.execute(sa.text("UPDATE districts SET valid_to = :day").bindparams(day=LAST_DAY))
        op.bulk_insert(communes, [
            {"code": c.code, "name": c.name, "kind": c.kind, "province_code": "19",
             "district_code": c.district_code, "valid_from": None, "valid_to": LAST_DAY}
            for c in old_communes])
        op.bulk_insert(communes, [
            {"code": r["code"], "name": r["name"], "kind": r["kind"],
             "province_code": r["province_code"], "district_code": None,
             "valid_from": date.fromisoformat(r["valid_from"]), "valid_to": None}
            for r in _read("communes-2025.csv")])
        ids = {(code, valid_from is None): id_ for id_, code, valid_from in bind.execute(
            sa.text("SELECT id, code, valid_from FROM communes"))}
        changes = sa.table(
            'commune_changes', sa.column('former_id', sa.Integer),
            sa.column('former_name', sa.String), sa.column('former_kind', sa.String),
            sa.column('former_province', sa.String), sa.column('new_id', sa.Integer),
            sa.column('whole', sa.Boolean), sa.column('effective', sa.Date),
            sa.column('source', sa.String))
        rows = _read("commune-changes.csv")
        op.bulk_insert(changes, [
            {"former_id": ids.get((r["former_code"], True)) if r["former_code"] else None,
             "former_name": r["former_name"], "former_kind": r["former_kind"],
             "former_province": r["former_province"], "new_id": ids[(r["new_code"], False)],
             "whole": r["whole"] == "true", "effective": date.fromisoformat(r["effective"]),
             "source": r["source"]}
            for r in rows])
        # Where a former commune was split, the seeded market says which new commune holds
        # its address; a market the seeds do not know goes to the unit that took the rest
        # (the later clause of the resolution, listed last).
        new_codes = {}
        for r in rows:
            if r["former_code"]:
                new_codes.setdefault(r["former_code"], []).append(r["new_code"])
        seeded = {m["code"]: m for m in _read("markets.csv")}
        for market in markets:
            targets = new_codes.get(market.commune_code)
            if not targets:
                raise RuntimeError(f"market {market.code}: commune {market.commune_code} "
                                   "is not in seeds/commune-changes.csv")
            seed = seeded.get(market.code)
            if seed and seed["former_commune_code"] == market.commune_code:
                new_code = seed["commune_code"]
            else:
                new_code = targets[-1]
            bind.execute(sa.text(
                "UPDATE markets SET commune_id = :new, former_commune_id = :old WHERE id = :id"
            ).bindparams(new=ids[(new_code, False)], old=ids[(market.commune_code, True)],
                         id=market.id))

    with op.batch_alter_table('markets', schema=None) as batch_op:
        batch_op.alter_column('commune_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_markets_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_markets_former_commune_id'), ['former_commune_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_markets_commune_id_communes'), 'communes', ['commune_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_markets_former_commune_id_communes'), 'communes', ['former_commune_id'], ['id'])


def downgrade():
    """Back to one undated structure: the 2024 communes; markets keep their former commune.

    Markets registered in the two-tier structure only (no former commune) cannot go back
    and stop the downgrade.
    """
    bind = op.get_bind()
    orphans = bind.execute(sa.text(
        "SELECT code FROM markets WHERE former_commune_id IS NULL")).scalars().all()
    if orphans:
        raise RuntimeError(f"markets with no 2024 commune cannot be downgraded: {orphans}")
    old_communes = bind.execute(sa.text(
        "SELECT code, name, kind, district_code FROM communes WHERE valid_from IS NULL "
        "ORDER BY code")).all()
    markets = bind.execute(sa.text(
        "SELECT m.id, c.code FROM markets m JOIN communes c ON c.id = m.former_commune_id")).all()

    with op.batch_alter_table('markets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_markets_former_commune_id_communes'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_markets_commune_id_communes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_markets_former_commune_id'))
        batch_op.drop_index(batch_op.f('ix_markets_commune_id'))
        batch_op.drop_column('former_commune_id')
        batch_op.drop_column('commune_id')
        batch_op.add_column(sa.Column('commune_code', sa.String(length=5), nullable=True))
    with op.batch_alter_table('commune_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_changes_new_id'))
        batch_op.drop_index(batch_op.f('ix_commune_changes_former_id'))
    op.drop_table('commune_changes')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_district_code'))
        batch_op.drop_index(batch_op.f('ix_communes_code'))
    op.drop_table('communes')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')

    op.create_table('communes',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('district_code', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_communes_district_code_districts')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_communes'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_district_code'), ['district_code'], unique=False)
    communes = sa.table('communes', sa.column('code', sa.String), sa.column('name', sa.String),
                        sa.column('kind', sa.String), sa.column('district_code', sa.String))
    if old_communes:
        op.bulk_insert(communes, [dict(c._mapping) for c in old_communes])
    for market_id, code in markets:
        bind.execute(sa.text("UPDATE markets SET commune_code = :code WHERE id = :id")
                     .bindparams(code=code, id=market_id))
    with op.batch_alter_table('markets', schema=None) as batch_op:
        batch_op.alter_column('commune_code', existing_type=sa.String(length=5), nullable=False)
        batch_op.alter_column('district_code', existing_type=sa.String(length=3), nullable=False)
        batch_op.create_index(batch_op.f('ix_markets_commune_code'), ['commune_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_markets_commune_code_communes'), 'communes', ['commune_code'], ['code'])
