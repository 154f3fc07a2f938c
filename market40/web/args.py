"""Query arguments of the pages, validated by marshmallow like the API's.

Unknown arguments are ignored (links shared from chat apps gain tracking
parameters). A bad value of a known one does not end on an error page: the page
is shown with that field's default, the filter form says next to the field what
was wrong, in the page's language and in words (no field names, no ISO dates), and
the response is a 422.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import marshmallow as ma
from flask import request

from market40.localtime import local_today
from market40.reports.adoption import EARLIEST_AS_OF, MAX_WINDOW
from market40.reports.metrics import RATIO_METRICS
from market40.web.formatting import format_date
from market40.web.i18n import LANGUAGES, current_lang, gettext

SORT_KEYS = tuple(dict.fromkeys((
    "district", "name", "grade", "coverage", "active_rate", "cashless", "certified",
    "registered", *RATIO_METRICS, "online_products",
)))
SHOW = ("all", "with_data")
DEFAULT_RULESET = "tn-2022"


class PageArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    lang = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))
    as_of = ma.fields.Date(load_default=None)


class OverviewArgsSchema(PageArgsSchema):
    ruleset = ma.fields.String(load_default=DEFAULT_RULESET,
                               validate=ma.validate.Length(min=1, max=60))
    sort = ma.fields.String(load_default="district", validate=ma.validate.OneOf(SORT_KEYS))
    order = ma.fields.String(load_default="asc", validate=ma.validate.OneOf(("asc", "desc")))
    show = ma.fields.String(load_default="all", validate=ma.validate.OneOf(SHOW))


class PeriodArgsSchema(PageArgsSchema):
    window = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1, max=MAX_WINDOW))


@dataclass
class PageArgs:
    """The page's arguments (defaults where a value was bad) and what was wrong, by field."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def status(self) -> int:
        return 422 if self.errors else 200

    def reject(self, name: str, message: str, default: Any) -> None:
        self.errors[name] = message
        self.values[name] = default


def problem(name: str) -> str:
    """What was wrong with field ``name``, in the page's language and in words."""
    key = f"invalid.{name}"
    return gettext(key if key in _FIELD_MESSAGES else "invalid.other")


_FIELD_MESSAGES = {"invalid.as_of", "invalid.window", "invalid.ruleset"}


def parse(schema: ma.Schema) -> PageArgs:
    """The page's query arguments; a bad one falls back to its default and is reported."""
    raw = {k: v for k, v in request.args.to_dict().items() if k in schema.fields}
    try:
        return PageArgs(schema.load(raw))
    except ma.ValidationError as error:
        bad = set(error.messages) if isinstance(error.messages, dict) else set(raw)
        args = PageArgs(schema.load({k: v for k, v in raw.items() if k not in bad}))
        for name in sorted(bad):
            args.errors[name] = problem(name)
        return args


def check_as_of(args: PageArgs) -> date:
    """The as-of date, or today with an error when it was after today."""
    today = local_today()
    as_of = args.values.get("as_of") or today
    if as_of > today:
        args.reject("as_of", gettext("invalid.as_of_future",
                                     today=format_date(today, current_lang())), today)
        as_of = today
    elif as_of < EARLIEST_AS_OF:
        args.reject("as_of", gettext("invalid.as_of_past", earliest=format_date(
            EARLIEST_AS_OF, current_lang())), today)
        as_of = today
    args.values["as_of"] = as_of
    return as_of
