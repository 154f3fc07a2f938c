"""Markets: the public registry of the province's markets."""

from __future__ import annotations

import marshmallow as ma

from market40.api.schemas.base import BaseSchema, UTCDateTimeField
from market40.models.market import GRADES, MARKET_STATUSES

GRADE_HELP = "Hạng: 1 (>400 business points), 2 (200-400), 3 (<200)"


class MarketSchema(BaseSchema):
    code = ma.fields.String(metadata={"description": "Stable market code, e.g. DAI-TU"})
    name = ma.fields.String()
    commune_code = ma.fields.String(
        metadata={"description": "GSO code of the commune in force today (since 1/7/2025)"})
    commune_name = ma.fields.String(attribute="commune.name")
    commune_kind = ma.fields.String(attribute="commune.kind",
                                    metadata={"description": "xã, phường or thị trấn"})
    former_commune_code = ma.fields.String(
        allow_none=True, metadata={"description": "its commune until 30/6/2025"})
    former_commune_name = ma.fields.Function(
        lambda m: m.former_commune.name if m.former_commune else None, allow_none=True)
    district_code = ma.fields.String(
        allow_none=True,
        metadata={"description": "GSO code of its former district (until 30/6/2025), derived"})
    district_name = ma.fields.Function(lambda m: m.district.name if m.district else None,
                                       allow_none=True)
    grade = ma.fields.Integer(metadata={"description": GRADE_HELP})
    address = ma.fields.String(allow_none=True)
    board_name = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    launched_on = ma.fields.Date(allow_none=True,
                                 metadata={"description": "Start of its Chợ 4.0 roll-out"})
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class MarketQueryArgsSchema(BaseSchema):
    district = ma.fields.String(
        metadata={"description": "Former district GSO code (until 30/6/2025), e.g. 171"})
    commune = ma.fields.String(
        metadata={"description": "GSO code of a commune in force today, e.g. 05488"})
    grade = ma.fields.Integer(validate=ma.validate.OneOf(GRADES),
                              metadata={"description": GRADE_HELP})
    status = ma.fields.String(validate=ma.validate.OneOf(MARKET_STATUSES))
    q = ma.fields.String(metadata={"description": "Part of the code or name"})


class MarketPatchSchema(BaseSchema):
    """Fields of a market that can change; omitted fields stay as they are."""

    name = ma.fields.String()
    commune_code = ma.fields.String(metadata={
        "description": "A commune in force today; a former one (until 30/6/2025) is translated"})
    former_commune_code = ma.fields.String(metadata={
        "description": "Optional: its commune until 30/6/2025, when commune_code is a current one"})
    district_code = ma.fields.String(
        metadata={"description": "Optional: derived from the commune, rejected if different"})
    grade = ma.fields.Integer(metadata={"description": GRADE_HELP})
    address = ma.fields.String(allow_none=True)
    board_name = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "active or closed"})
    launched_on = ma.fields.Date(allow_none=True)


class MarketCreateSchema(MarketPatchSchema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    commune_code = ma.fields.String(required=True)
    grade = ma.fields.Integer(required=True, metadata={"description": GRADE_HELP})
