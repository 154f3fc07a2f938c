"""Canonical JSON: the exact bytes a snapshot's sha256 is taken over.

- ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, UTF-8;
- integers (counts, đồng) stay JSON integers;
- ratios are decimal **strings** with 6 places, rounded half-even from the exact
  fraction (``2/3`` -> ``"0.666667"``); ruleset thresholds are integers or the
  decimal string written in the ruleset file (``"0.7"``);
- no floats anywhere, so any language that re-serialises the parsed body the
  same way gets the same bytes and the same hash;
- dates are ``YYYY-MM-DD`` (local), times ISO 8601 UTC with ``Z`` to the second.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from market40.reports.metrics import MetricValue, ratio_text


def canonical_bytes(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def metric_value(value: MetricValue) -> int | str | None:
    """A metric as frozen: counts as ints, ratios as 6-place decimal strings."""
    if isinstance(value, Fraction):
        return ratio_text(value)
    return value


def threshold_value(value: int | Decimal) -> int | str:
    return value if isinstance(value, int) else str(value)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
