"""What a set of new transactions adds to the rollups, accumulated in Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from market40.localtime import local_day

#: (method, kind) -> (count column, value column) of DailyRollup
COUNTERS: dict[tuple[str, str], tuple[str, str]] = {
    ("qr", "sale"): ("qr_sales_count", "qr_sales_value"),
    ("cash", "sale"): ("cash_sales_count", "cash_sales_value"),
    ("qr", "fee"): ("qr_fees_count", "qr_fees_value"),
    ("cash", "fee"): ("cash_fees_count", "cash_fees_value"),
}


def counter_names() -> tuple[str, ...]:
    """The eight counter columns, in a fixed order."""
    return tuple(name for pair in COUNTERS.values() for name in pair)


_SLOTS = {key: (2 * i, 2 * i + 1) for i, key in enumerate(COUNTERS)}


@dataclass(frozen=True, slots=True)
class TransactionFacts:
    """The fields of a transaction that rollups depend on."""

    vendor_id: int
    market_id: int
    occurred_at: datetime
    method: str
    kind: str
    amount: int


class RollupDeltas:
    """Counts and sums per (vendor, local day), ready for :func:`upsert_rollups`."""

    def __init__(self) -> None:
        self._rows: dict[tuple[int, date], list[int]] = {}
        self._markets: dict[tuple[int, date], int] = {}

    def add(
        self, vendor_id: int, market_id: int, day: date, method: str, kind: str, amount: int
    ) -> None:
        key = (vendor_id, day)
        counters = self._rows.get(key)
        if counters is None:
            counters = self._rows[key] = [0] * 8
            self._markets[key] = market_id
        count_slot, value_slot = _SLOTS[(method, kind)]
        counters[count_slot] += 1
        counters[value_slot] += amount

    def add_transaction(self, tx: Any) -> None:
        """Add one transaction (anything with the fields of :class:`TransactionFacts`)."""
        self.add(tx.vendor_id, tx.market_id, local_day(tx.occurred_at), tx.method, tx.kind,
                 tx.amount)

    def extend(self, transactions: Iterable[Any]) -> RollupDeltas:
        for tx in transactions:
            self.add_transaction(tx)
        return self

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (vendor, day), sorted by that key so that concurrent writers
        lock rollup rows in the same order (no deadlocks on PostgreSQL)."""
        names = counter_names()
        return [
            {"vendor_id": key[0], "day": key[1], "market_id": self._markets[key],
             **dict(zip(names, counters, strict=True))}
            for key, counters in sorted(self._rows.items())
        ]
