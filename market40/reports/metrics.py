"""The adoption metrics of DESIGN.md §5: counts, and the ratios derived from them.

Counts add up (a district is the sum of its markets); ratios are always computed
from the summed counts, never averaged, and are exact ``Fraction``s so that a
threshold such as ``coverage >= 0.7`` is decided without float rounding. A ratio
whose denominator is zero is ``None`` (shown as ``null``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

# ratio -> (numerator, denominator)
RATIO_METRICS: dict[str, tuple[str, str]] = {
    "coverage": ("with_qr", "registered"),
    "active_rate": ("active", "with_qr"),
    "cashless_share_count": ("qr_sales_count", "sales_count"),
    "cashless_share_value": ("qr_sales_value", "sales_value"),
    "fees_cashless_share": ("qr_fees_count", "fees_count"),
}
# Every metric, in the order of the report's keys (and of CSV columns).
METRICS = (
    "registered",
    "with_qr",
    "coverage",
    "active",
    "active_rate",
    "sales_count",
    "sales_value",
    "qr_sales_count",
    "qr_sales_value",
    "cashless_share_count",
    "cashless_share_value",
    "fees_count",
    "qr_fees_count",
    "fees_cashless_share",
    "fees_value",
    "qr_fees_value",
    "online_products",
)

MetricValue = int | Fraction | None

# Ratios frozen in snapshots: decimal strings with this many places, half-even.
RATIO_PLACES = 6


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return None if not denominator else Fraction(numerator, denominator)


def ratio_text(value: Fraction | None, places: int = RATIO_PLACES) -> str | None:
    """A ratio as a fixed-point decimal string (``Fraction(2, 3)`` -> ``"0.666667"``)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class Figures:
    """The counts of one market, vendor, district or the province for one as-of date and window.

    ``online_products`` is ``None`` for a vendor: listings belong to markets.
    """

    registered: int = 0
    with_qr: int = 0
    active: int = 0
    sales_count: int = 0
    sales_value: int = 0
    qr_sales_count: int = 0
    qr_sales_value: int = 0
    fees_count: int = 0
    fees_value: int = 0
    qr_fees_count: int = 0
    qr_fees_value: int = 0
    online_products: int | None = 0

    def __add__(self, other: Figures) -> Figures:
        values = {}
        for field in fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            values[field.name] = None if mine is None or theirs is None else mine + theirs
        return Figures(**values)

    @property
    def coverage(self) -> Fraction | None:
        return ratio(self.with_qr, self.registered)

    @property
    def active_rate(self) -> Fraction | None:
        return ratio(self.active, self.with_qr)

    @property
    def cashless_share_count(self) -> Fraction | None:
        return ratio(self.qr_sales_count, self.sales_count)

    @property
    def cashless_share_value(self) -> Fraction | None:
        return ratio(self.qr_sales_value, self.sales_value)

    @property
    def fees_cashless_share(self) -> Fraction | None:
        return ratio(self.qr_fees_count, self.fees_count)

    def metric(self, name: str) -> MetricValue:
        if name not in METRICS:
            raise KeyError(name)
        return getattr(self, name)

    def metrics(self) -> dict[str, MetricValue]:
        """Every metric by name, in report order (ratios as exact fractions)."""
        return {name: getattr(self, name) for name in METRICS}


def total(figures: list[Figures] | tuple[Figures, ...]) -> Figures:
    """Sum counts first (the ratios of the result are then computed from the sums)."""
    result = Figures()
    for item in figures:
        result = result + item
    return result
