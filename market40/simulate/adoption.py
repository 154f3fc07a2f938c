"""How QR use spreads after a market's launch, and how differently vendors take to it.

Calibrated on the pilots: Đại Từ reached ~80% of vendors with QR and ~30% of
transactions by QR within about two months; province-wide ~70% of vendors had QR and
about half of those actually transacted. Coverage itself (who has a QR, from when)
comes from the registry (``qr_issued_at``); this module decides how often a vendor
who has one is paid by it, and how fee collection turns cashless.

>>> round(sales_ramp(0), 2), round(sales_ramp(60), 2), round(sales_ramp(365), 2)
(0.0, 0.74, 1.0)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SALES_TAU_DAYS = 45  # market-wide habit: ~74% of the mature level after two months
VENDOR_TAU_DAYS = 15  # a vendor's own first weeks with the card
FEES_TAU_DAYS = 75  # boards move fee collection more slowly
FEES_MATURE_SHARE = 0.85  # "partly cashless": some vendors keep paying the collector cash
MODEL_FEES_QR_DAYS = 60  # a model market (simulate.vendors.MODEL_MARKETS): all fees by QR

# (share of QR vendors, lowest, highest probability that a sale to them is by QR)
PROPENSITY_GROUPS = (
    (0.45, 0.0, 0.0),  # the card hangs there unused: "about half of them transacting"
    (0.15, 0.1, 0.3),  # occasional
    (0.40, 0.6, 1.0),  # regular: most customers scan
)


def _ramp(days: float, tau: float) -> float:
    return 0.0 if days <= 0 else 1.0 - math.exp(-days / tau)


def sales_ramp(days_since_launch: float) -> float:
    return _ramp(days_since_launch, SALES_TAU_DAYS)


def vendor_ramp(days_since_qr: float) -> float:
    return _ramp(days_since_qr + 1, VENDOR_TAU_DAYS)


def fee_share(days_since_launch: float, model: bool = False) -> float:
    """Probability that a fee is paid by QR; a model market's board takes every fee by QR
    once it has run Chợ 4.0 for MODEL_FEES_QR_DAYS.

    >>> fee_share(MODEL_FEES_QR_DAYS, model=True), fee_share(MODEL_FEES_QR_DAYS) < 1.0
    (1.0, True)
    """
    if model and days_since_launch >= MODEL_FEES_QR_DAYS:
        return 1.0
    return FEES_MATURE_SHARE * _ramp(days_since_launch, FEES_TAU_DAYS)


@dataclass(frozen=True, slots=True)
class Habits:
    """A vendor's own, stable traits (drawn once per vendor from the seed)."""

    activity: float  # multiplies the category's mean sales
    qr_propensity: float  # mature probability that a sale is paid by QR
    fee_day: int  # day of the month the vendor pays the board
    rent: int  # monthly stall rent, đồng


def draw_habits(seed: int, vendor_id: int, rent_range: tuple[int, int]) -> Habits:
    rng = random.Random(seed * 1_000_003 + vendor_id)
    activity = rng.triangular(0.5, 1.6, 0.9)
    roll, propensity = rng.random(), 0.0
    for share, low, high in PROPENSITY_GROUPS:
        if roll < share:
            propensity = rng.uniform(low, high)
            break
        roll -= share
    rent = round(rng.uniform(*rent_range) / 50_000) * 50_000
    return Habits(activity, propensity, rng.randint(1, 10), max(50_000, rent))
