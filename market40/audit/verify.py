"""Checking snapshots: each one's fields, hash and signature, the chain, and today's data.

- ``hash_ok``: the stored body hashes to the stored sha256, it is canonical JSON,
  and every stored column (id, ruleset, ruleset_sha256, as_of, created_at,
  created_by_id, prev_sha256, certified, key_id) equals its value in the body. A
  problem names the field.
- ``signature_ok``: the body's Ed25519 signature verifies with the trusted public
  key it names (``signing``). Rewriting a snapshot, even the newest, and
  recomputing its hash does not survive this: the writer lacks the private key.
- ``chain_ok``: in id order, each snapshot's ``prev_sha256`` is the sha256 of the
  one before (None for the first), from the first snapshot up to this one **and**
  the next one's link back to this one (the forward link). The chain's links are
  read as (id, sha256, prev_sha256) only, so checking them all costs little; each
  body is checked by its own hash and signature (``flask snapshots verify`` checks
  every snapshot's, and the whole chain).
- ``changes``: the figures recomputed from today's data with the snapshot's own
  criteria, compared with the frozen ones: data corrected or back-filled since
  are reported, not hidden.

Deleting the newest snapshots leaves a consistent shorter chain: the chain head
(id and sha256) is printed on the public overview page and on every snapshot PDF,
so a copy held outside reveals it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.audit.canonical import canonical_bytes, metric_value, sha256_hex, utc_text
from market40.audit.signing import PublicKey, public_keys, signature_problem
from market40.audit.snapshots import get_snapshot
from market40.cache.store import ALL, cached
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


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, with the snapshot and the field (column) it concerns."""

    snapshot: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"snapshot {self.snapshot}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Verification:
    snapshot_id: int
    sha256: str
    hash_ok: bool
    chain_ok: bool
    signature_ok: bool
    details: tuple[Problem, ...]
    changes: tuple[Change, ...]
    # The ruleset file's sha256 today (None: gone or broken); differs if it was edited since.
    ruleset_sha256_now: str | None
    key_id: str | None = None

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.details)

    @property
    def ok(self) -> bool:
        return self.hash_ok and self.chain_ok and self.signature_ok


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    sha256: str
    prev_sha256: str | None


@dataclass
class Chain:
    """The chain's links in id order and every broken one, read once for many checks."""

    links: Sequence[Link]
    broken: list[Problem] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Chain:
        rows = session.execute(
            sa.select(Snapshot.id, Snapshot.sha256, Snapshot.prev_sha256).order_by(Snapshot.id)
        )
        chain = cls([Link(*row) for row in rows])
        previous: Link | None = None
        for link in chain.links:
            expected = previous.sha256 if previous else None
            if link.prev_sha256 != expected:
                after = f"the sha256 of snapshot {previous.id}" if previous else (
                    "None (it is the first)")
                chain.broken.append(Problem(
                    link.id, "prev_sha256", f"{link.prev_sha256} should be {after}"))
            previous = link
        return chain

    @property
    def head(self) -> Link | None:
        return self.links[-1] if self.links else None

    def problems_for(self, snapshot_id: int) -> list[Problem]:
        """Broken links from the first snapshot up to the one after ``snapshot_id``."""
        ids = [link.id for link in self.links]
        following = next((i for i in ids if i > snapshot_id), snapshot_id)
        return [p for p in self.broken if p.snapshot <= following]


def _column_values(snapshot: Snapshot) -> dict[str, Any]:
    """Each stored column as the body spells it (format 2)."""
    return {
        "id": snapshot.id,
        "ruleset": snapshot.ruleset,
        "ruleset_sha256": snapshot.ruleset_sha256,
        "as_of": snapshot.as_of.isoformat(),
        "created_at": utc_text(snapshot.created_at),
        "created_by_id": snapshot.created_by_id,
        "prev_sha256": snapshot.prev_sha256,
        "certified": snapshot.certified,
        "key_id": snapshot.key_id,
    }


def _body_values(body: dict[str, Any]) -> dict[str, Any]:
    ruleset = body.get("ruleset") or {}
    summary = body.get("summary") or {}
    return {
        "id": body.get("id"),
        "ruleset": ruleset.get("name"),
        "ruleset_sha256": ruleset.get("sha256"),
        "as_of": body.get("as_of"),
        "created_at": body.get("created_at"),
        "created_by_id": body.get("created_by_id"),
        "prev_sha256": body.get("prev_sha256"),
        "certified": summary.get("certified"),
        "key_id": body.get("key_id"),
    }


# Format 1 (before signing) did not hold these in its body.
FORMAT_1_UNHASHED = frozenset({"id", "created_by_id", "key_id"})


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    """What ``changes`` needs of a body: a tenth of it, cheap to keep between requests."""
    return {
        "as_of": body["as_of"],
        "window": body["window"],
        "criteria": body["ruleset"]["criteria"],
        "markets": {m["code"]: (m["inputs"], m["certified"]) for m in body["markets"]},
    }


# A snapshot checked once need not be parsed again while nothing about it changes: the
# key holds the sha256 of the body as read now (not the stored one), every column and the
# trusted keys, so any change to any of them is a new key and a full check. Bounded LRU.
_CHECKED: OrderedDict[tuple, tuple] = OrderedDict()
CHECKED_MAX = 512


def _memo_key(snapshot: Snapshot, actual_sha256: str, keys: dict[str, PublicKey]) -> tuple:
    return (actual_sha256, tuple(_column_values(snapshot).values()), snapshot.sha256,
            snapshot.signature, tuple(sorted((k, v.raw) for k, v in keys.items())))


def own_problems(
    snapshot: Snapshot, keys: dict[str, PublicKey]
) -> tuple[list[Problem], list[Problem], dict[str, Any] | None]:
    """``(hash problems, signature problems, compact body)`` of one snapshot on its own."""
    raw = snapshot.body.encode("utf-8")
    actual = sha256_hex(raw)
    key = _memo_key(snapshot, actual, keys)
    known = _CHECKED.get(key)
    if known is not None:
        _CHECKED.move_to_end(key)
        return list(known[0]), list(known[1]), known[2]
    problems, signed, compact = _check(snapshot, raw, actual, keys)
    _CHECKED[key] = (tuple(problems), tuple(signed), compact)
    while len(_CHECKED) > CHECKED_MAX:
        _CHECKED.popitem(last=False)
    return problems, signed, compact


def _check(snapshot: Snapshot, raw: bytes, actual: str, keys: dict[str, PublicKey]
           ) -> tuple[list[Problem], list[Problem], dict[str, Any] | None]:
    problems: list[Problem] = []
    if actual != snapshot.sha256:
        problems.append(Problem(snapshot.id, "sha256",
                                f"the body does not hash to {snapshot.sha256}"))
    signature = signature_problem(keys, snapshot.key_id, snapshot.signature, raw)
    signed = [Problem(snapshot.id, "signature", signature)] if signature else []
    try:
        body = json.loads(raw)
    except ValueError:
        return [*problems, Problem(snapshot.id, "body", "is not JSON")], signed, None
    if not isinstance(body, dict):
        return [*problems, Problem(snapshot.id, "body", "is not a JSON object")], signed, None
    if canonical_bytes(body) != raw:
        problems.append(Problem(snapshot.id, "body", "is not in canonical form"))
    legacy = body.get("format") == "market40.snapshot/1"
    in_body = _body_values(body)
    for name, value in _column_values(snapshot).items():
        if legacy and name in FORMAT_1_UNHASHED:
            continue
        if in_body[name] != value:
            problems.append(Problem(snapshot.id, name,
                                    f"column {value!r} differs from the body's {in_body[name]!r}"))
    try:
        compact: dict[str, Any] | None = _compact(body)
    except (KeyError, TypeError) as error:
        problems.append(Problem(snapshot.id, "body", f"lacks a part ({error!r})"))
        compact = None
    return problems, signed, compact


def _criteria(body: dict[str, Any]) -> list[Criterion]:
    return [
        Criterion(
            c["metric"],
            c["op"],
            c["threshold"] if isinstance(c["threshold"], int) else Decimal(c["threshold"]),
        )
        for c in body["criteria"]
    ]


@dataclass
class FigureCache:
    """Per request: today's figures of every market per (as_of, window), as frozen
    values, and the verdicts per (as_of, window, criteria)."""

    figures: dict[tuple[str, int], tuple[list[Any], dict[str, dict[str, Any]]]] = field(
        default_factory=dict)
    verdicts: dict[tuple[tuple[str, int], str], dict[str, bool]] = field(default_factory=dict)
    ruleset_sha256: dict[str, str | None] = field(default_factory=dict)


def _changes(session: Session, body: dict[str, Any],
             cache: FigureCache | None = None) -> Iterable[Change]:
    """What differs between a (compact) body's frozen figures and today's data."""
    key = (body["as_of"], body["window"])
    cache = cache if cache is not None else FigureCache()
    found = cache.figures.get(key)
    if found is None:
        as_of, window = date.fromisoformat(body["as_of"]), body["window"]
        # today's figures of every market, shared by every request while the data stands
        figures = cached("market_figures", (as_of, window), ALL,
                         lambda: list(market_figures(session, as_of, window)))
        inputs = {f.code: {name: metric_value(f.figures.metric(name)) for name in METRICS}
                  for f in figures}
        found = cache.figures[key] = (figures, inputs)
    figures, inputs = found
    criteria_key = json.dumps(body["criteria"], sort_keys=True)
    certified = cache.verdicts.get((key, criteria_key))
    if certified is None:
        certified = {v.code: v.certified for v in verdicts(figures, _criteria(body))}
        cache.verdicts[(key, criteria_key)] = certified
    then = body["markets"]
    for code, (frozen_inputs, frozen_certified) in then.items():
        current = inputs.get(code)
        if current is None:
            yield Change(code, "market", "present", "absent")
            continue
        if current != frozen_inputs:
            for metric in METRICS:
                if frozen_inputs.get(metric) != current[metric]:
                    yield Change(code, metric, frozen_inputs.get(metric), current[metric])
        if frozen_certified != certified[code]:
            yield Change(code, "certified", frozen_certified, certified[code])
    for code in inputs.keys() - then.keys():
        yield Change(code, "market", "absent", "present")


def check_snapshot(
    session: Session,
    snapshot: Snapshot,
    chain: Chain,
    keys: dict[str, PublicKey],
    *,
    changes: bool = True,
    figures: FigureCache | None = None,
) -> Verification:
    """Verify one snapshot against a chain and keys read once (a page verifies 20 this way)."""
    own, signed, body = own_problems(snapshot, keys)
    links = chain.problems_for(snapshot.id)
    found: tuple[Change, ...] = ()
    if body is not None and changes:
        try:
            found = tuple(_changes(session, body, figures))
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            own.append(Problem(snapshot.id, "body", f"cannot be recomputed ({error!r})"))
    cache = figures if figures is not None else FigureCache()
    if snapshot.ruleset not in cache.ruleset_sha256:
        try:
            cache.ruleset_sha256[snapshot.ruleset] = load_ruleset(snapshot.ruleset).sha256
        except DomainError:
            cache.ruleset_sha256[snapshot.ruleset] = None
    ruleset_now = cache.ruleset_sha256[snapshot.ruleset]
    return Verification(
        snapshot_id=snapshot.id,
        sha256=snapshot.sha256,
        hash_ok=not own,
        chain_ok=not links,
        signature_ok=not signed,
        details=tuple(own + signed + links),
        changes=found,
        ruleset_sha256_now=ruleset_now,
        key_id=snapshot.key_id,
    )


def verify_snapshot(session: Session, snapshot_id: int) -> Verification:
    snapshot = get_snapshot(session, snapshot_id)
    return check_snapshot(session, snapshot, Chain.load(session), public_keys())


def verify_page(session: Session, snapshots: Sequence[Snapshot]) -> dict[int, Verification]:
    """Verify a page of snapshots: the links and keys read once, figures once per as-of."""
    if not snapshots:
        return {}
    chain, keys, figures = Chain.load(session), public_keys(), FigureCache()
    return {s.id: check_snapshot(session, s, chain, keys, figures=figures) for s in snapshots}


@dataclass(frozen=True)
class ChainReport:
    """The whole chain checked: every snapshot's own fields, hash and signature, every link."""

    count: int
    head: Link | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session) -> ChainReport:
    """Check every snapshot and every link (``flask snapshots verify``), streaming the bodies."""
    chain, keys = Chain.load(session), public_keys()
    problems: list[Problem] = []
    count = 0
    statement = sa.select(Snapshot).order_by(Snapshot.id).execution_options(yield_per=50)
    for snapshot in session.scalars(statement):
        own, signed, _ = own_problems(snapshot, keys)
        problems += own + signed
        count += 1
        session.expunge(snapshot)
    problems += chain.broken
    problems.sort(key=lambda p: p.snapshot)
    return ChainReport(count, chain.head, tuple(problems))
