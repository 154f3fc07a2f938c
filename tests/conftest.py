"""Fixtures: a real app on a real database, per test, built fast.

Every app test runs on SQLite and, when MARKET40_TEST_DATABASE_URL is set, again on that
PostgreSQL database inside a schema of its own that is dropped at the end of the run.

Building an app (about 0.3 s: the OpenAPI document) and seeding the reference data
(about 0.8 s) once per test was most of the suite's time. So each pytest worker builds,
per database, one app, its schema and two templates (empty, and with the reference
data of ``seeds/``) once; each test then starts from a template:

- SQLite: the template file is copied over the worker's database file;
- PostgreSQL: the tables are emptied and the reference rows copied back from a
  template schema (``INSERT ... SELECT``), sequences set past them.

A test gets the reference template when it asks for ``reference`` (directly or through
another fixture), the empty one otherwise. A fixture that seeds a larger data set keeps
it as a template of its own name through ``seeded_once`` (the web tests' ``dashboard``,
the reports' ``scenario``, the reform slice of the geography tests): the first test that
asks for it on each worker and database seeds it, the next ones start from it (seeding
took 80 ms to 0.8 s a test). Whatever a test changes in ``app.config`` and the request
hooks it adds are taken back after it. A test that changes the app otherwise (adds a
route, ...) is marked ``@pytest.mark.own_app`` and gets an app of its own on the same
database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from faker import Faker

from market40 import create_app
from market40.codes.banks import forget_bank_names
from market40.config import TestConfig
from market40.extensions import cache
from market40.extensions import db as _db
from tests import factories
from tests.browser import browser  # noqa: F401 - the session's Chromium (fixture)
from tests.factories import auth  # noqa: F401 - older tests import it from here

PG_URL = os.environ.get("MARKET40_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first. pytest-xdist hands tests to its workers in this order, so with the
    long ones (a browser, or real processes killed mid-run) at the end one worker was still
    busy for most of a minute after the others had finished."""
    def long(item: pytest.Item) -> bool:
        return "browser" in getattr(item, "fixturenames", ()) or bool(
            item.get_closest_marker("slow"))

    items.sort(key=lambda item: not long(item))  # stable: the order stays within each part


def app_config(**overrides: Any) -> dict[str, Any]:
    """``TestConfig`` as a dict, with ``overrides``."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(overrides)
    return config


def database_config(backend: str, directory: Path, schema: str | None) -> dict[str, Any]:
    """The app settings of a test database: a file in ``directory``, or a PG schema."""
    if backend == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'test.sqlite3'}"}
    return {
        "SQLALCHEMY_DATABASE_URI": PG_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        },
    }


class TestDatabase:
    """One worker's database on one backend: its app, schema and templates."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self.schema = f"m40_test_{uuid.uuid4().hex[:10]}" if backend == "postgresql" else None
        # PostgreSQL: a schema per template holding copies of its non-empty tables, and
        # the statements that copy them back.
        self.restore: dict[str, list[str]] = {"empty": []}
        if self.schema:
            with sa.create_engine(PG_URL).begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        self.config = app_config(**database_config(backend, directory, self.schema),
                                  BACKEND=backend)
        self.app = self.new_app()
        self.has_reference = False
        self.loaded = "empty"  # the template the database was last reset to
        # Data sets kept as templates once seeded (``seeded_once``), by name: the local
        # day they hold good for (None: any day) and what their fixture returns, by ids.
        self.seeded: dict[str, tuple[date | None, Any]] = {}
        with self.app.app_context():
            from market40.db import install_database_rules
            from market40.registry.seed import seed_reference

            if backend == "postgresql":
                # Production's schema, by the migrations: transactions partitioned by
                # month, references unique through transaction_references, the rules.
                from flask_migrate import upgrade

                upgrade()
            else:
                _db.create_all()
                install_database_rules(_db.engine)
            self._save("empty")
            seed_reference(_db.session)
            _db.session.commit()
            _db.session.remove()
            self._save("reference")

    def new_app(self) -> Any:
        return create_app(dict(self.config))

    # -- templates -----------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.directory / "test.sqlite3"

    def template_schema(self, name: str) -> str:
        return f"{self.schema}_{name}"

    def _save(self, name: str) -> None:
        """Keep the database as it is now as template ``name`` (inside an app context)."""
        if self.backend == "sqlite":
            _db.engine.dispose()  # the last connection folds the WAL into the file
            shutil.copyfile(self.path, self.directory / f"{name}.sqlite3")
            return
        if name == "empty":
            # DELETE, not TRUNCATE: TRUNCATE gives each table and index a new file, 110 ms
            # a test for these few rows; DELETE takes a few ms. Replica mode skips the
            # triggers (foreign keys, append-only rules), so the order does not matter.
            names = [t.name for t in _db.metadata.sorted_tables] + ["transaction_references"]
            self.empty = [f'DELETE FROM "{name}"' for name in names] + [
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
                "AND n.nspname = current_schema()"]
            return
        template = self.template_schema(name)
        restore = []
        with _db.engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{template}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{template}"'))
            counts = {table: connection.execute(sa.select(sa.func.count()).select_from(table))
                      .scalar_one() for table in _db.metadata.sorted_tables}
            for table in (table for table, n in counts.items() if n):
                copy = f'"{template}"."{table.name}"'
                connection.execute(sa.text(
                    f'CREATE TABLE {copy} AS SELECT * FROM "{self.schema}"."{table.name}"'))
                # named columns: a test that migrates may rebuild a table in another order
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                restore.append(f'INSERT INTO "{table.name}" ({columns}) OVERRIDING SYSTEM VALUE '
                               f'SELECT {columns} FROM {copy}')
                for column in table.primary_key.columns:
                    sequence = connection.execute(sa.text(
                        "SELECT pg_get_serial_sequence(:t, :c)"),
                        {"t": f'"{self.schema}"."{table.name}"', "c": column.name}).scalar()
                    if sequence:
                        restore.append(f"SELECT setval('{sequence}', "
                                       f'(SELECT max("{column.name}") FROM "{table.name}"))')
            if any(table.name == "transactions" and n for table, n in counts.items()):
                # kept by triggers on PostgreSQL, which replica mode skips on the way back
                connection.execute(sa.text(
                    f'CREATE TABLE "{template}"."transaction_references" AS '
                    f'SELECT * FROM "{self.schema}"."transaction_references"'))
                restore.append('INSERT INTO "transaction_references" SELECT * FROM '
                               f'"{template}"."transaction_references"')
        self.restore[name] = restore

    def keep(self, name: str, data: Any, *, daily: bool) -> None:
        """Keep the just-seeded database as template ``name`` (inside an app context),
        with ``data``; ``daily``: it holds good for today (local time) only."""
        from market40.localtime import local_today

        _db.session.remove()
        self._save(name)
        self.seeded[name] = (local_today() if daily else None, data)
        self.loaded = name

    def ready(self, name: str) -> bool:
        """Template ``name`` is kept and still holds good today."""
        from market40.localtime import local_today

        return name in self.seeded and self.seeded[name][0] in (None, local_today())

    def reset(self, app: Any, template: str) -> None:
        """Give ``app``'s database the contents of a template: "empty", "reference" or
        one kept by ``seeded_once``."""
        with app.app_context():
            _db.session.remove()
            if self.backend == "sqlite":
                _db.engine.dispose()  # its file is about to be replaced
            forget_bank_names()  # the shared app caches the bank list; a test may run with none
            # and its figures: the data versions start again from the template's
            cache.clear()
            if self.backend == "sqlite":
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(self.directory / f"{template}.sqlite3", self.path)
            else:
                with _db.engine.begin() as connection:
                    # one round trip (psycopg sends a parameterless script as it is)
                    statements = ["SET LOCAL session_replication_role = replica", *self.empty,
                                  *self.restore[template]]
                    connection.exec_driver_sql(";\n".join(statements))
        self.has_reference = template != "empty"
        self.loaded = template

    def drop(self) -> None:
        with self.app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        if self.schema:
            engine = sa.create_engine(PG_URL)
            with engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
                for name in self.restore:
                    connection.execute(sa.text(
                        f'DROP SCHEMA IF EXISTS "{self.template_schema(name)}" CASCADE'))
            engine.dispose()


def seeded_once(database: TestDatabase, name: str, seed: Callable[[], Any], *,
                daily: bool = False) -> Any:
    """What ``seed()`` returned the first time, for a fixture named ``name``.

    The first test on each worker and database that asks for the fixture runs ``seed``
    (which commits and returns plain data: ids, not ORM objects) and keeps the database as
    template ``name``; the ``app`` fixture starts the next ones from it. ``daily``: the
    data set depends on today's local date, so a new day seeds it again.
    """
    if database.loaded != name:
        database.keep(name, seed(), daily=daily)
    return database.seeded[name][1]


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestDatabase]]:
    """This worker's test databases, built on first use: ``databases[backend]``."""
    built: dict[str, TestDatabase] = {}

    class Lazy(dict):
        def __missing__(self, backend: str) -> TestDatabase:
            built[backend] = self[backend] = TestDatabase(
                backend, tmp_path_factory.mktemp(f"db-{backend}"))
            return built[backend]

    yield Lazy()
    for database in built.values():
        database.drop()


@pytest.fixture(params=BACKENDS)
def test_database(request: pytest.FixtureRequest, databases) -> TestDatabase:
    return databases[request.param]


def settle_limiter(app: Any) -> None:
    """Flask-Limiter keeps one state for every app of the process (``enabled``, storage):
    an app a test made with rate limits on, or counting in Redis, leaves them behind. Take
    them back to ``app``'s, with its own store emptied.

    A Redis store is never ``reset()``: that deletes every rate-limit key on the server,
    another worker's test counting there included (it then saw 401 where 429 was due).
    """
    from limits.storage import MemoryStorage

    from market40.extensions import limiter

    limiter.enabled = app.config.get("RATELIMIT_ENABLED", True)
    storage = getattr(limiter, "_storage", None)
    if storage is None:
        return
    if isinstance(storage, MemoryStorage):
        limiter.reset()
        return
    # The apps of the shared fixtures count in memory. Flask-Limiter has no public way to
    # give an initialised limiter another store (init_app stops at once for a disabled app).
    limiter._storage = MemoryStorage()
    limiter._limiter = type(limiter._limiter)(limiter._storage)
    limiter._storage_dead = False


# Request hooks a test or fixture may add to the shared app; they are taken off after it.
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "url_value_preprocessors", "url_default_functions", "template_context_processors")


@pytest.fixture
def app(request: pytest.FixtureRequest, test_database: TestDatabase, tmp_path: Path):
    database = test_database
    own = request.node.get_closest_marker("own_app") is not None
    app = database.new_app() if own else database.app
    template = next((name for name in request.fixturenames if database.ready(name)), None)
    if template is None:
        template = "reference" if "reference" in request.fixturenames else "empty"
    database.reset(app, template)
    saved = dict(app.config)
    app.config["SNAPSHOT_KEY_DIR"] = str(tmp_path / "snapshot-keys")  # each test its own key
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")  # export job files, per test
    hooks = {name: {key: list(funcs) for key, funcs in getattr(app, name).items()}
             for name in HOOKS}
    app._got_first_request = False  # a fixture may add a request hook, as to a new app
    settle_limiter(app)
    yield app
    from market40.live.hub import stop_hub
    from market40.payments.export_jobs import wait_all

    wait_all()  # export job threads a test started end before the reset

    stop_hub(app)  # its reader thread must not hold the database across the reset
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    app.config.clear()
    app.config.update(saved)
    for name, saved_hooks in hooks.items():
        getattr(app, name).clear()
        getattr(app, name).update(saved_hooks)


@pytest.fixture(params=BACKENDS)
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An app on a database of its own with no tables at all (for migration tests)."""
    schema = f"m40_empty_{uuid.uuid4().hex[:10]}" if request.param == "postgresql" else None
    engine = sa.create_engine(PG_URL) if schema else None
    if engine is not None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    app = create_app(app_config(**database_config(request.param, tmp_path, schema),
                                BACKEND=request.param))
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if engine is not None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


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
def reference(db, test_database):
    """Units, banks and markets from seeds/ (no demo vendors): a copy of the template."""
    if not test_database.has_reference:  # asked for with request.getfixturevalue
        from market40.registry.seed import seed_reference

        seed_reference(db.session)
        db.session.commit()
        test_database.has_reference = True
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
    counter = None

    def make(market_code: str = factories.MARKET, status: str = "approved", **fields: Any):
        nonlocal counter
        if counter is None:  # after the vendors a kept data set already holds
            from market40.models import Vendor

            known = reference.session.scalar(sa.select(sa.func.count(Vendor.id)))
            counter = iter(range(known + 1, 100_000))
        return factories.vendor(reference.session, fake, next(counter), market_code, status,
                                **fields)

    return make


@pytest.fixture
def scenario(db, make_vendor, test_database) -> dict[str, Any]:
    """The hand-built data set of tests/reports/scenario.py (as of 30 June 2024), a
    template seeded once per worker and database."""
    from tests.reports import scenario

    def seed() -> dict[str, Any]:
        return scenario.kept(scenario.build(db.session, make_vendor))

    return scenario.restored(db.session, seeded_once(test_database, "scenario", seed))


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
