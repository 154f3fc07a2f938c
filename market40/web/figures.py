"""What each figure box says under its number: the base and the period of the figure.

"801 / 1.496 tiểu thương có mã QR, ngày 03/12/2026" rather than a bare "53,5 %":
the numerator and denominator of a ratio (DESIGN.md §5) with the glossary's unit,
then the window of days or the as-of date it is counted on.
"""

from __future__ import annotations

from datetime import date

from market40.reports.glossary import TERMS
from market40.reports.metrics import RATIO_METRICS, Figures
from market40.web.formatting import format_date, format_number, format_percent, format_vnd
from market40.web.i18n import current_lang, gettext


def _amount(metric: str, value: int | None, lang: str) -> str:
    return format_vnd(value, lang) if metric.endswith("_value") else format_number(value, lang)


def period_text(metric: str, window: int, as_of: date) -> str:
    """"30 ngày" for a figure over the window, "ngày 03/12/2026" for one on the as-of date."""
    if TERMS[metric].windowed:
        return gettext("basis.window", n=window)
    return gettext("basis.on_day", day=format_date(as_of, current_lang()))


def basis(metric: str, figures: Figures, window: int, as_of: date) -> str:
    """The base and period of ``metric`` as one line for a figure box."""
    lang = current_lang()
    term = TERMS[metric]
    period = period_text(metric, window, as_of)
    if term.ratio is None:
        return f"{term.unit(lang)}, {period}" if term.unit(lang) else period
    numerator, denominator = term.ratio
    top = _amount(numerator, figures.metric(numerator), lang)  # type: ignore[arg-type]
    bottom = _amount(denominator, figures.metric(denominator), lang)  # type: ignore[arg-type]
    return f"{top} / {bottom} {term.unit(lang)}, {period}"


def frozen_value(metric: str, value: object) -> str:
    """A value as a snapshot froze it ("0.571429", 7, True, "absent") in the page's words."""
    lang = current_lang()
    if isinstance(value, bool):
        return gettext("common.yes" if value else "common.no")
    if value is None:
        return format_number(None, lang)
    if metric in RATIO_METRICS:
        return format_percent(float(value), lang)  # type: ignore[arg-type]
    if isinstance(value, int):
        return _amount(metric, value, lang)
    if value in ("present", "absent"):
        return gettext(f"audit.market_{value}")
    return str(value)
