"""Transactions, batches and bank notifications: in, out and query arguments."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from market40.api.schemas.base import ID_RANGE, BaseSchema, DateOrDateTime, UTCDateTimeField
from market40.models.transaction import KINDS, METHODS, SOURCES
from market40.payments.batch import MAX_ITEMS
from market40.payments.notifications import BankNotification
from market40.payments.rules import (
    MAX_AMOUNT,
    REFERENCE_MAX,
    TransactionIn,
    reference_problem,
)

AMOUNT_HELP = f"Integer đồng, 1 to {MAX_AMOUNT:,} (no decimals: VND has no minor unit)"


class TransactionInSchema(BaseSchema):
    vendor_id = ma.fields.Integer(strict=True, required=True, validate=ID_RANGE)
    amount = ma.fields.Integer(strict=True, required=True, metadata={"description": AMOUNT_HELP})
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(METHODS))
    kind = ma.fields.String(load_default="sale", validate=ma.validate.OneOf(KINDS),
                            metadata={"description": "sale, or fee (a vendor paying the board)"})
    occurred_at = UTCDateTimeField(
        required=True,
        metadata={"description": "ISO 8601 with offset; not in the future (5 min skew), "
                                 "not before 2000"},
    )
    reference = ma.fields.String(
        required=True,
        metadata={"description": f"Idempotency key, unique, 1-{REFERENCE_MAX} characters: the "
                                 "same reference and content again returns the stored one; "
                                 "'bank:' and 'sim-' are reserved"},
    )

    @ma.post_load
    def make_item(self, data: dict[str, Any], **_: Any) -> TransactionIn:
        return TransactionIn(
            vendor_id=data["vendor_id"], amount=data["amount"], method=data["method"],
            kind=data["kind"], occurred_at=data["occurred_at"],
            reference=data["reference"].strip(),
        )


class TransactionSchema(BaseSchema):
    id = ma.fields.Integer()
    vendor_id = ma.fields.Integer()
    market_code = ma.fields.String()
    occurred_at = UTCDateTimeField()
    amount = ma.fields.Integer(metadata={"description": "đồng"})
    method = ma.fields.String()
    kind = ma.fields.String()
    source = ma.fields.String(metadata={"description": "api | declared | bank | simulator"})
    reference = ma.fields.String()
    created_at = UTCDateTimeField()


class BatchItems(ma.fields.List):
    """Documented as a list of transactions; loaded as raw objects that the batch checks
    itself (one pass, per-item errors ``{index, field, message}``, ~10x faster than a
    schema per item)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return value


class BatchInSchema(BaseSchema):
    transactions = BatchItems(
        ma.fields.Nested(TransactionInSchema), required=True,
        validate=ma.validate.Length(min=1, max=MAX_ITEMS),
    )


class KnownItemSchema(BaseSchema):
    index = ma.fields.Integer()
    reference = ma.fields.String()
    id = ma.fields.Integer()


class BatchResultSchema(BaseSchema):
    received = ma.fields.Integer()
    stored = ma.fields.Integer()
    already_known = ma.fields.Function(lambda result: len(result.known))
    repeated = ma.fields.Integer(
        metadata={"description": "items repeating an earlier item of the batch, stored once"})
    known = ma.fields.List(ma.fields.Nested(KnownItemSchema),
                           metadata={"description": "items whose reference was stored"})


class TransactionQueryArgsSchema(BaseSchema):
    market = ma.fields.String(metadata={"description": "Market code"})
    vendor = ma.fields.Integer(validate=ID_RANGE, metadata={"description": "Vendor id"})
    method = ma.fields.String(validate=ma.validate.OneOf(METHODS))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    source = ma.fields.String(validate=ma.validate.OneOf(SOURCES))
    start = DateOrDateTime(data_key="from", metadata={
        "description": "From this local date (its start) or datetime, inclusive"})
    end = DateOrDateTime(data_key="to", metadata={
        "description": "Through this local date (its end), or up to this datetime (exclusive)"})
    format = ma.fields.String(validate=ma.validate.OneOf(("json", "csv")), metadata={
        "description": "csv: stream every matching row as CSV (also with Accept: text/csv). "
                       "A stream can be cut short by a proxy or timeout: for large exports "
                       "(more than about a million rows) use POST /api/v1/transactions/exports, "
                       "a job whose file comes with its size and sha256"})


class BankNotificationSchema(BaseSchema):
    class Meta:
        # Aggregators add fields over time; the whole body is kept with the transaction.
        unknown = ma.EXCLUDE

    reference = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=REFERENCE_MAX - 5),
        metadata={"description": "The bank's transaction reference (replays are idempotent)"})
    occurred_at = UTCDateTimeField(required=True)
    amount = ma.fields.Integer(strict=True, metadata={
        "description": AMOUNT_HELP + "; optional with a payload that carries one"})
    content = ma.fields.String(allow_none=True, metadata={
        "description": "Transfer memo; one starting with PHI, THUE, TIEN DIEN, TIEN NUOC, "
                       "VE SINH, ... (diacritics ignored) is recorded as a fee"})
    account_number = ma.fields.String(validate=ma.validate.Length(min=1, max=19))
    bank_bin = ma.fields.String(validate=ma.validate.Regexp(r"^\d{6}$"))
    payload = ma.fields.String(metadata={"description": "The full VietQR string paid"})
    # Amounts are integer đồng: a credit in another currency must not be stored as đồng.
    currency = ma.fields.String(
        validate=ma.validate.OneOf(("VND", "704"),
                                   error="Only VND (ISO 4217 code 704) is accepted."),
        metadata={"description": "Optional; VND (or 704) only"})

    @ma.validates("reference")
    def plain_reference(self, value: str, **_: Any) -> None:
        # The rules of a client's reference (not blank once stripped, no line break or
        # other control character), but a bank may use any prefix: it is stored as bank:…
        if (problem := reference_problem(value.strip(), reserved=False)) is not None:
            raise ma.ValidationError(problem)

    @ma.validates_schema
    def needs_an_account(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("account_number") and not data.get("payload"):
            raise ma.ValidationError("Send account_number or payload.", "account_number")

    @ma.post_load
    def make_notification(self, data: dict[str, Any], **_: Any) -> BankNotification:
        return BankNotification(
            reference=data["reference"].strip(),
            occurred_at=data["occurred_at"],
            amount=data.get("amount"),
            content=data.get("content"),
            account_number=(data.get("account_number") or "").strip() or None,
            bank_bin=data.get("bank_bin"),
            payload=data.get("payload"),
        )


class UnmatchedNotificationSchema(BaseSchema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    reason = ma.fields.String()
    attempts = ma.fields.Integer()
    received_at = UTCDateTimeField()
    last_received_at = UTCDateTimeField()
    resolved_at = UTCDateTimeField(allow_none=True)
    transaction_id = ma.fields.Integer(allow_none=True)
    body = ma.fields.Dict()


class UnmatchedQueryArgsSchema(BaseSchema):
    resolved = ma.fields.Boolean(metadata={
        "description": "false: still unrecorded; true: recorded by a later retry"})
