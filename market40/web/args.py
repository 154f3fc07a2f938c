"""Query arguments of the pages, validated by marshmallow like the API's.

Unknown arguments are ignored (links shared from chat apps gain tracking
parameters); known ones are strict, and a bad value is a 422 page naming the field.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request

from market40.errors import InvalidInput
from market40.web.i18n import LANGUAGES

SORT_KEYS = ("district", "name", "grade", "coverage", "active_rate", "cashless", "certified")
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


class PeriodArgsSchema(PageArgsSchema):
    window = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1, max=366))


def parse(schema: ma.Schema) -> dict[str, Any]:
    """The page's query arguments, or InvalidInput naming each bad field (a 422 page)."""
    try:
        return schema.load(request.args.to_dict())
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"query": error.messages}
        raise InvalidInput(messages) from None
