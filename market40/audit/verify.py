"""Checking a snapshot: its own hash, the chain behind it, and today's data.

- ``hash_ok``: the stored body hashes to the stored sha256, and the row's columns
  (ruleset, as-of, prev_sha256) agree with the body.
- ``chain_ok``: walking the snapshots in id order from the first to this one, each
  one's ``prev_sha256`` is the sha256 of the one before (None for the first) and
  every earlier body still hashes to its sha256. An altered snapshot therefore
  breaks the chain of every snapshot after it.
- ``changes``: the figures recomputed from today's data with the snapshot's own
  criteria, compared with the frozen ones: data corrected or back-filled since
  are reported, not hidden.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.audit.canonical import metric_value, sha256_hex
from market40.audit.snapshots import get_snapshot
from market40.errors import DomainError
from market40.models import Snapshot
from market40.reports.certification import verdicts
from market40.reports.metrics import METRICS
from market40.reports.queries import market_figures
from market40.reports.rulesets import Criterion, load_ruleset


@dataclass(frozen=True, slots=True)
class Change:
    market: str
    metric: str
    then: Any
    now: Any


@dataclass(frozen=True)
class Verification:
    snapshot_id: int
    sha256: str
    hash_ok: bool
    chain_ok: bool
    problems: tuple[str, ...]
    changes: tuple[Change, ...]
    # The ruleset file's sha256 today (None: gone or broken); differs if it was edited since.
    ruleset_sha256_now: str | None


def _body_problems(snapshot: Snapshot) -> tuple[list[str], dict[str, Any] | None]:
    name = f"snapshot {snapshot.id}"
    problems = []
    if sha256_hex(snapshot.body.encode("utf-8")) != snapshot.sha256:
        problems.append(f"{name}: its body does not hash to its sha256 {snapshot.sha256}")
    try:
        body = json.loads(snapshot.body)
    except ValueError:
        return [*problems, f"{name}: its body is not JSON"], None
    expected = {
        "prev_sha256": snapshot.prev_sha256,
        "as_of": snapshot.as_of.isoformat(),
    }
    for key, value in expected.items():
        if body.get(key) != value:
            problems.append(f"{name}: column {key} {value!r} differs from its body")
    ruleset = body.get("ruleset") or {}
    if ruleset.get("name") != snapshot.ruleset or ruleset.get("sha256") != snapshot.ruleset_sha256:
        problems.append(f"{name}: columns ruleset/ruleset_sha256 differ from its body")
    return problems, body


def _chain_problems(session: Session, snapshot: Snapshot) -> list[str]:
    rows = session.execute(
        sa.select(Snapshot.id, Snapshot.sha256, Snapshot.prev_sha256, Snapshot.body)
        .where(Snapshot.id <= snapshot.id)
        .order_by(Snapshot.id)
    )
    problems = []
    expected_prev: str | None = None
    previous_id: int | None = None
    for row in rows:
        if row.prev_sha256 != expected_prev:
            after = f"snapshot {previous_id}" if previous_id else "nothing (the first)"
            problems.append(
                f"snapshot {row.id}: prev_sha256 {row.prev_sha256} is not the sha256 of {after}"
            )
        if row.id != snapshot.id and sha256_hex(row.body.encode("utf-8")) != row.sha256:
            problems.append(f"snapshot {row.id}: its body does not hash to its sha256 {row.sha256}")
        expected_prev, previous_id = row.sha256, row.id
    return problems


def _criteria(body: dict[str, Any]) -> list[Criterion]:
    return [
        Criterion(
            c["metric"],
            c["op"],
            c["threshold"] if isinstance(c["threshold"], int) else Decimal(c["threshold"]),
        )
        for c in body["ruleset"]["criteria"]
    ]


def _changes(session: Session, body: dict[str, Any]) -> Iterable[Change]:
    as_of = date.fromisoformat(body["as_of"])
    now = {
        v.code: v
        for v in verdicts(market_figures(session, as_of, body["window"]), _criteria(body))
    }
    then = {market["code"]: market for market in body["markets"]}
    for code, frozen in then.items():
        current = now.get(code)
        if current is None:
            yield Change(code, "market", "present", "absent")
            continue
        for metric in METRICS:
            value = metric_value(current.figures.metric(metric))
            if frozen["inputs"].get(metric) != value:
                yield Change(code, metric, frozen["inputs"].get(metric), value)
        if frozen["certified"] != current.certified:
            yield Change(code, "certified", frozen["certified"], current.certified)
    for code in now.keys() - then.keys():
        yield Change(code, "market", "absent", "present")


def verify_snapshot(session: Session, snapshot_id: int) -> Verification:
    snapshot = get_snapshot(session, snapshot_id)
    own, body = _body_problems(snapshot)
    chain = _chain_problems(session, snapshot)
    changes: tuple[Change, ...] = ()
    if body is not None:
        try:
            changes = tuple(_changes(session, body))
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            own.append(f"snapshot {snapshot.id}: its body cannot be recomputed ({error!r})")
    try:
        ruleset_now: str | None = load_ruleset(snapshot.ruleset).sha256
    except DomainError:
        ruleset_now = None
    return Verification(
        snapshot_id=snapshot.id,
        sha256=snapshot.sha256,
        hash_ok=not own,
        chain_ok=not chain,
        problems=tuple(own + chain),
        changes=changes,
        ruleset_sha256_now=ruleset_now,
    )
