"""Vendors, their workflow actions and the bulk import.

Phone and national ID are personal data: they are left out of the output for readers
who may not see them (``vendors.personal`` in the policy table).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from market40.api.schemas.base import ID_RANGE, VERSION_RANGE, BaseSchema, UTCDateTimeField
from market40.auth import can, current_user
from market40.models.vendor import GOODS_CATEGORIES, VENDOR_STATUSES
from market40.registry.validation import PERSONAL_FIELDS


class VendorSchema(BaseSchema):
    id = ma.fields.Integer()
    market_code = ma.fields.String()
    stall_code = ma.fields.String()
    display_name = ma.fields.String()
    owner_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True,
                             metadata={"description": "Personal: only for permitted readers"})
    national_id = ma.fields.String(allow_none=True,
                                   metadata={"description": "Personal: only for permitted readers"})
    goods_category = ma.fields.String()
    bank_bin = ma.fields.String(allow_none=True)
    account_number = ma.fields.String(allow_none=True)
    account_holder = ma.fields.String(allow_none=True)
    has_bank_account = ma.fields.Boolean()
    status = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    made_by = ma.fields.String(attribute="made_by.name", allow_none=True,
                               metadata={"description": "Who created or last edited it"})
    checked_by = ma.fields.String(attribute="checked_by.name", allow_none=True)
    submitted_at = UTCDateTimeField(allow_none=True)
    approved_at = UTCDateTimeField(allow_none=True)
    rejected_at = UTCDateTimeField(allow_none=True)
    qr_issued_at = UTCDateTimeField(allow_none=True,
                                    metadata={"description": "When its current QR was issued"})
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    version = ma.fields.Integer(metadata={"description": "Send it back to detect edits made "
                                          "since you read the vendor"})

    @ma.post_dump(pass_original=True)
    def hide_personal_data(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if not can(current_user(), "vendors.personal", vendor=original):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


class VendorQueryArgsSchema(BaseSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(VENDOR_STATUSES))
    goods_category = ma.fields.String(metadata={"description": "Case-insensitive"})
    has_bank_account = ma.fields.Boolean()
    q = ma.fields.String(metadata={"description": "Part of the stall code, stall or owner name"})


class VendorPatchSchema(BaseSchema):
    """Omitted fields stay as they are; null clears an optional field."""

    stall_code = ma.fields.String()
    display_name = ma.fields.String()
    owner_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    national_id = ma.fields.String(allow_none=True)
    goods_category = ma.fields.String(metadata={"description": ", ".join(GOODS_CATEGORIES)})
    bank_bin = ma.fields.String(allow_none=True,
                                metadata={"description": "6-digit BIN of an active bank, or its "
                                          "short name"})
    account_number = ma.fields.String(allow_none=True)
    account_holder = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(load_only=True, validate=VERSION_RANGE,
                                metadata={"description": "Optional: the version you last read"})


class VendorCreateSchema(VendorPatchSchema):
    stall_code = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    owner_name = ma.fields.String(required=True)
    goods_category = ma.fields.String(required=True,
                                      metadata={"description": ", ".join(GOODS_CATEGORIES)})


class WorkflowActionSchema(BaseSchema):
    version = ma.fields.Integer(validate=VERSION_RANGE,
                                metadata={"description": "Optional: the version you checked"})


class ReasonActionSchema(WorkflowActionSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class BulkItemSchema(BaseSchema):
    id = ma.fields.Integer(strict=True, required=True, validate=ID_RANGE)
    version = ma.fields.Integer(strict=True, required=True, validate=VERSION_RANGE,
                                metadata={"description": "The version you checked"})


class BulkApproveSchema(BaseSchema):
    ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ID_RANGE),
                         validate=ma.validate.Length(min=1, max=500),
                         metadata={"description": "Vendor ids (no version check)"})
    items = ma.fields.List(ma.fields.Nested(BulkItemSchema),
                           validate=ma.validate.Length(min=1, max=500),
                           metadata={"description": "Vendor ids each with the version you "
                                     "checked: a vendor changed since then fails with 409"})

    @ma.validates_schema
    def _ids_or_items(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("ids") and not data.get("items"):
            raise ma.ValidationError("give ids or items (id and version)", "ids")


class BulkOutcomeSchema(BaseSchema):
    id = ma.fields.Integer()
    outcome = ma.fields.String(metadata={"description": "approved or failed"})
    code = ma.fields.Integer(metadata={"description": "HTTP status of this id on its own"})
    message = ma.fields.String(allow_none=True)
    status = ma.fields.String(allow_none=True, metadata={"description": "Vendor status after"})


class BulkApproveResultSchema(BaseSchema):
    approved = ma.fields.Integer()
    failed = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(BulkOutcomeSchema))


class ImportFileSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "CSV (UTF-8) or XLSX, at most 5 MB "
                                           "and 5,000 rows"})


class ImportedVendorSchema(BaseSchema):
    id = ma.fields.Integer()
    stall_code = ma.fields.String()
    display_name = ma.fields.String()
    status = ma.fields.String()


class ImportResultSchema(BaseSchema):
    market_code = ma.fields.String()
    created = ma.fields.Integer()
    vendors = ma.fields.List(ma.fields.Nested(ImportedVendorSchema))
