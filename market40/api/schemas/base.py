"""What every schema shares: unknown fields are errors, times go out with their offset."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

import marshmallow as ma

from market40.localtime import LOCAL_TZ
from market40.models.base import MAX_ID

# Ids and versions past the database's integers are refused as input, with a 422.
ID_RANGE = ma.validate.Range(min=1, max=MAX_ID)
VERSION_RANGE = ma.validate.Range(min=0, max=MAX_ID)
# OpenAPI schemas of the responses that are not JSON (documented per content type).
BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


class BaseSchema(ma.Schema):
    class Meta:
        # A misspelt field is a mistake the client wants to hear about, not silently dropped.
        # This refuses unknown body fields; webargs drops unknown query arguments before a
        # schema sees them, so ``api.arguments`` refuses those, once per request.
        unknown = ma.RAISE

    @ma.pre_load
    def _normalise_text(self, data: Any, **_: Any) -> Any:
        """NFC every string (the input policy, ``market40.inputpolicy``, has already
        refused control, bidi and zero-width characters for the whole request)."""
        return _nfc(data) if isinstance(data, dict) else data


class UTCDateTimeField(ma.fields.AwareDateTime):
    """ISO 8601 with an offset, required on input; output in Asia/Ho_Chi_Minh local time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(value.astimezone(LOCAL_TZ), attr, obj, **kwargs)


# Dates a client may ask about: wide enough for any market's books, and far enough from
# year 1 and year 9999 that a local midnight in UTC, or the day after, still exists
# (0001-01-01 and 9999-12-31 were 500s wherever a day became a UTC range).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2999, 12, 31)
_OUT_OF_RANGE = f"must be between {DATE_MIN} and {DATE_MAX}"


def _in_range(day: date) -> None:
    if not DATE_MIN <= day <= DATE_MAX:
        raise ma.ValidationError(_OUT_OF_RANGE)


class LocalDate(ma.fields.Date):
    """A local date (YYYY-MM-DD), between DATE_MIN and DATE_MAX."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        _in_range(day)
        return day


class DateOrDateTime(ma.fields.Field):
    """A local date (``2024-05-01``) or a time with its offset (``2024-05-01T08:00:00+07:00``),
    between DATE_MIN and DATE_MAX."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date | datetime:
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                _in_range(day)
                return day
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ma.ValidationError("must be a date (YYYY-MM-DD) or an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise ma.ValidationError("a time needs its offset, e.g. 2024-05-01T08:00:00+07:00")
        _in_range(moment.date())
        return moment


class HealthSchema(BaseSchema):
    status = ma.fields.String()


class ErrorSchema(BaseSchema):
    """The API's one error body: flask-smorest's, with ``errors`` a mapping or a list."""

    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status phrase"})
    message = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.Raw(metadata={
        "description": "field -> [problems]; for imports and batches a list of "
                       "{row or index, field, message}"})
