"""What every schema shares: unknown fields are errors, times go out with their offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class BaseSchema(ma.Schema):
    class Meta:
        # A misspelt field is a mistake the client wants to hear about, not silently dropped.
        unknown = ma.RAISE


class UTCDateTimeField(ma.fields.AwareDateTime):
    """ISO 8601 with an offset, required on input; output in Asia/Ho_Chi_Minh local time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(value.astimezone(LOCAL_TZ), attr, obj, **kwargs)


LocalDate = ma.fields.Date


class HealthSchema(BaseSchema):
    status = ma.fields.String()
