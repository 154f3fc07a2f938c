"""Migrations are history: they build the models' schema on their own, both ways.

The revisions hold their own DDL and types (no imports of ``market40``), so today's
models cannot rewrite the past; this checks that the chain still arrives at exactly
the models' schema, and that downgrading to nothing and upgrading again works.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from market40.extensions import db

# SQLite cannot reflect the snapshot chain's expression index; PostgreSQL compares it.
pytestmark = pytest.mark.filterwarnings("ignore:.*expression-based index")

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


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
