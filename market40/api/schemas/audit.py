"""The registry's audit log."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from market40.api.schemas.base import BaseSchema, DateOrDateTime, UTCDateTimeField
from market40.auth import PERMISSIONS, current_user
from market40.registry.audit import redact_personal


class AuditEntrySchema(BaseSchema):
    id = ma.fields.Integer()
    at = UTCDateTimeField()
    actor = ma.fields.String()
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    market_code = ma.fields.String(allow_none=True)
    old = ma.fields.Dict(allow_none=True)
    new = ma.fields.Dict(allow_none=True)

    @ma.post_dump
    def hide_personal_data(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        user = current_user()
        if user is None or user.role not in PERMISSIONS["vendors.personal"]:
            data["old"] = redact_personal(data["old"])
            data["new"] = redact_personal(data["new"])
        return data


class AuditQueryArgsSchema(BaseSchema):
    entity = ma.fields.String(validate=ma.validate.OneOf(("vendor", "market")))
    entity_id = ma.fields.String()
    action = ma.fields.String()
    market = ma.fields.String(metadata={"description": "Market code"})
    from_ = DateOrDateTime(data_key="from", metadata={
        "description": "Entries at or after this time, or from the start of this local date"})
    to = DateOrDateTime(metadata={
        "description": "Entries before this time, or up to the end of this local date"})
