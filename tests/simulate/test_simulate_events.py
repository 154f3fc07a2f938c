"""``flask simulate --events``: payment events for the simulated QR sales only when asked,
one per QR sale, written in the same database transaction as the rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from market40.live.words import announcement
from market40.models import PaymentEvent, Transaction
from tests.payments.helpers import local

MARCH = ["simulate", "--days", "14", "--until", "2025-03-14", "--seed", "7"]


@pytest.fixture
def stalls(make_vendor):
    since = local(2024, 6, 1, 8)
    return ([make_vendor("DAI-TU", created_at=since, goods_category="rau củ quả")
             for _ in range(3)]
            + [make_vendor("THAI", created_at=since, goods_category="thịt") for _ in range(2)])


def simulate(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def stored(db) -> tuple[list, list]:
    db.session.expire_all()
    sales = db.session.execute(
        sa.select(Transaction.id, Transaction.vendor_id, Transaction.amount,
                  Transaction.occurred_at, Transaction.reference)
        .where(Transaction.method == "qr", Transaction.kind == "sale")
        .order_by(Transaction.id)).all()
    events = db.session.execute(
        sa.select(PaymentEvent.id, PaymentEvent.transaction_id, PaymentEvent.vendor_id,
                  PaymentEvent.amount, PaymentEvent.occurred_at, PaymentEvent.reference,
                  PaymentEvent.announcement, PaymentEvent.content)
        .order_by(PaymentEvent.id)).all()
    return sales, events


def test_without_the_flag_history_is_not_announced(runner, db, stalls):
    result = simulate(runner, *MARCH)
    sales, events = stored(db)
    assert sales and events == []
    assert "payment events" not in result.output


def test_with_events_every_qr_sale_gets_its_event_once(runner, db, stalls):
    result = simulate(runner, *MARCH, "--events")
    assert "with payment events" in result.output
    sales, events = stored(db)
    assert len(sales) > 20
    # one event per QR sale (no fee, no cash), in the order the rows were stored
    assert [(e.transaction_id, e.vendor_id, e.amount, e.occurred_at, e.reference)
            for e in events] == [tuple(s) for s in sales]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(e.announcement == announcement(e.amount) and e.content is None
               for e in events)
    fees_and_cash = db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)
                                      .where(sa.or_(Transaction.method != "qr",
                                                    Transaction.kind != "sale")))
    assert fees_and_cash > 0
    # a rerun adds no rows, so no events; a later day adds the new day's only
    simulate(runner, *MARCH, "--events")
    assert stored(db) == (sales, events)
    simulate(runner, "simulate", "--days", "1", "--until", "2025-03-15", "--seed", "7",
             "--events")
    more_sales, more_events = stored(db)
    assert len(more_events) == len(more_sales) > len(sales)
    assert more_events[:len(events)] == events


def test_a_failure_writing_the_events_stores_no_rows_either(runner, db, stalls):
    """The events are in the rows' transaction: if they cannot be written, nothing is."""
    fail = {
        "sqlite": ["CREATE TRIGGER refuse_events BEFORE INSERT ON payment_events "
                   "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
        "postgresql": [
            "CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_events BEFORE INSERT ON payment_events "
            "FOR EACH ROW EXECUTE FUNCTION refuse_events()"],
    }[db.engine.dialect.name]
    with db.engine.begin() as connection:
        for statement in fail:
            connection.exec_driver_sql(statement)
    try:
        result = runner.invoke(args=[*MARCH, "--events"])
        assert result.exit_code != 0
        assert stored(db) == ([], [])
        db.session.remove()
        assert simulate(runner, *MARCH).exit_code == 0  # without events the rows go in
        sales, events = stored(db)
        assert sales and events == []
    finally:
        db.session.remove()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER refuse_events"
                                       + (" ON payment_events"
                                          if db.engine.dialect.name == "postgresql" else ""))
            if db.engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP FUNCTION refuse_events()")
