"""Province indicators and their targets."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from market40.api.schemas.base import BaseSchema, UTCDateTimeField


class IndicatorInSchema(BaseSchema):
    key = ma.fields.String(required=True, metadata={"description": "e.g. epayment_account_share"})
    value = ma.fields.Float(
        required=True, allow_nan=False, metadata={"description": "a share from 0 to 1"}
    )
    as_of = ma.fields.Date(required=True, metadata={"description": "the date the figure is for"})
    source = ma.fields.String(required=True, metadata={"description": "where it comes from"})


class IndicatorValueSchema(BaseSchema):
    id = ma.fields.Integer()
    key = ma.fields.String()
    value = ma.fields.Float()
    as_of = ma.fields.Date()
    source = ma.fields.String()
    entered_by = ma.fields.Function(lambda e: e.entered_by.name if e.entered_by else None)
    created_at = UTCDateTimeField()


class TargetStatusSchema(BaseSchema):
    due = ma.fields.Date()
    op = ma.fields.String()
    value = ma.fields.Float()
    source = ma.fields.String()
    status = ma.fields.String(metadata={"description": "met, not_met or pending"})
    judged_value = ma.fields.Float(allow_none=True)
    judged_as_of = ma.fields.Date(allow_none=True)


class IndicatorStatusSchema(BaseSchema):
    key = ma.fields.String()
    title = ma.fields.String()
    title_vi = ma.fields.String()
    unit = ma.fields.String()
    source = ma.fields.String()
    latest = ma.fields.Nested(IndicatorValueSchema, allow_none=True)
    targets = ma.fields.List(ma.fields.Nested(TargetStatusSchema))

    @ma.pre_dump
    def flatten(self, status: Any, **kwargs: Any) -> dict[str, Any]:
        definition = status.definition
        return {
            "key": definition.key,
            "title": definition.title,
            "title_vi": definition.title_vi,
            "unit": definition.unit,
            "source": definition.source,
            "latest": status.latest,
            "targets": [
                {
                    "due": t.target.due,
                    "op": t.target.op,
                    "value": t.target.value,
                    "source": t.target.source,
                    "status": t.status,
                    "judged_value": t.judged.value if t.judged else None,
                    "judged_as_of": t.judged.as_of if t.judged else None,
                }
                for t in status.targets
            ],
        }
