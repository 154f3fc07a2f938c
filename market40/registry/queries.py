"""Read queries of the registry, returned as ``select()`` statements for views, CLI and tests."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from market40.models import Bank, District


def districts_query() -> sa.Select:
    return sa.select(District).options(selectinload(District.communes)).order_by(District.code)


def banks_query(q: str | None = None, active: bool | None = None) -> sa.Select:
    statement = sa.select(Bank).order_by(Bank.bin)
    if active is not None:
        statement = statement.where(Bank.active.is_(active))
    if q:
        pattern = f"%{q.strip().lower()}%"
        statement = statement.where(
            sa.or_(
                Bank.bin.like(pattern),
                sa.func.lower(Bank.short_name).like(pattern),
                sa.func.lower(Bank.name).like(pattern),
                sa.func.lower(sa.cast(Bank.former_names, sa.String)).like(pattern),
            )
        )
    return statement
