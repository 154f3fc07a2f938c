"""PostgreSQL's COPY path: staged rows, one INSERT ... SELECT, rollups set-based.

The rollups it writes must be exactly those of the executemany path (and of the raw
rows: ``reconcile``), a chunk is all or nothing, and the staging table never carries
rows from one load into the next.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from market40.models import DailyRollup, MarketDailyRollup, Transaction, VendorQrMonth
from market40.payments.bulk import copy_transactions, insert_transactions, timestamp_writer
from market40.rollups import RollupDeltas, reconcile, upsert_rollups
from tests.payments.helpers import local


@pytest.fixture
def pg(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    return app


def rows_for(vendors, prefix: str) -> list[tuple]:
    """Sales and fees over a local-day boundary (23:30 and 00:30 local) and a month end."""
    write = timestamp_writer("postgresql")
    rows = []
    moments = [local(2025, 1, 31, 23, 30), local(2025, 2, 1, 0, 30), local(2025, 2, 1, 9),
               local(2025, 2, 14, 7)]
    for v, vendor in enumerate(vendors):
        for m, moment in enumerate(moments):
            for method, kind, amount in (("qr", "sale", 25_000 + v), ("cash", "sale", 12_000),
                                         ("qr", "fee", 300_000), ("cash", "fee", 50_000 + m)):
                rows.append((vendor.id, vendor.market_id, write(moment), amount, method, kind,
                             "api", f"{prefix}-{vendor.id}-{m}-{method}-{kind}",
                             write(moment)))
    return rows


def rollup_tables(session) -> dict[str, list[tuple]]:
    return {model.__tablename__: [tuple(r) for r in session.execute(
        sa.select(*model.__table__.columns).order_by(*model.__table__.primary_key.columns))]
        for model in (DailyRollup, MarketDailyRollup, VendorQrMonth)}


def test_copy_gives_the_rollups_of_the_executemany_path(pg, db, make_vendor):
    vendors = [make_vendor("DAI-TU"), make_vendor("DAI-TU"), make_vendor("THAI")]
    db.session.commit()
    session = db.session
    rows = rows_for(vendors, "a")
    # The executemany path, as before: rows, then Python-side deltas.
    insert_transactions(session, rows)
    deltas = RollupDeltas()
    for tx in session.scalars(sa.select(Transaction)):
        deltas.add_transaction(tx)
    upsert_rollups(session, deltas.rows())
    expected = rollup_tables(session)
    session.rollback()

    assert copy_transactions(session, rows[:20]) == 20
    assert copy_transactions(session, rows[20:]) == len(rows) - 20  # same transaction
    session.commit()
    assert rollup_tables(session) == expected
    assert session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == len(rows)
    # 23:30 local on 31/1 is January's; 00:30 on 1/2 is February's
    days = {r.day for r in session.execute(sa.select(DailyRollup.day))}
    assert days == {date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 14)}
    assert list(reconcile(session, None)) == []


def test_a_second_load_adds_to_the_rollups_and_widens_the_qr_month(pg, db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    write = timestamp_writer("postgresql")
    session = db.session

    def sale(day: int, reference: str) -> tuple:
        moment = local(2025, 3, day, 8)
        return (vendor.id, vendor.market_id, write(moment), 10_000, "qr", "sale", "api",
                reference, write(moment))

    copy_transactions(session, [sale(10, "m1"), sale(12, "m2")])
    session.commit()
    copy_transactions(session, [sale(12, "m3"), sale(3, "m4"), sale(20, "m5")])
    session.commit()
    month = session.execute(sa.select(VendorQrMonth)).scalar_one()
    assert (month.first_day, month.last_day) == (date(2025, 3, 3), date(2025, 3, 20))
    day12 = session.get(DailyRollup, (vendor.id, date(2025, 3, 12)))
    assert (day12.qr_sales_count, day12.qr_sales_value) == (2, 20_000)
    market_day = session.get(MarketDailyRollup, (vendor.market_id, date(2025, 3, 12)))
    assert market_day.qr_sales_count == 2
    assert list(reconcile(session, None)) == []


def test_a_chunk_with_a_stored_reference_stores_nothing(pg, db, make_vendor):
    vendors = [make_vendor("DAI-TU"), make_vendor("DAI-TU")]
    db.session.commit()
    session = db.session
    copy_transactions(session, rows_for(vendors[:1], "first"))
    session.commit()
    before = rollup_tables(session)
    count = session.scalar(sa.select(sa.func.count()).select_from(Transaction))
    chunk = rows_for(vendors[1:], "second") + rows_for(vendors[:1], "first")[:1]
    with pytest.raises(IntegrityError):
        copy_transactions(session, chunk)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == count
    assert rollup_tables(session) == before
    # The staging table is empty again: the next load stores only its own rows.
    assert copy_transactions(session, rows_for(vendors[1:], "second")) == 16
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == count + 16
    assert list(reconcile(session, None)) == []


def test_a_load_inside_a_savepoint_that_is_rolled_back_leaves_no_trace(pg, db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    session = db.session
    with pytest.raises(IntegrityError), session.begin_nested():
        copy_transactions(session, rows_for([vendor], "x") + rows_for([vendor], "x")[:1])
    assert copy_transactions(session, rows_for([vendor], "y")) == 16
    session.commit()
    references = set(session.scalars(sa.select(Transaction.reference)))
    assert len(references) == 16 and all(r.startswith("y-") for r in references)
    assert list(reconcile(session, None)) == []
