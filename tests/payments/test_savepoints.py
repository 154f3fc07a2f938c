"""Callers own transactions: a lost race rolls back to a savepoint, not the caller's work."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from market40.models import AuditEntry, Transaction
from market40.payments import record
from market40.payments.rules import TransactionIn


def _item(vendor_id: int, reference: str) -> TransactionIn:
    return TransactionIn(vendor_id=vendor_id, amount=25_000, method="cash", kind="sale",
                         occurred_at=datetime(2025, 3, 1, 1, 30, tzinfo=UTC),
                         reference=reference)


def test_a_lost_insert_race_keeps_the_callers_earlier_writes(db, make_vendor, monkeypatch):
    vendor = make_vendor("DAI-TU")
    first = record.store_transaction(db.session, _item(vendor.id, "race-1"),
                                     market=vendor.market, source="api")
    db.session.commit()
    # The caller's own write, pending in its transaction.
    db.session.add(AuditEntry(actor="test", action="note", entity="test", entity_id="1"))
    db.session.flush()
    # The other request's row is not visible yet when we look: our INSERT then hits the
    # real unique index, as the loser of a race does.
    calls = []
    real = record._stored

    def late(session, reference):
        calls.append(reference)
        return None if len(calls) == 1 else real(session, reference)

    monkeypatch.setattr(record, "_stored", late)
    again = record.store_transaction(db.session, _item(vendor.id, "race-1"),
                                     market=vendor.market, source="api")
    assert again.created is False and again.transaction.id == first.transaction.id
    assert len(calls) == 2  # looked, inserted, lost, looked again
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "note")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 1
