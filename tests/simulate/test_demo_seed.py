"""The demo vendors of ``flask seed``: realistic, deterministic for a seed, idempotent."""

from __future__ import annotations

import csv
import re
import time
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from market40.models import AuditEntry, Market, Vendor
from market40.registry.seed import SEEDS_DIR, read_csv
from market40.registry.validation import BankDirectory, clean_vendor_fields
from market40.simulate.vendors import DEMO_TODAY, MODEL_MARKETS, seed_demo_vendors

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fingerprint(db) -> list[tuple]:
    rows = db.session.execute(
        sa.select(Market.code, Vendor.stall_code, Vendor.display_name, Vendor.owner_name,
                  Vendor.phone, Vendor.national_id, Vendor.goods_category, Vendor.bank_bin,
                  Vendor.account_number, Vendor.account_holder, Vendor.status, Vendor.reason,
                  Vendor.created_at, Vendor.submitted_at, Vendor.approved_at,
                  Vendor.qr_issued_at, Vendor.updated_at)
        .join(Market).order_by(Market.code, Vendor.stall_code))
    return [tuple(row) for row in rows]


@pytest.fixture
def two_markets(tmp_path):
    """A seeds/ folder whose markets.csv asks demo vendors for two pilots only."""
    rows = read_csv("markets.csv")
    with (tmp_path / "markets.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row["demo_vendors"] = {"DAI-TU": "60", "LA-BANG": "40"}.get(row["code"], "0")
            writer.writerow(row)
    return tmp_path


def test_same_seed_same_vendors_other_seed_others(reference, two_markets):
    db = reference
    assert seed_demo_vendors(db.session, seed=7, seeds_dir=two_markets).startswith("100 new")
    db.session.commit()
    first = fingerprint(db)
    assert len(first) == 100

    def wipe() -> None:
        db.session.execute(sa.delete(AuditEntry))
        db.session.execute(sa.delete(Vendor))
        db.session.commit()

    wipe()
    seed_demo_vendors(db.session, seed=7, seeds_dir=two_markets)
    db.session.commit()
    assert fingerprint(db) == first
    wipe()
    seed_demo_vendors(db.session, seed=8, seeds_dir=two_markets)
    db.session.commit()
    assert fingerprint(db) != first


def test_a_market_that_has_vendors_is_left_alone(reference, two_markets, make_vendor):
    db = reference
    make_vendor(market_code="LA-BANG")
    summary = seed_demo_vendors(db.session, seed=7, seeds_dir=two_markets)
    assert summary == "60 new in 1 market(s), 1 market(s) already had vendors"


def test_seed_twice_changes_nothing_and_the_demo_is_realistic(runner, db):
    # This process's CPU time, not the clock: other work on the machine (a loaded CI host
    # took 36 s of wall time) does not count, a seed gone quadratic does.
    started = time.process_time()
    first = runner.invoke(args=["seed"])
    cpu_seconds = time.process_time() - started
    assert first.exit_code == 0, first.output
    assert "demo vendors: 2115 new in 12 market(s)" in first.output
    assert cpu_seconds < 30  # 2-3 s in practice
    before = fingerprint(db)
    audit_count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "demo vendors: 0 new in 0 market(s), 12 market(s) already had vendors" in second.output
    assert fingerprint(db) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_count

    vendors = db.session.scalars(sa.select(Vendor)).all()
    wanted = {r["code"]: int(r["demo_vendors"]) for r in read_csv("markets.csv", SEEDS_DIR)
              if int(r["demo_vendors"] or 0)}
    markets = {m.id: m for m in db.session.scalars(sa.select(Market))}
    assert Counter(markets[v.market_id].code for v in vendors) == wanted

    statuses = Counter(v.status for v in vendors)
    assert statuses["approved"] / len(vendors) > 0.75
    assert {"draft", "submitted", "rejected"} <= set(statuses)
    # model markets: every stall with a bank account and a QR, so tn-2022 can certify them
    model = [v for v in vendors if markets[v.market_id].code in MODEL_MARKETS]
    assert model and all(v.status == "approved" and v.qr_issued_at for v in model)
    others = [v for v in vendors if markets[v.market_id].code not in MODEL_MARKETS]
    without_bank = sum(not v.has_bank_account for v in others) / len(others)
    assert 0.15 <= without_bank <= 0.25
    with_qr = sum(v.qr_issued_at is not None for v in others) / len(others)
    assert 0.6 <= with_qr <= 0.8  # the pilot reported about 70%
    banks = Counter(v.bank_bin for v in vendors if v.bank_bin)
    big = {"970405", "970415", "970418", "970436", "970422"}  # Agribank VietinBank BIDV VCB MB
    assert {b for b, _ in banks.most_common(5)} == big
    categories = Counter(v.goods_category for v in vendors)
    assert categories.most_common(1)[0][0] == "rau củ quả" and len(categories) >= 10
    assert any(re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", v.owner_name)
               for v in vendors[:20])

    today = datetime.combine(DEMO_TODAY, datetime.max.time(), tzinfo=UTC)
    directory = BankDirectory.load(db.session)
    for vendor in vendors:
        market = markets[vendor.market_id]
        assert re.fullmatch(r"[A-F]-\d{3}", vendor.stall_code)
        assert vendor.created_at <= today
        if vendor.status == "approved":
            assert vendor.approved_at.astimezone(LOCAL_TZ).date() >= market.launched_on
            assert vendor.created_at <= vendor.submitted_at <= vendor.approved_at <= today
            assert (vendor.qr_issued_at == vendor.approved_at) is vendor.has_bank_account
        else:
            assert vendor.qr_issued_at is None
        if vendor.status in ("rejected", "reverted"):
            assert vendor.reason
        fields = {name: getattr(vendor, name) for name in (
            "stall_code", "display_name", "owner_name", "phone", "national_id",
            "goods_category", "bank_bin", "account_number", "account_holder")}
        values, errors = clean_vendor_fields(fields, directory)
        assert not errors and values == fields  # stored exactly as the API would store them

    actors = set(db.session.scalars(sa.select(AuditEntry.actor).distinct()))
    assert actors == {"seed"}
    approvals = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "approve"))
    assert approvals == statuses["approved"]
