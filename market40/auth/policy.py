"""Who may do what: one table, checked in one function.

Province-wide roles (admin, department, auditor) see every market; a board user
sees the markets it is assigned; a vendor user sees its own stall.
"""

from __future__ import annotations

from market40.errors import Forbidden, Unauthorized
from market40.models import Market, User, Vendor

ALL = frozenset({"admin", "department", "auditor", "board", "vendor"})
PROVINCE_WIDE = frozenset({"admin", "department", "auditor"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "markets.write": frozenset({"admin", "department"}),
    "listings.write": frozenset({"admin", "department", "board"}),
    "vendors.read": ALL,
    # Phone and national ID: the people who register and audit vendors, and the vendor itself.
    "vendors.personal": frozenset({"admin", "auditor", "board", "vendor"}),
    "vendors.write": frozenset({"admin", "board"}),
    "vendors.approve": frozenset({"admin", "board"}),
    "vendors.import": frozenset({"admin", "board"}),
    "vendors.qr": ALL,
    "audit.read": frozenset({"admin", "department", "auditor", "board"}),
    "transactions.read": ALL,
    "transactions.write": frozenset({"admin", "board"}),
    "notifications.unmatched": frozenset({"admin"}),
    "reports.vendor": ALL,
    "snapshots.read": frozenset({"admin", "department", "auditor"}),
    "snapshots.create": frozenset({"admin", "department"}),
    "indicators.write": frozenset({"admin", "department"}),
    # The market desk (/desk): the people who run the registry, not auditors or vendors.
    "desk.use": frozenset({"admin", "department", "board"}),
    # Live payments: a stall's event stream (paired devices too, see market40.live.devices)
    # and pairing soundboxes.
    "events.read": frozenset({"admin", "board", "vendor"}),
    "devices.write": frozenset({"admin", "board"}),
    "statement.read": frozenset({"admin", "board", "vendor"}),
}


def scope_markets(user: User) -> set[int] | None:
    """Market ids the user is confined to, or None for province-wide roles."""
    if user.role in PROVINCE_WIDE:
        return None
    if user.role == "vendor":
        return set() if user.vendor_id is None else {_vendor_market(user)}
    return user.market_ids


def _vendor_market(user: User) -> int:
    from market40.extensions import db

    vendor = db.session.get(Vendor, user.vendor_id)
    return vendor.market_id if vendor else -1


def can(
    user: User | None,
    permission: str,
    *,
    market: Market | None = None,
    vendor: Vendor | None = None,
) -> bool:
    if user is None or user.role not in PERMISSIONS[permission]:
        return False
    if user.role == "vendor" and vendor is not None:
        return vendor.id == user.vendor_id
    if user.role == "vendor" and market is not None and vendor is None:
        # A vendor acts on its own stall only, never on a whole market.
        return permission in {"vendors.read", "transactions.read", "reports.vendor"} and (
            market.id in (scope_markets(user) or set())
        )
    if market is None and vendor is not None:
        market_id = vendor.market_id
    else:
        market_id = market.id if market is not None else None
    if market_id is None:
        return True
    allowed = scope_markets(user)
    return allowed is None or market_id in allowed


def authorize(
    user: User | None,
    permission: str,
    *,
    market: Market | None = None,
    vendor: Vendor | None = None,
) -> User:
    """Return ``user`` if it may, else raise 401 (no user) or 403 (role or scope)."""
    if user is None:
        raise Unauthorized()
    if not can(user, permission, market=market, vendor=vendor):
        if user.role in PERMISSIONS[permission] and (vendor is not None or market is not None):
            # The role may, but not here: say so, rather than that the role never may.
            what = (f"Vendor {vendor.id} (market {vendor.market.code})" if vendor is not None
                    else f"Market {market.code}")
            raise Forbidden(f"{what} is outside your scope ({user.role}: {permission}).")
        where = f" for market {market.code}" if market is not None else ""
        raise Forbidden(f"Role {user.role!r} may not {permission.replace('.', ' ')}{where}.")
    return user
