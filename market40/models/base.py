"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic revisions are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Ids (and versions) are 32-bit integers in PostgreSQL: a bigger number cannot name a row,
# and SQLite refuses Python ints past 64 bits (OverflowError). Inputs are bounded by it.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    tagged UTC on the way out; naive datetimes are refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and need an offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    # One registry carries both the naming convention and the type map, so that
    # Flask-SQLAlchemy's subclass of this base inherits them unchanged.
    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: sa.JSON()},
    )


class TimestampMixin:
    """created_at / updated_at, set by the database session, never by callers."""

    created_at: sa.orm.Mapped[datetime] = sa.orm.mapped_column(default=utcnow)
    updated_at: sa.orm.Mapped[datetime] = sa.orm.mapped_column(default=utcnow, onupdate=utcnow)
