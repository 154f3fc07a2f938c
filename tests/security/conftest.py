"""A small province for security tests: two markets, their boards, vendors and data.

Market A is DAI-TU, market B is THAI. Vendors are registered and approved through the
domain functions, so the audit log holds real entries (with the personal data in them)
for both markets. Phone, national ID and account numbers are fixed and distinctive, so
a test can look for them anywhere (responses, logs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

MARKET_A = "DAI-TU"
MARKET_B = "THAI"
ROLES = ("anonymous", "admin", "department", "auditor", "board_a", "board_b", "vendor_a")
# Distinctive personal data, one set per vendor: (phone, national ID, account number).
PERSONAL = {
    "own": ("0912000111", "001090000111", "70700000111"),
    "other_a": ("0912000222", "001090000222", "70700000222"),
    "vendor_b": ("0912000333", "001090000333", "70700000333"),
}


@dataclass
class World:
    db: Any
    tokens: dict[str, str | None]
    users: dict[str, Any]
    vendors: dict[str, int]  # own (vendor_a's stall), other_a, vendor_b
    snapshot_id: int
    serial: Callable[[], int] = field(default_factory=lambda: count(1).__next__)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens[role]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def new_vendor(self, status: str = "submitted", market: str = MARKET_A) -> int:
        """A fresh vendor made by the maker (so any other board user may check it)."""
        from market40.models import Market, Vendor, utcnow

        session = self.db.session
        n = self.serial()
        vendor = Vendor(
            market=session.query(Market).filter_by(code=market).one(),
            stall_code=f"Z{n:04d}", display_name=f"Quầy {n}", owner_name="Trần Thị Hoa",
            phone=None, national_id=None, goods_category="rau củ quả",
            bank_bin="970436", account_number=f"8080{n:06d}", account_holder="TRAN THI HOA",
            status=status, made_by_id=self.users["maker"].id, created_at=utcnow(),
            submitted_at=utcnow() if status == "submitted" else None,
        )
        session.add(vendor)
        session.commit()
        return vendor.id

    def new_listing(self, market: str = MARKET_A) -> int:
        from market40.models import Market
        from market40.registry.listings import add_listing

        session = self.db.session
        listing = add_listing(session, session.query(Market).filter_by(code=market).one(),
                              self.users["admin"], product=f"Gạo {self.serial()}",
                              platform="shopee", url="https://shopee.vn/gao")
        session.commit()
        return listing.id


def vendor_row(stall: str, personal: tuple[str, str, str]) -> dict[str, Any]:
    phone, national_id, account = personal
    return {"stall_code": stall, "display_name": f"Quầy {stall}", "owner_name": "Nguyễn Văn An",
            "phone": phone, "national_id": national_id, "goods_category": "thịt",
            "bank_bin": "970436", "account_number": account, "account_holder": "NGUYEN VAN AN"}


@pytest.fixture
def world(reference, make_user) -> World:
    from market40.audit import create_snapshot
    from market40.models import Market
    from market40.payments import TransactionIn, record_transaction
    from market40.registry.vendors import register_vendor
    from market40.registry.workflow import transition

    db = reference
    session = db.session
    users: dict[str, Any] = {}
    tokens: dict[str, str | None] = {"anonymous": None}
    for role, name, markets in (
        ("admin", "admin", ()), ("department", "department", ()), ("auditor", "auditor", ()),
        ("board_a", "board", (MARKET_A,)), ("board_b", "board", (MARKET_B,)),
        ("maker", "board", (MARKET_A, MARKET_B)),
    ):
        users[role], tokens[role] = make_user(name, markets=markets, name=role)
    vendors: dict[str, int] = {}
    for key, market in (("own", MARKET_A), ("other_a", MARKET_A), ("vendor_b", MARKET_B)):
        stall = "S-" + key.upper().replace("_", "-")
        vendor = register_vendor(session, session.query(Market).filter_by(code=market).one(),
                                 vendor_row(stall, PERSONAL[key]), users["maker"],
                                 status="submitted")
        transition(session, vendor, "approve", users["admin"])
        session.commit()
        vendors[key] = vendor.id
    users["vendor_a"], tokens["vendor_a"] = make_user("vendor", name="vendor_a",
                                                      vendor_id=vendors["own"])
    when = datetime.now(UTC) - timedelta(hours=1)
    for key, vendor_id in vendors.items():
        record_transaction(session, users["admin"], TransactionIn(
            vendor_id=vendor_id, amount=25_000, method="qr", kind="sale", occurred_at=when,
            reference=f"seed-{key}"))
    snapshot = create_snapshot(session, "tn-2022", None, users["department"])
    session.commit()
    return World(db, tokens, users, vendors, snapshot.id)


# Parsing uploads does not depend on the database: run those once, on SQLite.
SQLITE_ONLY = ("tests/security/test_upload_limits.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skipped = [item for item in items if item.nodeid.startswith(SQLITE_ONLY)
               and "[postgresql" in item.nodeid]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if item not in skipped]
