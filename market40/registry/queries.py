"""Read queries of the registry, returned as ``select()`` statements for views, CLI and tests."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from market40.auth import authorize, scope_markets
from market40.localtime import local_midnight
from market40.models import AuditEntry, Bank, Commune, District, Market, User, Vendor
from market40.registry.markets import get_market


def text_match(q: str, *columns: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """``q`` anywhere in any of ``columns``, ignoring case.

    SQLite folds only ASCII case ("Đồng" does not match "đồng"), so the usual ways of
    writing a Vietnamese name (as typed, lower, upper, title case) are tried as well.
    """
    text = " ".join(unicodedata.normalize("NFC", q).split())
    variants = {text, text.lower(), text.upper(), text.title(), text.capitalize()}
    escaped = [v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
               for v in sorted(variants)]
    return sa.or_(*(column.ilike(f"%{v}%", escape="\\") for column in columns for v in escaped))


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


def markets_query(
    district: str | None = None,
    grade: int | None = None,
    status: str | None = None,
    q: str | None = None,
    commune: str | None = None,
) -> sa.Select:
    statement = (
        sa.select(Market)
        .options(joinedload(Market.commune), joinedload(Market.former_commune),
                 joinedload(Market.district))
        .order_by(Market.district_code, Market.code)
    )
    if district:
        statement = statement.where(Market.district_code == district)
    if commune:
        statement = statement.where(
            Market.commune_id.in_(sa.select(Commune.id).where(Commune.code == commune,
                                                             Commune.valid_to.is_(None))))
    if grade is not None:
        statement = statement.where(Market.grade == grade)
    if status:
        statement = statement.where(Market.status == status)
    if q:
        statement = statement.where(text_match(q, Market.code, Market.name))
    return statement


def vendors_query(
    market: Market,
    *,
    only_vendor_id: int | None = None,
    status: str | None = None,
    goods_category: str | None = None,
    has_bank_account: bool | None = None,
    q: str | None = None,
) -> sa.Select:
    """The market's vendors by stall code; ``only_vendor_id`` confines a vendor user to itself."""
    return (
        sa.select(Vendor)
        .where(*vendor_conditions(market, only_vendor_id=only_vendor_id, status=status,
                                  goods_category=goods_category,
                                  has_bank_account=has_bank_account, q=q))
        .options(
            selectinload(Vendor.market),
            selectinload(Vendor.made_by),
            selectinload(Vendor.checked_by),
        )
        .order_by(Vendor.stall_code, Vendor.id)
    )


def vendor_conditions(
    market: Market,
    *,
    only_vendor_id: int | None = None,
    status: str | None = None,
    goods_category: str | None = None,
    has_bank_account: bool | None = None,
    q: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The filters of :func:`vendors_query`, for a list that reads a few columns only."""
    conditions: list[sa.ColumnElement[bool]] = [Vendor.market_id == market.id]
    if only_vendor_id is not None:
        conditions.append(Vendor.id == only_vendor_id)
    if status:
        conditions.append(Vendor.status == status)
    if goods_category:
        conditions.append(Vendor.goods_category == goods_category)
    if has_bank_account is not None:
        with_account = sa.and_(Vendor.bank_bin.is_not(None), Vendor.account_number.is_not(None))
        conditions.append(with_account if has_bank_account else sa.not_(with_account))
    if q:
        conditions.append(
            text_match(q, Vendor.stall_code, Vendor.display_name, Vendor.owner_name))
    return conditions


def audit_query(
    market_ids: set[int] | None = None,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    market_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> sa.Select:
    """Newest first; ``market_ids`` (a board's scope) hides every other market's entries."""
    statement = (
        sa.select(AuditEntry)
        .options(selectinload(AuditEntry.market))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if market_ids is not None:
        statement = statement.where(AuditEntry.market_id.in_(market_ids))
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if market_id is not None:
        statement = statement.where(AuditEntry.market_id == market_id)
    if start is not None:
        statement = statement.where(AuditEntry.at >= start)
    if end is not None:
        statement = statement.where(AuditEntry.at < end)
    return statement


def local_bound(value: date | datetime | None, *, end: bool = False) -> datetime | None:
    """A time as is; a date as the start of that local day (``end``: of the next day)."""
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return local_midnight(day)


def audit_log_query(
    session: Session,
    user: User,
    *,
    market: str | None = None,
    from_: date | datetime | None = None,
    to: date | datetime | None = None,
    **filters: str,
) -> sa.Select:
    """The audit entries ``user`` may read (``audit.read``), filtered; dates are local days."""
    market_id = None
    if market:
        found = get_market(session, market)
        authorize(user, "audit.read", market=found)
        market_id = found.id
    return audit_query(scope_markets(user), market_id=market_id,
                       start=local_bound(from_), end=local_bound(to, end=True), **filters)
