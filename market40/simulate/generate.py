"""One simulated day: the rows and the rollups of every trading vendor, in Python.

The hot loop of the simulator. Randomness comes from one ``random.Random`` per
(market, day), seeded from the run's seed: a (market, day) always draws the same
numbers in the same vendor order, whatever else is in the database or was simulated
before. Vendors already simulated that day still draw (and the draws are dropped), so
the vendors after them get the same numbers as in the first run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from market40.localtime import LOCAL_OFFSET_SECONDS, day_start_utc
from market40.simulate.adoption import Habits, fee_share, sales_ramp, vendor_ramp
from market40.simulate.profiles import (
    AMOUNT_TABLE_SIZE,
    AMOUNTS,
    CATEGORIES,
    FEE_HOUR_TABLE,
    SALE_HOURS,
    SANITATION,
    poisson,
)
from market40.simulate.seasons import day_factors

SECONDS_PER_DAY = 86_400

_HMS = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))

Clock = Callable[[int], Any]
# Reference suffixes: sales 001-999 in time order, then fees f1, f2, f3 (sorting after them).
SALE_SUFFIXES = tuple(f"{n:03d}" for n in range(1, 1000))
FEE_SUFFIXES = ("f1", "f2", "f3")


@dataclass(frozen=True, slots=True)
class SimVendor:
    id: int
    market_id: int
    grade: int
    category: str
    trading_from: date  # the local day it was approved
    trading_until: date | None  # the local day it closed (exclusive)
    qr_from: datetime | None  # qr_issued_at: QR payments only from this moment
    has_account: bool
    launched_on: date | None  # its market's Chợ 4.0 launch; None: cash only
    habits: Habits
    model_market: bool = False  # simulate.vendors.MODEL_MARKETS: every fee by QR in time

    def trades_on(self, day: date) -> bool:
        return self.trading_from <= day and (self.trading_until is None
                                             or day < self.trading_until)


# The clock of rows written as COPY text (``simulate.producer``): UTC text with its offset.
COPY_TEXT = "copy-text"


def clock_for(dialect: str, day: date) -> Clock:
    """second of the local day -> the driver value of that moment (see payments.bulk);
    with :data:`COPY_TEXT`, the text PostgreSQL reads for it in COPY."""
    if dialect in ("sqlite", COPY_TEXT):
        same, previous = f"{day.isoformat()} ", f"{(day - timedelta(days=1)).isoformat()} "
        suffix = ".000000" if dialect == "sqlite" else "+00"

        def stamp(second: int) -> str:
            utc = second - LOCAL_OFFSET_SECONDS
            if utc >= 0:
                return f"{same}{_HMS[utc]}{suffix}"
            return f"{previous}{_HMS[utc + SECONDS_PER_DAY]}{suffix}"

        return stamp
    start = day_start_utc(day)
    return lambda second: start + timedelta(seconds=second)


def market_rng(seed: int, market_id: int, day: date) -> random.Random:
    return random.Random((seed * 100_003 + market_id) * 1_000_000 + day.toordinal())


@dataclass
class DayOutput:
    rows: list[tuple[Any, ...]]
    rollups: list[dict[str, Any]]
    vendors: int = 0  # vendor-days written


def _qr_terms(vendor: SimVendor, day: date, start: datetime) -> tuple[float, int]:
    """``(share, second)``: the chance a sale is by QR, from which second of the day on
    (``SECONDS_PER_DAY``: no QR that day)."""
    if vendor.launched_on is None or vendor.launched_on > day or vendor.qr_from is None \
            or vendor.habits.qr_propensity <= 0:
        return 0.0, SECONDS_PER_DAY
    second = max(0, int((vendor.qr_from - start).total_seconds()))
    if second >= SECONDS_PER_DAY:
        return 0.0, second
    qr_days = (start - vendor.qr_from).total_seconds() / SECONDS_PER_DAY
    share = (vendor.habits.qr_propensity * sales_ramp((day - vendor.launched_on).days)
             * vendor_ramp(max(0.0, qr_days)))
    return share, second


def _draw_sales(rng: random.Random, vendor: SimVendor, factors: Any, qr_share: float,
                qr_second: int) -> list[tuple[int, int, str]]:
    """The day's sales as ``(second, amount, method)``, in time order (none if closed)."""
    random_ = rng.random
    sales: list[tuple[int, int, str]] = []
    if random_() >= factors.open:
        return sales
    category = CATEGORIES[vendor.category]
    table = AMOUNTS[vendor.category]
    n_hours = len(SALE_HOURS)
    count = poisson(rng, category.sales_per_day * vendor.habits.activity * factors.count)
    for _ in range(min(count, len(SALE_SUFFIXES))):  # a mean of ~3: never near 999
        second = SALE_HOURS[int(random_() * n_hours)] * 3600 + int(random_() * 3600)
        amount = table[int(random_() * AMOUNT_TABLE_SIZE)]
        if factors.amount != 1.0:
            step = category.step
            amount = max(step, round(amount * factors.amount / step) * step)
        qr = qr_share > 0 and second >= qr_second and random_() < qr_share
        sales.append((second, amount, "qr" if qr else "cash"))
    sales.sort()
    return sales


def _draw_fees(rng: random.Random, vendor: SimVendor, day: date) -> list[tuple[int, int, str]]:
    """Rent, electricity and sanitation on the vendor's fee day, else nothing."""
    habits = vendor.habits
    if day.day != habits.fee_day:
        return []
    random_ = rng.random
    launched = vendor.launched_on is not None and vendor.launched_on <= day
    cashless = (fee_share((day - vendor.launched_on).days, vendor.model_market)
                if launched and vendor.has_account else 0.0)
    low, high = CATEGORIES[vendor.category].electricity
    electricity = round((low + (high - low) * random_()) / 1000) * 1000
    n_fee_hours = len(FEE_HOUR_TABLE)
    fees = []
    for amount in (habits.rent, electricity, SANITATION[vendor.grade]):
        second = FEE_HOUR_TABLE[int(random_() * n_fee_hours)] * 3600 + int(random_() * 3600)
        fees.append((second, amount, "qr" if random_() < cashless else "cash"))
    return fees


def _add_vendor_day(out: DayOutput, vendor: SimVendor, day: date, ymd: str, clock: Clock,
                    created_at: Any, sales: list[tuple[int, int, str]],
                    fees: list[tuple[int, int, str]]) -> None:
    """The rows (tuples in payments.bulk.COLUMNS order) and the vendor-day's rollup."""
    counters = [0, 0, 0, 0, 0, 0, 0, 0]
    prefix = f"sim-{ymd}-{vendor.id:06d}-"
    vendor_id, market_id = vendor.id, vendor.market_id
    rows = out.rows
    for kind, events, base, suffixes in (("sale", sales, 0, SALE_SUFFIXES),
                                         ("fee", fees, 4, FEE_SUFFIXES)):
        for n, (second, amount, method) in enumerate(events):
            rows.append((vendor_id, market_id, clock(second), amount, method, kind,
                         "simulator", prefix + suffixes[n], created_at))
            slot = base if method == "qr" else base + 2
            counters[slot] += 1
            counters[slot + 1] += amount
    out.rollups.append({
        "vendor_id": vendor_id, "day": day, "market_id": market_id,
        "qr_sales_count": counters[0], "qr_sales_value": counters[1],
        "cash_sales_count": counters[2], "cash_sales_value": counters[3],
        "qr_fees_count": counters[4], "qr_fees_value": counters[5],
        "cash_fees_count": counters[6], "cash_fees_value": counters[7],
    })
    out.vendors += 1


def generate_day(
    day: date, vendors: list[SimVendor], seed: int, skip: set[int], clock: Clock,
    created_at: Any,
) -> DayOutput:
    """Rows for ``day`` of every vendor that trades that day and is not in ``skip``.

    Every trading vendor draws its sales, then its fees, from its market's generator,
    also when skipped (so the stream stays the same), and only then is left out.
    """
    factors = day_factors(day)
    ymd = day.strftime("%Y%m%d")
    start = day_start_utc(day)
    rngs: dict[int, random.Random] = {}
    out = DayOutput([], [])
    for vendor in vendors:
        if not vendor.trades_on(day):
            continue
        rng = rngs.get(vendor.market_id)
        if rng is None:
            rng = rngs[vendor.market_id] = market_rng(seed, vendor.market_id, day)
        qr_share, qr_second = _qr_terms(vendor, day, start)
        sales = _draw_sales(rng, vendor, factors, qr_share, qr_second)
        fees = _draw_fees(rng, vendor, day)
        if vendor.id in skip or not (sales or fees):
            continue
        _add_vendor_day(out, vendor, day, ymd, clock, created_at, sales, fees)
    return out
