"""Dated administrative units: which commune a code means on a date, and where it went.

A commune code is read together with a date (``Commune.in_force_on``): 05443 is phường
Trưng Vương until 30/6/2025 and phường Phan Đình Phùng from 1/7/2025. A former commune
leads to its new one(s) through ``CommuneChange`` (NQ 1683/NQ-UBTVQH15).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from market40.errors import InvalidInput, NotFound
from market40.localtime import local_today
from market40.models import Commune, CommuneChange, Market
from market40.models.geo import LAST_DAY_OF_DISTRICTS


def communes_on(session: Session, day: date) -> list[Commune]:
    """The communes in force on ``day``, by code."""
    return list(session.scalars(
        sa.select(Commune).where(Commune.in_force_on(day)).order_by(Commune.code)))


def commune_on(session: Session, code: str, day: date) -> Commune | None:
    """The commune that ``code`` meant on ``day`` (None: no such unit that day)."""
    return session.scalar(
        sa.select(Commune).where(Commune.code == code, Commune.in_force_on(day)))


def formed_from(session: Session, communes: list[Commune]) -> dict[int, list[CommuneChange]]:
    """For each commune id, the former communes (or parts) it was formed from."""
    ids = [c.id for c in communes]
    changes: dict[int, list[CommuneChange]] = defaultdict(list)
    if not ids:
        return changes
    rows = session.scalars(
        sa.select(CommuneChange).where(CommuneChange.new_id.in_(ids))
        .options(joinedload(CommuneChange.former)).order_by(CommuneChange.id))
    for change in rows:
        changes[change.new_id].append(change)
    return changes


def successors(session: Session, former: Commune) -> list[Commune]:
    """The new communes a former one went into (several if it was split)."""
    return list(session.scalars(
        sa.select(Commune).join(CommuneChange, CommuneChange.new_id == Commune.id)
        .where(CommuneChange.former_id == former.id).order_by(CommuneChange.id)))


@dataclass(frozen=True)
class Placement:
    """Where a market is: its commune today, and (if known) its commune and district of 2024."""

    commune: Commune
    former_commune: Commune | None
    district_code: str | None


def _former_district(session: Session, commune: Commune) -> str | None:
    """The former district of a new commune, when all its former communes share one."""
    districts = {c.former.district_code for c in formed_from(session, [commune])[commune.id]
                 if c.former is not None}
    return districts.pop() if len(districts) == 1 else None


def place(session: Session, code: str, former_code: str | None = None,
          field: str = "commune_code", today: date | None = None) -> Placement:
    """Resolve the commune a user gave for a market: a current code, or a former one.

    A former code is translated to its new commune; a former commune that was split
    needs the current one (it depends on the address). ``former_code`` (optional) names
    the 2024 commune of a market given by its current commune. Errors name ``field``.
    """
    today = today or local_today()
    code = (code or "").strip()
    current = commune_on(session, code, today)
    former = None
    if current is None:
        former = commune_on(session, code, LAST_DAY_OF_DISTRICTS)
        if former is None:
            raise InvalidInput.field(field, f"{code!r} is not a commune of the province, now "
                                     "or before 1/7/2025 (see /api/v1/communes)")
        targets = successors(session, former)
        if len(targets) != 1:
            options = ", ".join(f"{t.code} ({t.label})" for t in targets)
            raise InvalidInput.field(
                field, f"former commune {former.code} ({former.label}) was split on 1/7/2025 "
                f"between {options}: give the one that holds the market's address")
        current = targets[0]
    if former_code:
        given = commune_on(session, former_code.strip(), LAST_DAY_OF_DISTRICTS)
        if given is None or current.id not in {c.id for c in successors(session, given)}:
            raise InvalidInput.field(
                "former_commune_code",
                f"{former_code!r} is not a former commune of {current.code} ({current.label})")
        former = given
    district = former.district_code if former else _former_district(session, current)
    return Placement(current, former, district)


def commune_of(market: Market, day: date) -> Commune:
    """The commune a market was in on ``day``: its current one once that is in force,
    its former one before (a market with no former commune keeps its current one)."""
    if market.former_commune is None or market.commune.in_force(day):
        return market.commune
    return market.former_commune


def market_communes(session: Session, day: date) -> dict[str, Commune]:
    """Every market's commune on ``day``, by market code (one query)."""
    markets = session.scalars(sa.select(Market).options(
        joinedload(Market.commune), joinedload(Market.former_commune)))
    return {m.code: commune_of(m, day) for m in markets}


def commune_scope(session: Session, code: str, day: date) -> tuple[Commune, sa.ColumnElement[bool]]:
    """The commune ``code`` names on ``day`` and the condition on Market of its markets.

    A commune in force today holds the markets now in it, for every date: before
    1/7/2025 that is the sum of its former communes (split ones by the market's address).
    A former commune holds the markets that were in it.
    """
    commune = commune_on(session, code, day)
    if commune is None:
        raise NotFound(f"commune {code!r} was not in force on {day.isoformat()} "
                       "(see /api/v1/communes?as_of=)")
    if commune.valid_to is None:
        return commune, Market.commune_id == commune.id
    return commune, Market.former_commune_id == commune.id
