"""Certification of every market against a ruleset, and the department's KPI.

The KPI is certified markets ÷ the ruleset's target (60 for Thái Nguyên 2022),
broken down by commune (in force on the as-of date), by former district (the
grouping of the 2022 targets; districts ended on 30/6/2025) and by hạng. One
aggregate statement for all markets (``queries.market_figures``) plus the unit names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import District
from market40.registry.geography import market_communes
from market40.reports.adoption import check_period
from market40.reports.declared import (
    active_only_by_declaring,
    declared_qr_sums,
    without_declared_qr,
)
from market40.reports.metrics import Figures, MetricValue
from market40.reports.queries import MarketFigures, market_figures
from market40.reports.rulesets import Criterion, Ruleset


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    value: MetricValue
    passed: bool


@dataclass(frozen=True)
class MarketVerdict:
    code: str
    name: str
    district_code: str
    grade: int
    figures: Figures
    criteria: tuple[CriterionResult, ...]
    # The commune in force on the as-of date (its current one since 1/7/2025).
    commune_code: str | None = None

    @property
    def certified(self) -> bool:
        return all(result.passed for result in self.criteria)


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Certified markets of one district (``key`` = its code) or one hạng (``key`` = 1, 2, 3)."""

    key: str | int
    name: str
    certified: int
    markets: int


@dataclass(frozen=True)
class Certification:
    ruleset: Ruleset
    as_of: date
    markets: tuple[MarketVerdict, ...]
    by_district: tuple[GroupCount, ...]  # the former districts (until 30/6/2025)
    by_grade: tuple[GroupCount, ...]
    by_commune: tuple[GroupCount, ...] = ()  # the communes in force on as_of

    @property
    def certified(self) -> int:
        return sum(1 for market in self.markets if market.certified)

    @property
    def progress(self) -> Fraction:
        return Fraction(self.certified, self.ruleset.target)


def judge(criteria: Iterable[Criterion], figures: Figures) -> tuple[CriterionResult, ...]:
    results = []
    for criterion in criteria:
        value = figures.metric(criterion.metric)
        results.append(CriterionResult(criterion, value, criterion.passes(value)))
    return tuple(results)


def _groups(
    verdicts: Sequence[MarketVerdict], key: str, names: dict[str | int, str]
) -> tuple[GroupCount, ...]:
    counts: dict[str | int | None, list[int]] = {}
    for verdict in verdicts:
        tally = counts.setdefault(getattr(verdict, key), [0, 0])
        tally[0] += verdict.certified
        tally[1] += 1
    # A market with no former district (registered in the former Bắc Kạn) sorts last.
    return tuple(
        GroupCount(k, names.get(k, str(k)) if k is not None else "—", certified, total)
        for k, (certified, total) in sorted(counts.items(), key=lambda kv: (kv[0] is None,
                                                                            str(kv[0])))
    )


def verdicts(
    rows: Iterable[MarketFigures], criteria: Sequence[Criterion]
) -> tuple[MarketVerdict, ...]:
    return tuple(
        MarketVerdict(m.code, m.name, m.district_code, m.grade, m.figures,
                      judge(criteria, m.figures))
        for m in rows
    )


def certify(session: Session, ruleset: Ruleset, as_of: date | None = None) -> Certification:
    """Judge every market as of a local date over the ruleset's window."""
    as_of, window = check_period(as_of, ruleset.window)
    communes = market_communes(session, as_of)
    figures = market_figures(session, as_of, window)
    if not ruleset.declared_qr_counts:
        declared = declared_qr_sums(session, as_of, window)
        inactive = active_only_by_declaring(session, as_of, window)
        figures = [replace(m, figures=without_declared_qr(m.figures, declared[m.market_id],
                                                          inactive.get(m.market_id, 0)))
                   if m.market_id in declared else m for m in figures]
    markets = tuple(
        replace(v, commune_code=communes[v.code].code)
        for v in verdicts(figures, ruleset.criteria)
    )
    commune_names: dict[str | int, str] = {c.code: c.label for c in communes.values()}
    rows = session.execute(sa.select(District.code, District.name))
    districts: dict[str | int, str] = {code: name for code, name in rows}
    grades: dict[str | int, str] = {1: "hạng 1", 2: "hạng 2", 3: "hạng 3"}
    return Certification(
        ruleset=ruleset,
        as_of=as_of,
        markets=markets,
        by_district=_groups(markets, "district_code", districts),
        by_grade=_groups(markets, "grade", grades),
        by_commune=_groups(markets, "commune_code", commune_names),
    )
