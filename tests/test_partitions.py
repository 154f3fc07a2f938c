"""PostgreSQL's monthly partitions of ``transactions`` and ``daily_rollups`` (migrations
b5c8e2f4a913 and c8f1d3a5e2b7, ``partitions``).

An existing database is converted without losing a row and converted back; months are
made ahead and on demand; references stay unique across months; detaching old months
leaves every report figure as it was. SQLite has nothing to partition.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from market40.errors import Conflict
from market40.extensions import db
from market40.models import (
    DailyRollup,
    Market,
    MarketDailyRollup,
    PaymentEvent,
    Transaction,
    VendorQrMonth,
)
from market40.partitions import (
    forget,
    is_partitioned,
    partition_name,
    partitions,
    rollups_partitioned,
)
from market40.payments.bulk import copy_transactions, timestamp_writer
from market40.payments.rules import TransactionIn
from market40.rollups import reconcile
from tests.payments.helpers import local
from tests.planner import column_statistics, forget_statistics

BEFORE = "d2f7a9c3e516"  # the revision before the partitioning
FIGURES = ("SELECT count(*), sum(amount), sum(id), count(DISTINCT reference), "
           "sum(vendor_id), min(occurred_at), max(occurred_at) FROM transactions")


@pytest.fixture
def pg_app(empty_app):
    if empty_app.config["BACKEND"] != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    return empty_app


def fresh_connections() -> None:
    """The layout changed under the pool: forget every connection's cache."""
    db.session.remove()
    db.engine.dispose()


def build_before(app) -> dict:
    """A database at the revision before, with a market's vendors and 3 months of traffic,
    a payment event and a resolved unmatched notification pointing at transactions."""
    from market40.auth import create_user
    from market40.registry.seed import seed_reference
    from market40.simulate.traffic import plan_simulation, simulate_traffic
    from market40.simulate.vendors import seed_market_vendors

    upgrade(revision=BEFORE)
    session = db.session
    seed_reference(session)
    market = session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
    seed_market_vendors(session, market, 12, 40)
    create_user(session, "partition-admin", "admin", ())
    session.commit()
    plan = plan_simulation(session, days=62, until=date(2025, 6, 30), seed=7,
                           markets=["DAI-TU"])
    list(simulate_traffic(db.engine, plan))
    first = session.scalar(sa.select(Transaction).where(Transaction.method == "qr")
                           .order_by(Transaction.id).limit(1))
    session.add(PaymentEvent(vendor_id=first.vendor_id, transaction_id=first.id,
                             amount=first.amount, occurred_at=first.occurred_at,
                             reference=first.reference, announcement="Đã nhận"))
    session.execute(sa.text(
        "INSERT INTO unmatched_notifications (received_at, last_received_at, attempts, "
        "reference, reason, body, resolved_at, transaction_id) VALUES (now(), now(), 2, "
        "'bank:X1', 'vendor not approved yet', '{}', now(), :id)"), {"id": first.id})
    session.commit()
    return figures()


def figures() -> dict:
    session = db.session
    result = {"transactions": tuple(session.execute(sa.text(FIGURES)).one())}
    for model in (DailyRollup, MarketDailyRollup, VendorQrMonth):
        table = model.__table__
        result[table.name] = [tuple(r) for r in session.execute(
            sa.select(*table.columns).order_by(*table.primary_key.columns))]
    session.rollback()
    return result


def report() -> dict:
    from market40.reports import adoption_report, resolve_scope

    session = db.session
    scope = resolve_scope(session, "market", "DAI-TU")
    figures = {window: adoption_report(session, scope, date(2025, 6, 30), window).metrics()
               for window in (30, 90)}
    session.rollback()
    return figures


def rollup_months() -> list[str]:
    """The partitions attached to ``daily_rollups`` (migration c8f1d3a5e2b7), by name."""
    names = db.session.execute(sa.text(
        "SELECT inhrelid::regclass::text FROM pg_inherits "
        "WHERE inhparent = to_regclass('daily_rollups') ORDER BY 1")).scalars().all()
    db.session.rollback()
    return list(names)


def row(vendor_id: int, market_id: int, moment, reference: str) -> tuple:
    write = timestamp_writer("postgresql")
    return (vendor_id, market_id, write(moment), 20_000, "qr", "sale", "api", reference,
            write(moment))


def test_the_migration_converts_a_database_without_losing_a_row(pg_app):
    with pg_app.app_context():
        before = build_before(pg_app)
        assert before["transactions"][0] > 1_000
        upgrade()
        fresh_connections()
        connection = db.session.connection()
        assert is_partitioned(connection)
        months = [p.month for p in partitions(connection)]
        assert months[0] == date(2025, 4, 1)  # the oldest row's local month
        assert all(p.attached for p in partitions(connection))
        # daily_rollups by the same months (every rollup row in its day's month)
        assert rollups_partitioned(connection)
        assert rollup_months() == [p.name.replace("transactions", "daily_rollups")
                                   for p in partitions(db.session.connection())]
        db.session.rollback()
        assert figures() == before  # every row, id, amount and rollup as it was
        assert list(reconcile(db.session, None)) == []
        db.session.rollback()
        # Each month's rows are in its own partition.
        april = db.session.scalar(sa.text(
            f"SELECT count(*) FROM {partition_name(date(2025, 4, 1))}"))
        assert 0 < april < before["transactions"][0]
        db.session.rollback()

        downgrade(revision=BEFORE)
        fresh_connections()
        assert not is_partitioned(db.session.connection())
        assert not rollups_partitioned(db.session.connection()) and rollup_months() == []
        assert figures() == before
        constraints = {c["name"] for c in sa.inspect(db.engine).get_unique_constraints(
            "transactions")}
        assert "uq_transactions_reference" in constraints
        foreign = {f["name"] for f in sa.inspect(db.engine).get_foreign_keys("payment_events")}
        assert "fk_payment_events_transaction_id_transactions" in foreign
        upgrade()
        fresh_connections()
        assert figures() == before


def test_references_stay_unique_across_months_and_new_months_are_made(pg_app):
    from market40.payments.record import store_transaction

    with pg_app.app_context():
        build_before(pg_app)
        upgrade()
        fresh_connections()
        session = db.session
        stored = session.scalar(sa.select(Transaction).order_by(Transaction.id).limit(1))
        vendor_id, market_id, reference = stored.vendor_id, stored.market_id, stored.reference
        session.rollback()
        # The same reference in another month: a per-partition index could not see it.
        with pytest.raises(IntegrityError):
            copy_transactions(session, [row(vendor_id, market_id, local(2025, 6, 20, 9),
                                            reference)])
        session.rollback()
        # A back-dated payment in a month without a partition: the month is made.
        market = session.get(Market, market_id)
        item = TransactionIn(vendor_id=vendor_id, amount=15_000, method="cash", kind="sale",
                             occurred_at=local(2023, 2, 10, 8), reference="late-2023")
        assert store_transaction(session, item, market=market, source="api").created
        session.commit()
        assert date(2023, 2, 1) in [p.month for p in partitions(session.connection())]
        # COPY into a month with no partition yet (2030) creates it too.
        copy_transactions(session, [row(vendor_id, market_id, local(2030, 1, 1, 0, 5), "y30")])
        session.commit()
        assert session.scalar(sa.text(
            f"SELECT count(*) FROM {partition_name(date(2030, 1, 1))}")) == 1
        assert list(reconcile(session, None)) == []
        session.rollback()
        downgrade(revision=BEFORE)  # the rows written since come back too
        fresh_connections()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction).where(
            Transaction.reference.in_(["late-2023", "y30"]))) == 2


def test_create_ahead_and_detach_keep_the_reports(pg_app):
    from market40.payments.record import store_transaction

    with pg_app.app_context():
        build_before(pg_app)
        upgrade()
        fresh_connections()
        runner = pg_app.test_cli_runner()
        before, figures_before = report(), figures()
        old = db.session.scalar(sa.select(Transaction).where(
            Transaction.occurred_at < local(2025, 5, 1)).limit(1))
        old_item = TransactionIn(vendor_id=old.vendor_id, amount=old.amount, method=old.method,
                                 kind=old.kind, occurred_at=old.occurred_at,
                                 reference=old.reference)
        market = old.market
        db.session.rollback()

        result = runner.invoke(args=["partitions", "create-ahead", "--months", "30"])
        assert result.exit_code == 0, result.output
        assert "Created" in result.output
        again = runner.invoke(args=["partitions", "create-ahead", "--months", "30"])
        assert "Created 0 partition(s)" in again.output
        made = [p.name.replace("transactions", "daily_rollups")
                for p in partitions(db.session.connection())]
        assert rollup_months() == made  # each month made for the rollups too

        result = runner.invoke(args=["partitions", "detach", "--before", "2025-06"])
        assert result.exit_code == 0, result.output
        assert "transactions_p2025_04" in result.output and "transactions_p2025_05" in result.output
        fresh_connections()
        assert report() == before  # rollups keep their figures
        after = figures()
        assert {k: v for k, v in after.items() if k != "transactions"} == {
            k: v for k, v in figures_before.items() if k != "transactions"}
        assert after["transactions"][0] < figures_before["transactions"][0]
        assert rollup_months() == made  # the rollups of archived months stay attached
        listing = runner.invoke(args=["partitions", "list"]).output
        assert "transactions_p2025_04  detached" in listing
        assert "transactions_p2025_06  attached" in listing
        # A replay of an archived payment is refused (409), never stored twice.
        with pytest.raises(Conflict, match="archive"):
            store_transaction(db.session, old_item, market=market, source="api")
        db.session.rollback()
        future = runner.invoke(args=["partitions", "detach", "--before", "2099-01"])
        assert future.exit_code == 1 and "before" in future.output
        downgrade(revision=BEFORE)  # archived months come back into the one table
        fresh_connections()
        assert figures() == figures_before


def test_archived_months_keep_their_rollups_through_a_rebuild(pg_app):
    """Their payments are detached: a rebuild keeps their rollups (nothing to recompute them
    from) and reconcile leaves them out instead of reporting them as differences."""
    with pg_app.app_context():
        build_before(pg_app)
        upgrade()
        fresh_connections()
        runner = pg_app.test_cli_runner()
        before = report()
        kept = {k: v for k, v in figures().items() if k != "transactions"}
        detached = runner.invoke(args=["partitions", "detach", "--before", "2025-06"])
        assert detached.exit_code == 0, detached.output
        fresh_connections()
        checked = runner.invoke(args=["rollups", "reconcile"])
        assert checked.exit_code == 0, checked.output
        assert "Not compared: the archived months 2025-04..2025-05" in checked.output
        for args in (["rollups", "rebuild"], ["rollups", "rebuild", "--from", "2025-05-20"]):
            rebuilt = runner.invoke(args=args)
            assert rebuilt.exit_code == 0, rebuilt.output
            assert "the rollups of the archived months 2025-04..2025-05" in rebuilt.output
            assert report() == before
            assert {k: v for k, v in figures().items() if k != "transactions"} == kept
        assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0
        # Dumped (pg_dump -t) and dropped: the months are still archived, not empty.
        db.session.execute(sa.text("DROP TABLE transactions_p2025_04, transactions_p2025_05"))
        db.session.commit()
        fresh_connections()
        rebuilt = runner.invoke(args=["rollups", "rebuild"])
        assert "the rollups of the archived months 2025-04..2025-05" in rebuilt.output
        assert report() == before
        assert {k: v for k, v in figures().items() if k != "transactions"} == kept
        assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0


def test_create_ahead_gives_the_planner_the_whole_tables(pg_app):
    """Autovacuum never analyzes a partitioned table's parent: the daily run does."""
    with pg_app.app_context():
        build_before(pg_app)
        upgrade()
        fresh_connections()
        runner = pg_app.test_cli_runner()

        def statistics(table: str) -> int:
            return column_statistics(db.session, table)

        # The migration analyzed what it copied; forget it, as months of writes would.
        forget_statistics(db.session, ["transactions", "daily_rollups"])
        db.session.commit()
        assert statistics("transactions") == statistics("daily_rollups") == 0
        result = runner.invoke(args=["partitions", "create-ahead", "--no-analyze"])
        assert result.exit_code == 0 and "Statistics" not in result.output, result.output
        assert statistics("transactions") == 0
        db.session.rollback()
        result = runner.invoke(args=["partitions", "create-ahead"])
        assert result.exit_code == 0, result.output
        assert "Statistics refreshed: transactions, daily_rollups." in result.output
        for table in ("transactions", "daily_rollups"):
            assert statistics(table) > 0, table
        db.session.rollback()


def test_sqlite_has_no_partitions(app, runner):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite's answer")
    with app.app_context():
        forget(db.session.connection())
        assert not is_partitioned(db.session.connection())
        for args in (["partitions", "list"], ["partitions", "create-ahead"],
                     ["partitions", "detach", "--before", "2025-01"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0 and "no partitions" in result.output, result.output


def test_a_batch_on_partitions_knows_stored_references_and_announces_new_sales(pg_app):
    from market40.errors import InvalidInput
    from market40.models import User
    from market40.payments.batch import record_batch

    with pg_app.app_context():
        build_before(pg_app)
        upgrade()
        fresh_connections()
        session = db.session
        admin = session.scalar(sa.select(User).where(User.name == "partition-admin"))
        stored = session.scalar(sa.select(Transaction).where(Transaction.method == "qr")
                                .order_by(Transaction.id.desc()).limit(1))
        vendor_id = stored.vendor_id  # a vendor with QR payments in June 2025

        def item(reference: str, amount: int, moment) -> dict:
            return {"vendor_id": vendor_id, "amount": amount, "method": "qr", "kind": "sale",
                    "occurred_at": moment.isoformat(), "reference": reference}

        events = session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent))
        first = item("p-new-1", 31_000, local(2025, 6, 29, 9))
        assert record_batch(session, admin, [first]).stored == 1
        session.commit()
        result = record_batch(session, admin, [first, item("p-new-2", 12_000,
                                                           local(2025, 5, 2, 7))])
        session.commit()
        assert (result.stored, [k["reference"] for k in result.known]) == (1, ["p-new-1"])
        assert session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)) == events + 2
        with pytest.raises(InvalidInput) as refused:
            record_batch(session, admin, [{**first, "amount": 31_001}])
        assert "Already stored" in str(refused.value.errors)
        session.rollback()
        assert list(reconcile(session, None)) == []


def test_local_months_of_instants_at_the_month_edges():
    """``local_months`` (what ``ensure_for`` creates) reads each instant in local time,
    Asia/Ho_Chi_Minh, whatever offset it was sent with, to the microsecond."""
    from datetime import UTC, datetime, timedelta, timezone

    from market40.partitions import local_months

    last = datetime(2025, 3, 31, 17, 0, tzinfo=UTC)  # 1 April 00:00 local
    assert local_months([last - timedelta(microseconds=1)]) == {date(2025, 3, 1)}
    assert local_months([last]) == {date(2025, 4, 1)}
    odd = timezone(timedelta(hours=5, minutes=45))  # a quarter-hour offset (Nepal)
    assert local_months([last.astimezone(odd) - timedelta(seconds=1),
                         last.astimezone(odd)]) == {date(2025, 3, 1), date(2025, 4, 1)}
    assert local_months(datetime(2025, m, 15, tzinfo=UTC) for m in (1, 1, 6, 12)) == {
        date(2025, 1, 1), date(2025, 6, 1), date(2025, 12, 1)}
