"""Rollups (per vendor and per market per local day, and each vendor's QR days per
month): kept current on every write, provably equal to the raw rows.

Every path that stores transactions (single POST, batch, bank notification, simulator)
adds its deltas with :func:`upsert_rollups` in the same database transaction, so a
report never scans raw transactions. :func:`rebuild_rollups` recomputes them from the
raw rows and :func:`reconcile` proves they are equal.
"""

from market40.rollups.deltas import COUNTERS, RollupDeltas, counter_names
from market40.rollups.rebuild import rebuild_rollups
from market40.rollups.reconcile import Difference, reconcile
from market40.rollups.upsert import upsert_rollups

__all__ = [
    "COUNTERS",
    "Difference",
    "RollupDeltas",
    "counter_names",
    "rebuild_rollups",
    "reconcile",
    "upsert_rollups",
]
