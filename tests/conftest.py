"""Fixtures: a real app on a real database, per test.

Every app test runs on SQLite (a fresh file per test) and, when
MARKET40_TEST_DATABASE_URL is set, again on that PostgreSQL database inside a
schema of its own that is dropped at the end of the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from faker import Faker

from market40 import create_app
from market40.config import TestConfig
from market40.extensions import db as _db
from tests import factories
from tests.factories import auth  # noqa: F401 - older tests import it from here

PG_URL = os.environ.get("MARKET40_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """A throwaway schema on the PostgreSQL test database, dropped after the session."""
    if not PG_URL:
        yield None
        return
    name = f"m40_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def database_config(backend: str, tmp_path: Any, pg_schema: str | None) -> dict[str, Any]:
    if backend == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}"}
    return {
        "SQLALCHEMY_DATABASE_URI": PG_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={pg_schema}"},
        },
    }


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Any, pg_schema: str | None):
    backend = request.param
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(database_config(backend, tmp_path, pg_schema))
    app = create_app(config)
    app.config["BACKEND"] = backend
    with app.app_context():
        _db.create_all()
        from market40.db import install_database_rules

        install_database_rules(_db.engine)
    yield app
    with app.app_context():
        _db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fake() -> Faker:
    faker = Faker("vi_VN")
    faker.seed_instance(4040)
    return faker


@pytest.fixture
def reference(db):
    """Units, banks and markets from seeds/ (no demo vendors)."""
    from market40.registry.seed import seed_reference

    seed_reference(db.session)
    db.session.commit()
    return db


@pytest.fixture
def make_user(db) -> Callable[..., tuple[Any, str]]:
    """``make_user(role, markets=(), name=None, vendor_id=None) -> (user, token)``."""
    counter = iter(range(1, 10_000))

    def make(role: str, markets: tuple[str, ...] = (), name: str | None = None,
             vendor_id: int | None = None):
        return factories.user(db.session, role, markets, name or f"{role}-{next(counter)}",
                              vendor_id)

    return make


@pytest.fixture
def make_vendor(reference, fake) -> Callable[..., Any]:
    """``make_vendor(market_code="DAI-TU", status="approved", **fields) -> Vendor``.

    Writes the row directly (no workflow, no audit), for tests of what comes after
    the registry: payments, rollups, reports (see ``tests.factories.vendor``).
    """
    counter = iter(range(1, 100_000))

    def make(market_code: str = factories.MARKET, status: str = "approved", **fields: Any):
        return factories.vendor(reference.session, fake, next(counter), market_code, status,
                                **fields)

    return make


# --- one fixture per role: each gives the bearer token of a user of that role ---------------
# Names are fixed, so tests may assert on them (audit actors, made_by, checked_by).

@pytest.fixture
def admin(reference, make_user) -> str:
    return make_user("admin", name="admin")[1]


@pytest.fixture
def department(reference, make_user) -> str:
    """Sở (the provincial department): reads everything, makes snapshots."""
    return make_user("department", name="so-tttt")[1]


@pytest.fixture
def auditor(reference, make_user) -> str:
    return make_user("auditor", name="kiem-toan-vien")[1]


@pytest.fixture
def board(reference, make_user) -> str:
    """A board user of DAI-TU (the market most tests use)."""
    return make_user("board", markets=(factories.MARKET,), name="bq-daitu")[1]


@pytest.fixture
def maker(reference, make_user) -> str:
    """A DAI-TU board user who makes (registers, submits) vendors."""
    return make_user("board", markets=(factories.MARKET,), name="maker")[1]


@pytest.fixture
def checker(reference, make_user) -> str:
    """A second DAI-TU board user, who may check what the maker made."""
    return make_user("board", markets=(factories.MARKET,), name="checker")[1]
