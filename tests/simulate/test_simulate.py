"""``flask simulate``: realistic, deterministic, idempotent, consistent with rollups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from market40.localtime import local_day
from market40.models import DailyRollup, MarketDailyRollup, Transaction, VendorQrMonth
from market40.simulate.seasons import TET, day_factors
from tests.payments.helpers import local
from tests.planner import column_statistics, forget_statistics

MARCH = ["simulate", "--days", "31", "--until", "2025-03-31", "--seed", "7"]


@pytest.fixture
def stalls(make_vendor):
    """Approved vendors in two launched markets and one not launched, plus some that
    must not trade."""
    since = local(2024, 6, 1, 8)
    made = {
        "veg": [make_vendor("DAI-TU", created_at=since, goods_category="rau củ quả")
                for _ in range(4)],
        "meat": [make_vendor("THAI", created_at=since, goods_category="thịt")
                 for _ in range(3)],
        "cash_only_market": [make_vendor("DONG-BAM", created_at=since) for _ in range(2)],
        "no_account": [make_vendor("DAI-TU", created_at=since, bank_bin=None,
                                   account_number=None, account_holder=None)],
        # QR issued in the middle of March
        "late_qr": [make_vendor("DAI-TU", created_at=since,
                                qr_issued_at=local(2025, 3, 15, 12))],
        "draft": [make_vendor("DAI-TU", status="draft", created_at=since)],
        "approved_later": [make_vendor("DAI-TU", created_at=local(2025, 6, 1, 8))],
    }
    return made


def rows(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(Transaction.reference, Transaction.vendor_id, Transaction.amount,
                  Transaction.method, Transaction.kind, Transaction.occurred_at)
        .order_by(Transaction.reference)).all()


def simulate(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def test_simulate_writes_realistic_rows_and_their_rollups(runner, db, stalls):
    result = simulate(runner, *MARCH)
    assert "Simulating 2025-03-01 .. 2025-03-31" in result.output
    stored = rows(db)
    assert len(stored) > 300
    by_vendor = {}
    for row in stored:
        by_vendor.setdefault(row.vendor_id, []).append(row)
    assert {v.id for v in stalls["draft"] + stalls["approved_later"]}.isdisjoint(by_vendor)
    for vendor in stalls["veg"] + stalls["meat"]:
        sales = [r for r in by_vendor[vendor.id] if r.kind == "sale"]
        low, high = (3_000, 20_000) if vendor in stalls["veg"] else (50_000, 200_000)
        assert all(low <= r.amount <= high for r in sales)
        assert len([r for r in by_vendor[vendor.id] if r.kind == "fee"]) == 3  # one month
    assert all(r.reference.startswith("sim-202503") for r in stored)
    assert all(date(2025, 3, 1) <= local_day(r.occurred_at) <= date(2025, 3, 31)
               for r in stored)
    # the morning market: most sales between 5 and 11 local time
    hours = [r.occurred_at.astimezone(local(2025, 1, 1).tzinfo).hour for r in stored]
    assert sum(5 <= h < 11 for h in hours) / len(hours) > 0.55
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0
    total = db.session.scalar(sa.select(sa.func.sum(DailyRollup.cash_sales_count
                                                    + DailyRollup.qr_sales_count
                                                    + DailyRollup.cash_fees_count
                                                    + DailyRollup.qr_fees_count)))
    assert total == len(stored)
    assert f"Wrote {len(stored):,} transactions" in result.output


def test_qr_only_where_the_vendor_has_a_qr_and_the_market_launched(runner, db, stalls):
    simulate(runner, *MARCH)
    stored = rows(db)
    qr = [r for r in stored if r.method == "qr" and r.kind == "sale"]
    assert qr, "launched markets with QR vendors see QR sales"
    cash_only = {v.id for v in stalls["cash_only_market"] + stalls["no_account"]}
    assert not [r for r in stored if r.vendor_id in cash_only and r.method == "qr"]
    late = stalls["late_qr"][0]
    assert all(r.occurred_at >= local(2025, 3, 15, 12) for r in qr if r.vendor_id == late.id)
    share = len(qr) / len([r for r in stored if r.kind == "sale"])
    assert 0.05 < share < 0.6


def test_rerunning_adds_nothing(runner, db, stalls):
    simulate(runner, *MARCH)
    first = rows(db)
    again = simulate(runner, *MARCH)
    assert "Wrote 0 transactions" in again.output
    assert "already simulated" in again.output
    assert rows(db) == first
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0


def wipe_transactions(db):
    """Remove every transaction and every rollup level, as if nothing was simulated."""
    for model in (Transaction, DailyRollup, MarketDailyRollup, VendorQrMonth):
        db.session.execute(sa.delete(model))
    db.session.commit()


def test_same_seed_same_rows_other_seed_other_rows(runner, db, stalls):
    simulate(runner, *MARCH)
    first = rows(db)
    wipe_transactions(db)
    simulate(runner, *MARCH)
    assert rows(db) == first
    wipe_transactions(db)
    simulate(runner, *MARCH[:-1], "8")
    assert rows(db) != first


def test_a_market_at_a_time_gives_the_same_rows_as_all_at_once(runner, db, stalls):
    simulate(runner, *MARCH, "--markets", "THAI")
    assert {r.vendor_id for r in rows(db)} == {v.id for v in stalls["meat"]}
    simulate(runner, *MARCH, "--markets", "DAI-TU,DONG-BAM")
    piecewise = rows(db)
    wipe_transactions(db)
    simulate(runner, *MARCH)
    assert rows(db) == piecewise


def test_new_days_are_added_to_the_old_ones(runner, db, stalls):
    simulate(runner, "simulate", "--days", "3", "--until", "2025-03-03")
    three = len(rows(db))
    simulate(runner, "simulate", "--days", "5", "--until", "2025-03-05")
    assert len(rows(db)) > three
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0


def test_tet_lifts_the_last_week_and_closes_the_first_days(runner, db, stalls):
    tet = TET[2025]
    simulate(runner, "simulate", "--days", "40", "--until", str(tet + timedelta(days=2)))
    per_day: dict[date, int] = {}
    for row in rows(db):
        if row.kind == "sale":
            day = local_day(row.occurred_at)
            per_day[day] = per_day.get(day, 0) + 1
    last_week = sum(per_day.get(tet - timedelta(days=d), 0) for d in range(1, 8))
    month_before = sum(per_day.get(tet - timedelta(days=d), 0) for d in range(30, 37))
    assert last_week > 1.3 * month_before
    assert sum(per_day.get(tet + timedelta(days=d), 0) for d in range(3)) < last_week / 5
    assert day_factors(tet - timedelta(days=3)).count > 1.5


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--markets", "NOPE"], "Unknown market code(s): NOPE"),
     (["--until", "2999-01-01"], "only finished days are simulated")],
)
def test_bad_arguments_are_explained(runner, stalls, args, message):
    result = runner.invoke(args=["simulate", "--days", "3", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_days_must_be_positive(runner, stalls):
    assert runner.invoke(args=["simulate", "--days", "0"]).exit_code == 2


def index_names(db) -> set[str]:
    return {index["name"] for index in sa.inspect(db.engine).get_indexes("transactions")}


def test_a_first_load_builds_the_indexes_at_the_end_and_a_killed_one_is_repaired(
        app, runner, db, stalls):
    """SQLite drops the secondary indexes of an empty table for a first load and builds
    them afterwards; a run that died in between (indexes missing) is repaired by the
    next run. The figures are those of a load through the indexes."""
    from market40.simulate.indexes import _secondary

    wanted = {index.name for index in _secondary()}
    assert wanted <= index_names(db)
    simulate(runner, *MARCH)
    assert wanted <= index_names(db)  # built again after the load
    first = rows(db)
    if app.config["BACKEND"] == "sqlite":
        # A first load killed midway: its indexes are gone (as defer_indexes left them).
        with db.engine.begin() as connection:
            for name in sorted(wanted):
                connection.exec_driver_sql(f"DROP INDEX {name}")
    simulate(runner, *MARCH)
    assert wanted <= index_names(db)
    assert rows(db) == first  # the rerun stored nothing twice
    from market40.rollups import reconcile

    assert list(reconcile(db.session, None)) == []


def test_the_planner_learns_what_a_load_wrote(runner, db, stalls):
    """PostgreSQL's planner is told what was loaded at once: autovacuum may be late or off,
    and it never analyzes a partitioned table's parent."""
    postgresql = db.engine.dialect.name == "postgresql"
    tables = ("transactions", "daily_rollups", "market_daily_rollups", "vendor_qr_months")

    def statistics() -> dict[str, int]:  # the planner's column statistics per table
        db.session.rollback()
        return {table: column_statistics(db.session, table) for table in tables}

    if postgresql:  # start from a planner that knows nothing of these tables
        with db.engine.begin() as connection:
            forget_statistics(connection, tables)
        assert not any(statistics().values())
    result = simulate(runner, *MARCH)
    if not postgresql:
        assert "statistics" not in result.output
        return
    assert "Planner statistics refreshed (ANALYZE transactions," in result.output
    assert all(statistics().values()), statistics()
