"""A small, fully known data set for the web pages: built directly with the models.

Two markets with vendors in every workflow state, a week of sales and fees, their
daily rollups (computed here from the transactions, per local day), one listing,
users of every role with web passwords, and one snapshot. Plain functions taking a
session, so the Flask test client and the browser tests' live server share them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from itertools import count

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from market40.auth import create_user
from market40.config import TestConfig
from market40.localtime import LOCAL_TZ, local_day, local_today
from market40.models import (
    DailyRollup,
    Listing,
    Market,
    MarketDailyRollup,
    Transaction,
    Vendor,
    VendorQrMonth,
    utcnow,
)

PASSWORD = "cho-bon-chấm-không"  # noqa: S105 - test data
ROLES = ("admin", "department", "auditor")


@dataclass
class Dashboard:
    vendors: dict[str, Vendor] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # key -> user name
    personal: list[str] = field(default_factory=list)  # phones, ids, accounts: never public
    qr_sale_values: dict[str, int] = field(default_factory=dict)  # vendor key -> QR sales value


_refs = count(1)


def kept(data: Dashboard) -> Dashboard:
    """``data`` with its vendors as ids, to keep beside a template of the database."""
    return replace(data, vendors={key: vendor.id for key, vendor in data.vendors.items()})


def restored(session: Session, data: Dashboard) -> Dashboard:
    """A kept data set with its vendors loaded in ``session`` (each test its own copy)."""
    return Dashboard(vendors={key: session.get(Vendor, id_) for key, id_ in data.vendors.items()},
                     users=dict(data.users), personal=list(data.personal),
                     qr_sale_values=dict(data.qr_sale_values))


@functools.cache
def password_hash() -> str:
    """PASSWORD's hash at the tests' cost (``TestConfig.PASSWORD_HASH_METHOD``)."""
    return generate_password_hash(PASSWORD, method=TestConfig.PASSWORD_HASH_METHOD)


def _market(session: Session, code: str) -> Market:
    return session.scalar(sa.select(Market).where(Market.code == code))


def _vendor(session: Session, market: Market, stall: str, name: str, status: str, *,
            account: str | None, created: datetime, qr: bool, phone: str,
            national_id: str) -> Vendor:
    vendor = Vendor(
        market=market,
        stall_code=stall,
        display_name=name,
        owner_name=f"Chủ {name}",
        phone=phone,
        national_id=national_id,
        goods_category="rau củ quả",
        bank_bin="970436" if account else None,
        account_number=account,
        account_holder="NGUYEN THI DAO" if account else None,
        status=status,
        created_at=created,
        approved_at=created if status == "approved" else None,
        qr_issued_at=created if qr else None,
        reason="Thiếu ảnh CCCD" if status == "reverted" else None,
    )
    session.add(vendor)
    session.flush()
    return vendor


def _pay(session: Session, vendor: Vendor, days_ago: int, hour: int, amount: int,
         method: str, kind: str = "sale") -> Transaction:
    day = local_today() - timedelta(days=days_ago)
    moment = datetime.combine(day, time(hour, 15), tzinfo=LOCAL_TZ).astimezone(UTC)
    row = Transaction(
        vendor_id=vendor.id, market_id=vendor.market_id, occurred_at=moment, amount=amount,
        method=method, kind=kind, source="api", reference=f"web-test-{next(_refs)}",
    )
    session.add(row)
    return row


COUNTERS = [f"{m}_{k}_{x}" for m in ("qr", "cash") for k in ("sales", "fees")
            for x in ("count", "value")]


def build_rollups(session: Session) -> None:
    """Per vendor and local day sums, exactly as DESIGN.md §3 describes the rollup."""
    sums: dict[tuple[int, object], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    markets: dict[int, int] = {}
    for t in session.scalars(sa.select(Transaction)):
        key = (t.vendor_id, local_day(t.occurred_at))
        prefix = f"{t.method}_{'sales' if t.kind == 'sale' else 'fees'}"
        sums[key][f"{prefix}_count"] += 1
        sums[key][f"{prefix}_value"] += t.amount
        markets[t.vendor_id] = t.market_id
    session.execute(sa.delete(DailyRollup))
    for (vendor_id, day), values in sums.items():
        session.add(DailyRollup(vendor_id=vendor_id, day=day, market_id=markets[vendor_id],
                                **values))
    session.flush()
    session.execute(sa.delete(MarketDailyRollup))
    session.execute(sa.insert(MarketDailyRollup).from_select(
        ["market_id", "day", *COUNTERS],
        sa.select(DailyRollup.market_id, DailyRollup.day,
                  *(sa.func.sum(getattr(DailyRollup, name)) for name in COUNTERS))
        .group_by(DailyRollup.market_id, DailyRollup.day)))
    session.execute(sa.delete(VendorQrMonth))
    months: dict[tuple[object, int], VendorQrMonth] = {}
    for (vendor_id, day), values in sorted(sums.items()):
        if values.get("qr_sales_count"):
            key = (day.replace(day=1), vendor_id)
            if key in months:
                months[key].last_day = day
            else:
                months[key] = VendorQrMonth(month=key[0], vendor_id=vendor_id,
                                            market_id=markets[vendor_id], first_day=day,
                                            last_day=day)
    session.add_all(months.values())
    session.flush()


def seed_dashboard(session: Session) -> Dashboard:
    """The data set; reference data (units, banks, markets) must be seeded first."""
    data = Dashboard()
    long_ago = utcnow() - timedelta(days=60)
    dai_tu, thai = _market(session, "DAI-TU"), _market(session, "THAI")
    specs = [
        # key, market, stall, name, status, account, qr
        ("rau", dai_tu, "A01", "Rau sạch Đào", "approved", "0123456789", True),
        ("thit", dai_tu, "A02", "Thịt lợn Hùng", "approved", "0987654321", True),
        ("ca", dai_tu, "B07", "Cá tươi Lan", "approved", "5556667778", True),
        ("cho_duyet", dai_tu, "C01", "Tạp hóa Minh", "submitted", "1112223334", False),
        ("khong_tk", dai_tu, "C02", "Hoa quả Tâm", "approved", None, False),
        ("tra_lai", dai_tu, "C03", "Quần áo Hà", "reverted", "4445556667", False),
        ("thai1", thai, "T01", "Gạo ngon Phúc", "approved", "7778889990", True),
        ("thai2", thai, "T02", "Chè Tân Cương Hoa", "approved", "8889990001", True),
    ]
    for n, (key, market, stall, name, status, account, qr) in enumerate(specs):
        phone, national_id = f"09{n}1234567", f"0011990{n:05d}"
        data.vendors[key] = _vendor(session, market, stall, name, status, account=account,
                                    created=long_ago, qr=qr, phone=phone,
                                    national_id=national_id)
        data.personal += [phone, national_id] + ([account] if account else [])
    v = data.vendors
    # DAI-TU: a week of sales; "rau" sells most by QR, "ca" only cash (not active).
    for days_ago in range(1, 8):
        _pay(session, v["rau"], days_ago, 7, 45_000, "qr")
        _pay(session, v["rau"], days_ago, 8, 120_000, "qr")
        _pay(session, v["rau"], days_ago, 9, 30_000, "cash")
        _pay(session, v["thit"], days_ago, 7, 250_000, "qr" if days_ago % 2 else "cash")
        _pay(session, v["ca"], days_ago, 6, 80_000, "cash")
    # Fees: two by QR, one in cash (fees cashless share 2/3: DAI-TU is not certified).
    _pay(session, v["rau"], 2, 16, 300_000, "qr", "fee")
    _pay(session, v["thit"], 2, 16, 300_000, "qr", "fee")
    _pay(session, v["ca"], 3, 16, 300_000, "cash", "fee")
    # THAI: everyone with QR, every fee by QR, one product online: certified by tn-2022.
    for days_ago in (1, 2, 3):
        _pay(session, v["thai1"], days_ago, 10, 1_234_567, "qr")
        _pay(session, v["thai2"], days_ago, 11, 65_000, "cash")
    _pay(session, v["thai1"], 1, 17, 500_000, "qr", "fee")
    _pay(session, v["thai2"], 1, 17, 500_000, "qr", "fee")
    today = local_today()
    session.add(Listing(market=thai, product="Chè Tân Cương", platform="Postmart",
                        url="https://postmart.vn/che-tan-cuong",
                        started_on=today - timedelta(days=90)))
    session.flush()
    build_rollups(session)
    data.qr_sale_values = {"rau": 7 * 165_000, "thit": 4 * 250_000, "thai1": 3 * 1_234_567}

    users = {
        "admin": create_user(session, "web-admin", "admin"),
        "department": create_user(session, "web-department", "department"),
        "auditor": create_user(session, "web-auditor", "auditor"),
        "board": create_user(session, "web-board-daitu", "board", ["DAI-TU"]),
        "other_board": create_user(session, "web-board-thai", "board", ["THAI"]),
        "vendor": create_user(session, "web-vendor-rau", "vendor", vendor_id=v["rau"].id),
        "other_vendor": create_user(session, "web-vendor-thit", "vendor",
                                    vendor_id=v["thit"].id),
    }
    for key, user in users.items():
        # One hash for all: set_password itself is tested in test_login.
        user.password_hash = password_hash()
        data.users[key] = user.name
    session.flush()
    return data
