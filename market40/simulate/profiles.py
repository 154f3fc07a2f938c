"""What vendors sell, when and for how much: tables the generator indexes, not formulas.

Sales per stall and day are the transactions the system learns about (QR credits and
declared cash), calibrated on Đại Từ: >3,000 QR payments a month at ~300 QR vendors
once QR reached ~30% of transactions, i.e. ~2-3 recorded sales per stall and day.
Amounts are drawn log-uniformly between the bounds of the stall's goods category.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    sales_per_day: float  # mean, on an ordinary weekday
    low: int  # đồng
    high: int
    step: int  # prices are round: to 500 đ for vegetables, 10,000 đ for clothes
    electricity: tuple[int, int]  # monthly bill, đồng (fridges and freezers cost more)


CATEGORIES: dict[str, Category] = {
    "rau củ quả": Category(3.4, 3_000, 20_000, 500, (30_000, 120_000)),
    "hoa quả": Category(2.8, 20_000, 120_000, 1_000, (40_000, 150_000)),
    "hoa": Category(2.0, 20_000, 200_000, 5_000, (30_000, 100_000)),
    "thịt": Category(2.6, 50_000, 200_000, 1_000, (150_000, 600_000)),
    "cá": Category(2.4, 20_000, 150_000, 1_000, (150_000, 500_000)),
    "gia cầm": Category(2.0, 80_000, 300_000, 5_000, (100_000, 400_000)),
    "hàng khô": Category(2.0, 20_000, 300_000, 1_000, (40_000, 120_000)),
    "tạp hóa": Category(2.8, 10_000, 200_000, 1_000, (50_000, 150_000)),
    "quần áo": Category(1.2, 100_000, 800_000, 10_000, (60_000, 200_000)),
    "giày dép": Category(1.0, 100_000, 600_000, 10_000, (60_000, 180_000)),
    "đồ gia dụng": Category(1.2, 30_000, 500_000, 5_000, (40_000, 150_000)),
    "ăn uống": Category(4.2, 10_000, 50_000, 1_000, (200_000, 600_000)),
    "khác": Category(1.8, 10_000, 200_000, 1_000, (30_000, 120_000)),
}
DEFAULT_CATEGORY = "khác"

# Local hour -> weight: the morning market (5-11 h) carries most of the day.
HOUR_WEIGHTS = {
    4: 2, 5: 8, 6: 14, 7: 16, 8: 14, 9: 11, 10: 8, 11: 6, 12: 3, 13: 2, 14: 2, 15: 3,
    16: 4, 17: 4, 18: 2, 19: 1,
}
# Board staff collect fees in the morning.
FEE_HOURS = {7: 3, 8: 4, 9: 3, 10: 2}

# Monthly fees by market grade (hạng 1 is the big central market).
RENT = {1: (800_000, 2_000_000), 2: (400_000, 1_200_000), 3: (150_000, 500_000)}
SANITATION = {1: 60_000, 2: 45_000, 3: 30_000}

AMOUNT_TABLE_SIZE = 512


def hour_table(weights: dict[int, int]) -> tuple[int, ...]:
    """Each hour repeated by its weight: indexing it uniformly draws an hour."""
    return tuple(hour for hour, weight in sorted(weights.items()) for _ in range(weight))


def amount_table(category: Category) -> tuple[int, ...]:
    """Quantiles of a log-uniform distribution, rounded to the category's step."""
    log_low, log_high = math.log(category.low), math.log(category.high)
    values = []
    for i in range(AMOUNT_TABLE_SIZE):
        raw = math.exp(log_low + (log_high - log_low) * (i + 0.5) / AMOUNT_TABLE_SIZE)
        values.append(max(category.step, round(raw / category.step) * category.step))
    return tuple(values)


AMOUNTS = {name: amount_table(category) for name, category in CATEGORIES.items()}
SALE_HOURS = hour_table(HOUR_WEIGHTS)
FEE_HOUR_TABLE = hour_table(FEE_HOURS)


def category_of(goods: str | None) -> str:
    return goods if goods in CATEGORIES else DEFAULT_CATEGORY


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a stall's day."""
    if mean <= 0:
        return 0
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        count += 1
        product *= rng.random()
    return count
