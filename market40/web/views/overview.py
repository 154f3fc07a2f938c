"""``/``: the province overview, public (no personal data on it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from flask import render_template

from market40.audit.snapshots import chain_head
from market40.cache.http import cached_response
from market40.cache.store import ALL, cached
from market40.errors import InvalidInput, NotFound
from market40.extensions import db
from market40.localtime import local_today, next_month, shift_months
from market40.reports.adoption import resolve_scope
from market40.reports.certification import MarketVerdict, certify
from market40.reports.metrics import total
from market40.reports.rulesets import Ruleset, list_rulesets, load_ruleset
from market40.reports.series import adoption_series
from market40.web.args import DEFAULT_RULESET, OverviewArgsSchema, PageArgs, check_as_of, parse
from market40.web.blueprint import bp
from market40.web.charts import Series, line_chart, meter, responsive
from market40.web.collation import sort_key
from market40.web.formatting import format_month, format_percent
from market40.web.i18n import current_lang, gettext

TREND_MONTHS = 12
# Sort keys of the table that are not a metric name
_ALIASES = {"cashless": "cashless_share_count"}


def has_data(market: MarketVerdict) -> bool:
    """A market with no vendor on record has no figures: "no data", never "not certified"."""
    return market.figures.registered > 0


def verdict(market: MarketVerdict) -> str:
    """``certified``, ``not_certified`` or ``no_data`` (a message key suffix)."""
    if not has_data(market):
        return "no_data"
    return "certified" if market.certified else "not_certified"


def sort_markets(markets: Sequence[MarketVerdict], key: str, order: str,
                 district_names: dict[str, str]) -> list[MarketVerdict]:
    """The table's rows in the requested order, ties by market code.

    Names sort in Vietnamese alphabetical order. Markets without data and undefined
    figures come last in either direction, so the markets with figures are on top.
    """
    value_of: Callable[[MarketVerdict], Any]
    if key == "district":
        def value_of(m: MarketVerdict) -> Any:
            return sort_key(district_names.get(m.district_code or "", m.district_code or ""))
    elif key == "name":
        def value_of(m: MarketVerdict) -> Any:
            return sort_key(m.name)
    elif key == "grade":
        def value_of(m: MarketVerdict) -> Any:
            return m.grade
    elif key == "certified":
        def value_of(m: MarketVerdict) -> Any:
            return m.certified
    else:
        metric = _ALIASES.get(key, key)

        def value_of(m: MarketVerdict) -> Any:
            return m.figures.metric(metric)
    by_code = sorted(markets, key=lambda m: m.code)
    with_figures = [m for m in by_code if has_data(m) and value_of(m) is not None]
    without_data = [m for m in by_code if not has_data(m) and value_of(m) is not None]
    undefined = [m for m in by_code if value_of(m) is None]
    # Python's sort is stable, also with reverse=True: ties keep the code order.
    for group in (with_figures, without_data):
        group.sort(key=value_of, reverse=order == "desc")
    return with_figures + without_data + undefined


def ruleset_options(rulesets: Sequence[Ruleset]) -> list[Ruleset]:
    """The official rulesets first (the default first of all), then the examples."""
    return sorted(rulesets, key=lambda r: (r.label is not None, r.name != DEFAULT_RULESET, r.name))


def chosen_ruleset(args: PageArgs) -> Ruleset:
    try:
        return load_ruleset(args["ruleset"])
    except (NotFound, InvalidInput):
        args.reject("ruleset", gettext("invalid.ruleset"), DEFAULT_RULESET)
        return load_ruleset(DEFAULT_RULESET)


def is_partial(start: date, end: date) -> bool:
    """A month that does not run to its last day (the current month, to date)."""
    return end < next_month(start) - timedelta(days=1)


def trend_chart(series_points: Sequence[Any]) -> tuple[Any, list[Series], list[str]]:
    """Coverage, cashless share and QR use by month; a month without figures is a gap."""
    lang = current_lang()
    labels = []
    for p in series_points:
        label = format_month(p.period.start, lang)
        labels.append(label + "*" if is_partial(p.period.start, p.period.end) else label)

    def ratio(value: Any) -> float | None:
        return None if value is None else float(value)

    def activity(point: Any, value: Any) -> float | None:
        # No sale at all recorded that month: no data on use, not "0 % used QR".
        return ratio(value) if point.figures.sales_count else None

    series = [
        Series(gettext("metric.coverage"), tuple(ratio(p.figures.coverage) for p in series_points)),
        Series(gettext("metric.cashless_share_count"),
               tuple(ratio(p.figures.cashless_share_count) for p in series_points)),
        Series(gettext("metric.active_rate"),
               tuple(activity(p, p.figures.active_rate) for p in series_points)),
    ]
    svg = responsive(
        line_chart,
        "trend",
        gettext("overview.trend.title"),
        labels,
        series,
        y_format=lambda v: format_percent(v, lang, 0),
        value_format=lambda v: format_percent(v, lang),
        y_limit=1.0,
        empty_text=gettext("chart.empty"),
    )
    return svg, series, labels


@bp.get("/")
@cached_response(lambda: ALL, page=True)
def overview() -> tuple[str, int]:
    """Certified Chợ 4.0 sites against the target, by district and hạng, and every market."""
    args = parse(OverviewArgsSchema())
    ruleset = chosen_ruleset(args)
    as_of = check_as_of(args)
    certification = cached("certify", (ruleset.name, ruleset.sha256, as_of), ALL,
                           lambda: certify(db.session, ruleset, as_of))
    province = total([m.figures for m in certification.markets])
    district_names = {str(g.key): g.name for g in certification.by_district}
    commune_names = {str(g.key): g.name for g in certification.by_commune}
    scope = resolve_scope(db.session, "province", None)
    first = shift_months(as_of, 1 - TREND_MONTHS)
    trend = cached("series", ("province", first, as_of, "month"), ALL,
                   lambda: adoption_series(db.session, scope, first, as_of, "month"))
    chart, series, labels = trend_chart(trend.points)
    rows = sort_markets(certification.markets, args["sort"], args["order"], district_names)
    with_data = sum(1 for m in certification.markets if has_data(m))
    if args["show"] == "with_data":
        rows = [m for m in rows if has_data(m)]
    page = render_template(
        "overview.html",
        args=args,
        today=local_today(),
        ruleset=ruleset,
        rulesets=ruleset_options(list_rulesets()),
        certification=certification,
        province=province,
        district_names=district_names,
        commune_names=commune_names,
        progress_meter=meter(certification.certified, ruleset.target,
                             title=gettext("overview.progress"), width=300,
                             css="progress"),
        meter=meter,
        trend=trend,
        trend_chart=chart,
        trend_series=series,
        trend_labels=labels,
        trend_partial=any(label.endswith("*") for label in labels),
        rows=rows,
        with_data=with_data,
        verdict=verdict,
        has_data=has_data,
        chain_head=chain_head(db.session),
    )
    return page, args.status
