"""VietQR codes: query args, decoded payloads, stall verification."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from market40.api.schemas.base import ID_RANGE, BaseSchema


class QRQueryArgsSchema(BaseSchema):
    format = ma.fields.String(load_default="json",
                              validate=ma.validate.OneOf(["json", "png", "svg"]))
    amount = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10**13 - 1),
                               metadata={"description": "Integer đồng: makes a one-sale code"})
    purpose = ma.fields.String(validate=ma.validate.Length(min=1, max=200),
                               metadata={"description": "Transfer memo (62.08), ≤25 ASCII"})
    size = ma.fields.Integer(load_default=8, validate=ma.validate.Range(min=1, max=50),
                             metadata={"description": "PNG pixels per module"})
    border = ma.fields.Integer(load_default=4, validate=ma.validate.Range(min=0, max=20),
                               metadata={"description": "Quiet zone in modules (4 = spec)"})


class PaymentCodeSchema(BaseSchema):
    vendor_id = ma.fields.Integer()
    payload = ma.fields.String()
    bank_bin = ma.fields.String()
    bank = ma.fields.String(allow_none=True)
    account_number = ma.fields.String()
    initiation = ma.fields.String()
    amount = ma.fields.Integer(allow_none=True)
    purpose = ma.fields.String(allow_none=True)
    warnings = ma.fields.List(ma.fields.String())


class DecodeArgsSchema(BaseSchema):
    payload = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=512))


class DecodedSchema(BaseSchema):
    bank_bin = ma.fields.String()
    bank = ma.fields.String(allow_none=True)
    account = ma.fields.String()
    service = ma.fields.String(allow_none=True)
    initiation = ma.fields.String()
    amount = ma.fields.Integer(allow_none=True)
    purpose = ma.fields.String(allow_none=True)
    bill = ma.fields.String(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    terminal = ma.fields.String(allow_none=True)
    merchant_name = ma.fields.String(allow_none=True)
    merchant_city = ma.fields.String(allow_none=True)
    crc = ma.fields.String()
    warnings = ma.fields.List(ma.fields.String())


class VerifyArgsSchema(BaseSchema):
    vendor_id = ma.fields.Integer(required=True, strict=False, validate=ID_RANGE)
    payload = ma.fields.String(validate=ma.validate.Length(min=1, max=512))


class VerifyResultSchema(BaseSchema):
    match = ma.fields.Boolean()
    reason = ma.fields.String()
    expected = ma.fields.Dict()
    found = ma.fields.Dict(allow_none=True)


class VerifyFilesSchema(BaseSchema):
    image = Upload(metadata={"description": "Photo or scan of the stall card (PNG or JPEG)"})
