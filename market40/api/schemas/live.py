"""Schemas of the live payments API: speech, devices, statements, payment events."""

from __future__ import annotations

import marshmallow as ma

from market40.api.schemas.base import BaseSchema, LocalDate, UTCDateTimeField
from market40.live.words import MAX_AMOUNT

AMOUNT_RANGE = ma.validate.Range(min=1, max=MAX_AMOUNT)


class SpeechQueryArgsSchema(BaseSchema):
    amount = ma.fields.Integer(required=True, strict=False, validate=AMOUNT_RANGE,
                               metadata={"description": "đồng, 1 to 9,999,999,999,999"})


class SpeechSchema(BaseSchema):
    amount = ma.fields.Integer()
    text = ma.fields.String(metadata={"description": "Đã nhận … đồng (northern reading)"})


class PaymentEventSchema(BaseSchema):
    id = ma.fields.Integer()
    vendor_id = ma.fields.Integer()
    transaction_id = ma.fields.Integer()
    amount = ma.fields.Integer()
    occurred_at = UTCDateTimeField()
    reference = ma.fields.String()
    content = ma.fields.String(allow_none=True)
    announcement = ma.fields.String()


class EventsQueryArgsSchema(BaseSchema):
    last_event_id = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=2**63 - 1),  # a BIGINT
        metadata={"description": "Resume after this event id (for clients that cannot "
                                 "send the Last-Event-ID header)"})


class DeviceInSchema(BaseSchema):
    label = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))


class DeviceSchema(BaseSchema):
    id = ma.fields.Integer()
    vendor_id = ma.fields.Integer()
    label = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "The token's first characters"})
    created_at = UTCDateTimeField()
    last_seen_at = UTCDateTimeField(allow_none=True)
    revoked_at = UTCDateTimeField(allow_none=True)


class PairedDeviceSchema(DeviceSchema):
    token = ma.fields.String(metadata={"description": "Shown once: keep it in the device"})


class StatementQueryArgsSchema(BaseSchema):
    date = LocalDate(metadata={"description": "Local day (Asia/Ho_Chi_Minh); default today"})
    format = ma.fields.String(validate=ma.validate.OneOf(("json", "csv", "pdf")))


class StatementLineSchema(BaseSchema):
    id = ma.fields.Integer()
    occurred_at = UTCDateTimeField()
    amount = ma.fields.Integer()
    reference = ma.fields.String()
    content = ma.fields.String(allow_none=True)


class StatementSchema(BaseSchema):
    date = LocalDate()
    vendor_id = ma.fields.Integer()
    count = ma.fields.Integer()
    total = ma.fields.Integer()
    transactions = ma.fields.List(ma.fields.Nested(StatementLineSchema))
