"""A row's market is its vendor's: one composite foreign key (migration e9a4c7b2d5f1).

``transactions``, ``daily_rollups`` and ``vendor_qr_months`` name their vendor and its
market; ``(vendor_id, market_id) -> vendors (id, market_id)`` refuses a row whose market
is not its vendor's on both databases and on every write path (the ORM, PostgreSQL's
COPY path, a month loaded on its own and attached); the API answers a clear 409 when a
vendor's market is not the one it read (never a 500); the migration converts a
database both ways without losing a row, months detached to the archive included.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy.exc import IntegrityError

from market40.extensions import db as _db
from market40.models import DailyRollup, Market, Transaction, VendorQrMonth
from market40.partitions import detach_before, ensure_months, forget
from tests.factories import auth
from tests.payments.helpers import count_transactions, local, tx

REVISION, BEFORE = "e9a4c7b2d5f1", "c8f1d3a5e2b7"
TABLES = ("transactions", "daily_rollups", "vendor_qr_months")


def market_id(session, code: str) -> int:
    return session.scalar(sa.select(Market.id).where(Market.code == code))


def keys(table: str) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """The table's foreign keys to vendors and markets: (name, columns, table, columns)."""
    return sorted((k["name"], tuple(k["constrained_columns"]), k["referred_table"],
                   tuple(k["referred_columns"]))
                  for k in sa.inspect(_db.engine).get_foreign_keys(table)
                  if k["referred_table"] in ("vendors", "markets"))


def composite(table: str) -> list[tuple]:
    return [(f"fk_{table}_vendor_id_vendors", ("vendor_id", "market_id"), "vendors",
             ("id", "market_id"))]


def singles(table: str) -> list[tuple]:
    return [(f"fk_{table}_market_id_markets", ("market_id",), "markets", ("id",)),
            (f"fk_{table}_vendor_id_vendors", ("vendor_id",), "vendors", ("id",))]


# -- the rule, on both databases ------------------------------------------------------


def test_a_row_whose_market_is_not_its_vendors_is_refused(db, make_vendor):
    vendor = make_vendor("DAI-TU")
    ensure_months(db.session.connection(), [date(2025, 3, 1)])  # partitions: the month
    db.session.commit()
    other = market_id(db.session, "THAI")
    rows = [
        Transaction(vendor_id=vendor.id, market_id=other, occurred_at=local(2025, 3, 1, 9),
                    amount=10_000, method="cash", kind="sale", source="api", reference="m-1"),
        DailyRollup(vendor_id=vendor.id, day=date(2025, 3, 1), market_id=other),
        VendorQrMonth(vendor_id=vendor.id, month=date(2025, 3, 1), market_id=other,
                      first_day=date(2025, 3, 1), last_day=date(2025, 3, 1)),
    ]
    for row in rows:
        with pytest.raises(IntegrityError, match="(?i)foreign key"), db.session.begin_nested():
            db.session.add(row)
    # With its own market, each is stored.
    for row in rows:
        row.market_id = vendor.market_id
        db.session.add(row)
    db.session.commit()
    # ...and the vendor cannot be moved under its rows (the registry never does).
    with pytest.raises(IntegrityError, match="(?i)foreign key"), db.session.begin_nested():
        db.session.execute(sa.update(type(vendor)).where(type(vendor).id == vendor.id)
                           .values(market_id=other))
    db.session.rollback()


@pytest.fixture
def pg(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("the COPY path and month loads are PostgreSQL's")
    return app


def test_the_copy_path_and_a_month_load_refuse_it_too(pg, db, make_vendor):
    from market40.payments.bulk import copy_transactions, timestamp_writer
    from market40.payments.month_load import MonthLoad
    from tests.payments.test_month_load import MAY, drop_months

    vendor = make_vendor("DAI-TU")
    db.session.commit()
    vendor_id, own, other = vendor.id, vendor.market_id, market_id(db.session, "THAI")
    write = timestamp_writer("postgresql")

    def rows(market: int, moment, prefix: str) -> list[tuple]:
        return [(vendor_id, market, write(moment), 10_000, method, "sale", "api",
                 f"{prefix}-{method}", write(moment)) for method in ("qr", "cash")]

    with pytest.raises(IntegrityError, match="fk_transactions_vendor_id_vendors"):
        copy_transactions(db.session, rows(other, local(2025, 3, 1, 9), "copy"))
    db.session.rollback()
    drop_months(db, MAY)
    try:  # a first load of a month: the ATTACH checks the key, set-based
        connection = db.session.connection()
        load = MonthLoad.begin(connection, MAY)
        load.copy(rows(own, local(2019, 5, 2, 9), "ok")
                  + rows(other, local(2019, 5, 3, 9), "bad")[1:])  # a cash sale
        with pytest.raises(IntegrityError, match="fk_(daily_rollups|transactions)_vendor_id"):
            load.finish()
        db.session.rollback()
    finally:
        drop_months(db, MAY)
    assert count_transactions(db) == 0


# -- the API ---------------------------------------------------------------------------


@contextmanager
def moved_after_lookup(vendor_id: int, to_market: int):
    """The vendor moves to another market right after the request read it (a change made
    outside the app, in the request's own transaction, so it is undone with it)."""
    done = []

    def move(connection, cursor, statement, *_args) -> None:
        if not done and "FROM vendors" in statement and "vendors.market_id" in statement:
            done.append(statement)
            connection.connection.driver_connection.cursor().execute(
                f"UPDATE vendors SET market_id = {int(to_market)} WHERE id = {int(vendor_id)}")

    sa.event.listen(_db.engine, "after_cursor_execute", move)
    try:
        yield done
    finally:
        sa.event.remove(_db.engine, "after_cursor_execute", move)


@pytest.mark.parametrize("path", ["batch", "single"])
def test_a_vendor_whose_market_is_not_the_one_read_is_a_409_and_nothing_is_stored(
        client, db, admin, make_vendor, path):
    vendor, neighbour = make_vendor("DAI-TU"), make_vendor("DAI-TU")
    db.session.commit()
    ids, other = (vendor.id, neighbour.id), market_id(db.session, "THAI")
    items = [tx(vendor.id, f"{path}-1", method="qr"), tx(neighbour.id, f"{path}-2")]

    def post():
        if path == "batch":
            return client.post("/api/v1/transactions/batch", json={"transactions": items},
                               headers=auth(admin))
        return client.post("/api/v1/transactions", json=items[0], headers=auth(admin))

    with moved_after_lookup(vendor.id, other) as moved:
        response = post()
    assert moved, "the request did not read the vendor's market"
    assert response.status_code == 409, response.json
    assert f"vendor {vendor.id} is in THAI now, not in DAI-TU" in response.json["message"]
    assert "nothing was stored" in response.json["message"]
    assert count_transactions(db) == 0
    db.session.expire_all()
    assert {v.market.code for v in map(lambda i: db.session.get(type(vendor), i), ids)} == {
        "DAI-TU"}  # the move was undone with the request
    assert post().status_code == 201  # sent again: stored
    assert count_transactions(db) == (2 if path == "batch" else 1)


# -- the migration, both ways ------------------------------------------------------------


def figures() -> dict[str, list[tuple]]:
    """Every row of the three tables (and of the detached months), in key order."""
    session = _db.session
    result = {}
    for table in TABLES:
        result[table] = [tuple(r) for r in session.execute(sa.text(
            f"SELECT * FROM {table} ORDER BY 1, 2, 3"))]
    for name in detached_months(session):
        result[name] = [tuple(r) for r in session.execute(sa.text(
            f"SELECT * FROM {name} ORDER BY id"))]
    session.rollback()
    return result


def detached_months(session) -> list[str]:
    if session.get_bind().dialect.name != "postgresql":
        return []
    return list(session.execute(sa.text(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ "
        "'^transactions_p[0-9]{4}_[0-9]{2}$' AND c.relnamespace = (SELECT relnamespace "
        "FROM pg_class WHERE oid = 'transactions'::regclass) AND NOT EXISTS "
        "(SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) ORDER BY 1")).scalars())


def test_the_migration_keeps_every_row_both_ways(empty_app):
    from market40.registry.seed import seed_reference
    from market40.simulate.traffic import plan_simulation, simulate_traffic
    from market40.simulate.vendors import seed_market_vendors

    with empty_app.app_context():
        upgrade(revision=BEFORE)
        session = _db.session
        seed_reference(session)
        for code in ("DAI-TU", "THAI"):
            market = session.scalar(sa.select(Market).where(Market.code == code))
            seed_market_vendors(session, market, 8, 40)
        session.commit()
        plan = plan_simulation(session, days=45, until=date(2025, 6, 30), seed=5,
                               markets=["DAI-TU", "THAI"])
        list(simulate_traffic(_db.engine, plan))
        postgresql = _db.engine.dialect.name == "postgresql"
        if postgresql:  # the oldest month goes to the archive: its table keeps its keys
            with _db.engine.begin() as connection:
                assert detach_before(connection, date(2025, 6, 1), date(2025, 6, 30))
                forget(connection)
        session.remove()
        _db.engine.dispose()
        before = figures()
        assert len(before["transactions"]) > 1_000 and before["vendor_qr_months"]
        assert len(before) == (4 if postgresql else 3)
        for table in TABLES:
            assert keys(table) == singles(table)

        upgrade()
        assert figures() == before
        for table in (*TABLES, *detached_months(_db.session)):
            named = "transactions" if table.startswith("transactions") else table
            assert keys(table) == composite(named), table
        _db.session.rollback()
        indexes = {i["name"]: i for i in sa.inspect(_db.engine).get_indexes("vendors")}
        assert indexes["uq_vendors_id_market_id"]["unique"]

        downgrade(revision=BEFORE)
        assert figures() == before
        for table in (*TABLES, *detached_months(_db.session)):
            named = "transactions" if table.startswith("transactions") else table
            assert keys(table) == singles(named), table
        _db.session.rollback()
        upgrade(revision=REVISION)
        assert figures() == before
        stamp(revision="head")


def test_a_row_in_another_market_stops_the_upgrade_before_it_changes_anything(empty_app):
    # The rows are looked for before anything changes, so the message names them.
    from market40.registry.seed import seed_reference
    from market40.simulate.traffic import plan_simulation, simulate_traffic
    from market40.simulate.vendors import seed_market_vendors

    with empty_app.app_context():
        upgrade(revision=BEFORE)
        session = _db.session
        seed_reference(session)
        market = session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
        seed_market_vendors(session, market, 4, 40)
        session.commit()
        plan = plan_simulation(session, days=3, until=date(2025, 6, 30), seed=5,
                               markets=["DAI-TU"])
        list(simulate_traffic(_db.engine, plan))
        wrong = market_id(session, "THAI")
        bad = session.execute(sa.select(Transaction.id, Transaction.vendor_id)
                              .order_by(Transaction.id).limit(1)).one()
        session.execute(sa.update(Transaction).where(Transaction.id == bad.id)
                        .values(market_id=wrong))
        session.commit()
        expected = (f"nothing was changed.*transactions: vendor {bad.vendor_id} with market "
                    f"{wrong}, the vendor's is {market.id}")
        before = figures()  # ends its transaction: the migration waits for no lock of ours
        # Alembic's own call: `flask db upgrade` prints the same message and exits 1.
        config = empty_app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=expected):
            command.upgrade(config, "head")
        session.remove()
        _db.engine.dispose()
        assert _db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == BEFORE
        assert figures() == before
        for table in TABLES:
            assert keys(table) == singles(table)
        indexes = {i["name"] for i in sa.inspect(_db.engine).get_indexes("vendors")}
        assert "uq_vendors_id_market_id" not in indexes
        _db.session.rollback()


@pytest.mark.parametrize("empty_app", ["sqlite"], indirect=True)  # PostgreSQL's DDL is
def test_an_upgrade_failing_midway_on_sqlite_changes_nothing(empty_app):  # transactional
    """migrations/env.py runs SQLite's whole upgrade in one transaction: started two
    revisions back, the first revision (c8f1d3a5e2b7), this one's unique index and its
    first two table rebuilds are all undone when its third rebuild fails (the scratch
    table's name is taken); the version stays where it was, and the next upgrade works.
    An upgrade with nothing to do leaves the connection's foreign keys on."""
    with empty_app.app_context():
        upgrade(revision=f"{BEFORE}-1")
        start = _db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        _db.session.rollback()
        assert start != BEFORE
        with _db.engine.begin() as connection:  # what batch mode would create for the third
            connection.execute(sa.text("CREATE TABLE _alembic_tmp_vendor_qr_months (x INTEGER)"))
        _db.engine.dispose()
        config = empty_app.extensions["migrate"].migrate.get_config()
        with pytest.raises(sa.exc.OperationalError, match="_alembic_tmp_vendor_qr_months"):
            command.upgrade(config, "head")
        _db.engine.dispose()
        assert _db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == start
        for table in TABLES:
            assert keys(table) == singles(table)
        indexes = {i["name"] for i in sa.inspect(_db.engine).get_indexes("vendors")}
        assert "uq_vendors_id_market_id" not in indexes
        _db.session.rollback()
        with _db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE _alembic_tmp_vendor_qr_months"))
        upgrade()
        for table in TABLES:
            assert keys(table) != singles(table)
        _db.session.remove()
        _db.engine.dispose()
        command.upgrade(config, "head")  # nothing to do, on the pool's one connection
        assert _db.engine.pool.checkedin() == 1
        with _db.engine.connect() as connection:  # the one the upgrade used
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
