"""Every recorded QR sale writes its payment event in the same database transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from market40.live.outbox import events_after, prune_events
from market40.models import utcnow
from tests.factories import auth
from tests.live.helpers import events
from tests.payments.helpers import count_transactions, local, post_notification, tx


@pytest.fixture
def vendor(make_vendor):
    return make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")


def test_a_posted_qr_sale_gets_one_event(client, db, admin, vendor):
    response = client.post("/api/v1/transactions", headers=auth(admin),
                           json=tx(vendor.id, "pos-1", amount=25_000, method="qr"))
    assert response.status_code == 201
    (event,) = events(db)
    assert (event.vendor_id, event.transaction_id, event.amount, event.reference) == (
        vendor.id, response.json["id"], 25_000, "pos-1")
    assert event.announcement == "Đã nhận hai mươi lăm nghìn đồng"
    assert event.occurred_at == local(2025, 3, 1, 8, 30)
    # A replay stores nothing and announces nothing again.
    client.post("/api/v1/transactions", headers=auth(admin),
                json=tx(vendor.id, "pos-1", amount=25_000, method="qr"))
    assert len(events(db)) == 1


@pytest.mark.parametrize(("method", "kind"), [("cash", "sale"), ("qr", "fee"), ("cash", "fee")])
def test_cash_and_fees_are_not_announced(client, db, admin, vendor, method, kind):
    response = client.post("/api/v1/transactions", headers=auth(admin),
                           json=tx(vendor.id, "pos-2", method=method, kind=kind))
    assert response.status_code == 201
    assert events(db) == []


def test_a_bank_credit_gets_an_event_with_its_memo(client, db, vendor):
    body = {"account_number": "0011223344", "bank_bin": "970436", "amount": 121_000,
            "content": "NGUYEN VAN A chuyen tien", "reference": "FT1",
            "occurred_at": local(2025, 3, 1, 7, 15).isoformat()}
    assert post_notification(client, body).status_code == 201
    assert post_notification(client, body).status_code == 200  # the bank retries
    (event,) = events(db)
    assert (event.reference, event.content, event.announcement) == (
        "bank:FT1", "NGUYEN VAN A chuyen tien", "Đã nhận một trăm hai mươi mốt nghìn đồng")


def test_a_batch_announces_its_qr_sales_in_order(client, db, admin, vendor, make_vendor):
    other = make_vendor("DAI-TU")
    items = [tx(vendor.id, "b-1", 1_000, "qr"), tx(other.id, "b-2", 2_000, "qr"),
             tx(vendor.id, "b-3", 3_000, "cash"), tx(vendor.id, "b-4", 4_000, "qr")]
    response = client.post("/api/v1/transactions/batch", headers=auth(admin),
                           json={"transactions": items})
    assert response.status_code in (200, 201), response.json
    stored = events(db)
    assert [(e.reference, e.amount) for e in stored] == [
        ("b-1", 1_000), ("b-2", 2_000), ("b-4", 4_000)]
    assert [e.id for e in stored] == sorted(e.id for e in stored)
    assert [e.reference for e in events_after(db.session, vendor.id, 0)] == ["b-1", "b-4"]
    assert [e.reference for e in events_after(db.session, None, stored[0].id)] == [
        "b-2", "b-4"]


def test_a_batchs_events_name_their_transactions(client, db, admin, vendor):
    """Each event of a batch carries its transaction's id, time, amount and the spoken
    sentence, as a single POST's event does (PostgreSQL: from the INSERT's RETURNING)."""
    from market40.live.words import announcement
    from market40.models import Transaction

    items = [tx(vendor.id, f"n-{n}", 1_000 * (n + 1), "qr") for n in range(5)]
    response = client.post("/api/v1/transactions/batch", headers=auth(admin),
                           json={"transactions": items})
    assert response.status_code == 201, response.json
    stored = {t.reference: t for t in db.session.scalars(sa.select(Transaction))}
    found = events(db)
    assert len(found) == 5
    for event in found:
        transaction = stored[event.reference]
        assert (event.transaction_id, event.vendor_id, event.amount, event.occurred_at) == (
            transaction.id, vendor.id, transaction.amount, transaction.occurred_at)
        assert event.announcement == announcement(transaction.amount)


def _refuse_events(db):
    """A database rule that makes every event insert fail, to break the transaction late."""
    if db.engine.dialect.name == "sqlite":
        statements = ["CREATE TRIGGER no_events BEFORE INSERT ON payment_events "
                      "BEGIN SELECT RAISE(ABORT, 'no events'); END"]
    else:
        statements = [
            "CREATE FUNCTION no_events() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'no events'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_events BEFORE INSERT ON payment_events "
            "FOR EACH ROW EXECUTE FUNCTION no_events()"]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))


def _allow_events(db):
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TRIGGER no_events" + (
            "" if db.engine.dialect.name == "sqlite" else " ON payment_events")))
        if db.engine.dialect.name != "sqlite":
            connection.execute(sa.text("DROP FUNCTION no_events()"))


def test_a_failed_event_write_stores_no_transaction(app, client, db, admin, vendor):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise
    _refuse_events(db)
    try:
        single = client.post("/api/v1/transactions", headers=auth(admin),
                             json=tx(vendor.id, "pos-9", method="qr"))
        batch = client.post("/api/v1/transactions/batch", headers=auth(admin),
                            json={"transactions": [tx(vendor.id, "b-9", method="qr")]})
    finally:
        db.session.rollback()
        _allow_events(db)
    # Not recorded, and said so (the batch takes the failure for a concurrent write).
    assert single.status_code >= 500 and batch.status_code in (409, 500)
    assert count_transactions(db) == 0 and events(db) == []
    # The same request once the database accepts events again: both rows, once.
    again = client.post("/api/v1/transactions", headers=auth(admin),
                        json=tx(vendor.id, "pos-9", method="qr"))
    assert again.status_code == 201
    assert count_transactions(db) == 1 and len(events(db)) == 1


def test_a_rolled_back_session_leaves_no_event(db, vendor):
    from market40.models import Market
    from market40.payments import TransactionIn, store_transaction

    market = db.session.get(Market, vendor.market_id)
    item = TransactionIn(vendor.id, 5_000, "qr", "sale", local(2025, 3, 1, 9), "rb-1")
    store_transaction(db.session, item, market=market, source="api")
    assert len(events_after(db.session, vendor.id, 0)) == 1
    db.session.rollback()
    assert events(db) == [] and count_transactions(db) == 0


def test_events_are_kept_seven_days(client, db, admin, vendor):
    client.post("/api/v1/transactions", headers=auth(admin),
                json=tx(vendor.id, "pos-3", method="qr"))
    from datetime import timedelta

    assert prune_events(db.session, keep=timedelta(days=1),
                        now=utcnow() + timedelta(days=6)) == 0
    assert prune_events(db.session, now=utcnow() + timedelta(days=8)) == 1
    db.session.commit()
    assert events(db) == []
