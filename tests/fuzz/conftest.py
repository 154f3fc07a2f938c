"""A seeded app for schemathesis: reference data, an admin token and real objects.

The fuzzer's path parameters are swapped, most of the time, for ids and codes that
exist (vendors in every workflow state, markets, a snapshot, a listing, an indicator),
so operations reach their real code paths instead of answering 404 to every example.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import strategies as st

from market40 import create_app
from market40.config import TestConfig
from market40.extensions import db

# Examples per API operation: a few in `make test`, many in `make fuzz`.
FUZZ_EXAMPLES = int(os.environ.get("MARKET40_FUZZ_EXAMPLES", "6"))
MARKETS = ("DAI-TU", "TT-THAI-NGUYEN", "DONG-HY")
# Status codes answered per operation in this process (summed up at the end of the run).
STATS: dict[str, Counter[int]] = {}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _test_config() -> dict[str, Any]:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def api_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every documented operation, read at collection time."""
    app = create_app(_test_config())
    document = app.test_client().get("/api/openapi.json").get_json()
    return [(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS]


@dataclass
class Seeded:
    token: str
    vendor_ids: list[int] = field(default_factory=list)
    market_codes: list[str] = field(default_factory=list)
    snapshot_ids: list[int] = field(default_factory=list)
    listing_ids: list[int] = field(default_factory=list)
    indicator_keys: list[str] = field(default_factory=list)


def _seed(tmp: Path) -> tuple[Any, Seeded]:
    from market40.auth import create_user, issue_token
    from market40.db import install_database_rules
    from market40.models import Market, Vendor, utcnow
    from market40.registry.seed import seed_reference

    config = _test_config()
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    # A stream the fuzzer opens ends soon: its answer is checked, not its length.
    config["LIVE_STREAM_SECONDS"] = 0.2
    app = create_app(config)
    with app.app_context():
        db.create_all()
        install_database_rules(db.engine)
        seed_reference(db.session)
        admin = create_user(db.session, "fuzz-admin", "admin", ())
        token = issue_token(db.session, admin)
        markets = {m.code: m for m in db.session.scalars(sa.select(Market))}
        codes = [c for c in MARKETS if c in markets] or list(markets)[:3]
        now = utcnow()
        statuses = ("approved", "approved", "approved", "draft", "submitted", "rejected")
        vendors = []
        for n in range(12):
            status = statuses[n % len(statuses)]
            vendor = Vendor(
                market=markets[codes[n % len(codes)]], stall_code=f"F{n:03d}",
                display_name=f"Sạp thử {n}", owner_name="Nguyễn Văn Thử",
                phone=f"09{n:08d}", national_id=f"{n:012d}", goods_category="rau củ quả",
                bank_bin="970436", account_number=f"{1_000_000_000 + n}",
                account_holder="NGUYEN VAN THU", status=status, created_at=now,
                approved_at=now if status == "approved" else None,
                qr_issued_at=now if status == "approved" else None,
            )
            db.session.add(vendor)
            vendors.append(vendor)
        db.session.commit()
        seeded = Seeded(token=token, vendor_ids=[v.id for v in vendors], market_codes=codes)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for n, vendor_id in enumerate(seeded.vendor_ids[:6]):
        if n % 2 == 0:
            body = {"vendor_id": vendor_id, "amount": 25_000 + n,
                    "occurred_at": (date.today() - timedelta(days=n)).isoformat()
                    + "T08:00:00+07:00", "method": "qr", "kind": "sale",
                    "reference": f"fuzz-seed-{n}"}
            client.post("/api/v1/transactions", json=body, headers=headers)
    _seed_extras(client, headers, seeded)
    return app, seeded


def _seed_extras(client: Any, headers: dict[str, str], seeded: Seeded) -> None:
    """Objects made through the API itself: a snapshot, a listing, an indicator."""
    response = client.post("/api/v1/audit/snapshots", json={"ruleset": "tn-2022"},
                           headers=headers)
    if response.status_code == 201:
        seeded.snapshot_ids.append(response.get_json()["id"])
    code = seeded.market_codes[0]
    response = client.post(f"/api/v1/markets/{code}/listings", headers=headers, json={
        "product": "Chè Tân Cương", "platform": "Shopee", "url": "https://shopee.vn/che",
        "started_on": date.today().isoformat()})
    if response.status_code == 201:
        seeded.listing_ids.append(response.get_json()["id"])
    for indicator in client.get("/api/v1/indicators").get_json() or []:
        seeded.indicator_keys.append(indicator["key"])


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Seeded]]:
    app, seeded = _seed(tmp_path_factory.mktemp("fuzz"))
    yield app, seeded
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(seeded_app: tuple[Any, Seeded]) -> Any:
    app, seeded = seeded_app
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    real = {
        "vendor_id": seeded.vendor_ids,
        "code": seeded.market_codes,
        "snapshot_id": seeded.snapshot_ids,
        "listing_id": seeded.listing_ids,
        "key": seeded.indicator_keys,
    }

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        # Three times in four a real object, otherwise whatever the fuzzer made up.
        if not path_parameters:
            return st.just(path_parameters)
        choices = {}
        for name, value in path_parameters.items():
            known = real.get(name) or []
            choices[name] = (st.sampled_from(known) if known else st.just(value))
        real_params = st.fixed_dictionaries(choices)
        return st.one_of(real_params, real_params, real_params, st.just(path_parameters))

    return schema


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Examples sent per operation and the status codes they got (``make fuzz`` prints it)."""
    if not STATS:
        return
    total = sum(sum(c.values()) for c in STATS.values())
    terminalreporter.section(f"schemathesis: {total} examples, {len(STATS)} operations")
    for label, counts in sorted(STATS.items()):
        codes = ", ".join(f"{code}x{n}" for code, n in sorted(counts.items()))
        terminalreporter.write_line(f"{sum(counts.values()):6d}  {label}  [{codes}]")
