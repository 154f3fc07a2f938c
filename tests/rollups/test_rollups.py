"""Rollups: local-day boundaries, kept current by every write path, rebuild and reconcile."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from market40.localtime import local_day
from market40.models import DailyRollup, MarketDailyRollup, Transaction, VendorQrMonth
from market40.partitions import ensure_months
from market40.rollups import rebuild_rollups, reconcile
from tests.factories import auth
from tests.payments.helpers import local, post_notification, rollup, tx

URL = "/api/v1/transactions"


def test_local_day_of_utc_instants():
    assert local_day(datetime(2024, 12, 31, 16, 30, tzinfo=UTC)) == date(2024, 12, 31)
    assert local_day(datetime(2024, 12, 31, 17, 30, tzinfo=UTC)) == date(2025, 1, 1)


def test_new_year_boundaries_in_local_time(client, db, admin, make_vendor):
    vendor = make_vendor("DAI-TU")
    late = tx(vendor.id, "ny-1", 10_000, occurred_at=local(2024, 12, 31, 23, 30))
    # 00:30 local on 1/1 is 17:30 UTC on 31/12
    early = tx(vendor.id, "ny-2", 20_000, occurred_at="2024-12-31T17:30:00+00:00")
    for body in (late, early):
        assert client.post(URL, json=body, headers=auth(admin)).status_code == 201
    assert rollup(db, vendor.id, date(2024, 12, 31)).cash_sales_value == 10_000
    assert rollup(db, vendor.id, date(2025, 1, 1)).cash_sales_value == 20_000
    # the database's own local-day expression agrees (rebuild uses it)
    assert list(reconcile(db.session)) == []
    rebuild_rollups(db.session)
    db.session.commit()
    assert rollup(db, vendor.id, date(2024, 12, 31)).cash_sales_value == 10_000
    assert rollup(db, vendor.id, date(2025, 1, 1)).cash_sales_value == 20_000


@pytest.fixture
def mixed_writes(client, db, admin, make_user, make_vendor):
    """Single, batch, board-declared and bank writes over a few days."""
    a = make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")
    b = make_vendor("THAI")
    _, board = make_user("board", markets=("THAI",))
    for i, (vendor, method, kind) in enumerate(
            [(a, "qr", "sale"), (a, "cash", "fee"), (b, "cash", "sale")]):
        body = tx(vendor.id, f"mx-{i}", 1_000 * (i + 1), method, kind,
                  occurred_at=local(2025, 3, 1 + i, 8))
        assert client.post(URL, json=body, headers=auth(admin)).status_code == 201
    batch = [tx(b.id, f"mxb-{i}", 500 + i, occurred_at=local(2025, 3, 2, 23, 59 - i))
             for i in range(20)]
    assert client.post(f"{URL}/batch", json={"transactions": batch},
                       headers=auth(board)).status_code == 201
    note = {"account_number": "0011223344", "amount": 77_000, "content": "PHI CHO",
            "reference": "FT-MIX", "occurred_at": local(2025, 3, 3, 0, 5).isoformat()}
    assert post_notification(client, note).status_code == 201
    return a, b


def test_reconcile_passes_after_a_mix_of_api_writes(runner, db, mixed_writes):
    a, b = mixed_writes
    result = runner.invoke(args=["rollups", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "match" in result.output
    assert rollup(db, b.id, date(2025, 3, 2)).cash_sales_count == 20
    assert rollup(db, a.id, date(2025, 3, 3)).qr_fees_value == 77_000


def test_reconcile_fails_when_a_raw_row_changes_behind_its_back(runner, db, mixed_writes):
    a, _ = mixed_writes
    db.session.execute(sa.update(Transaction).where(Transaction.reference == "mx-0")
                       .values(amount=9_999))
    db.session.commit()
    result = runner.invoke(args=["rollups", "reconcile"])
    assert result.exit_code == 1
    assert f"vendor {a.id} 2025-03-01 qr_sales_value: rollup 1000, raw 9999" in result.output
    assert f"market {a.market_id} 2025-03-01 qr_sales_value: rollup 1000, raw 9999" \
        in result.output
    assert "2 difference(s)" in result.output


def test_reconcile_and_rebuild_cover_the_market_rollups(runner, db, mixed_writes):
    a, _ = mixed_writes
    db.session.execute(sa.update(MarketDailyRollup)
                       .where(MarketDailyRollup.day == date(2025, 3, 2))
                       .values(cash_sales_count=MarketDailyRollup.cash_sales_count + 1))
    db.session.commit()
    result = runner.invoke(args=["rollups", "reconcile"])
    assert result.exit_code == 1
    assert "market " in result.output and "2025-03-02 cash_sales_count" in result.output
    assert "vendor " not in result.output
    assert runner.invoke(args=["rollups", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0


def test_reconcile_reports_missing_and_extra_rollups(runner, db, mixed_writes):
    a, b = mixed_writes
    db.session.execute(sa.delete(DailyRollup).where(DailyRollup.vendor_id == b.id,
                                                    DailyRollup.day == date(2025, 3, 3)))
    # a month without payments: made as a payment would make it (PostgreSQL's partitions)
    ensure_months(db.session.connection(), [date(2025, 5, 1)])
    db.session.add(DailyRollup(vendor_id=a.id, day=date(2025, 5, 5), market_id=a.market_id,
                               cash_sales_count=2, cash_sales_value=8_000))
    db.session.commit()
    result = runner.invoke(args=["rollups", "reconcile"])
    assert result.exit_code == 1
    assert f"vendor {b.id} 2025-03-03 cash_sales_count: rollup -, raw 1" in result.output
    assert f"vendor {a.id} 2025-05-05 cash_sales_value: rollup 8000, raw -" in result.output
    assert "4 difference(s)" in result.output
    limited = runner.invoke(args=["rollups", "reconcile", "--limit", "1"])
    assert limited.exit_code == 1 and limited.output.count("vendor ") == 1


def test_rebuild_repairs_and_from_limits_the_work(runner, db, mixed_writes):
    a, b = mixed_writes
    db.session.execute(sa.update(DailyRollup).values(cash_sales_value=1))
    db.session.commit()
    partial = runner.invoke(args=["rollups", "rebuild", "--from", "2025-03-03"])
    assert partial.exit_code == 0, partial.output
    assert "from 2025-03-03" in partial.output
    still_wrong = runner.invoke(args=["rollups", "reconcile"])
    assert still_wrong.exit_code == 1 and "2025-03-02" in still_wrong.output
    assert runner.invoke(args=["rollups", "reconcile", "--from", "2025-03-03"]).exit_code == 0
    full = runner.invoke(args=["rollups", "rebuild"])
    assert full.exit_code == 0 and "Rebuilt 5 rollup rows" in full.output
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0
    assert rollup(db, b.id, date(2025, 3, 2)).cash_sales_value == sum(500 + i for i in range(20))


def test_rollups_commands_reject_bad_dates(runner, reference):
    result = runner.invoke(args=["rollups", "rebuild", "--from", "31/12/2024"])
    assert result.exit_code == 2


def test_reconcile_and_rebuild_cover_the_qr_months(runner, db, mixed_writes):
    a, _ = mixed_writes
    db.session.execute(sa.update(VendorQrMonth).where(VendorQrMonth.vendor_id == a.id)
                       .values(last_day=date(2025, 3, 28)))
    db.session.commit()
    result = runner.invoke(args=["rollups", "reconcile"])
    assert result.exit_code == 1
    assert f"qr-month {a.id} 2025-03-01 last_day: rollup 2025-03-28, raw 2025-03-0" \
        in result.output
    assert runner.invoke(args=["rollups", "rebuild", "--from", "2025-03-15"]).exit_code == 0
    assert runner.invoke(args=["rollups", "reconcile"]).exit_code == 0
    row = db.session.get(VendorQrMonth, (date(2025, 3, 1), a.id))
    assert row.first_day == date(2025, 3, 1) and row.last_day < date(2025, 3, 15)
