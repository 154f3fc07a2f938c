"""Adoption reports, their series and certification against rulesets.

Plain functions over a SQLAlchemy session returning frozen dataclasses, shared by
the API, the CLI and the web pages. Reports read the market and vendor rollups
(never raw transactions) and the registry (docs/SCALING.md); metric definitions
are DESIGN.md §5, spelled out in ``metrics`` and ``lifecycle``. Snapshots of a
certification are ``market40.audit``; listings and indicators are registry data.
"""

from market40.reports.adoption import (
    DEFAULT_WINDOW,
    LEVELS,
    MAX_WINDOW,
    AdoptionReport,
    Scope,
    adoption_report,
    resolve_scope,
)
from market40.reports.certification import Certification, MarketVerdict, certify
from market40.reports.metrics import METRICS, Figures
from market40.reports.rulesets import Ruleset, RulesetError, list_rulesets, load_ruleset
from market40.reports.series import GRANULARITIES, AdoptionSeries, adoption_series

__all__ = [
    "DEFAULT_WINDOW",
    "GRANULARITIES",
    "LEVELS",
    "MAX_WINDOW",
    "METRICS",
    "AdoptionReport",
    "AdoptionSeries",
    "Certification",
    "Figures",
    "MarketVerdict",
    "Ruleset",
    "RulesetError",
    "Scope",
    "adoption_report",
    "adoption_series",
    "certify",
    "list_rulesets",
    "load_ruleset",
    "resolve_scope",
]
