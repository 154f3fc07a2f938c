"""Marshmallow schemas: In / Out / QueryArgs per resource, one module per area."""

from market40.api.schemas.base import BaseSchema, HealthSchema, LocalDate, UTCDateTimeField
from market40.api.schemas.reference import (
    BankQueryArgsSchema,
    BankSchema,
    CommuneSchema,
    DistrictSchema,
)

__all__ = [
    "BankQueryArgsSchema",
    "BankSchema",
    "BaseSchema",
    "CommuneSchema",
    "DistrictSchema",
    "HealthSchema",
    "LocalDate",
    "UTCDateTimeField",
]
