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
    from market40.auth import create_user, issue_token

    counter = iter(range(1, 10_000))

    def make(role: str, markets: tuple[str, ...] = (), name: str | None = None,
             vendor_id: int | None = None):
        user = create_user(db.session, name or f"{role}-{next(counter)}", role, markets,
                           vendor_id)
        token = issue_token(db.session, user)
        db.session.commit()
        return user, token

    return make


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_vendor(reference, fake):
    """``make_vendor(market_code="DAI-TU", status="approved", **fields) -> Vendor``.

    Writes the row directly (no workflow, no audit), for tests of what comes after
    the registry: payments, rollups, reports. Approved vendors with an account get
    ``approved_at``/``qr_issued_at`` = ``created_at`` unless given.
    """
    from market40.models import Market, Vendor, utcnow

    db = reference
    counter = iter(range(1, 100_000))

    def make(market_code: str = "DAI-TU", status: str = "approved", **fields: Any) -> Vendor:
        market = db.session.scalar(sa.select(Market).where(Market.code == market_code))
        n = next(counter)
        now = fields.pop("created_at", None) or utcnow()
        values: dict[str, Any] = {
            "market": market,
            "stall_code": f"T{n:04d}",
            "display_name": f"{fake.last_name()} {fake.first_name()}",
            "owner_name": fake.name(),
            "phone": "09" + f"{fake.random_number(digits=8, fix_len=True)}",
            "national_id": f"{fake.random_number(digits=12, fix_len=True)}",
            "goods_category": "rau củ quả",
            "bank_bin": "970436",
            "account_number": f"{1_000_000_000 + n}",
            "account_holder": "NGUYEN VAN A",
            "status": status,
            "created_at": now,
        }
        values.update(fields)
        if status == "approved" and values.get("account_number"):
            values.setdefault("approved_at", now)
            values.setdefault("qr_issued_at", now)
        vendor = Vendor(**values)
        db.session.add(vendor)
        db.session.commit()
        return vendor

    return make
