"""Benchmark the province reports (rollups) against GROUP BY over raw transactions.

Builds a year of simulated province data into a temporary SQLite file with Core
bulk inserts: the 140 seeded markets, ~12,000 vendors (most with a QR issued
before or during the year, a few closed or rejected), >= 10 million transactions
and, in the same pass, their per-vendor daily rollups. The generator is a plain
vectorised loop of its own (deterministic seed), not market40.simulate.

Then times, as medians of several runs after a warm-up:
- the province adoption report (``reports.adoption_report``, window 30) against the
  same figures computed by GROUP BY over the raw transactions of the window;
- the certification (``reports.certify``, tn-2022) against the same over raw rows;
- the same two with a 365-day window (the whole year), and the monthly series.
Before timing it checks that both ways give identical figures.

Targets: the province report and the certification under 200 ms, >= 50x faster.

Usage: ``python bench/bench_reports.py [--vendors 12000] [--transactions 10000000]
[--repeat 7] [--keep PATH]``

``--postgresql [--days N]``: the same timings on PostgreSQL as production runs it
(transactions partitioned by month, a throwaway schema from ``scratch_db``), the data
written by the simulator itself (``create_province_vendors`` and ``simulate_traffic``,
the COPY path) for the ``--days`` local days ending 31/12/2025.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from market40 import create_app  # noqa: E402
from market40.config import TestConfig  # noqa: E402
from market40.extensions import db  # noqa: E402
from market40.localtime import day_end_utc, day_start_utc, window_days  # noqa: E402
from market40.models import (  # noqa: E402
    DailyRollup,
    Listing,
    Market,
    MarketDailyRollup,
    Transaction,
    Vendor,
    VendorQrMonth,
)
from market40.registry.history import backfill_from_columns  # noqa: E402
from market40.reports import (  # noqa: E402
    adoption_report,
    adoption_series,
    certify,
    load_ruleset,
    resolve_scope,
)
from market40.reports.certification import verdicts  # noqa: E402
from market40.reports.lifecycle import registered_sql, with_qr_sql  # noqa: E402
from market40.reports.metrics import Figures, total  # noqa: E402
from market40.reports.queries import MarketFigures  # noqa: E402
from market40.rollups.deltas import counter_names  # noqa: E402
from market40.rollups.rebuild import market_rollups_query, qr_months_query  # noqa: E402

YEAR_START = date(2025, 1, 1)
DAYS = 365
AS_OF = YEAR_START + timedelta(days=DAYS - 1)
LOCAL_OFFSET = timedelta(hours=7)
PRICES = [3_000, 5_000, 7_000, 10_000, 15_000, 20_000, 25_000, 30_000, 45_000, 60_000,
          80_000, 120_000, 150_000, 170_000]
FEES = [50_000, 100_000, 200_000, 300_000]


def sqlite_time(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, n_vendors: int, n_transactions: int, seed: int = 40) -> dict[str, float]:
    """Fill the database at ``path``; returns timings of the phases."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    markets = db.session.execute(sa.select(Market.id, Market.grade)).all()
    weights = [{1: 30, 2: 12, 3: 4}[grade] for _, grade in markets]
    fee_by_qr = {market_id: rng.random() < 0.45 for market_id, _ in markets}
    base = datetime(2024, 1, 1, tzinfo=UTC)
    vendors = []
    profiles = []  # (id, market_id, qr_from_day or None, until_day or None, qr_share, rate)
    for i in range(n_vendors):
        market_id = rng.choices(markets, weights)[0][0]
        created = base + timedelta(days=rng.randrange(0, 360), hours=rng.randrange(0, 12))
        status, qr_at, closed_at, rejected_at = "approved", None, None, None
        draw = rng.random()
        if draw < 0.72:  # QR issued before or during the year
            qr_at = created + timedelta(days=rng.randrange(0, 520))
            qr_at = max(qr_at, created)
        elif draw < 0.74:
            status = "rejected"
            rejected_at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(365))
        elif draw < 0.76:
            status = "closed"
            qr_at = created
            closed_at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(365))
        else:
            status = "submitted"
        if status == "approved" and qr_at is None:
            status = "submitted"
        if qr_at is not None and qr_at > datetime(2025, 12, 31, 16, tzinfo=UTC):
            status, qr_at = "submitted", None
        vendors.append({
            "id": i + 1, "market_id": market_id, "stall_code": f"S{i + 1:05d}",
            "display_name": f"Vendor {i + 1}", "owner_name": f"Owner {i + 1}",
            "goods_category": "rau củ quả", "bank_bin": "970436",
            "account_number": f"{1_000_000_000 + i}", "account_holder": "NGUYEN VAN A",
            "status": status, "created_at": created, "updated_at": created,
            "approved_at": qr_at, "qr_issued_at": qr_at, "closed_at": closed_at,
            "rejected_at": rejected_at, "version": 1,
        })
        qr_day = None if qr_at is None else max(0, ((qr_at + LOCAL_OFFSET).date()
                                                    - YEAR_START).days)
        until = None
        if closed_at is not None:
            until = ((closed_at + LOCAL_OFFSET).date() - YEAR_START).days
        if status != "rejected":
            # About half of the vendors with a QR hardly use it (the pilot's "half of them").
            qr_share = rng.uniform(0.15, 0.85) if rng.random() < 0.5 else 0.002
            profiles.append([i + 1, market_id, qr_day, until, qr_share, rng.uniform(0.5, 1.5)])
    # Scale the vendors' relative rates so that sales alone reach n_transactions.
    trading_days = sum(min(p[3] if p[3] is not None else DAYS, DAYS) for p in profiles)
    per_day = n_transactions / trading_days
    for profile in profiles:
        profile[5] *= per_day
    db.session.execute(sa.insert(Vendor), vendors)
    # Their status history, as the migration would write it: reports read it.
    backfill_from_columns(db.session.connection())
    listing_markets = rng.sample([m for m, _ in markets], 70)
    db.session.execute(sa.insert(Listing), [
        {"market_id": m, "product": "Chè Tân Cương", "platform": "Shopee",
         "url": "https://shopee.vn/x", "started_on": date(2024, 6, 1), "ended_on": None,
         "created_at": base} for m in listing_markets])
    db.session.commit()
    timings["vendors"] = time.perf_counter() - started

    started = time.perf_counter()
    engine = db.engine
    db.session.remove()
    engine.dispose()  # the loader is alone on the file: no WAL, no journal, no fsync
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    # The (vendor_id, day) key and the reference index take rows out of order: keep the
    # b-trees in memory while loading (1 GiB), or every insert becomes a disk read.
    cursor.execute("PRAGMA cache_size=-1048576")
    cursor.execute("PRAGMA foreign_keys=OFF")  # ids are made consistent right here
    # Secondary indexes are built once at the end: faster than maintaining them row by row.
    for (index,) in cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('transactions', 'daily_rollups')"
    ).fetchall():
        cursor.execute(f'DROP INDEX "{index}"')
    t_sql = ("INSERT INTO transactions (id, vendor_id, market_id, occurred_at, amount, method, "
             "kind, source, reference, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
    r_sql = ("INSERT INTO daily_rollups (vendor_id, day, market_id, qr_sales_count, "
             "qr_sales_value, cash_sales_count, cash_sales_value, qr_fees_count, qr_fees_value, "
             "cash_fees_count, cash_fees_value) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
    random_ = rng.random
    choice = rng.choice
    tx_id = 0
    n_rollups = 0
    for d in range(DAYS):
        day = YEAR_START + timedelta(days=d)
        day_text = day.isoformat()
        # Trading minutes 05:00-19:00 local, as stored (UTC, naive text).
        opening = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - LOCAL_OFFSET
        minutes = [sqlite_time(opening + timedelta(minutes=m)) for m in range(300, 1140)]
        created = minutes[-1]
        transactions = []
        rollups = []
        fee_day = day.day == 1
        for vendor_id, market_id, qr_day, until, qr_share, rate in profiles:
            if until is not None and d >= until:
                continue
            k = int(rate) + (random_() < rate - int(rate))
            has_qr = qr_day is not None and d >= qr_day
            qc = qv = cc = cv = fqc = fqv = fcc = fcv = 0
            for _ in range(k):
                amount = choice(PRICES)
                if has_qr and random_() < qr_share:
                    method = "qr"
                    qc += 1
                    qv += amount
                else:
                    method = "cash"
                    cc += 1
                    cv += amount
                tx_id += 1
                transactions.append((tx_id, vendor_id, market_id, choice(minutes), amount,
                                     method, "sale", "simulator", f"s{tx_id:09d}", created))
            if fee_day:
                amount = choice(FEES)
                if has_qr and fee_by_qr[market_id]:
                    method, fqc, fqv = "qr", 1, amount
                else:
                    method, fcc, fcv = "cash", 1, amount
                tx_id += 1
                transactions.append((tx_id, vendor_id, market_id, minutes[0], amount, method,
                                     "fee", "simulator", f"s{tx_id:09d}", created))
            if k or fee_day:
                rollups.append((vendor_id, day_text, market_id, qc, qv, cc, cv, fqc, fqv,
                                fcc, fcv))
        cursor.executemany(t_sql, transactions)
        cursor.executemany(r_sql, rollups)
        n_rollups += len(rollups)
        if d % 30 == 29:
            raw.commit()
            print(f"  day {d + 1}/{DAYS}: {tx_id:,} transactions, {n_rollups:,} rollups",
                  file=sys.stderr)
    raw.commit()
    timings["rows"] = time.perf_counter() - started
    started = time.perf_counter()
    for index in Transaction.__table__.indexes | DailyRollup.__table__.indexes:
        index.create(engine, checkfirst=True)
    # The market rollups and the QR months, as the migrations fill them: from the vendor
    # rollups.
    for statement in (
        sa.insert(MarketDailyRollup).from_select(
            ["market_id", "day", *counter_names()], market_rollups_query().order_by(None)),
        sa.insert(VendorQrMonth).from_select(
            ["vendor_id", "month", "market_id", "first_day", "last_day"],
            qr_months_query("sqlite").order_by(None)),
    ):
        cursor.execute(statement.compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}).string)
    cursor.execute("ANALYZE")
    raw.commit()
    cursor.execute("PRAGMA journal_mode=WAL")
    raw.close()
    timings["indexes"] = time.perf_counter() - started
    timings["transactions"] = tx_id
    timings["rollup_rows"] = n_rollups
    return timings


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _sum_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, Transaction.amount), else_=0))


def raw_market_figures(as_of: date, window: int) -> list[MarketFigures]:
    """The same per-market figures as reports.queries.market_figures, from raw transactions."""
    end = day_end_utc(as_of)
    first, _ = window_days(as_of, window)
    with_qr = with_qr_sql(end)
    qr = Transaction.method == "qr"
    sale, fee = Transaction.kind == "sale", Transaction.kind == "fee"
    activity = db.session.execute(
        sa.select(
            Transaction.market_id,
            _count_if(sale), _sum_if(sale), _count_if(sa.and_(qr, sale)),
            _sum_if(sa.and_(qr, sale)), _count_if(fee), _sum_if(fee), _count_if(sa.and_(qr, fee)),
            _sum_if(sa.and_(qr, fee)),
            sa.func.count(sa.distinct(sa.case((sa.and_(qr, sale, with_qr),
                                               Transaction.vendor_id)))),
        )
        .join(Vendor, Vendor.id == Transaction.vendor_id)
        .where(Transaction.occurred_at >= day_start_utc(first), Transaction.occurred_at < end)
        .group_by(Transaction.market_id)
    ).all()
    counts = db.session.execute(
        sa.select(Vendor.market_id, _count_if(registered_sql(end)), _count_if(with_qr))
        .group_by(Vendor.market_id)
    ).all()
    online = db.session.execute(
        sa.select(Listing.market_id, sa.func.count())
        .where(Listing.started_on <= as_of,
               sa.or_(Listing.ended_on.is_(None), Listing.ended_on > as_of))
        .group_by(Listing.market_id)
    ).all()
    by_activity = {row[0]: row[1:] for row in activity}
    by_counts = {row[0]: row[1:] for row in counts}
    by_online = dict(online)
    result = []
    for market in db.session.execute(
        sa.select(Market.id, Market.code, Market.name, Market.district_code, Market.grade)
        .order_by(Market.district_code, Market.code)
    ):
        sc, sv, qsc, qsv, fc, fv, qfc, qfv, active = (
            int(x or 0) for x in by_activity.get(market.id, (0,) * 9))
        registered, qr_count = (int(x or 0) for x in by_counts.get(market.id, (0, 0)))
        figures = Figures(registered, qr_count, active, sc, sv, qsc, qsv, fc, fv, qfc, qfv,
                          by_online.get(market.id, 0))
        result.append(MarketFigures(market.id, market.code, market.name, market.district_code,
                                    market.grade, figures))
    return result


def median_ms(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up: page cache, statement cache
    runs = []
    for _ in range(repeat):
        db.session.remove()
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=12_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this SQLite file")
    parser.add_argument("--year", action="store_true",
                        help="also time a 365-day window (the raw side takes ~25 s a run)")
    parser.add_argument("--series", action="store_true", help="also time the yearly series")
    parser.add_argument("--postgresql", action="store_true",
                        help="PostgreSQL, partitioned, data by the simulator (see above)")
    parser.add_argument("--days", type=int, default=120,
                        help="with --postgresql: days simulated, ending on the as-of date")
    args = parser.parse_args()
    if args.postgresql:
        postgresql(args)
        return

    workdir = None
    if args.keep:
        path = args.keep
    else:
        workdir = tempfile.TemporaryDirectory(prefix="m40-bench-")
        path = Path(workdir.name) / "province.sqlite3"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app = create_app(config)
    with app.app_context():
        fresh = not path.exists() or path.stat().st_size == 0
        if fresh:
            from market40.db import install_database_rules
            from market40.registry.seed import seed_reference

            db.create_all()
            install_database_rules(db.engine)
            seed_reference(db.session)
            db.session.commit()
            print(f"building {args.vendors:,} vendors, ~{args.transactions:,} transactions "
                  f"into {path} ...", file=sys.stderr)
            timings = build(path, args.vendors, args.transactions)
            print(f"built: {timings['transactions']:,} transactions and "
                  f"{timings['rollup_rows']:,} rollup rows; vendors {timings['vendors']:.1f} s, "
                  f"rows {timings['rows']:.1f} s, indexes {timings['indexes']:.1f} s; "
                  f"file {path.stat().st_size / 2**20:,.0f} MiB")
        measure(args)
    if workdir is not None:
        workdir.cleanup()


def postgresql(args: argparse.Namespace) -> None:
    from scratch_db import machine, scratch_database

    from market40.simulate.province import create_province_vendors
    from market40.simulate.traffic import plan_simulation, simulate_traffic

    print(f"bench_reports --postgresql: {machine()}", flush=True)
    with scratch_database("postgresql", partitioned=True) as scratch, \
            scratch.app.app_context():
        started = time.perf_counter()
        with db.engine.begin() as connection:
            create_province_vendors(connection, args.vendors)
        plan = plan_simulation(db.session, days=args.days, until=AS_OF, seed=40)
        db.session.commit()
        rows = sum(progress.rows for progress in simulate_traffic(db.engine, plan))
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
        print(f"built by the simulator: {rows:,} transactions in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        sizes = db.session.execute(sa.text(
            "SELECT (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = 'transactions'::regclass), "
            "pg_total_relation_size('transaction_references'), "
            "(SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = 'daily_rollups'::regclass)")).one()  # by month too
        print("on disk (tables and indexes): transactions "
              f"{sizes[0] / rows:,.0f} bytes a row ({sizes[0] / 2**20:,.0f} MiB), "
              f"transaction_references {sizes[1] / rows:,.0f} bytes a row, daily_rollups "
              f"{sizes[2] / 2**20:,.0f} MiB", flush=True)
        db.session.rollback()
        measure(args)


def measure(args: argparse.Namespace) -> None:
    """Time the reports (the app context's database) against GROUP BY over raw rows."""
    counts = {
        "transactions": db.session.scalar(sa.select(sa.func.max(Transaction.id))),
        "rollups": db.session.scalar(sa.select(sa.func.count()).select_from(DailyRollup)),
        "vendors": db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)),
        "markets": db.session.scalar(sa.select(sa.func.count()).select_from(Market)),
    }
    print("data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    province = resolve_scope(db.session, "province", None)
    ruleset = load_ruleset("tn-2022")
    if db.engine.dialect.name == "sqlite":
        version = "SQLite " + db.session.scalar(sa.text("select sqlite_version()"))
    else:
        version = db.session.scalar(sa.text("select version()")).split(" on ")[0]
    print(f"as of {AS_OF}, {version}, median of {args.repeat} runs after a warm-up\n")

    rows = []
    for window in (30, 365) if args.year else (30,):
        report = adoption_report(db.session, province, AS_OF, window)
        raw = total([m.figures for m in raw_market_figures(AS_OF, window)])
        assert report.figures == raw, (report.figures, raw)
        repeat = args.repeat if window == 30 else 1
        fast = median_ms(lambda w=window: adoption_report(db.session, province, AS_OF, w),
                         args.repeat)
        slow = median_ms(lambda w=window: total([m.figures for m in
                                                 raw_market_figures(AS_OF, w)]), repeat)
        rows.append((f"province adoption report, window {window}", fast, slow))
    certification = certify(db.session, ruleset, AS_OF)
    raw_verdicts = verdicts(raw_market_figures(AS_OF, ruleset.window), ruleset.criteria)
    assert [(m.code, m.figures, m.certified) for m in certification.markets] == [
        (m.code, m.figures, m.certified) for m in raw_verdicts]
    fast = median_ms(lambda: certify(db.session, ruleset, AS_OF), args.repeat)
    slow = median_ms(lambda: verdicts(raw_market_figures(AS_OF, ruleset.window),
                                      ruleset.criteria), args.repeat)
    rows.append((f"certification tn-2022 ({certification.certified} certified)", fast, slow))
    print(f"{'':48} {'rollups':>10} {'raw GROUP BY':>13} {'speed-up':>9}  target")
    for name, fast, slow in rows:
        verdict = "ok" if fast < 200 and slow / fast >= 50 else "MISSED"
        print(f"{name:48} {fast:8.1f}ms {slow:11.1f}ms {slow / fast:8.1f}x  "
              f"<200 ms, >=50x: {verdict}")
    if args.series:
        for granularity in ("month", "day"):
            took = median_ms(lambda g=granularity: adoption_series(
                db.session, province, YEAR_START, AS_OF, g), 1)
            print(f"{'province series, 2025 by ' + granularity:48} {took:8.1f}ms")
    print(f"\nfigures checked equal both ways; province coverage "
          f"{float(report.figures.coverage or 0):.1%}, active rate "
          f"{float(report.figures.active_rate or 0):.1%}, cashless share (count) "
          f"{float(report.figures.cashless_share_count or 0):.1%}")


if __name__ == "__main__":
    main()
