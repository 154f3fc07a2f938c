"""Migrations are history: they build the models' schema on their own, both ways.

The revisions hold their own DDL and types (no imports of ``market40``), so today's
models cannot rewrite the past; this checks that the chain still arrives at exactly
the models' schema, and that downgrading to nothing and upgrading again works.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, stamp, upgrade

from market40.extensions import db

# SQLite cannot reflect the snapshot chain's expression index; PostgreSQL compares it.
pytestmark = pytest.mark.filterwarnings("ignore:.*expression-based index")

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


# PostgreSQL's monthly partitions of transactions (migration b5c8e2f4a913) and of
# daily_rollups (c8f1d3a5e2b7) are physical layout the models do not describe: the
# partitions themselves, the table keeping references unique across them (instead of
# uq_transactions_reference, which cannot exist without the partition key), the
# per-partition reference index, and the two foreign keys that pointed at
# transactions.id alone (see b5c8e2f4a913).
PARTITION_LAYOUT = re.compile(
    r"^(transactions_p\d{4}_\d{2}|daily_rollups_p\d{4}_\d{2}|transaction_references)$")
PARTITION_DIFFERENCES = {
    ("add_constraint", "uq_transactions_reference"),
    ("remove_index", "ix_transactions_reference"),
    ("add_fk", "fk_payment_events_transaction_id_transactions"),
    ("add_fk", "fk_unmatched_notifications_transaction_id_transactions"),
}


def _layout(name, type_, parent_names) -> bool:
    if type_ == "table" and name and PARTITION_LAYOUT.match(name):
        return False
    return not (parent_names or {}).get("table_name", "") or not PARTITION_LAYOUT.match(
        parent_names["table_name"])


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _layout})
        differences = compare_metadata(context, db.metadata)
    if db.engine.dialect.name != "postgresql":
        return differences
    return [d for d in differences
            if not (isinstance(d, tuple) and (d[0], getattr(d[1], "name", None))
                    in PARTITION_DIFFERENCES)]


def test_upgrade_downgrade_upgrade_gives_the_models_schema(empty_app):
    with empty_app.app_context():
        upgrade()
        assert schema_differences() == [], "models and migrations differ"
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert schema_differences() == [], "models and migrations differ after a round trip"


def test_snapshots_are_immutable_after_the_migrations(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO snapshots (id, ruleset, ruleset_sha256, as_of, created_at, body,"
                " sha256, prev_sha256, certified) VALUES (1, 'tn-2022', :h, '2024-06-30',"
                " '2024-07-01 00:00:00', '{}', :h, NULL, 0)"), {"h": "0" * 64})
        for statement in ("UPDATE snapshots SET ruleset = 'x'", "DELETE FROM snapshots"):
            try:
                with db.engine.begin() as connection:
                    connection.execute(sa.text(statement))
            except sa.exc.DBAPIError as error:
                assert "immutable" in str(error)
            else:
                raise AssertionError(f"{statement} was allowed")


def test_revisions_import_nothing_of_the_app():
    for path in VERSIONS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "market40" for n in names), \
                f"{path.name} imports {names}: a revision must hold its own DDL and types"


def test_dated_units_convert_an_existing_database(app, db, make_vendor):
    """A database of the undated schema (markets in 2024 communes) moves to dated units.

    It is reached by downgrading a seeded one, then upgraded again: every market lands in
    its seeded new commune and keeps its former commune and district; a snapshot taken
    before verifies unchanged, and a report by former district for 2025-06-30 is the same.
    """
    from datetime import date

    from market40.audit import create_snapshot, verify_snapshot
    from market40.models import Market, Snapshot
    from market40.registry.seed import read_csv
    from market40.reports import adoption_report, resolve_scope
    from tests.reports import scenario

    session = db.session
    scenario.build(session, make_vendor)
    snapshot = create_snapshot(session, "tn-2022", date(2024, 6, 30), None)
    session.commit()
    snapshot_id = snapshot.id
    day = date(2025, 6, 30)
    before = adoption_report(session, resolve_scope(session, "district", "171"), day).metrics()
    session.close()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(sa.text(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('5e0a2f1c7d13')"))
    # Only this revision steps down and up again: the later ones stay applied (the schema
    # was made by create_all at the head), so their data (e.g. snapshot signatures) stays.
    downgrade(revision="-1")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("markets")}
    assert "commune_code" in columns and "commune_id" not in columns
    with db.engine.connect() as connection:
        assert connection.execute(sa.text(
            "SELECT commune_code FROM markets WHERE code = 'DAI-TU'")).scalar() == "05761"
    upgrade(revision="5e0a2f1c7d13")
    stamp(revision="head")

    seeded = {r["code"]: r for r in read_csv("markets.csv")}
    markets = session.scalars(sa.select(Market)).all()
    assert len(markets) == 140
    for market in markets:
        row = seeded[market.code]
        assert (market.commune_code, market.former_commune_code, market.district_code) == (
            row["commune_code"], row["former_commune_code"], row["district_code"]), market.code
        assert market.commune.valid_from == date(2025, 7, 1)
        assert market.former_commune.valid_to == day
    verification = verify_snapshot(session, snapshot_id)
    assert verification.hash_ok and verification.chain_ok and verification.changes == ()
    assert session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 1
    after = adoption_report(session, resolve_scope(session, "district", "171"), day).metrics()
    assert after == before
    # Seeding the converted database again finds every unit, mapping row and market in place.
    from market40.registry.seed import seed_reference

    counts = seed_reference(session)
    assert {name: (c.inserted, c.updated) for name, c in counts.items()} == {
        "units": (0, 0), "banks": (0, 0), "markets": (0, 0)}
