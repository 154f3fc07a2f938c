"""``/``: the province overview, public (no personal data on it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import render_template

from market40.extensions import db
from market40.localtime import shift_months
from market40.reports.adoption import resolve_scope
from market40.reports.certification import MarketVerdict, certify
from market40.reports.metrics import total
from market40.reports.rulesets import list_rulesets, load_ruleset
from market40.reports.series import adoption_series
from market40.web.args import OverviewArgsSchema, parse
from market40.web.blueprint import bp
from market40.web.charts import Series, line_chart, meter
from market40.web.formatting import format_month, format_percent
from market40.web.i18n import current_lang, gettext

TREND_MONTHS = 12


def sort_markets(markets: Sequence[MarketVerdict], key: str, order: str,
                 district_names: dict[str, str]) -> list[MarketVerdict]:
    """The table's rows in the requested order, ties by market code; undefined ratios last."""
    value_of = {
        "district": lambda m: district_names.get(m.district_code, m.district_code),
        "name": lambda m: m.name,
        "grade": lambda m: m.grade,
        "coverage": lambda m: m.figures.coverage,
        "active_rate": lambda m: m.figures.active_rate,
        "cashless": lambda m: m.figures.cashless_share_count,
        "certified": lambda m: m.certified,
    }[key]
    by_code = sorted(markets, key=lambda m: m.code)
    known = [m for m in by_code if value_of(m) is not None]
    undefined = [m for m in by_code if value_of(m) is None]
    # Python's sort is stable, also with reverse=True: ties keep the code order.
    known.sort(key=value_of, reverse=order == "desc")
    return known + undefined


def trend_chart(series_points: Sequence[Any]) -> tuple[Any, list[Series], list[str]]:
    lang = current_lang()
    labels = [format_month(p.period.start, lang) for p in series_points]

    def ratio(value: Any) -> float | None:
        return None if value is None else float(value)

    series = [
        Series(gettext("metric.coverage"), tuple(ratio(p.figures.coverage) for p in series_points)),
        Series(gettext("metric.cashless_share_count"),
               tuple(ratio(p.figures.cashless_share_count) for p in series_points)),
        Series(gettext("metric.active_rate"),
               tuple(ratio(p.figures.active_rate) for p in series_points)),
    ]
    svg = line_chart(
        "trend",
        gettext("overview.trend.title"),
        labels,
        series,
        y_format=lambda v: format_percent(v, lang, 0),
        value_format=lambda v: format_percent(v, lang),
        y_max=1.0,
        empty_text=gettext("chart.empty"),
    )
    return svg, series, labels


@bp.get("/")
def overview() -> str:
    """Certified Chợ 4.0 sites against the target, by district and hạng, and every market."""
    args = parse(OverviewArgsSchema())
    ruleset = load_ruleset(args["ruleset"])
    certification = certify(db.session, ruleset, args["as_of"])
    as_of: date = certification.as_of
    province = total([m.figures for m in certification.markets])
    district_names = {str(g.key): g.name for g in certification.by_district}
    scope = resolve_scope(db.session, "province", None)
    trend = adoption_series(db.session, scope, shift_months(as_of, 1 - TREND_MONTHS), as_of,
                            "month")
    chart, series, labels = trend_chart(trend.points)
    rows = sort_markets(certification.markets, args["sort"], args["order"], district_names)
    return render_template(
        "overview.html",
        args=args,
        ruleset=ruleset,
        rulesets=list_rulesets(),
        certification=certification,
        province=province,
        district_names=district_names,
        progress_meter=meter(certification.certified, ruleset.target,
                             title=gettext("overview.progress"), width=300,
                             css="progress"),
        meter=meter,
        trend=trend,
        trend_chart=chart,
        trend_series=series,
        trend_labels=labels,
        rows=rows,
    )
