"""``/markets/<code>``: a market's board page. Public figures for everyone; the vendors
to follow up and the fees only for the market's board (and admins)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Response, render_template, send_file

from market40.auth import can
from market40.cache.http import cached_response
from market40.cache.store import GENERAL, cached
from market40.cache.versions import read_days_token
from market40.codes import market_sheet
from market40.extensions import db
from market40.localtime import local_today
from market40.models import Market
from market40.registry.markets import get_market
from market40.reports.adoption import AdoptionReport, Scope, adoption_report, resolve_scope
from market40.reports.series import AdoptionSeries, adoption_series, extend_daily
from market40.reports.window import before_range, day_end, days, window_report
from market40.web.args import PeriodArgsSchema, check_as_of, parse
from market40.web.blueprint import bp
from market40.web.charts import bar_chart, responsive
from market40.web.formatting import format_percent, format_short_date
from market40.web.i18n import current_lang, gettext
from market40.web.queries import (
    TopStall,
    best_stalls,
    follow_ups,
    merge_sales,
    online_listings,
    stall_sales,
    top_stalls,
)
from market40.web.session import login_required, require, session_user


def _market(code: str) -> Market:
    return get_market(db.session, code)


def _ratio(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _market_scope(code: str) -> int:
    return _market(code).id


def _days_before_today(market: Market, first: date, as_of: date) -> tuple[date, str] | None:
    """The last day of the page's range before today and a token of the payments on the
    range's days up to it (and the day before ``first``, which the series reads for its
    first change): what the parts kept while today's payments land are keyed by, with
    row 0. None when the range is today alone."""
    last_past = min(as_of, local_today() - timedelta(days=1))
    if last_past < first:
        return None
    return last_past, read_days_token(db.session, market.id, first - timedelta(days=1),
                                      last_past)


def _report(scope: Scope, market: Market, as_of: date, window: int,
            past_days: tuple[date, str] | None) -> AdoptionReport:
    """The page's report. As of today, from its parts (``reports.window``): the registry
    at today's end (kept until a registry write), the window's days before today (kept
    like the series) and today's sums and sellers, read per payment."""
    if as_of != local_today():
        return adoption_report(db.session, scope, as_of, window)
    end = cached("day_end", (market.id, as_of), GENERAL,
                 lambda: day_end(db.session, scope, as_of))
    before = None
    if window > 1:
        assert past_days is not None  # the window reaches back before today
        first, last = before_range(as_of, window)
        before = cached("window_days", (market.id, first, last, past_days[1]), GENERAL,
                        lambda: days(db.session, scope, first, last))
    return window_report(scope, as_of, window, end, before,
                         days(db.session, scope, as_of, as_of))


def _daily_series(scope: Scope, market: Market, first: date, as_of: date,
                  past_days: tuple[date, str] | None, report: AdoptionReport
                  ) -> AdoptionSeries:
    """The page's day-by-day series: the days before today kept while today's payments
    land, today's point added per write at the market. Every day is computed on its
    own, so the two parts together are the whole series (``series.extend_daily``);
    today's counts at the day's end are those of the page's report (as of today)."""
    if past_days is None:
        return cached("series", ("market", market.id, first, as_of, "day"), market.id,
                      lambda: adoption_series(db.session, scope, first, as_of, "day"))
    last_past, token = past_days
    past = cached("series", ("market", market.id, first, last_past, "day", token), GENERAL,
                  lambda: adoption_series(db.session, scope, first, last_past, "day"))
    if last_past == as_of:
        return past
    return cached("series", ("market", market.id, first, as_of, "day"), market.id,
                  lambda: extend_daily(db.session, scope, past, as_of, as_of=report.figures))


def _top_stalls(market: Market, first: date, as_of: date,
                past_days: tuple[date, str] | None) -> list[TopStall]:
    """The best stalls of the range: the sums of the days before today kept (like the
    series), today's read per write at the market and added."""
    if past_days is None:
        return cached("top_stalls", (market.id, first, as_of), market.id,
                      lambda: top_stalls(db.session, market, first, as_of))
    last_past, token = past_days
    past = cached("stall_sales", (market.id, first, last_past, token), GENERAL,
                  lambda: stall_sales(db.session, market, first, last_past))
    if last_past == as_of:
        return best_stalls(past)
    return best_stalls(merge_sales(past, stall_sales(db.session, market, as_of, as_of)))


@bp.get("/markets/<code>")
@cached_response(_market_scope, page=True)
def market(code: str) -> tuple[str, int]:
    """A market's adoption: coverage, activity, cashless share by day, listings, top stalls."""
    market = _market(code)
    args = parse(PeriodArgsSchema())
    as_of, window = check_as_of(args), args["window"]
    scope = resolve_scope(db.session, "market", market.code)
    first = as_of - timedelta(days=window - 1)
    past_days = _days_before_today(market, first, as_of)
    report = cached("adoption", ("market", market.id, as_of, window), market.id,
                    lambda: _report(scope, market, as_of, window, past_days))
    daily = _daily_series(scope, market, first, as_of, past_days, report)
    lang = current_lang()
    labels = [format_short_date(p.period.start, lang) for p in daily.points]
    chart = responsive(
        bar_chart,
        "cashless-daily",
        gettext("market.daily.title"),
        labels,
        [_ratio(p.figures.cashless_share_count) for p in daily.points],
        y_format=lambda v: format_percent(v, lang, 0),
        value_format=lambda v: format_percent(v, lang),
        y_limit=1.0,
        empty_text=gettext("chart.empty"),
    )
    user = session_user()
    board = can(user, "vendors.write", market=market)
    page = render_template(
        "market.html",
        args=args,
        today=local_today(),
        market=market,
        report=report,
        figures=report.figures,
        window=window,
        first=first,
        daily=daily,
        daily_chart=chart,
        listings=online_listings(db.session, market, as_of),
        top=_top_stalls(market, first, as_of, past_days),
        board=board,
        follow=follow_ups(db.session, market) if board else [],
        show_phone=board and can(user, "vendors.personal", market=market),
    )
    return page, args.status


@bp.get("/markets/<code>/cards.pdf")
@login_required
def market_cards(code: str) -> Response:
    """Every approved vendor's stall card on A4 sheets with cut marks (the board prints them)."""
    market = _market(code)
    require("vendors.write", market=market)
    return send_file(io.BytesIO(market_sheet(db.session, market)), mimetype="application/pdf",
                     download_name=f"cards-{market.code}.pdf", max_age=0)
