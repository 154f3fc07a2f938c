"""Bulk rows (batch API, simulator) are stored exactly as the ORM would store them."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from market40.models import Transaction
from market40.payments.bulk import insert_transactions, sqlite_timestamp, timestamp_writer
from tests.payments.helpers import local


def test_sqlite_timestamp_is_utc_with_microseconds():
    assert sqlite_timestamp(local(2025, 1, 1, 0, 30)) == "2024-12-31 17:30:00.000000"
    assert sqlite_timestamp(datetime(2025, 1, 1, 1, 2, 3, 4, tzinfo=UTC)) == (
        "2025-01-01 01:02:03.000004")


def test_bulk_and_orm_rows_are_stored_the_same_way(app, db, make_vendor):
    vendor = make_vendor("DAI-TU")
    moment = local(2025, 3, 1, 6, 15, 30, 123456)
    db.session.add(Transaction(vendor_id=vendor.id, market_id=vendor.market_id,
                               occurred_at=moment, amount=1, method="cash", kind="sale",
                               source="api", reference="orm"))
    db.session.flush()
    write = timestamp_writer(app.config["BACKEND"])
    insert_transactions(db.session, [(vendor.id, vendor.market_id, write(moment), 1, "cash",
                                      "sale", "api", "bulk", write(moment))])
    db.session.commit()
    raw = db.session.execute(sa.text(
        "SELECT reference, CAST(occurred_at AS VARCHAR(40)) FROM transactions "
        "ORDER BY reference")).all()
    assert raw[0][1] == raw[1][1]  # the same text in the database
    rows = db.session.execute(sa.select(Transaction.reference, Transaction.occurred_at)
                              .where(Transaction.occurred_at == moment)).all()
    assert sorted(r.reference for r in rows) == ["bulk", "orm"]
    assert all(r.occurred_at == moment for r in rows)
