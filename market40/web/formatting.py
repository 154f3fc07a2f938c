"""Numbers, money, percentages and dates the way each language writes them.

Vietnamese groups thousands with ``.``, writes the decimal comma and puts a space
before ``%`` and ``đ``; English uses ``,`` and ``.`` and writes VND. Both write dates
day first. The spaces are no-break spaces (U+00A0) so that a narrow phone screen
never leaves ``đ`` or ``%`` alone at the start of a line.

>>> format_vnd(1234567, "vi"), format_vnd(1234567, "en")
('1.234.567\\xa0đ', '1,234,567\\xa0VND')
>>> format_percent(0.725, "vi"), format_percent(0.725, "en")
('72,5\\xa0%', '72.5%')
>>> format_percent(None, "vi")
'–'
"""

from __future__ import annotations

from datetime import date, datetime

from market40.localtime import local_time

NBSP = "\u00a0"
# What a ratio with a zero denominator shows: undefined, never 0 (DESIGN.md §5).
MISSING = "–"
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def _separators(lang: str) -> tuple[str, str]:
    return _SEPARATORS.get(lang, _SEPARATORS["vi"])


def format_number(value: int | float | None, lang: str = "vi", digits: int = 0) -> str:
    """``1234567`` -> ``1.234.567`` (vi) / ``1,234,567`` (en); ``digits`` after the point."""
    if value is None:
        return MISSING
    thousands, decimal = _separators(lang)
    text = f"{value:,.{digits}f}"  # Python's own: "," thousands, "." decimal
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_vnd(value: int | None, lang: str = "vi") -> str:
    """An amount of đồng: ``1.234.567 đ`` (vi) / ``1,234,567 VND`` (en)."""
    if value is None:
        return MISSING
    unit = "đ" if lang == "vi" else "VND"
    return f"{format_number(int(value), lang)}{NBSP}{unit}"


def format_percent(ratio: float | None, lang: str = "vi", digits: int = 1) -> str:
    """A ratio (0.725) as a percentage: ``72,5 %`` (vi) / ``72.5%`` (en); None -> ``–``."""
    if ratio is None:
        return MISSING
    number = format_number(ratio * 100, lang, digits)
    return f"{number}{NBSP}%" if lang == "vi" else f"{number}%"


def format_date(value: date | datetime | None, lang: str = "vi") -> str:
    """``dd/mm/yyyy`` in both languages; a datetime is first moved to Vietnam's time."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = local_time(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None, lang: str = "vi") -> str:
    """``dd/mm/yyyy HH:MM``, Vietnam time (UTC+7), 24-hour clock in both languages."""
    if value is None:
        return MISSING
    return local_time(value).strftime("%d/%m/%Y %H:%M")


def format_clock(value: datetime, lang: str = "vi") -> str:
    """``HH:MM:SS``, Vietnam time: a payment on a page of one day (live.js writes the same)."""
    return local_time(value).strftime("%H:%M:%S")


def format_short_date(value: date, lang: str = "vi") -> str:
    """``dd/mm``: axis labels of the charts."""
    return value.strftime("%d/%m")


def format_month(value: date, lang: str = "vi") -> str:
    """``mm/yyyy``: monthly points of the province trend."""
    return value.strftime("%m/%Y")


