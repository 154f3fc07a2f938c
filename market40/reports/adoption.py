"""Adoption reports for a province, district, market or vendor (DESIGN.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import InvalidInput, NotFound
from market40.localtime import local_today
from market40.models import District, Market, Vendor
from market40.payments.rules import EARLIEST_DAY
from market40.registry.geography import commune_scope
from market40.registry.markets import get_market
from market40.reports.metrics import Figures, MetricValue, total
from market40.reports.queries import market_figures, vendor_figures

LEVELS = ("province", "commune", "district", "market", "vendor")
# Districts were abolished on 1/7/2025: a district report is the former-district grouping.
HISTORICAL_LEVELS = frozenset({"district"})
# The registry holds one province: Thái Nguyên (GSO code 19).
PROVINCE_CODE = "19"
PROVINCE_NAME = "Thái Nguyên"
DEFAULT_WINDOW = 30
#: No figure is older: transactions start in 2000 (payments.rules.EARLIEST). A day near
#: year 1 also has no window before it nor a UTC start (``date`` overflows): a 500.
EARLIEST_AS_OF = EARLIEST_DAY
MAX_WINDOW = 366


@dataclass(frozen=True)
class Scope:
    """What a report covers: the markets matching ``where``, or a single ``vendor``."""

    level: str
    code: str
    name: str
    where: sa.ColumnElement[bool] | None = None
    vendor: Vendor | None = None

    @property
    def historical(self) -> bool:
        """A grouping of units no longer in force (the former districts)."""
        return self.level in HISTORICAL_LEVELS


@dataclass(frozen=True)
class AdoptionReport:
    level: str
    code: str
    name: str
    as_of: date
    window: int
    figures: Figures
    historical: bool = False

    def metrics(self) -> dict[str, MetricValue]:
        return self.figures.metrics()


def resolve_scope(session: Session, level: str, code: str | None,
                  as_of: date | None = None) -> Scope:
    """Find what ``level``/``code`` names, or raise InvalidInput / NotFound.

    A commune code is read with ``as_of`` (default today): the commune in force then.
    A district is a former district (until 30/6/2025), answered for any date.
    """
    if level not in LEVELS:
        raise InvalidInput.field("level", f"must be one of {', '.join(LEVELS)}")
    if level == "province":
        if code not in (None, "", PROVINCE_CODE):
            raise NotFound(f"province {code!r} is not in this registry (only {PROVINCE_CODE})")
        return Scope(level, PROVINCE_CODE, PROVINCE_NAME)
    if not code:
        raise InvalidInput.field("code", f"is required for level {level}")
    if level == "commune":
        commune, where = commune_scope(session, code, as_of or local_today())
        return Scope(level, commune.code, commune.label, where)
    if level == "district":
        district = session.get(District, code)
        if district is None:
            raise NotFound(f"district {code!r} does not exist")
        return Scope(level, district.code, district.name, Market.district_code == district.code)
    if level == "market":
        market = get_market(session, code)
        return Scope(level, market.code, market.name, Market.id == market.id)
    if not code.isdigit():
        raise InvalidInput.field("code", "must be a vendor id (a whole number) for level vendor")
    vendor = session.get(Vendor, int(code))
    if vendor is None:
        raise NotFound(f"vendor {code} does not exist")
    return Scope(level, str(vendor.id), vendor.display_name, vendor=vendor)


def check_period(as_of: date | None, window: int | None = None) -> tuple[date, int]:
    """Defaults (today, 30 days) and bounds of an as-of date and a window."""
    today = local_today()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput.field("as_of", f"must not be after today ({today.isoformat()})")
    if as_of < EARLIEST_AS_OF:
        raise InvalidInput.field("as_of", f"must be on or after {EARLIEST_AS_OF.isoformat()}")
    window = DEFAULT_WINDOW if window is None else window
    if not 1 <= window <= MAX_WINDOW:
        raise InvalidInput.field("window", f"must be between 1 and {MAX_WINDOW} days")
    return as_of, window


def scope_figures(session: Session, scope: Scope, as_of: date, window: int) -> Figures:
    if scope.vendor is not None:
        return vendor_figures(session, scope.vendor, as_of, window)
    return total([m.figures for m in market_figures(session, as_of, window, scope.where)])


def adoption_report(
    session: Session, scope: Scope, as_of: date | None = None, window: int | None = None
) -> AdoptionReport:
    """The metrics of ``scope`` as of a local date over the ``window`` days ending then.

    District and province figures are sums of their markets' counts; their ratios
    are computed from those sums.
    """
    as_of, window = check_period(as_of, window)
    figures = scope_figures(session, scope, as_of, window)
    return AdoptionReport(scope.level, scope.code, scope.name, as_of, window, figures,
                          scope.historical)
