"""Adoption reports, certification, audit snapshots, listings and province indicators.

Plain functions over a SQLAlchemy session returning frozen dataclasses, shared by
the API, the CLI and the web pages. Reports read the market and vendor rollups
(never raw transactions) and the registry (docs/SCALING.md); metric definitions
are DESIGN.md §5, spelled out in ``metrics`` and ``lifecycle``.
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
from market40.reports.snapshots import create_snapshot, get_snapshot, snapshots_query
from market40.reports.verify import Verification, verify_snapshot

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
    "Verification",
    "adoption_report",
    "adoption_series",
    "certify",
    "create_snapshot",
    "get_snapshot",
    "list_rulesets",
    "load_ruleset",
    "resolve_scope",
    "snapshots_query",
    "verify_snapshot",
]
