"""Districts, communes and banks: public reference data."""

from __future__ import annotations

import marshmallow as ma

from market40.api.schemas.base import BaseSchema


class CommuneSchema(BaseSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()


class FormerCommuneSchema(BaseSchema):
    """A former commune (or the part of one) that a new commune was formed from."""

    code = ma.fields.Function(lambda c: c.former.code if c.former else None, allow_none=True,
                              metadata={"description": "GSO code until 30/6/2025 (null: a "
                                        "former Bắc Kạn commune, by name only)"})
    name = ma.fields.String(attribute="former_name")
    kind = ma.fields.String(attribute="former_kind")
    province = ma.fields.String(attribute="former_province")
    district_code = ma.fields.Function(
        lambda c: c.former.district_code if c.former else None, allow_none=True)
    whole = ma.fields.Boolean(metadata={"description": "false: only part of it came here"})
    source = ma.fields.String(metadata={"description": "the clause of the resolution"})


class DatedCommuneSchema(BaseSchema):
    code = ma.fields.String(metadata={"description": "GSO code, read with the date"})
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "xã, phường or thị trấn"})
    label = ma.fields.String(metadata={"description": "name with its prefix, e.g. xã Đại Phúc"})
    province_code = ma.fields.String()
    district_code = ma.fields.String(
        allow_none=True, metadata={"description": "its district (2024 structure only)"})
    valid_from = ma.fields.Date(allow_none=True,
                                metadata={"description": "null: before the records held"})
    valid_to = ma.fields.Date(allow_none=True, metadata={"description": "null: still in force"})
    formed_from = ma.fields.List(ma.fields.Nested(FormerCommuneSchema),
                                 metadata={"description": "empty for the 2024 communes"})


class CommuneQueryArgsSchema(BaseSchema):
    as_of = ma.fields.Date(metadata={"description": "local date (default: today)"})


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
