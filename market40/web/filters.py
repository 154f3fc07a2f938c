"""Jinja filters: the formats of ``formatting.py`` in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flask import Flask

from market40.registry.vendors import ACCOUNT_CHANGED
from market40.web import formatting
from market40.web.i18n import current_lang, gettext


def _ratio(value: Fraction | float | None) -> float | None:
    return None if value is None else float(value)


def vnd(value: int | None) -> str:
    return formatting.format_vnd(value, current_lang())


def number(value: int | float | None, digits: int = 0) -> str:
    return formatting.format_number(value, current_lang(), digits)


def percent(value: Fraction | float | None, digits: int = 1) -> str:
    return formatting.format_percent(_ratio(value), current_lang(), digits)


def day(value: Any) -> str:
    return formatting.format_date(value, current_lang())


def moment(value: Any) -> str:
    return formatting.format_datetime(value, current_lang())


def clock(value: Any) -> str:
    return formatting.format_clock(value, current_lang())


def reason(value: str | None) -> str | None:
    """A vendor's reason as stored, or the page's words for one the registry wrote."""
    return gettext("reason.account_changed") if value == ACCOUNT_CHANGED else value


FILTERS: dict[str, Callable[..., str]] = {
    "vnd": vnd,
    "number": number,
    "percent": percent,
    "day": day,
    "moment": moment,
    "clock": clock,
    "reason": reason,
}


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
