"""Adoption reports, series and certification: public, except vendor-level figures."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.base import TEXT
from market40.api.schemas.reports import (
    AdoptionQueryArgsSchema,
    AdoptionSchema,
    CertificationQueryArgsSchema,
    CertificationSchema,
    RulesetSchema,
    SeriesQueryArgsSchema,
    SeriesSchema,
)
from market40.auth import caller
from market40.cache.http import cached_response
from market40.cache.store import ALL, GENERAL
from market40.cache.store import Scope as CacheScope
from market40.downloads import CSV, download
from market40.errors import DomainError
from market40.extensions import db
from market40.registry.markets import get_market
from market40.reports import (
    Scope,
    adoption_report,
    adoption_series,
    certify,
    list_rulesets,
    load_ruleset,
    resolve_scope,
)
from market40.reports.csvexport import adoption_csv, certification_csv, series_csv

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Adoption metrics (DESIGN.md §5) and Market 4.0 certification",
)


def csv_alternative(what: str) -> Any:
    """Document the ``format=csv`` representation next to the JSON one (same 200)."""
    return blp.alt_response(200, schema=TEXT, content_type="text/csv",
                            description=f"{what} (JSON, or CSV with format=csv)")


def report_scope(args: dict[str, Any]) -> Scope:
    """The scope asked for; vendor figures need a token allowed to see that vendor."""
    # A commune code is read with the report's date (a series: its last day).
    scope = resolve_scope(db.session, args["level"], args.get("code"),
                          args.get("as_of") or args.get("end"))
    if scope.vendor is not None:
        caller(vendor=scope.vendor)
    return scope


def figures_scope() -> CacheScope | None:
    """What a report's figures depend on: one market's data, or all of it; None (not
    cached) for a vendor's figures (the caller's token decides) and unknown levels."""
    from flask import request

    level = request.args.get("level")
    if level == "market":
        try:
            return get_market(db.session, request.args.get("code") or "").id
        except DomainError:
            return None  # the view answers the error
    if level in ("province", "commune", "district"):
        return ALL
    return None


@blp.route("/adoption")
class Adoption(MethodView):
    @cached_response(figures_scope)
    @blp.arguments(AdoptionQueryArgsSchema, location="query")
    @blp.response(200, AdoptionSchema)
    @csv_alternative("Adoption metrics")
    def get(self, args: dict[str, Any]) -> Any:
        """Adoption metrics of the province, a commune (in force on ``as_of``), a former
        district (``historical: true``: districts ended on 30/6/2025), a market or a vendor
        (token)."""
        report = adoption_report(db.session, report_scope(args), args.get("as_of"), args["window"])
        if args["format"] == "csv":
            name = f"adoption-{report.level}-{report.code}-{report.as_of.isoformat()}.csv"
            return download(adoption_csv(report, args["lang"]).encode("utf-8"), CSV, name)
        return report


@blp.route("/adoption/series")
class AdoptionSeries(MethodView):
    @cached_response(figures_scope)
    @blp.arguments(SeriesQueryArgsSchema, location="query")
    @blp.response(200, SeriesSchema)
    @csv_alternative("One row per period")
    def get(self, args: dict[str, Any]) -> Any:
        """Adoption metrics per day or calendar month, with the change on the period before."""
        series = adoption_series(
            db.session, report_scope(args), args.get("start"), args.get("end"), args["granularity"]
        )
        if args["format"] == "csv":
            name = (
                f"adoption-{series.level}-{series.code}-{series.granularity}-"
                f"{series.start.isoformat()}-{series.end.isoformat()}.csv"
            )
            return download(series_csv(series, args["lang"]).encode("utf-8"), CSV, name)
        return series


@blp.route("/certification")
class Certification(MethodView):
    @cached_response(lambda: ALL)
    @blp.arguments(CertificationQueryArgsSchema, location="query")
    @blp.response(200, CertificationSchema)
    @csv_alternative("One row per market")
    def get(self, args: dict[str, Any]) -> Any:
        """Every market judged against a ruleset, with the count against the target."""
        certification = certify(db.session, load_ruleset(args["ruleset"]), args.get("as_of"))
        if args["format"] == "csv":
            name = f"certification-{certification.ruleset.name}-{certification.as_of}.csv"
            text = certification_csv(certification, args["lang"])
            return download(text.encode("utf-8"), CSV, name)
        return certification


@blp.route("/rulesets")
class Rulesets(MethodView):
    @cached_response(lambda: GENERAL)  # the files' own changes are in every cache key
    @blp.response(200, RulesetSchema(many=True))
    def get(self) -> Any:
        """The certification rulesets, each with the sha256 of its file."""
        return list_rulesets()
