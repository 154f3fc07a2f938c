"""SePay's webhook body, field names as SePay sends them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from market40.api.schemas.base import BaseSchema
from market40.payments.adapters.sepay import SepayWebhook

TEXT = {"allow_none": True, "load_default": None}


class SepayWebhookSchema(BaseSchema):
    class Meta:
        # SePay adds fields over time; the whole body is kept with the transaction.
        unknown = ma.EXCLUDE

    id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    gateway = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=60))
    transactionDate = ma.fields.NaiveDateTime(  # noqa: N815 (SePay's name)
        required=True, format="%Y-%m-%d %H:%M:%S",
        metadata={"description": "Local time (Asia/Ho_Chi_Minh), YYYY-MM-DD HH:MM:SS",
                  "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
                  "example": "2026-12-03 07:15:42"})
    accountNumber = ma.fields.String(  # noqa: N815
        required=True, validate=ma.validate.Length(min=1, max=19))
    subAccount = ma.fields.String(  # noqa: N815
        validate=ma.validate.Length(max=19), **TEXT)
    code = ma.fields.String(**TEXT)
    content = ma.fields.String(**TEXT)
    transferType = ma.fields.String(  # noqa: N815
        required=True, validate=ma.validate.OneOf(("in", "out")))
    transferAmount = ma.fields.Integer(  # noqa: N815
        required=True, strict=True, validate=ma.validate.Range(min=0))
    accumulated = ma.fields.Integer(**TEXT)
    referenceCode = ma.fields.String(**TEXT)  # noqa: N815
    description = ma.fields.String(**TEXT)

    @ma.post_load
    def make_webhook(self, data: dict[str, Any], **_: Any) -> SepayWebhook:
        return SepayWebhook(
            id=data["id"], gateway=data["gateway"].strip(),
            transaction_date=data["transactionDate"],
            account_number=data["accountNumber"].strip(),
            transfer_type=data["transferType"], transfer_amount=data["transferAmount"],
            sub_account=(data.get("subAccount") or "").strip() or None,
            code=data.get("code"), content=data.get("content"),
            reference_code=data.get("referenceCode"))


class SepayAnswerSchema(BaseSchema):
    success = ma.fields.Boolean(metadata={"description": "Always true: SePay stops retrying"})
    status = ma.fields.String(metadata={
        "description": "recorded, replayed, ignored (money out) or unmatched (kept for an "
                       "admin)"})
    transaction_id = ma.fields.Integer(allow_none=True)
    message = ma.fields.String(allow_none=True)
