"""A market's products on e-commerce platforms."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length

from market40.api.schemas.base import BaseSchema, UTCDateTimeField


class ListingInSchema(BaseSchema):
    product = ma.fields.String(required=True, validate=Length(min=1, max=150))
    platform = ma.fields.String(
        required=True,
        validate=Length(min=1, max=60),
        metadata={"description": "e.g. Shopee, Lazada, Tiki, postmart.vn, voso.vn"},
    )
    url = ma.fields.String(required=True, validate=Length(min=1, max=500))
    started_on = ma.fields.Date(metadata={"description": "local date (default: today)"})


class ListingQueryArgsSchema(BaseSchema):
    active_on = ma.fields.Date(metadata={"description": "only listings active on this date"})


class ListingSchema(BaseSchema):
    id = ma.fields.Integer()
    market_code = ma.fields.Function(lambda listing: listing.market.code)
    product = ma.fields.String()
    platform = ma.fields.String()
    url = ma.fields.String()
    started_on = ma.fields.Date()
    ended_on = ma.fields.Date(allow_none=True)
    created_at = UTCDateTimeField()
