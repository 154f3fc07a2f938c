"""The NAPAS bank list (BIN <-> names) as the codec and the views need it.

Read from the database, where ``flask seed`` keeps it in step with
``seeds/banks.csv``, and kept per app: the list changes only with a seed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from market40.extensions import db
from market40.models import Bank

_CACHE_KEY = "market40.bank_names"


def bank_names(*, active_only: bool = False) -> dict[str, str]:
    """BIN -> short name, e.g. ``{"970436": "Vietcombank", ...}``."""
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    if active_only not in cache:
        statement = sa.select(Bank.bin, Bank.short_name)
        if active_only:
            statement = statement.where(Bank.active.is_(True))
        names = {bin_: name for bin_, name in db.session.execute(statement)}
        if not names:  # an unseeded database: do not remember emptiness
            return names
        cache[active_only] = names
    return cache[active_only]


def forget_bank_names() -> None:
    """Drop the cached list (after seeding banks)."""
    current_app.extensions.pop(_CACHE_KEY, None)


def short_name(bank_bin: str | None) -> str | None:
    return bank_names().get(bank_bin) if bank_bin else None
