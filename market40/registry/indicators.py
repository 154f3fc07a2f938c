"""Province indicators (e.g. the share of people with an e-payment account) against targets.

Definitions and targets are data (``seeds/indicators.toml``, with sources); the
department enters dated values with their source. Each target is judged on the
latest value dated on or before its due date: ``met`` if that value satisfies it,
``not_met`` once the due date has passed without, ``pending`` before then.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from market40.errors import InvalidInput, NotFound
from market40.localtime import local_today
from market40.models import Indicator, User
from market40.reports.rulesets import OPERATORS

log = logging.getLogger(__name__)
INDICATORS_FILE = Path(__file__).resolve().parent.parent.parent / "seeds" / "indicators.toml"
UNITS = {"share": (Decimal(0), Decimal(1)), "count": (Decimal(0), None), "rank": (Decimal(1), None)}


@dataclass(frozen=True, slots=True)
class Target:
    due: date
    op: str
    value: Decimal
    source: str

    def met_by(self, value: float) -> bool:
        return OPERATORS[self.op](Decimal(str(value)), self.value)


@dataclass(frozen=True, slots=True)
class Definition:
    key: str
    title: str
    title_vi: str
    unit: str
    source: str
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class TargetStatus:
    target: Target
    status: str  # met | not_met | pending
    judged: Indicator | None  # the entry the verdict rests on


@dataclass(frozen=True)
class IndicatorStatus:
    definition: Definition
    latest: Indicator | None
    targets: tuple[TargetStatus, ...]


def load_definitions(path: Path = INDICATORS_FILE) -> dict[str, Definition]:
    """The indicator definitions by key; a malformed file raises ValueError naming the entry."""
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    definitions: dict[str, Definition] = {}
    for index, item in enumerate(data.get("indicators", [])):
        where = f"{path.name}: indicators[{index}]"
        try:
            unit = item["unit"]
            if unit not in UNITS:
                raise ValueError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
            targets = []
            for target in item.get("targets", []):
                if target["op"] not in OPERATORS or not isinstance(target["due"], date):
                    raise ValueError(f"{where}: a target needs a due date and one of "
                                     f"{', '.join(OPERATORS)}")
                targets.append(Target(target["due"], target["op"], Decimal(target["value"]),
                                      target["source"].strip()))
            definitions[item["key"]] = Definition(
                item["key"], item["title"], item.get("title_vi", item["title"]), unit,
                item["source"].strip(), tuple(sorted(targets, key=lambda t: t.due)),
            )
        except KeyError as missing:
            raise ValueError(f"{where}: missing {missing}") from None
    return definitions


def record_indicator(
    session: Session, user: User, key: str, value: float, as_of: date, source: str
) -> Indicator:
    """Enter a dated value of a defined indicator; a later entry for the same date supersedes."""
    definitions = load_definitions()
    if key not in definitions:
        raise InvalidInput.field("key", f"unknown indicator (known: {', '.join(definitions)})")
    low, high = UNITS[definitions[key].unit]
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < low or (high is not None and amount > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise InvalidInput.field("value", f"must be {bounds} for unit {definitions[key].unit}")
    if as_of > local_today():
        raise InvalidInput.field("as_of", "must not be in the future")
    source = (source or "").strip()
    if not source:
        raise InvalidInput.field("source", "must say where the figure comes from")
    if len(source) > 300:
        raise InvalidInput.field("source", "must be at most 300 characters")
    entry = Indicator(key=key, value=float(value), as_of=as_of, source=source,
                      entered_by_id=user.id)
    session.add(entry)
    session.flush()
    log.info("indicator %s = %s as of %s entered by %s", key, value, as_of, user.name)
    return entry


def _newest(entries: list[Indicator]) -> Indicator | None:
    return max(entries, key=lambda e: (e.as_of, e.created_at, e.id), default=None)


def judge_target(target: Target, entries: list[Indicator], today: date) -> TargetStatus:
    judged = _newest([e for e in entries if e.as_of <= target.due])
    if judged is not None and target.met_by(judged.value):
        return TargetStatus(target, "met", judged)
    return TargetStatus(target, "pending" if today <= target.due else "not_met", judged)


def indicator_statuses(session: Session, today: date | None = None) -> list[IndicatorStatus]:
    """Every defined indicator with its latest value and the state of each target."""
    today = today or local_today()
    entries: dict[str, list[Indicator]] = {}
    statement = sa.select(Indicator).options(joinedload(Indicator.entered_by))
    for entry in session.scalars(statement):
        entries.setdefault(entry.key, []).append(entry)
    result = []
    for key, definition in load_definitions().items():
        mine = entries.get(key, [])
        result.append(
            IndicatorStatus(
                definition,
                _newest(mine),
                tuple(judge_target(t, mine, today) for t in definition.targets),
            )
        )
    return result


def indicator_history(key: str) -> sa.Select:
    """One indicator's entries, newest first."""
    if key not in load_definitions():
        raise NotFound(f"indicator {key!r} is not defined")
    return (
        sa.select(Indicator)
        .options(joinedload(Indicator.entered_by))
        .where(Indicator.key == key)
        .order_by(Indicator.as_of.desc(), Indicator.created_at.desc(), Indicator.id.desc())
    )
