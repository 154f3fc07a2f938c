"""Marshmallow schemas: In / Out / QueryArgs per resource, one module per area."""

from market40.api.schemas.base import BaseSchema, HealthSchema, LocalDate, UTCDateTimeField
from market40.api.schemas.reference import (
    BankQueryArgsSchema,
    BankSchema,
    CommuneQueryArgsSchema,
    CommuneSchema,
    DatedCommuneSchema,
    DistrictSchema,
)

__all__ = [
    "BankQueryArgsSchema",
    "BankSchema",
    "BaseSchema",
    "CommuneQueryArgsSchema",
    "CommuneSchema",
    "DatedCommuneSchema",
    "DistrictSchema",
    "HealthSchema",
    "LocalDate",
    "UTCDateTimeField",
]
