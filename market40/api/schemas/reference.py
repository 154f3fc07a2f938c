"""Districts, communes and banks: public reference data."""

from __future__ import annotations

import marshmallow as ma

from market40.api.schemas.base import BaseSchema


class CommuneSchema(BaseSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()


class DistrictSchema(BaseSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    communes = ma.fields.List(ma.fields.Nested(CommuneSchema))


class BankSchema(BaseSchema):
    bin = ma.fields.String()
    short_name = ma.fields.String()
    name = ma.fields.String()
    swift = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    former_names = ma.fields.List(ma.fields.String())


class BankQueryArgsSchema(BaseSchema):
    q = ma.fields.String(metadata={"description": "Part of a BIN, short name or full name"})
    active = ma.fields.Boolean()
